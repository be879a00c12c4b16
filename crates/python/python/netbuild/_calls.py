"""The script's Python functions as netbuild evaluates them, and the nodes they see.

In: an edge type (``ConnectionMap``) whose ``connection_rule`` or ``add_properties`` rule is a
Python function, with the :class:`Node` lists of its source and target networks. Out: the
function's answers for one block of units at a time, as compact numpy arrays:

- :class:`ConnectionCall`: for a block of targets (``one_to_one``, ``all_to_one``) or of sources
  (``one_to_all``), the connected pairs as ``(targets, sources, counts)`` (uint32 each);
- :class:`PropertyCall`: for a block of an edge type's connected targets (their synapses in the
  order netbuild writes them: targets ascending, sources ascending, one value per synapse),
  one column per property name: a float64 array, or for a string property (``dtypes`` "str")
  a :class:`Strings` (the block's sorted strings and a code per synapse).

:mod:`netbuild._workers` hands the blocks to worker processes and gives the assembled arrays
to the native build, which then reads them without calling Python.
"""

import inspect

import numpy as np

from ._errors import NetbuildError

__all__ = ["Node", "ConnectionCall", "PropertyCall", "SynapseValuesCall", "Strings",
           "merge_strings", "units_per_block"]

# A function's units (targets or sources) are cut into at most this many blocks, whatever the
# number of worker processes: the blocks, and the draws of each (see netbuild._workers), are the
# same for any worker count.
BLOCKS = 256


class Node(dict):
    """A node as BMTK's connection functions see it: ``node['x']``, ``node.node_id``,
    ``node.get('pop_name')``, ``'x' in node``, ``node.keys()``.

    A dict of the node's properties (node-type and per-node, ``node_id``, ``node_type_id``),
    made once per node and reused by every call: ``node['x']`` is a plain dict look-up."""

    __slots__ = ("node_id", "node_type_id", "network")

    def __init__(self, node_id, node_type_id, network, props):
        super().__init__(props)
        self.node_id = node_id
        self.node_type_id = node_type_id
        self.network = network

    # As BMTK's nodes: hashed by id (dicts are not hashable), equal when their properties are.
    def __hash__(self):
        return hash(self.node_id)

    __eq__ = dict.__eq__

    @property
    def positions(self):
        """The node's ``positions`` (BMTK's N x 3 column) where it has one, else (x, y, z) with
        missing coordinates as 0."""
        if "positions" in self:
            return np.asarray(self["positions"])
        return np.array([self.get(a, 0.0) for a in ("x", "y", "z")])

    def __repr__(self):
        return f"Node({self.network}, node_id={self.node_id})"

    def __reduce__(self):
        return (Node, (self.node_id, self.node_type_id, self.network, dict(self)))


def units_per_block(n):
    """The units (targets or sources) of one block, for ``n`` units in all."""
    return max(1, -(-n // BLOCKS))


class _Bound:
    """A function of (a, b) with its ``connection_params`` / ``rule_params``: passed
    positionally after (a, b) when the function's signature allows it (``extra``; a call then
    builds no keyword arguments), else as keywords (``params``)."""

    def __init__(self, fn, params):
        self.fn, self.params, self.extra = fn, dict(params or {}), _positional(fn, params or {})

    def __call__(self, a, b):
        if self.extra is not None:
            return self.fn(a, b, *self.extra)
        return self.fn(a, b, **self.params)

    def over(self, firsts, b):
        """``[fn(a, b) for a in firsts]``, the hot loop, without a Python frame per call."""
        fn, extra = self.fn, self.extra
        if extra == ():
            return [fn(a, b) for a in firsts]
        if extra is not None:
            return [fn(a, b, *extra) for a in firsts]
        params = self.params
        return [fn(a, b, **params) for a in firsts]

    def pairs(self, firsts, seconds):
        """``[fn(a, b) for a, b in zip(firsts, seconds)]``."""
        fn, extra = self.fn, self.extra
        if extra == ():
            return [fn(a, b) for a, b in zip(firsts, seconds)]
        if extra is not None:
            return [fn(a, b, *extra) for a, b in zip(firsts, seconds)]
        params = self.params
        return [fn(a, b, **params) for a, b in zip(firsts, seconds)]


def _positional(fn, params):
    """``params`` as the positional arguments that follow the first two of ``fn`` (defaults
    filling the gaps), or None when its signature does not allow it."""
    if not params:
        return ()
    try:
        ps = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if len(ps) < 2 or any(p.kind not in positional for p in ps[:2]):
        return None
    extra, left = [], set(params)
    for p in ps[2:]:
        if not left:
            break
        if p.kind != inspect.Parameter.POSITIONAL_OR_KEYWORD:
            return None
        if p.name in params:
            extra.append(params[p.name])
            left.discard(p.name)
        elif p.default is not inspect.Parameter.empty:
            extra.append(p.default)
        else:
            return None
    return tuple(extra) if not left else None


def _nsyns(v):
    """A connection function's answer as a synapse count (None/False: 0)."""
    if v is None or v is False:
        return 0
    if v is True:
        return 1
    n = int(v)
    if n < 0:
        raise ValueError(f"the connection rule returned {v!r}: expected a number of synapses >= 0")
    return n


def _counts(values, n):
    """A per-node connection function's answer as an array of ``n`` synapse counts."""
    if values is None:
        return np.zeros(n, dtype=np.int64)
    a = np.asarray(values)
    if a.dtype.kind in "biuf":
        a = a.reshape(-1)
        if np.any(a < 0):
            raise ValueError("the connection rule returned a negative number of synapses")
        a = np.nan_to_num(a).astype(np.int64)
    else:
        a = np.array([_nsyns(v) for v in values], dtype=np.int64)
    if len(a) != n:
        raise ValueError(f"the connection rule returned {len(a)} values for {n} nodes")
    return a


def _ids(a):
    return np.asarray(a, dtype=np.uint32)


class ConnectionCall:
    """The connection function of an edge type, called as BMTK calls it for its ``iterator``:
    ``one_to_one``: ``f(source, target, **params)`` per pair (self-pairs included) -> synapses
    or None; ``all_to_one``: ``f(sources, target, **params)`` per target -> synapses per source;
    ``one_to_all``: ``f(source, targets, **params)`` per source -> synapses per target. An int
    rule (every pair, that many synapses) when the edge type has Python properties: its
    connections are made here too, so that the properties can be computed beside them."""

    def __init__(self, cm):
        self.cm = cm
        if callable(cm.rule):
            self.iterator, self.fn = cm.iterator, _Bound(cm.rule, cm.params)
        elif isinstance(cm.rule, (int, np.integer)) and not isinstance(cm.rule, bool):
            self.iterator, self.fn = "count", int(cm.rule)
        else:
            raise NetbuildError(
                f"{cm.callsite}: add_properties with a Python function needs a Python function or "
                "an int as the connection rule; with a netbuild rule use a netbuild value "
                "(rules.expr(...), rules.normal(...), ...)")
        self.src_ids = np.asarray(cm.source._ids(), dtype=np.int64)
        self.trg_ids = np.asarray(cm.target._ids(), dtype=np.int64)
        src, trg = cm.source.network._node_objects(), cm.target.network._node_objects()
        self.source_network, self.target_network = cm.source.network.name, cm.target.network.name
        # The selections' nodes, made once: every call gets the same objects.
        self.sources = [src[i] for i in self.src_ids]
        self.targets = [trg[i] for i in self.trg_ids]

    def __getstate__(self):
        # Pickled for a kept worker (netbuild._workers): what the blocks need, not the builder.
        return dict(self.__dict__, cm=None)

    @property
    def units(self):
        """Targets (sources for ``one_to_all``): what a block cuts."""
        return len(self.sources if self.iterator == "one_to_all" else self.targets)

    def place(self, lo, hi):
        """Where block ``lo..hi`` is and what it costs: ((network, first node id), pairs)."""
        if self.iterator == "one_to_all":
            return (self.source_network, int(self.src_ids[lo])), (hi - lo) * len(self.targets)
        return (self.target_network, int(self.trg_ids[lo])), (hi - lo) * len(self.sources)

    def block(self, lo, hi):
        """The connections of units ``lo..hi``: (targets, sources, counts), uint32, ordered by
        unit then by the other side's id; pairs without synapses left out."""
        fn, ts, ss, cs = self.fn, [], [], []
        if self.iterator == "one_to_one":
            sources = self.sources
            for u in range(lo, hi):
                target = self.targets[u]
                answers = fn.over(sources, target)
                hits = [i for i, v in enumerate(answers) if v]
                counts = np.fromiter((_nsyns(answers[i]) for i in hits), np.int64, len(hits))
                self._keep(ts, ss, cs, np.full(len(hits), self.trg_ids[u]),
                           self.src_ids[hits], counts)
        elif self.iterator == "all_to_one":
            for u in range(lo, hi):
                counts = _counts(fn(self.sources, self.targets[u]), len(self.sources))
                self._keep(ts, ss, cs, np.full(len(counts), self.trg_ids[u]), self.src_ids, counts)
        elif self.iterator == "count":
            counts = np.full(len(self.sources), fn, dtype=np.int64)
            for u in range(lo, hi):
                self._keep(ts, ss, cs, np.full(len(counts), self.trg_ids[u]), self.src_ids, counts)
        else:
            for u in range(lo, hi):
                counts = _counts(fn(self.sources[u], self.targets), len(self.targets))
                self._keep(ts, ss, cs, self.trg_ids, np.full(len(counts), self.src_ids[u]), counts)
        if not cs:
            return _ids([]), _ids([]), _ids([])
        return _ids(np.concatenate(ts)), _ids(np.concatenate(ss)), _ids(np.concatenate(cs))

    @staticmethod
    def _keep(ts, ss, cs, targets, sources, counts):
        keep = counts > 0
        if np.any(counts > np.iinfo(np.uint32).max):
            raise ValueError("the connection rule returned more than 2^32 - 1 synapses for a pair")
        ts.append(targets[keep])
        ss.append(sources[keep])
        cs.append(counts[keep])


class Strings:
    """A string property's values for a run of synapses, dictionary-coded: ``vocabulary`` (the
    distinct strings, sorted by code point) and ``codes`` (uint32, one per synapse: value i is
    ``vocabulary[codes[i]]``). A block's answer is one; :func:`merge_strings` joins them."""

    __slots__ = ("vocabulary", "codes")

    def __init__(self, vocabulary, codes):
        self.vocabulary, self.codes = vocabulary, codes

    @classmethod
    def of(cls, values, name):
        """The coded form of ``values`` (str, or bytes as UTF-8). Anything else is an error
        naming the property: BMTK fails on it too (h5py cannot store it as a string)."""
        text = []
        for v in values:
            if isinstance(v, bytes):
                try:
                    v = v.decode("utf-8")
                except UnicodeDecodeError:
                    raise ValueError(f"property {name!r}: the rule returned {v!r}, bytes that "
                                     "are not UTF-8 text") from None
            elif not isinstance(v, str):
                raise ValueError(f"property {name!r} has a string dtype: the rule returned {v!r} "
                                 f"({type(v).__name__}), expected a str")
            text.append(v)
        vocabulary = sorted(set(text))
        for v in vocabulary:
            if "\0" in v:
                raise ValueError(f"property {name!r}: the rule returned {v!r}, which holds a NUL "
                                 "character (HDF5 strings end at the first one)")
        at = {v: i for i, v in enumerate(vocabulary)}
        return cls(vocabulary, np.fromiter((at[v] for v in text), np.uint32, len(text)))


def merge_strings(parts):
    """One :class:`Strings` of the blocks ``parts`` (in order): the sorted union of their
    vocabularies, each block's codes renumbered into it. It depends only on the values, not on
    how they were cut into blocks: the same for any number of workers and ranks."""
    vocabulary = sorted(set().union(*(p.vocabulary for p in parts)))
    at = {s: i for i, s in enumerate(vocabulary)}
    codes = [np.array([at[s] for s in p.vocabulary], dtype=np.uint32)[p.codes]
             if len(p.codes) else np.zeros(0, np.uint32) for p in parts]
    return Strings(vocabulary, np.concatenate(codes) if codes else np.zeros(0, np.uint32))


class PropertyCall:
    """An ``add_properties`` function, ``rule(source, target, **rule_params)`` per synapse,
    returning the value (a tuple of ``n`` values for ``n`` names). ``dtypes``: each name's
    spec dtype; "str" makes that column a string property."""

    def __init__(self, cm, fn, params, n, dtypes=None, names=None):
        self.cm, self.fn, self.n = cm, _Bound(fn, params), n
        self.strings = [d == "str" for d in (dtypes or ["f64"] * n)]
        self.names = list(names or [""] * n)
        self.sources = cm.source.network._node_objects()
        self.targets = cm.target.network._node_objects()
        self.target_network = cm.target.network.name

    def __getstate__(self):
        # Pickled for a kept worker (netbuild._workers): what the blocks need, not the builder.
        return dict(self.__dict__, cm=None)

    def place(self, table, lo, hi):
        """Where rows ``lo..hi`` of ``table`` are and what they cost: ((network, first target
        id), synapses)."""
        targets, offsets, _sources, counts = table
        return ((self.target_network, int(targets[lo])),
                int(counts[offsets[lo]:offsets[hi]].sum()))

    def block(self, table, lo, hi):
        """The values of the synapses of rows ``lo..hi`` of ``table`` (the edge type's
        connections: ``targets``, ``offsets``, ``sources``, ``counts``): a list of ``n``
        columns, float64 arrays, or :class:`Strings` for string properties."""
        s_of, t_of = _synapses(table, lo, hi)
        src, trg = self.sources, self.targets
        values = self.fn.pairs([src[s] for s in s_of], [trg[t] for t in t_of])
        if self.n == 1:
            columns = [values]
        else:
            for v in values:
                if len(v) != self.n:
                    raise ValueError(f"the property rule returned {len(v)} values for {self.n} "
                                     "names")
            columns = list(zip(*values)) if values else [[] for _ in range(self.n)]
        return [Strings.of(c, name) if text else np.asarray(c, dtype=np.float64).reshape(-1)
                for c, text, name in zip(columns, self.strings, self.names)]


class SynapseValuesCall(PropertyCall):
    """One property whose values come from ``of_synapses(source ids, target ids)`` (one id pair
    per synapse, the synapses of a pair one after the other; an array of values): a list of
    values in BMTK's edge order, say, computed for a whole block at once."""

    def __init__(self, cm, of_synapses, text=False, name=""):
        super().__init__(cm, None, None, 1, ["str" if text else "f64"], [name])
        self.of_synapses = of_synapses

    def block(self, table, lo, hi):
        """As :meth:`PropertyCall.block`, one column."""
        s_of, t_of = _synapses(table, lo, hi)
        values = self.of_synapses(s_of, t_of)
        if self.strings[0]:
            return [Strings.of(list(values), self.names[0])]
        return [np.asarray(values, dtype=np.float64).reshape(-1)]


def _synapses(table, lo, hi):
    """(source ids, target ids) of the synapses of rows ``lo..hi`` of ``table``, one pair per
    synapse, in the order netbuild writes them."""
    targets, offsets, sources, counts = table
    a, b = offsets[lo], offsets[hi]
    s_of = np.repeat(sources[a:b], counts[a:b])
    t_of = np.repeat(np.repeat(targets[lo:hi], np.diff(offsets[lo:hi + 1])), counts[a:b])
    return s_of.tolist(), t_of.tolist()
