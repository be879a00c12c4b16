"""One edge type as ``add_edges`` / ``add_gap_junctions`` describe it, and its per-edge properties.

In: ``add_edges`` arguments (:func:`connection_rule` checks the rule, ``nsyns=`` and the
iterator) and ``add_properties`` calls (a function, a netbuild value, a constant or a list, with
BMTK's ``dtypes=``: :func:`spec_dtype`). Out: :class:`ConnectionMap` (BMTK's, what ``add_edges``
returns), which the spec writer (``_spec``) turns into an ``[[edges]]`` or ``[[gap_junctions]]``
block, and :class:`ValuesList`, a ``values=[...]`` list as a per-synapse callable in BMTK's
edge order.
"""

import logging

import numpy as np

from . import _edges
from ._errors import NetbuildError, caller
from .rules import Rule, SynLocations

ITERATORS = ("one_to_one", "all_to_one", "one_to_all")
logger = logging.getLogger("netbuild")


def connection_rule(rule, params, iterator, type_props, callsite):
    """The connection rule of an ``add_edges`` call, checked: an int (every pair, that many
    synapses; BMTK's ``nsyns=``, taken out of ``type_props``, replaces the rule), a Python
    function, or a netbuild rule."""
    if "nsyns" in type_props:
        # BMTK: nsyns= replaces the connection rule: every pair, that many synapses, stored
        # in the nsyns column (PopNet's synapse count), not an edge-type column.
        if not (isinstance(rule, (int, np.integer)) and rule == 1):
            logger.warning("%s: nsyns=%r replaces connection_rule=%r, as in BMTK", callsite,
                           type_props["nsyns"], rule)
        rule = fixed_nsyns(type_props.pop("nsyns"))
    elif isinstance(rule, (float, np.floating)) and not isinstance(rule, bool):
        rule = fixed_nsyns(rule, "connection_rule")
    if iterator not in ITERATORS:
        raise NetbuildError(f"iterator: expected one of {', '.join(ITERATORS)}, found {iterator!r}")
    if isinstance(rule, (list, np.ndarray)):
        raise NetbuildError("connection_rule=[...]: a list of values depends on BMTK's order of "
                            "pairs; use a function or a netbuild rule")
    if isinstance(rule, Rule) and params:
        raise NetbuildError("connection_params go with a Python function, not a netbuild rule")
    if not (callable(rule) or isinstance(rule, (Rule, int, np.integer))) or isinstance(rule, bool):
        raise NetbuildError(f"connection_rule: expected an int, a function or a netbuild rule, "
                            f"found {rule!r}")
    return rule


def fixed_nsyns(v, what="nsyns"):
    """BMTK's ``nsyns=`` (or a number as ``connection_rule``): a whole number of synapses for
    every pair, given as an int or a float such as ``1e4``."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise NetbuildError(f"{what}={v!r}: expected a number of synapses per pair")
    if not np.isfinite(v) or v < 0 or float(v) != int(v):
        raise NetbuildError(f"{what}={v!r}: expected a whole number of synapses >= 0")
    if int(v) > 2**32 - 1:
        raise NetbuildError(f"{what}={v!r}: at most 4294967295 synapses per pair (BMTK's uint32)")
    return int(v)


def spec_dtype(dt):
    """A ``dtypes=`` entry (numpy dtype, type or name) as the spec's dtype name, or "str" for a
    string property: ``h5py.string_dtype()`` (BMTK's way; also ``h5py.special_dtype(vlen=str)``
    and the ASCII ones), ``str``, ``np.str_`` or ``object``, all written as h5py writes
    ``h5py.string_dtype()``: variable-length UTF-8 strings."""
    if dt is None:
        return "f64"
    if isinstance(dt, str) and dt in ("f32", "f64", "i32", "i64", "u32", "u64"):
        return dt
    if dt in (str, np.str_, object, bytes):
        return "str"
    d = np.dtype(dt)
    if d.kind == "O" and (d.metadata or {}).get("vlen") in (str, bytes, None):
        return "str"
    if d.kind == "U":
        return "str"
    if d.kind == "S":
        raise NetbuildError(f"dtype {dt!r}: netbuild writes strings variable-length, as "
                            "h5py.string_dtype() does; fixed-length byte strings (BMTK cuts longer "
                            "values to the length without a word) are not written: use "
                            "dtypes=h5py.string_dtype()")
    if d.kind == "f":
        return "f32" if d.itemsize <= 4 else "f64"
    if d.kind == "b":
        return "i32"
    if d.kind == "i":
        return "i32" if d.itemsize <= 4 else "i64"
    if d.kind == "u":
        return "u32" if d.itemsize <= 4 else "u64"
    raise NetbuildError(f"dtype {dt!r}: netbuild stores per-edge properties as numbers "
                        "(f32 f64 i32 i64 u32 u64) or strings (h5py.string_dtype())")


class ConnectionMap:
    """One edge type (BMTK's ``ConnectionMap``): what ``add_edges`` returns, with
    :meth:`add_properties`."""

    def __init__(self, builder, source, target, rule, params, iterator, type_props, callsite,
                 gap=None):
        self.builder = builder
        self.source = source
        self.target = target
        self.rule = rule
        self.params = params or {}
        self.iterator = iterator
        self.type_props = type_props
        self.callsite = callsite
        self.gap = gap
        self.properties = []  # (names, rule, params, dtypes, callsite)

    @property
    def source_nodes(self):
        """The source selection."""
        return self.source

    @property
    def target_nodes(self):
        """The target selection."""
        return self.target

    @property
    def source_network_name(self):
        """The source network's name."""
        return self.source.network_name

    @property
    def target_network_name(self):
        """The target network's name."""
        return self.target.network_name

    @property
    def connector(self):
        """The connection rule (BMTK's name)."""
        return self.rule

    @property
    def connector_params(self):
        """The connection rule's parameters."""
        return self.params

    @property
    def edge_type_id(self):
        """The edge type's id: 100, 101, ... over the builder's ``add_edges`` calls, then its
        ``add_gap_junctions`` calls (the spec's order)."""
        ordered = self.builder._ordered_maps()
        return 100 + next(i for i, cm in enumerate(ordered) if cm is self)

    @property
    def edge_type_properties(self):
        """As BMTK's: the edge-type properties given to ``add_edges``, with ``edge_type_id``,
        ``source_query`` and ``target_query``."""
        props = dict(self.type_props)
        if self.gap is not None:
            props["is_gap_junction"] = True
        props.update(edge_type_id=self.edge_type_id, source_query=self.source.filter_str,
                     target_query=self.target.filter_str)
        return props

    def add_properties(self, names, rule=None, rule_params=None, values=None, dtypes=None):
        """Per-edge properties (BMTK's signature): ``rule`` is a function called per synapse
        as ``rule(source, target, **rule_params)`` returning the value (a tuple for several
        ``names``), a netbuild value (``netbuild.rules.expr(...)``, a generator), or a constant;
        ``values`` a constant. ``dtypes``: numpy dtypes or names (default float64); a string
        dtype (``h5py.string_dtype()``, ``str``) makes a string property: the function returns a
        str per synapse (or ``values`` is a list of them, or one str for all)."""
        if (rule is None) == (values is None):
            raise NetbuildError('Please specify either the "rule" or "values" parameters')
        multi = isinstance(names, (list, tuple))
        listed = list(names) if multi else [names]
        if multi:
            dts = list(dtypes) if isinstance(dtypes, (list, tuple)) else [dtypes] * len(listed)
        else:
            dts = [dtypes]
        if len(dts) != len(listed):
            raise NetbuildError(f"add_properties: {len(listed)} names but {len(dts)} dtypes")
        dts = [spec_dtype(d) for d in dts]
        text = dts == ["str"]
        if values is not None:
            if isinstance(values, (list, tuple, np.ndarray)):
                rule = ValuesList(self, names, values, text)
            else:
                rule = values
        if isinstance(rule, (list, tuple, np.ndarray)):
            rule = ValuesList(self, names, rule, text)
        names = listed
        if multi and not callable(rule) and len(names) > 1 and not isinstance(rule, SynLocations):
            raise NetbuildError("add_properties: several names need a function returning a tuple")
        if isinstance(rule, str) and text:
            rule = _Constant(rule)  # one string for every synapse, not an expression
        self.properties.append((names, rule, rule_params or {}, dts, caller()))
        return self


class _Constant:
    """``add_properties(name, values="AMPA", dtypes=h5py.string_dtype())``: one string for every
    synapse, as a function of the pair (what a string property takes)."""

    def __init__(self, value):
        self.value = value

    def __call__(self, source, target):
        return self.value

    def __repr__(self):
        return repr(self.value)


class ValuesList:
    """``add_properties(values=[...])``: value i for BMTK's i-th edge of the edge type. Only an
    edge type whose every pair connects with a fixed number of synapses (``connection_rule=<int>``
    or ``nsyns=``) has BMTK's edge list before building; any other rule is refused."""

    def __init__(self, cm, names, values, text=False):
        if isinstance(names, (list, tuple)) and len(names) != 1:
            raise NetbuildError("add_properties(values=[...]) takes one property name")
        rule = cm.rule
        if callable(rule) or isinstance(rule, Rule):
            raise NetbuildError(
                "add_properties(values=[...]): value i goes to BMTK's i-th edge, and which edges "
                "a connection function or a netbuild rule makes is only known once they are made; "
                "netbuild takes a list only where every pair connects "
                "(connection_rule=<int> or nsyns=<int>); give a rule instead")
        if text:  # a string property: the strings as they are (checked when used)
            self.values, self.cm = np.asarray(list(values), dtype=object), cm
            return
        a = np.asarray(values)
        if a.ndim != 1 or a.dtype.kind not in "biuf":
            raise NetbuildError("add_properties(values=[...]): netbuild stores per-edge values as "
                                f"numbers, one per edge; found {a.dtype} values of shape {a.shape}")
        self.values = a.astype(float)
        self.cm = cm

    def call(self):
        """The per-synapse callable for a build, after checking the list's length."""
        cm = self.cm
        src, trg, n = cm.source._ids(), cm.target._ids(), int(cm.rule)
        want = len(src) * len(trg) * n
        if len(self.values) != want:
            raise NetbuildError(
                f"add_properties(values=[...]) at {cm.callsite}: {len(self.values)} values for "
                f"{want} edges ({len(src)} sources x {len(trg)} targets x {n} synapses)")
        return _edges.ValuesInBmtkOrder(self.values, src, trg, n)
