"""BMTK's ``NetworkBuilder`` API over netbuild.

In: a script's builder calls. Out: for each builder, once, one spec text (the ``spec.toml`` the
binary would read for the same circuit; :meth:`NetworkBuilder.spec` shows it: the builder's
networks and those its edges reach, and the edge types it added) plus the script's Python
functions keyed by the edge type they belong to, built by ``netbuild._netbuild.build`` into a
hidden staging folder; ``save_nodes`` / ``save_edges`` / ``save`` then place the files BMTK
would write, under BMTK's names (``_staging``), and ``edges()`` reads them back (``_edges``).

Every ``NetworkBuilder`` of the process is listed in one session (module state, in creation
order): a build includes the node blocks of the others when netbuild draws node values, so that
a network's nodes are the same in every build (see README, "From a BMTK script").
"""

import hashlib
import inspect
import logging
import os
import re
import shutil

import numpy as np

from . import _edges, _netbuild, _staging, _toml, _workers
from ._calls import ConnectionCall, Node, PropertyCall, SynapseValuesCall
from .rules import Positions, Rule, SynLocations, Value, syn_locations

__all__ = ["NetworkBuilder", "NetbuildError", "seed", "Node", "NodePool", "ConnectionMap"]

_ITERATORS = ("one_to_one", "all_to_one", "one_to_all")
_SEED = {"value": None}
# Every NetworkBuilder of the process, in creation order.
_SESSION = []
logger = logging.getLogger("netbuild")
_WARNED = set()  # the BMTK-only save options already warned about
# The files BMTK does not write that a build of a whole session adds (see NetworkBuilder.save).
_CIRCUIT_FILES = ("circuit_config.json", "simulation_config.json", "node_sets.json")


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
            if callable(v):
                # BMTK: a function of the value; a node without the property is not selected.
                if have is None or not v(have):
                    return False
            elif isinstance(v, (list, tuple, np.ndarray)):
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

    @property
    def filter_str(self):
        """BMTK's text of the selection (``source_query`` / ``target_query`` of the edge types
        CSV): ``*`` for every node, else ``name=='value'`` joined by ``&``."""
        if not self.filters:
            return "*"
        return "&".join(f"{k}=='{v}'" for k, v in self.filters.items())

    def toml(self):
        """The spec's selector table (a filter by a function, which no spec can say, as the
        node ids it selects)."""
        fields = [("network", _toml.scalar(self.network.name))]
        if any(callable(v) for v in self.filters.values()):
            return _toml.inline(fields + [("node_id", _toml.array(self._ids()))])
        for k, v in self.filters.items():
            if isinstance(v, (list, tuple, np.ndarray)):
                fields.append((k, _toml.array(list(v))))
            else:
                fields.append((k, _toml.scalar(v)))
        return _toml.inline(fields)


def _dtype(dt):
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
        dts = [_dtype(d) for d in dts]
        text = dts == ["str"]
        if values is not None:
            if isinstance(values, (list, tuple, np.ndarray)):
                rule = _ValuesList(self, names, values, text)
            else:
                rule = values
        if isinstance(rule, (list, tuple, np.ndarray)):
            rule = _ValuesList(self, names, rule, text)
        names = listed
        if multi and not callable(rule) and len(names) > 1 and not isinstance(rule, SynLocations):
            raise NetbuildError("add_properties: several names need a function returning a tuple")
        if isinstance(rule, str) and text:
            rule = _Constant(rule)  # one string for every synapse, not an expression
        self.properties.append((names, rule, rule_params or {}, dts, _caller()))
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


class _ValuesList:
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


class _Count(int):
    """A count that is a property as in BMTK (``net.nnodes``) and still answers a call
    (``net.nnodes()``, netbuild's earlier form)."""

    def __call__(self):
        return int(self)


class NetworkBuilder:
    """BMTK's ``NetworkBuilder(name)``, built and written by netbuild.

    ``seed``: the seed of netbuild's own draws (as :func:`netbuild.seed`); the binary's default
    is 0. Python functions draw from numpy as they do under BMTK.
    """

    def __init__(self, name, seed=None, **network_props):
        if not name:
            raise ValueError("Network name missing.")
        # Several builders may share a name, as in BMTK (a second one importing the files the
        # first saved): each writes its own files; one build never mixes two of them.
        self._name = name
        self._network_props = network_props
        self._blocks = []  # (N, type props, per-node props, positions, callsite)
        self._imports = []  # (nodes file, node types file, population, callsite)
        self._maps = []
        self._nodes = None
        self._built = False  # build() was called
        self._stage = None  # the last build: _Stage
        self._gap_id = int(network_props.get("gj_id_start", 0))  # BMTK's next gap junction id
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
        """Whether :meth:`build` was called (the edges are made then, or by the first call that
        needs them: ``save*``, ``edges()``, ``nedges``)."""
        return self._built

    def add_nodes(self, N=1, **properties):
        """N nodes of one node type. Scalars are node-type properties (the node types CSV),
        sequences of length N per-node properties (the nodes file): an N x k array (BMTK's
        ``positions=<N x 3 array>``, or a list of N tuples) is one column of N rows of k values,
        as BMTK writes it. ``positions`` may also be ``netbuild.rules.cylinder/box/sphere``
        (x, y, z drawn by netbuild); netbuild values (``rules.uniform(0, 1)``) are drawn
        natively."""
        if self._imports:
            raise NetbuildError(f"network {self._name!r} imports its nodes: no add_nodes")
        N = int(N)
        type_props, node_props, positions = {}, {}, None
        for k, v in properties.items():
            if v is None:
                continue
            if k == "positions" and isinstance(v, Positions):
                positions = v
            elif isinstance(v, Value):
                node_props[k] = v
            elif isinstance(v, (list, np.ndarray)) or (isinstance(v, tuple) and len(v) == N):
                node_props[k] = _per_node(k, v, N)
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
            # netbuild's nodes with x, y, z columns also answer node['positions'] (a script's
            # own `positions` column, as BMTK keeps it, is left as it is).
            has_xyz = all(a in cols for a in "xyz") and "positions" not in cols
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
        if "nsyns" in type_props:
            # BMTK: nsyns= replaces the connection rule: every pair, that many synapses, stored
            # in the nsyns column (PopNet's synapse count), not an edge-type column.
            if not (isinstance(rule, (int, np.integer)) and rule == 1):
                logger.warning("%s: nsyns=%r replaces connection_rule=%r, as in BMTK", callsite,
                               type_props["nsyns"], rule)
            rule = _fixed_nsyns(type_props.pop("nsyns"))
        elif isinstance(rule, (float, np.floating)) and not isinstance(rule, bool):
            rule = _fixed_nsyns(rule, "connection_rule")
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
        """Gap junctions (BMTK's signature): an edge type marked ``is_gap_junction``, with
        ``syn_weight`` = 1/``resistance`` (megaohm) or the ``conductance`` (microsiemens),
        ``distance_range`` and ``target_sections`` as BMTK stores them (and, as BMTK, no
        ``resistance`` or ``conductance`` column: BioNet gives the junction ``syn_weight``)."""
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
        """BMTK's ``build``: the edges are made once, by the first call that needs them (a
        ``save*``, ``edges()``, ``nedges``), with that call's compression; later calls use them
        unless the builder (or a network its edges reach) changed since. ``force=True`` makes
        them again (new draws for Python functions)."""
        self._built = True
        if force and self._stage is not None:
            _staging.remove(self._stage.path)
            self._stage = None

    def spec(self, compression=None, **opts):
        """The spec text netbuild builds for this builder (its networks, those its edges reach,
        and its edge types; the output folder goes to the build beside it, as the binary's
        ``-o``)."""
        return _Session(self, compression, opts, with_edges=True).text

    def _ordered_maps(self):
        """The builder's edge types in the spec's order (``add_edges`` then
        ``add_gap_junctions``), which gives their ids 100, 101, ..."""
        return [cm for cm in self._maps if cm.gap is None] + [cm for cm in self._maps
                                                              if cm.gap is not None]

    def _staged(self, with_edges, compression=None, opts=None):
        """The build of this builder (nodes only when ``with_edges`` is False), made now unless
        the last one is still current: same spec text, same Python functions."""
        session = _Session(self, compression, dict(opts or {}), with_edges)
        st = self._stage
        if st is not None and st.serves(session):
            return st
        if st is not None:
            _staging.remove(st.path)
            self._stage = None
        # Per builder: two builders of one name may build the same spec text.
        path = _staging.staging_dir(f"{self._name}-{_SESSION.index(self)}", session.digest)
        _staging.remove(path)
        summary = session.build(path)
        self._stage = _Stage(path, session, summary)
        return self._stage

    def _edges_stage(self):
        """The build with edges for ``edges()`` / ``nedges``: the current one, else made now."""
        st = self._stage
        if st is None:
            return self._staged(True)
        return self._staged(True, st.compression_given, st.opts)

    def save(self, output_dir=".", force_overwrite=True, mode="w", compression=None, **opts):
        """BMTK's ``save``: :meth:`save_nodes` then :meth:`save_edges` into ``output_dir``,
        from one build. ``compression``: None or 'none' (the default, as the binary's), 'gzip',
        or a gzip level 1..9. Options: ``memory_budget`` ("2 GiB"), ``spill_dir``, ``sort_by``
        ('target_node_id' or 'source_node_id'), ``threads`` (worker threads per rank; default the
        cores shared by the ranks), ``workers`` (processes evaluating the script's Python
        functions; default the cores, 1 per rank under MPI). When the script has
        one builder, whose ``save`` writes the whole circuit, its ``circuit_config.json``,
        ``simulation_config.json`` and ``node_sets.json`` are written too."""
        st = self._staged(bool(self._maps), compression, opts)
        self.save_nodes(output_dir=output_dir, force_overwrite=force_overwrite, mode=mode,
                        compression=compression, **opts)
        self.save_edges(output_dir=output_dir, force_overwrite=force_overwrite,
                        compression=compression, **opts)
        if st.whole_session:
            # BMTK writes no config files: netbuild's are extras, written only where no file of
            # another's is (a user's own circuit_config.json stays, with a warning).
            paths = []
            for f in _CIRCUIT_FILES:
                p = os.path.join(output_dir, f)
                if not os.path.exists(os.path.join(st.path, f)):
                    continue
                if _staging.foreign(p):
                    if _netbuild.rank() == 0:
                        logger.warning("%s: not written (a file netbuild did not write is there; "
                                       "BMTK writes no config files)", p)
                    continue
                paths.append(p)
            _check_free(paths, force_overwrite)
            if _netbuild.rank() == 0:
                for p in paths:
                    _staging.place(os.path.join(st.path, os.path.basename(p)), p)
                for d, _, _ in os.walk(os.path.join(st.path, "components")):
                    os.makedirs(os.path.join(output_dir, os.path.relpath(d, st.path)), exist_ok=True)
            _netbuild.barrier()

    def save_nodes(self, nodes_file_name=None, node_types_file_name=None, output_dir=".",
                   force_overwrite=True, mode="w", compression=None, **opts):
        """BMTK's ``save_nodes``: this network's nodes file and node types CSV, by default
        ``<output_dir>/<name>_nodes.h5`` and ``<name>_node_types.csv`` (a relative file name is
        taken inside ``output_dir``, an absolute one as it is). ``force_overwrite=False``
        refuses to replace an existing file; True replaces netbuild's own files only (never a
        file netbuild did not write). Other arguments as :meth:`save`."""
        if mode != "w":
            raise NetbuildError(f"save_nodes(mode={mode!r}): netbuild writes new files (mode='w')")
        st = self._stage
        if st is None or not st.serves(_Session(self, compression, dict(opts), False)):
            # After build(), the edges come next (save_edges): one build makes both.
            st = self._staged(self._built and bool(self._maps), compression, opts)
        names = [(f"{self._name}_nodes.h5", _staging.bmtk_path(nodes_file_name, output_dir,
                                                                f"{self._name}_nodes.h5")),
                 (f"{self._name}_node_types.csv",
                  _staging.bmtk_path(node_types_file_name, output_dir,
                                     f"{self._name}_node_types.csv"))]
        st.place(names, force_overwrite)

    def save_edges(self, edges_file_name=None, edge_types_file_name=None, output_dir=".",
                   src_network=None, trg_network=None, name=None, force_build=True,
                   force_overwrite=None, compression=None, **opts):
        """BMTK's ``save_edges``: for each (source, target) network pair of this builder's edges,
        ``<src>_<trg>_edges.h5`` (population ``<src>_to_<trg>``, or ``name``) and
        ``<src>_<trg>_edge_types.csv`` in ``output_dir``; ``src_network`` / ``trg_network``
        keep the pairs of those networks; ``edges_file_name`` / ``edge_types_file_name`` name
        the files of the first pair (only the named ones are written, as BMTK does); with gap
        junctions, BMTK's ``<name>_gap_juncs.h5`` (BioNet's gap junction ids) too.
        ``force_build=False`` writes nothing unless :meth:`build` was called. ``force_overwrite``:
        not given, netbuild's own files are replaced (as BMTK, which does not check); False
        refuses to replace an existing file; True as not given. A file netbuild did not write is
        never replaced."""
        if not self._maps:
            logger.warning("No edges have been made for this network, skipping saving of edges file.")
            return
        if not force_build and not self._built:
            logger.warning("Edges are not built. Either call build() or use force_build parameter. "
                           "Skip saving of edges file.")
            return
        st = self._staged(True, compression, opts)
        pairs = []
        for cm in self._maps:
            pair = (cm.source.network_name, cm.target.network_name)
            if pair not in pairs:
                pairs.append(pair)
        pairs = [p for p in pairs if src_network in (None, p[0]) and trg_network in (None, p[1])]
        if not pairs:
            logger.warning("Warning: couldn't find connections. Skip saving.")
            return
        files = [(s, t, f"{s}_{t}_edges.h5", f"{s}_{t}_edge_types.csv") for s, t in pairs]
        if edges_file_name is not None or edge_types_file_name is not None:
            files = [(files[0][0], files[0][1], edges_file_name, edge_types_file_name)]
        names = []
        for s, t, h5, csv in files:
            if csv is not None:
                names.append((f"{s}_{t}_edge_types.csv", os.path.join(output_dir, csv)))
            if h5 is not None and os.path.exists(os.path.join(st.path, f"{s}_{t}_edges.h5")):
                names.append((f"{s}_{t}_edges.h5", os.path.join(output_dir, h5)))
        gaps = [cm for cm in self._ordered_maps() if cm.gap is not None]
        gap_file = os.path.join(output_dir, f"{self._name}_gap_juncs.h5") if gaps else None
        force = True if force_overwrite is None else force_overwrite
        _check_free([dst for _, dst in names] + ([gap_file] if gap_file else []), force)
        st.place(names, force)
        if name is not None:
            self._rename_populations(files, output_dir, name)
        if gap_file:
            self._save_gap_junctions(st, gaps, gap_file, compression)

    def _rename_populations(self, files, output_dir, name):
        """``save_edges(name=...)``: the edges population of the written file renamed (h5py)."""
        if _netbuild.rank() == 0:
            h5py = _edges._h5py("save_edges(name=...)")
            for s, t, h5, _ in files:
                path = os.path.join(output_dir, h5) if h5 is not None else None
                if path is None or not os.path.exists(path):
                    continue
                # The placed file may be a hard link of the staged one: rename in a copy.
                tmp = path + f".netbuild-{os.getpid()}"
                shutil.copyfile(path, tmp)
                with h5py.File(tmp, "r+") as h:
                    h["edges"].move(f"{s}_to_{t}", name)
                os.replace(tmp, path)
        _netbuild.barrier()

    def _save_gap_junctions(self, st, gaps, path, compression):
        """BMTK's ``<name>_gap_juncs.h5``, which BioNet reads for the ids of each gap junction's
        two sides: one row per gap junction, the builder's gap junction edge types in order."""
        if _netbuild.rank() == 0:
            types = [_edges.read_edge_type(st.path, cm.source.network_name,
                                           cm.target.network_name, cm.edge_type_id) for cm in gaps]
            table, self._gap_id = _edges.gap_junction_table(types, self._gap_id)
            if len(table["source_ids"]):
                level = {"none": None, "gzip": "gzip"}.get(st.compression,
                                                           str(st.compression).split(":")[-1])
                _edges.write_gap_junctions(path, table, int(level) if level and level.isdigit()
                                           else level)
                _staging.record(os.path.dirname(os.path.abspath(path)), [os.path.basename(path)])
        _netbuild.barrier()

    @property
    def nnodes(self):
        """The number of nodes (a property, as BMTK's; ``nnodes()`` works too)."""
        if self._imports:
            return _Count(len(self._node_objects()))
        return _Count(sum(b[0] for b in self._blocks))

    @property
    def nedges(self):
        """The number of synapses of this builder's edge types once built (BMTK's count), 0
        before :meth:`build`."""
        if not self._built and (self._stage is None or not self._stage.with_edges):
            return 0
        st = self._edges_stage()
        ids = {cm.edge_type_id for cm in self._maps}
        return sum(int(t["synapses"]) for t in st.summary["edge_types"]
                   if t["edge_type_id"] in ids)

    def get_connections(self):
        """The builder's edge types (:class:`ConnectionMap`), in ``add_edges`` order."""
        return list(self._maps)

    def edges_iter(self, trg_gids, src_network=None, trg_network=None):
        """BMTK's ``edges_iter``: the :class:`~netbuild._edges.Edge` objects whose target id is
        in ``trg_gids``, edge type by edge type, in BMTK's order within each; ``src_network`` /
        ``trg_network`` keep the edge types between those networks. Builds if needed."""
        st = self._edges_stage()
        trg_gids = np.asarray(list(trg_gids), dtype=np.uint64)
        for cm in self._maps:
            if trg_network is not None and cm.target.network_name != trg_network:
                continue
            if src_network is not None and cm.source.network_name != src_network:
                continue
            cols = _edges.read_edge_type(st.path, cm.source.network_name, cm.target.network_name,
                                         cm.edge_type_id)
            keep = np.isin(cols["target_node_id"], trg_gids)
            yield from _edges.edges_of(cols, cm.edge_type_properties, keep)

    def edges(self, target_nodes=None, source_nodes=None, target_network=None,
              source_network=None, **properties):
        """BMTK's ``edges``: the edges (a list of :class:`~netbuild._edges.Edge`) of this
        builder whose target is in ``target_nodes`` and source in ``source_nodes`` (a node id,
        a list of ids, a dict of filters or ``net.nodes(...)``; None: all), between the named
        networks, whose properties equal ``properties``. Reads the build (made now if needed);
        needs h5py."""
        def ids(nodes, network):
            if nodes is None or isinstance(nodes, list):
                return nodes, network
            if isinstance(nodes, (int, np.integer)):
                return [int(nodes)], network
            if isinstance(nodes, dict):
                name = network or self._name
                owner = next((b for cm in self._maps for b in (cm.source.network,
                                                                cm.target.network)
                              if b.name == name), self if name == self._name else None)
                if owner is None:
                    raise NetbuildError(f"edges(): no network {name!r} among this builder's edges")
                nodes = owner.nodes(**nodes)
            if isinstance(nodes, NodePool):
                if network is not None and nodes.network_name != network:
                    logger.warning("Nodes and network do not match")
                return nodes._ids(), nodes.network_name
            raise NetbuildError(f"edges(): cannot use {nodes!r} as nodes")

        if target_nodes is None:
            target_nodes = sorted({i for cm in self._maps for i in cm.target._ids()})
        trg_ids, trg_net = ids(target_nodes, target_network)
        src_ids, src_net = ids(source_nodes, source_network)
        out = []
        for e in self.edges_iter(trg_ids, src_network=src_net, trg_network=trg_net):
            if any(k not in e or e[k] != v for k, v in properties.items()):
                continue
            out.append(e)
        if src_ids is not None:
            keep = set(src_ids)
            out = [e for e in out if e.source_node_id in keep]
        return out


class _Stage:
    """One build of a builder, in its staging folder: what it was built from, its summary, and
    the placing of its files."""

    def __init__(self, path, session, summary):
        self.path = path
        self.key = session.key
        self.nodes_key = session.nodes_key
        self.with_edges = session.with_edges
        self.compression = session.compression
        self.compression_given = session.compression_given
        self.opts = session.opts_given
        self.whole_session = session.whole_session
        self.summary = summary

    def serves(self, session):
        """Whether this build holds what ``session`` would build (a build with edges also
        serves its nodes)."""
        if session.with_edges:
            return self.with_edges and self.key == session.key
        return self.nodes_key == session.nodes_key

    def place(self, names, force_overwrite):
        """Places staged files: ``names`` = [(staged file name, destination)]; collective."""
        missing = [n for n, _ in names if not os.path.exists(os.path.join(self.path, n))]
        if missing:
            raise NetbuildError(f"the build wrote no {', '.join(missing)}")
        _check_free([dst for _, dst in names], force_overwrite)
        if _netbuild.rank() == 0:
            for n, dst in names:
                _staging.place(os.path.join(self.path, n), dst)
        _netbuild.barrier()


def _check_free(paths, force_overwrite):
    """:func:`_staging.check_free`, its refusal raised as a :class:`NetbuildError` naming the
    file (before anything is written)."""
    try:
        _staging.check_free(paths, force_overwrite)
    except _staging.OverwriteError as e:
        raise NetbuildError(str(e)) from None


def _fixed_nsyns(v, what="nsyns"):
    """BMTK's ``nsyns=`` (or a number as ``connection_rule``): a whole number of synapses for
    every pair, given as an int or a float such as ``1e4``."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise NetbuildError(f"{what}={v!r}: expected a number of synapses per pair")
    if not np.isfinite(v) or v < 0 or float(v) != int(v):
        raise NetbuildError(f"{what}={v!r}: expected a whole number of synapses >= 0")
    if int(v) > 2**32 - 1:
        raise NetbuildError(f"{what}={v!r}: at most 4294967295 synapses per pair (BMTK's uint32)")
    return int(v)


def _per_node(name, values, n):
    """A per-node property given as a sequence (BMTK: a list or array of length N): a 1-D array
    of N values, or an N x k array of numbers (N rows of k values, one column in the file)."""
    if len(values) != n:
        raise NetbuildError(f"{name}: trying to pass in an array of length {len(values)} into "
                            f"N={n} nodes (BMTK refuses it too)")
    if isinstance(values, np.ndarray) and values.ndim == 1:
        return values
    try:
        a = np.asarray(values)
    except ValueError as e:
        raise NetbuildError(f"{name}: expected N={n} values, or N rows of the same length, "
                            f"found rows of different lengths ({e})") from None
    if a.ndim == 1:
        return a
    if a.ndim == 2 and a.shape[1] > 0 and a.dtype.kind in "biuf":
        # Booleans as 0/1, as netbuild stores a 1-D list of booleans.
        return a.astype(np.int64) if a.dtype.kind == "b" else a
    raise NetbuildError(f"{name}: an array of shape {a.shape} and dtype {a.dtype}: netbuild stores "
                        "per-node properties of N values or N rows of k numbers (an N x k "
                        "array), not this")


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


class _Session:
    """The spec text of one builder's build (its network, the networks its edges reach, its
    edge types), with the Python functions to attach, and the keys that tell whether an earlier
    build made the same."""

    def __init__(self, builder, compression, opts, with_edges):
        self.builder = builder
        self.opts_given = dict(opts)
        self.opts = dict(opts)
        self.with_edges = with_edges
        self.compression_given = compression
        self.compression = _compression(compression)
        self.lines = []  # spec lines
        self.blocks = []  # (first line, callsite, what)
        self.rules, self.props = [], []
        self.edge_callsites = []
        self.functions = []  # the Python objects the build calls: part of what it depends on
        self._write(with_edges)
        self.text = "\n".join(self.lines) + "\n"
        self.digest = hashlib.sha256(self.text.encode()).hexdigest()
        # Settings that change neither the files' content nor the draws are not in the keys.
        settings = ("memory_budget =", "spill_dir =")
        content = "\n".join(line for line in self.lines if not line.startswith(settings))
        ids = ",".join(str(id(f)) for f in self.functions)
        self.key = hashlib.sha256(f"{content}\n{ids}".encode()).hexdigest()
        # The builder's own nodes depend on [build], its blocks and their place among the
        # blocks (the key of netbuild's draws): a build with edges serves save_nodes alike.
        own = self.lines[: self.header_end] + self.lines[self.own[0]: self.own[1]]
        nodes = "\n".join(line for line in own if not line.startswith(settings))
        self.nodes_key = hashlib.sha256(f"{nodes}\n{self.own[2]}".encode()).hexdigest()

    def _block(self, header, callsite, what):
        self.lines.append("")
        self.lines.append(f"# {what} at {callsite}")
        self.blocks.append((len(self.lines) + 1, callsite, what))
        self.lines.append(header)

    def _write(self, with_edges):
        build = [("seed", str(_SEED["value"] or 0)),
                 ("compression", _toml.scalar(self.compression))]
        sort_by = self.opts.pop("sort_by", None)
        if sort_by is not None:
            build.append(("sort_edges_by", _toml.scalar(str(sort_by).replace("_node_id", ""))))
        for k in ("memory_budget", "spill_dir"):
            if self.opts.get(k) is not None:
                build.append((k, _toml.scalar(str(self.opts.pop(k)))))
        self.threads = self.opts.pop("threads", None)
        self.workers = self.opts.pop("workers", None)
        for k in ("index_by", "sort_on_disk"):
            # BMTK's ways to write; netbuild indexes by target and source and spills past its
            # memory budget whatever they say.
            if k in self.opts:
                v = self.opts.pop(k)
                if k not in _WARNED:
                    _WARNED.add(k)
                    logger.warning("save: %s=%r is BMTK's; netbuild writes both indices and "
                                   "sorts within its memory_budget", k, v)
        self.lines.append(f"# The spec netbuild made from a BMTK-style script: {self.builder.name!r}.")
        self.lines.append("[build]")
        self.lines.extend(f"{k} = {v}" for k, v in build)
        self.header_end = len(self.lines)
        networks, self.whole_session = _networks(self.builder, with_edges)
        blocks_before = 0
        for net, name in networks:
            start = len(self.lines)
            for n, type_props, node_props, positions, callsite in net._blocks:
                self._block("[[nodes]]", callsite, f"add_nodes of {net.name!r}")
                self.lines.append(f"network = {_toml.scalar(name)}")
                self.lines.append(f"N = {n}")
                for k, v in type_props.items():
                    self.lines.append(f"{_toml.key(k)} = {_toml.scalar(v)}")
                for k, v in node_props.items():
                    if isinstance(v, Value):
                        text = v.toml()
                    elif np.ndim(v) == 2:
                        text = _toml.rows(v)
                    else:
                        text = _toml.array(v)
                    self.lines.append(f"{_toml.key(k)} = {text}")
                if positions is not None:
                    self.lines.append(f"positions = {positions.toml()}")
            for nodes_file, types_file, population, callsite in net._imports:
                if name != net.name:
                    continue  # an import draws nothing: needed only where it is reached
                self._block("[[import]]", callsite, f"import_nodes of {net.name!r}")
                self.lines.append(f"nodes = {_toml.scalar(nodes_file)}")
                self.lines.append(f"node_types = {_toml.scalar(types_file)}")
                self.lines.append(f"population = {_toml.scalar(population)}")
                # The build writes into a staging folder; which files may be replaced where
                # the script saves is decided there (save_edges), as BMTK's scripts re-run.
                self.lines.append("replace_edges = true")
            if net is self.builder:
                self.own = (start, len(self.lines), blocks_before)
            blocks_before += len(net._blocks)
        self.nodes_end = len(self.lines)
        if not with_edges:
            return
        # The spec numbers [[edges]] blocks first, then [[gap_junctions]].
        for index, cm in enumerate(self.builder._ordered_maps()):
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
            self.functions += [rule, cm.params]
            # A placeholder rule, replaced by the function; BMTK calls it for every pair,
            # self-pairs included.
            self.lines.append("rule = { all_to_all = true, autapses = true }")
            self.rules.append((index, ConnectionCall(cm)))
        else:
            # BMTK's connection_rule=<int>: every pair, self-pairs included, that many synapses.
            self.lines.append(f"rule = {{ count = {int(rule)}, autapses = true }}")
        # A gap junction's resistance or conductance is its syn_weight (a type property below),
        # all BMTK keeps of it: the spec's [[gap_junctions]] then writes nothing more.
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
            for names, prop_rule, params, dtypes, callsite in properties:
                # Each synapse's code into the strings of a string property, stored as u32.
                stored = ["u32" if dt == "str" else dt for dt in dtypes]
                for j, (name, dt) in enumerate(zip(names, dtypes)):
                    if dt == "str" and not isinstance(prop_rule, _ValuesList) and not (
                            callable(prop_rule) and not isinstance(prop_rule, Value)):
                        raise NetbuildError(
                            f"{callsite}: add_properties({name!r}): a string property takes a "
                            "Python function returning a str per synapse, a list of them "
                            "(values=[...]), or one str for all; "
                            f"found {prop_rule!r}")
                    if isinstance(prop_rule, Value):
                        text = prop_rule.toml(dt)
                    elif isinstance(prop_rule, _ValuesList):
                        text = _toml.inline([("expr", '"0"'), ("dtype", _toml.scalar(stored[j]))])
                        self.functions.append(prop_rule)
                        self.props.append((index, k, SynapseValuesCall(
                            cm, prop_rule.call().of_synapses, dt == "str", name)))
                    elif callable(prop_rule):
                        self.functions += [prop_rule, params]
                        text = _toml.inline([("expr", '"0"'), ("dtype", _toml.scalar(stored[j]))])
                        if j == 0:
                            self.props.append((index, k, PropertyCall(
                                cm, prop_rule, params, len(names), dtypes, names)))
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

    def build(self, output_dir):
        """Builds into ``output_dir`` (the staging folder); returns the build's summary."""
        if self.opts:
            raise NetbuildError(f"save: unknown option(s) {', '.join(sorted(self.opts))}")
        path = os.path.join(os.getcwd(), "netbuild_script.toml")
        digest = self.digest
        threads, progress = self.threads, None
        try:  # As the binary: seconds between progress lines in a log, 0 for none.
            progress = float(os.environ.get("NETBUILD_PROGRESS_SECS", ""))
        except ValueError:
            pass
        # The Python functions run first, in worker processes; the build replays their answers.
        tables = _workers.evaluate(self.rules, self.props, self.workers)
        try:
            # A fresh staging folder of netbuild's own; the files are placed from there.
            return _netbuild.build(self.text, path, tables, output_dir, threads, digest,
                                   progress, overwrite="netbuild", remove_stale=False)
        except _netbuild.SpecError as e:
            raise NetbuildError(self._locate(str(e))) from None
        except _netbuild.OutputError as e:
            raise NetbuildError(str(e)) from None


def _networks(builder, with_edges):
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
