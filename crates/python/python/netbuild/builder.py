"""BMTK's ``NetworkBuilder`` API over netbuild.

In: a script's builder calls. Out: on ``save``, one spec text (the ``spec.toml`` the binary
would read for the same circuit; :meth:`NetworkBuilder.spec` shows it) plus the script's Python
functions keyed by the edge type they belong to, built by ``netbuild._netbuild.build``.

Every ``NetworkBuilder`` of the process joins one session (module state, in creation order):
netbuild writes a circuit at once, so ``save`` writes every network of the session and every
edge type added so far (see README, "From a BMTK script").
"""

import hashlib
import inspect
import os
import re
import threading

import numpy as np

from . import _netbuild, _toml
from .rules import Positions, Rule, SynLocations, Value, syn_locations

__all__ = ["NetworkBuilder", "NetbuildError", "seed", "Node", "NodePool", "ConnectionMap"]

_ITERATORS = ("one_to_one", "all_to_one", "one_to_all")
_SEED = {"value": None}
# Every NetworkBuilder of the process, in creation order: one circuit.
_SESSION = []


class NetbuildError(ValueError):
    """A circuit netbuild cannot build as described, located at the script's call."""


def seed(s):
    """Sets the seed of netbuild's own random draws (native rules, generators, positions)."""
    _SEED["value"] = int(s)


def _caller():
    """``file:line`` of the script's call into the builder (the first frame outside netbuild)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for f in inspect.stack()[2:]:
        if os.path.dirname(os.path.abspath(f.filename)) != here:
            return f"{f.filename}:{f.lineno}"
    return "<unknown>"


class Node:
    """A node as BMTK's connection functions see it: ``node['x']``, ``node.node_id``,
    ``node.get('pop_name')``, ``'x' in node``, ``node.keys()``."""

    __slots__ = ("node_id", "node_type_id", "network", "_props")

    def __init__(self, node_id, node_type_id, network, props):
        self.node_id = node_id
        self.node_type_id = node_type_id
        self.network = network
        self._props = props

    def __getitem__(self, k):
        return self._props[k]

    def get(self, k, default=None):
        """The property ``k``, or ``default``."""
        return self._props.get(k, default)

    def __contains__(self, k):
        return k in self._props

    def keys(self):
        """The property names (node-type and per-node, ``node_id``, ``node_type_id``)."""
        return self._props.keys()

    def items(self):
        """(name, value) of every property."""
        return self._props.items()

    @property
    def positions(self):
        """(x, y, z), missing coordinates as 0."""
        return np.array([self._props.get(a, 0.0) for a in ("x", "y", "z")])

    def __repr__(self):
        return f"Node({self.network}, node_id={self.node_id})"


class NodePool:
    """The nodes of one network that match ``filters`` (BMTK's ``net.nodes(**filters)``): a
    selection for ``add_edges``, and an iterable of :class:`Node`."""

    def __init__(self, network, filters):
        self.network = network
        self.filters = dict(filters)

    @property
    def network_name(self):
        """The network's name."""
        return self.network.name

    def _ids(self):
        nodes = self.network._node_objects()
        return [n.node_id for n in nodes if self._matches(n)]

    def _matches(self, n):
        for k, v in self.filters.items():
            have = n.get(k)
            if isinstance(v, (list, tuple, np.ndarray)):
                if have not in list(v):
                    return False
            elif have != v:
                return False
        return True

    def __iter__(self):
        nodes = self.network._node_objects()
        return iter([n for n in nodes if self._matches(n)])

    def __len__(self):
        return len(self._ids())

    def toml(self):
        """The spec's selector table."""
        fields = [("network", _toml.scalar(self.network.name))]
        for k, v in self.filters.items():
            if isinstance(v, (list, tuple, np.ndarray)):
                fields.append((k, _toml.array(list(v))))
            else:
                fields.append((k, _toml.scalar(v)))
        return _toml.inline(fields)


def _dtype(dt):
    """A ``dtypes=`` entry (numpy dtype, type or name) as the spec's dtype name."""
    if dt is None:
        return "f64"
    if isinstance(dt, str) and dt in ("f32", "f64", "i32", "i64", "u32", "u64"):
        return dt
    d = np.dtype(dt)
    if d.kind == "f":
        return "f32" if d.itemsize <= 4 else "f64"
    if d.kind == "b":
        return "i32"
    if d.kind == "i":
        return "i32" if d.itemsize <= 4 else "i64"
    if d.kind == "u":
        return "u32" if d.itemsize <= 4 else "u64"
    raise NetbuildError(f"dtype {dt!r}: netbuild stores per-edge properties as numbers "
                        "(f32 f64 i32 i64 u32 u64)")


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
    """A per-node connection function's answer as a list of ``n`` synapse counts."""
    if values is None:
        return [0] * n
    a = np.asarray(values)
    if a.dtype.kind in "biuf":
        a = a.reshape(-1)
        if np.any(a < 0):
            raise ValueError("the connection rule returned a negative number of synapses")
        return np.nan_to_num(a).astype(np.int64).tolist()
    return [_nsyns(v) for v in values]


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
    def edge_type_properties(self):
        """The edge-type properties given to ``add_edges``."""
        return dict(self.type_props)

    def add_properties(self, names, rule=None, rule_params=None, values=None, dtypes=None):
        """Per-edge properties (BMTK's signature): ``rule`` is a function called per synapse
        as ``rule(source, target, **rule_params)`` returning the value (a tuple for several
        ``names``), a netbuild value (``netbuild.rules.expr(...)``, a generator), or a constant;
        ``values`` a constant. ``dtypes``: numpy dtypes or names (default float64)."""
        if (rule is None) == (values is None):
            raise NetbuildError('Please specify either the "rule" or "values" parameters')
        if values is not None:
            if isinstance(values, (list, tuple, np.ndarray)):
                raise NetbuildError(
                    "add_properties(values=[...]): a list of per-edge values depends on the order "
                    "BMTK makes edges in, which netbuild does not share; use a rule")
            rule = values
        multi = isinstance(names, (list, tuple))
        names = list(names) if multi else [names]
        if multi:
            dts = list(dtypes) if isinstance(dtypes, (list, tuple)) else [dtypes] * len(names)
        else:
            dts = [dtypes]
        if len(dts) != len(names):
            raise NetbuildError(f"add_properties: {len(names)} names but {len(dts)} dtypes")
        if multi and not callable(rule) and len(names) > 1 and not isinstance(rule, SynLocations):
            raise NetbuildError("add_properties: several names need a function returning a tuple")
        self.properties.append((names, rule, rule_params or {}, [_dtype(d) for d in dts],
                                _caller()))
        return self


class NetworkBuilder:
    """BMTK's ``NetworkBuilder(name)``, built and written by netbuild.

    ``seed``: the seed of netbuild's own draws (as :func:`netbuild.seed`); the binary's default
    is 0. Python functions draw from numpy as they do under BMTK.
    """

    def __init__(self, name, seed=None, **network_props):
        if not name:
            raise ValueError("Network name missing.")
        if any(b.name == name for b in _SESSION):
            raise NetbuildError(f"a NetworkBuilder named {name!r} exists already")
        self._name = name
        self._network_props = network_props
        self._blocks = []  # (N, type props, per-node props, positions, callsite)
        self._imports = []  # (nodes file, node types file, population, callsite)
        self._maps = []
        self._nodes = None
        self._built = False
        if seed is not None:
            if _SEED["value"] is not None and _SEED["value"] != int(seed):
                raise NetbuildError(f"seed={seed}: the session's seed is {_SEED['value']} "
                                    "already (netbuild draws everything from one seed)")
            _SEED["value"] = int(seed)
        _SESSION.append(self)

    @property
    def name(self):
        """The network's name (its SONATA node population)."""
        return self._name

    @property
    def nodes_built(self):
        """Whether nodes were made (always: netbuild makes them on demand)."""
        return True

    @property
    def edges_built(self):
        """Whether :meth:`build` was called."""
        return self._built

    def add_nodes(self, N=1, **properties):
        """N nodes of one node type. Scalars are node-type properties (the node types CSV),
        sequences of length N per-node properties (the nodes file); ``positions``: an N x 3
        array (x, y, z) or ``netbuild.rules.cylinder/box/sphere``; netbuild values
        (``rules.uniform(0, 1)``) are drawn natively."""
        if self._imports:
            raise NetbuildError(f"network {self._name!r} imports its nodes: no add_nodes")
        N = int(N)
        type_props, node_props, positions = {}, {}, None
        for k, v in properties.items():
            if v is None:
                continue
            if k == "positions":
                if isinstance(v, Positions):
                    positions = v
                    continue
                p = np.asarray(v, dtype=float)
                if p.shape != (N, 3):
                    raise NetbuildError(f"positions: expected an {N} x 3 array, found shape {p.shape}")
                for a, col in zip("xyz", p.T):
                    node_props[a] = col
                continue
            if isinstance(v, Value):
                node_props[k] = v
            elif isinstance(v, (list, tuple, np.ndarray)) and len(v) == N and np.ndim(v) == 1:
                node_props[k] = np.asarray(v) if not isinstance(v, np.ndarray) else v
            elif _toml.is_scalar(v):
                type_props[k] = v
            else:
                # As BMTK's node types CSV: the value's text.
                type_props[k] = str(v)
        self._blocks.append((N, type_props, node_props, positions, _caller()))
        self._nodes = None

    def nodes(self, **properties):
        """The nodes matching ``properties`` (equal, or one of a list), as a selection."""
        return NodePool(self, properties)

    def _node_objects(self):
        """Every node as a :class:`Node` (for Python functions and ``nodes()`` iteration)."""
        if self._nodes is not None:
            return self._nodes
        if self._imports:
            self._nodes = _imported_nodes(self)
            return self._nodes
        nodes = []
        for b, (n, type_props, node_props, _positions, _) in enumerate(self._blocks):
            drawn = [k for k, v in node_props.items() if isinstance(v, Value)]
            cols = {k: v for k, v in node_props.items() if not isinstance(v, Value)}
            has_xyz = all(a in cols for a in "xyz")
            for i in range(n):
                node_id = len(nodes)
                props = dict(type_props)
                for k, v in cols.items():
                    x = v[i]
                    props[k] = x.item() if isinstance(x, np.generic) else x
                if has_xyz:
                    props["positions"] = np.array([props["x"], props["y"], props["z"]])
                props["node_id"] = node_id
                props["node_type_id"] = 100 + b
                for k in drawn:
                    props.pop(k, None)
                nodes.append(Node(node_id, 100 + b, self._name, props))
        self._nodes = nodes
        return nodes

    def _selection(self, sel, what):
        if sel is None:
            return self.nodes()
        if isinstance(sel, NodePool):
            return sel
        if isinstance(sel, dict):
            return self.nodes(**sel)
        if isinstance(sel, NetworkBuilder):
            return sel.nodes()
        raise NetbuildError(f"{what}: expected net.nodes(...) or a dict of filters, found {sel!r}")

    def add_edges(self, source=None, target=None, connection_rule=1, connection_params=None,
                  iterator="one_to_one", **edge_type_properties):
        """One edge type (BMTK's signature). ``connection_rule``: an int (every pair, that many
        synapses), a function called per ``iterator`` as BMTK calls it
        (``one_to_one``: ``f(source, target, **params)`` -> synapses or None;
        ``all_to_one``: ``f(sources, target, **params)`` -> synapses per source;
        ``one_to_all``: ``f(source, targets, **params)`` -> synapses per target), or a
        ``netbuild.rules`` rule (native speed). Other keywords are edge-type properties."""
        return self._add_edges(source, target, connection_rule, connection_params, iterator,
                               edge_type_properties, None, _caller())

    def _add_edges(self, source, target, rule, params, iterator, type_props, gap, callsite):
        if iterator not in _ITERATORS:
            raise NetbuildError(f"iterator: expected one of {', '.join(_ITERATORS)}, found {iterator!r}")
        if isinstance(rule, (list, np.ndarray)):
            raise NetbuildError("connection_rule=[...]: a list of values depends on BMTK's order of "
                                "pairs; use a function or a netbuild rule")
        if isinstance(rule, Rule) and params:
            raise NetbuildError("connection_params go with a Python function, not a netbuild rule")
        if not (callable(rule) or isinstance(rule, (Rule, int, np.integer))) or isinstance(rule, bool):
            raise NetbuildError(f"connection_rule: expected an int, a function or a netbuild rule, "
                                f"found {rule!r}")
        cm = ConnectionMap(self, self._selection(source, "source"), self._selection(target, "target"),
                           rule, params, iterator, dict(type_props), callsite, gap)
        self._maps.append(cm)
        return cm

    def add_gap_junctions(self, source=None, target=None, resistance=1.0, conductance=None,
                          distance_range=[0.0, 300.0], target_sections=["somatic"],
                          connection_rule=1, iterator="one_to_one", **edge_type_properties):
        """Gap junctions (BMTK's signature): an edge type marked ``is_gap_junction``, with its
        ``resistance`` (megaohm) or ``conductance`` (microsiemens), ``syn_weight`` = 1/resistance
        or the conductance, ``distance_range`` and ``target_sections`` as BMTK stores them."""
        props = dict(edge_type_properties)
        # BMTK passes its keywords on to add_edges: connection_params among them.
        params = props.pop("connection_params", None)
        props["syn_weight"] = 1.0 / resistance if conductance is None else conductance
        if distance_range is not None:
            props["distance_range"] = distance_range
        if target_sections is not None:
            props["target_sections"] = target_sections
        gap = ("resistance", resistance) if conductance is None else ("conductance", conductance)
        return self._add_edges(source, target, connection_rule, params, iterator, props, gap,
                               _caller())

    def import_nodes(self, nodes_file_name, node_types_file_name, population=None):
        """Uses an existing SONATA node population as this network (BMTK's ``import_nodes``);
        its population must be named like this network."""
        if self._blocks:
            raise NetbuildError(f"network {self._name!r} has add_nodes blocks: no import_nodes")
        self._imports.append((os.path.abspath(nodes_file_name), os.path.abspath(node_types_file_name),
                              population or self._name, _caller()))
        self._nodes = None

    def build(self, force=False):
        """Marks the network built (netbuild connects on :meth:`save`, where it writes)."""
        self._built = True

    def spec(self, compression=None, **opts):
        """The spec text netbuild builds for the session (what :meth:`save` builds; the output
        folder goes to the build beside it, as the binary's ``-o``)."""
        return _Session(".", compression, opts, with_edges=True).text

    def save(self, output_dir=".", compression=None, force_overwrite=True, **opts):
        """Builds and writes the session's circuit into ``output_dir`` (netbuild's files:
        every network and edge population so far). ``compression``: None or 'none' (the default,
        as the binary's), 'gzip', or a gzip level 1..9. Options: ``memory_budget`` ("2 GiB"),
        ``spill_dir``, ``sort_by`` ('target_node_id' or 'source_node_id'), ``threads`` (worker
        threads per rank; default the cores shared by the ranks, 1 when the script has Python
        functions)."""
        return _Session(output_dir, compression, opts, with_edges=True).build()

    def save_nodes(self, output_dir=".", compression=None, **opts):
        """Writes the session's networks (no edges) into ``output_dir``."""
        return _Session(output_dir, compression, opts, with_edges=False).build()

    def save_edges(self, output_dir=".", compression=None, **opts):
        """As :meth:`save` (netbuild writes nodes and edges of a circuit together)."""
        return self.save(output_dir=output_dir, compression=compression, **opts)

    def nnodes(self):
        """The number of nodes (of ``add_nodes`` blocks)."""
        return sum(b[0] for b in self._blocks) if not self._imports else len(self._node_objects())


def _imported_nodes(builder):
    """The nodes of an imported population, read with h5py (needed only when a Python
    function connects them)."""
    try:
        import h5py
    except ImportError as e:
        raise NetbuildError("Python functions over imported nodes need h5py") from e
    import csv
    nodes_file, types_file, population, _ = builder._imports[0]
    with open(types_file) as f:
        rows = list(csv.reader(f, delimiter=" ", skipinitialspace=True))
    header, types = rows[0], {}
    for r in rows[1:]:
        if r:
            props = dict(zip(header, r))
            types[int(props.pop("node_type_id"))] = props
    with h5py.File(nodes_file, "r") as h:
        pop = h["nodes"][population]
        type_ids = pop["node_type_id"][()]
        group_ids = pop["node_group_id"][()]
        group_index = pop["node_group_index"][()]
        groups = {k: {c: pop[k][c][()] for c in pop[k] if isinstance(pop[k][c], h5py.Dataset)}
                  for k in pop if k.isdigit()}
    nodes = []
    for i, (t, g, gi) in enumerate(zip(type_ids, group_ids, group_index)):
        props = dict(types.get(int(t), {}))
        for c, v in groups[str(g)].items():
            x = v[gi]
            props[c] = x.decode() if isinstance(x, bytes) else (x.item() if isinstance(x, np.generic) else x)
        props["node_id"], props["node_type_id"] = i, int(t)
        nodes.append(Node(i, int(t), builder.name, props))
    return nodes


class _PairCall:
    """``one_to_one``: ``f(source, target)`` for each pair, called by netbuild once per target
    with (target id, source ids): one entry into Python per target, not per pair."""

    def __init__(self, fn, params, src, trg):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg

    def __call__(self, t, ids):
        fn, params, src, target = self.fn, self.params, self.src, self.trg[t]
        counts = []
        for s in ids:
            v = fn(src[s], target, **params)
            # The common answers without a call: None (no edge) and 1.
            counts.append(0 if v is None else 1 if v is True or (type(v) is int and v == 1)
                          else _nsyns(v))
        return counts


class _TargetCall:
    """``all_to_one``: called with (target id, source ids): ``f(sources, target)``."""

    def __init__(self, fn, params, src, trg, selected):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg
        # The candidates are the whole selection (autapses on, no max_distance): one list.
        self.all_ids, self.all_nodes = selected, [src[i] for i in selected]

    def __call__(self, t, ids):
        nodes = self.all_nodes if ids == self.all_ids else [self.src[i] for i in ids]
        return _counts(self.fn(nodes, self.trg[t], **self.params), len(ids))


class _SourceCall:
    """``one_to_all``: called with (source id, target ids): ``f(source, targets)``."""

    def __init__(self, fn, params, src, trg, selected):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg
        self.all_ids, self.all_nodes = selected, [trg[i] for i in selected]

    def __call__(self, s, ids):
        nodes = self.all_nodes if ids == self.all_ids else [self.trg[i] for i in ids]
        return _counts(self.fn(self.src[s], nodes, **self.params), len(ids))


class _PropertyCall:
    """Property ``k`` of an ``add_properties`` function, per synapse: ``rule(source, target)``.
    For several names the function is called once per synapse (for property 0) and the others
    read its tuple: netbuild asks for a synapse's properties in order, on one thread."""

    def __init__(self, fn, params, src, trg, k, n, cache):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg
        self.k, self.n, self.cache = k, n, cache

    def __call__(self, s, t):
        if self.n == 1:
            return float(self.fn(self.src[s], self.trg[t], **self.params))
        me = threading.get_ident()
        if self.k == 0:
            vals = tuple(self.fn(self.src[s], self.trg[t], **self.params))
            if len(vals) != self.n:
                raise ValueError(f"the property rule returned {len(vals)} values for {self.n} names")
            self.cache[me] = vals
        return float(self.cache[me][self.k])


class _Session:
    """The spec text of every network and edge type of the session, with the Python functions
    to attach, for one ``save``."""

    def __init__(self, output_dir, compression, opts, with_edges):
        self.opts = dict(opts)
        self.lines = []  # spec lines
        self.blocks = []  # (first line, callsite, what)
        self.rules, self.props = [], []
        self.edge_callsites = []
        self._write(output_dir, compression, with_edges)
        self.text = "\n".join(self.lines) + "\n"

    def _block(self, header, callsite, what):
        self.lines.append("")
        self.lines.append(f"# {what} at {callsite}")
        self.blocks.append((len(self.lines) + 1, callsite, what))
        self.lines.append(header)

    def _write(self, output_dir, compression, with_edges):
        # The output folder goes to the build as the binary's `-o` does, outside the spec.
        self.output_dir = os.path.abspath(output_dir)
        build = [("seed", str(_SEED["value"] or 0)),
                 ("compression", _toml.scalar(_compression(compression)))]
        sort_by = self.opts.pop("sort_by", None)
        if sort_by is not None:
            build.append(("sort_edges_by", _toml.scalar(str(sort_by).replace("_node_id", ""))))
        for k in ("memory_budget", "spill_dir"):
            if self.opts.get(k) is not None:
                build.append((k, _toml.scalar(str(self.opts.pop(k)))))
        self.threads = self.opts.pop("threads", None)
        self.lines.append("# The spec netbuild made from a BMTK-style script.")
        self.lines.append("[build]")
        self.lines.extend(f"{k} = {v}" for k, v in build)
        for net in _SESSION:
            for n, type_props, node_props, positions, callsite in net._blocks:
                self._block("[[nodes]]", callsite, f"add_nodes of {net.name!r}")
                self.lines.append(f"network = {_toml.scalar(net.name)}")
                self.lines.append(f"N = {n}")
                for k, v in type_props.items():
                    self.lines.append(f"{_toml.key(k)} = {_toml.scalar(v)}")
                for k, v in node_props.items():
                    text = v.toml() if isinstance(v, Value) else _toml.array(v)
                    self.lines.append(f"{_toml.key(k)} = {text}")
                if positions is not None:
                    self.lines.append(f"positions = {positions.toml()}")
            for nodes_file, types_file, population, callsite in net._imports:
                self._block("[[import]]", callsite, f"import_nodes of {net.name!r}")
                self.lines.append(f"nodes = {_toml.scalar(nodes_file)}")
                self.lines.append(f"node_types = {_toml.scalar(types_file)}")
                self.lines.append(f"population = {_toml.scalar(population)}")
        if not with_edges:
            return
        maps = [cm for net in _SESSION for cm in net._maps]
        # The spec numbers [[edges]] blocks first, then [[gap_junctions]].
        ordered = [cm for cm in maps if cm.gap is None] + [cm for cm in maps if cm.gap is not None]
        for index, cm in enumerate(ordered):
            self._edge_type(index, cm)

    def _edge_type(self, index, cm):
        table = "[[edges]]" if cm.gap is None else "[[gap_junctions]]"
        what = "add_edges" if cm.gap is None else "add_gap_junctions"
        self._block(table, cm.callsite, what)
        self.edge_callsites.append(cm.callsite)
        self.lines.append(f"source = {cm.source.toml()}")
        self.lines.append(f"target = {cm.target.toml()}")
        rule = cm.rule
        if isinstance(rule, Rule):
            text, nsyns = rule.toml()
            self.lines.append(f"rule = {text}")
            if nsyns is not None:
                self.lines.append(f"nsyns = {nsyns}")
        elif callable(rule):
            # A placeholder rule, replaced by the function; BMTK calls it for every pair,
            # self-pairs included.
            self.lines.append("rule = { all_to_all = true, autapses = true }")
            src, trg = cm.source.network._node_objects(), cm.target.network._node_objects()
            if cm.iterator == "one_to_one":
                call = _PairCall(rule, cm.params, src, trg)
            elif cm.iterator == "all_to_one":
                call = _TargetCall(rule, cm.params, src, trg, cm.source._ids())
            else:
                call = _SourceCall(rule, cm.params, src, trg, cm.target._ids())
            # Per pair and per target alike, netbuild calls Python once per target.
            shape = "one_to_all" if cm.iterator == "one_to_all" else "all_to_one"
            self.rules.append((index, shape, call))
        else:
            # BMTK's connection_rule=<int>: every pair, self-pairs included, that many synapses.
            self.lines.append(f"rule = {{ count = {int(rule)}, autapses = true }}")
        if cm.gap is not None:
            self.lines.append(f"{cm.gap[0]} = {_toml.scalar(float(cm.gap[1]))}")
        for k, v in cm.type_props.items():
            if v is None:
                continue
            text = _toml.scalar(v) if _toml.is_scalar(v) else _toml.scalar(str(v))
            self.lines.append(f"{_toml.key(k)} = {text}")
        locations = [p for p in cm.properties if _syn_locations(p[1], p[2]) is not None]
        properties = [p for p in cm.properties if _syn_locations(p[1], p[2]) is None]
        if properties:
            self.lines.append("[" + table.strip("[]") + ".properties]")
            k = 0
            for names, prop_rule, params, dtypes, _callsite in properties:
                cache = {}
                for j, (name, dt) in enumerate(zip(names, dtypes)):
                    if isinstance(prop_rule, Value):
                        text = prop_rule.toml(dt)
                    elif callable(prop_rule):
                        text = _toml.inline([("expr", '"0"'), ("dtype", _toml.scalar(dt))])
                        src = cm.source.network._node_objects()
                        trg = cm.target.network._node_objects()
                        self.props.append((index, k, _PropertyCall(prop_rule, params, src, trg,
                                                                   j, len(names), cache)))
                    elif _toml.is_scalar(prop_rule) and not isinstance(prop_rule, str):
                        text = _toml.inline([("expr", _toml.scalar(str(float(prop_rule)))),
                                             ("dtype", _toml.scalar(dt))])
                    elif isinstance(prop_rule, str):
                        text = _toml.inline([("expr", _toml.scalar(prop_rule)),
                                             ("dtype", _toml.scalar(dt))])
                    else:
                        raise NetbuildError(f"add_properties: cannot use {prop_rule!r} as a rule")
                    self.lines.append(f"{_toml.key(name)} = {text}")
                    k += 1
        if len(locations) > 1:
            raise NetbuildError(f"{locations[1][4]}: add_properties: synapse locations are "
                                "given once per edge type")
        for names, prop_rule, params, _dtypes, callsite in locations:
            loc = _syn_locations(prop_rule, params)
            if tuple(names) != loc.names():
                raise NetbuildError(f"{callsite}: add_properties: synapse locations are the "
                                    f"columns {list(loc.names())}, found {names}")
            self.lines.append("[" + table.strip("[]") + ".locations]")
            self.lines.extend(loc.toml())

    def _locate(self, message):
        """Points a spec error (``path:line:col: ...``) or a model error (``edge type i: ...``)
        at the script's call."""
        m = re.match(r"^.*?:(\d+):(\d+): (.*)$", message, re.S)
        if m:
            line = int(m.group(1))
            at = [b for b in self.blocks if b[0] <= line]
            text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
            if at:
                _, callsite, what = at[-1]
                return f"{callsite}: {what}: {m.group(3)}\n  (spec line {line}: {text})"
            return f"{m.group(3)} (spec line {line}: {text})"
        m = re.match(r"^edge type (\d+): (.*)$", message, re.S)
        if m and int(m.group(1)) < len(self.edge_callsites):
            return f"{self.edge_callsites[int(m.group(1))]}: {m.group(2)}"
        return message

    def build(self):
        if self.opts:
            raise NetbuildError(f"save: unknown option(s) {', '.join(sorted(self.opts))}")
        path = os.path.join(os.getcwd(), "netbuild_script.toml")
        digest = hashlib.sha256(self.text.encode()).hexdigest()
        threads, progress = self.threads, None
        try:  # As the binary: seconds between progress lines in a log, 0 for none.
            progress = float(os.environ.get("NETBUILD_PROGRESS_SECS", ""))
        except ValueError:
            pass
        if self.rules or self.props:
            # The progress line's estimate would call the functions on extra pairs of rank 0.
            progress = 0.0
            if threads is None:
                # Python functions run one at a time (the GIL): one worker thread loses little,
                # and calls them in a fixed order, so np.random.seed(s) in the script gives the
                # same files run after run (on the same number of ranks).
                threads = 1
        try:
            return _netbuild.build(self.text, path, self.rules, self.props, self.output_dir,
                                   threads, digest, progress)
        except _netbuild.SpecError as e:
            raise NetbuildError(self._locate(str(e))) from None


def _syn_locations(rule, params):
    """The native synapse locations an ``add_properties`` rule stands for, or None:
    ``rules.syn_locations(...)``, or ``rules.syn_locations`` / BMTK's ``rand_syn_locations``
    with ``rule_params`` (netbuild runs BMTK's function natively, with its own draws)."""
    if isinstance(rule, SynLocations):
        return rule
    bmtk = (getattr(rule, "__name__", "") == "rand_syn_locations"
            and getattr(rule, "__module__", "").startswith("bmtk.builder.bionet"))
    if rule is syn_locations or bmtk:
        return syn_locations(**(params or {}))
    return None


def _compression(c):
    if c is None or c is False or c == "none":
        return "none"
    if c == "gzip" or c is True:
        return "gzip"
    if isinstance(c, (int, np.integer)) and 1 <= int(c) <= 9:
        return f"gzip:{int(c)}"
    raise NetbuildError(f"compression: expected None, 'none', 'gzip' or a level 1..9, found {c!r}")
