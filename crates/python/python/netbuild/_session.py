"""The process's builders: one session, one seed.

In: every ``NetworkBuilder`` as it is made (:func:`join`, with its ``seed=``) and
:func:`netbuild.seed`. Out: the session's seed for the spec's ``[build]``, each builder's place
in the session, and which builders a build of one of them includes (:func:`networks`): a build
includes the node blocks of the others when netbuild draws node values, so that a network's
nodes are the same in every build (see README, "From a BMTK script").
"""

from ._errors import NetbuildError
from .rules import Value

_SEED = {"value": None}
# Every NetworkBuilder of the process, in creation order.
_SESSION = []


def seed(s):
    """Sets the seed of netbuild's own random draws (native rules, generators, positions)."""
    _SEED["value"] = int(s)


def current_seed():
    """The session's seed as the spec's ``[build] seed`` (the binary's default 0 when unset)."""
    return _SEED["value"] or 0


def join(builder, seed=None):
    """Adds a new builder to the session, with its ``seed=`` (None: none given), which must
    agree with the session's."""
    if seed is not None:
        if _SEED["value"] is not None and _SEED["value"] != int(seed):
            raise NetbuildError(f"seed={seed}: the session's seed is {_SEED['value']} "
                                "already (netbuild draws everything from one seed)")
        _SEED["value"] = int(seed)
    _SESSION.append(builder)


def index(builder):
    """The builder's place in the session (creation order)."""
    return _SESSION.index(builder)


def networks(builder, with_edges):
    """[(builder, its network name in the spec)] of a build of ``builder`` (in session order),
    and whether that is the whole session (``builder`` is the only one, so its ``save`` writes
    every file of the build). Its own network and those its edges reach, under
    their names; when netbuild draws node values (generators, ``positions`` volumes), which
    come from streams keyed by the block's place in the spec, the blocks of every other builder
    too, under hidden names (their files stay in the staging folder), so that a network's nodes
    are the same in every build."""
    needed = [builder]
    if with_edges:
        for cm in builder._maps:
            for b in (cm.source.network, cm.target.network):
                if b not in needed:
                    needed.append(b)
    by_name = {}
    for b in needed:
        if by_name.setdefault(b.name, b) is not b:
            raise NetbuildError(f"the edges of {builder.name!r} reach two different "
                                f"NetworkBuilders named {b.name!r}: netbuild builds one network of "
                                "a name at a time")
    drawn = any(isinstance(v, Value) for b in _SESSION for blk in b._blocks
                for v in blk[2].values()) or any(blk[3] is not None for b in _SESSION
                                                 for blk in b._blocks)
    out = []
    for i, b in enumerate(_SESSION):
        if b in needed:
            out.append((b, b.name))
        elif drawn and b._blocks:
            out.append((b, f"netbuild_unsaved_{i}_{b.name}"))
    return out, _SESSION == [builder]

