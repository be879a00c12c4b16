"""BMTK's ``NetworkBuilder`` API over netbuild.

In: a script's builder calls. Out: for each builder, once, one spec text (``_spec``: the
``spec.toml`` the binary would read for the same circuit; :meth:`NetworkBuilder.spec` shows it:
the builder's networks and those its edges reach, and the edge types it added) plus the script's
Python functions keyed by the edge type they belong to, built by ``netbuild._netbuild.build``
into a hidden staging folder; ``save_nodes`` / ``save_edges`` / ``save`` then place the files
BMTK would write, under BMTK's names (``_save``), and ``edges()`` reads them back (``_edges``).

This module holds the class and what it records per call; the parts live beside it: the nodes
and their selections (``_nodes``), an edge type and its properties (``_connections``), the
process's builders and seed (``_session``), the spec and the build (``_spec``), saving
(``_save``). Every ``NetworkBuilder`` of the process is listed in one session, in creation
order: a build includes the node blocks of the others when netbuild draws node values, so that
a network's nodes are the same in every build (see README, "From a BMTK script").
"""

import logging
import os

import numpy as np

from . import _connections, _edges, _nodes, _session, _staging
from ._calls import Node
from ._connections import ConnectionMap
from ._errors import NetbuildError, caller
from ._nodes import NodePool
from ._save import Saving, Stage
from ._session import seed
from ._spec import Spec

__all__ = ["NetworkBuilder", "NetbuildError", "seed", "Node", "NodePool", "ConnectionMap"]

logger = logging.getLogger("netbuild")


class _Count(int):
    """A count that is a property as in BMTK (``net.nnodes``) and still answers a call
    (``net.nnodes()``, netbuild's earlier form)."""

    def __call__(self):
        return int(self)


class NetworkBuilder(Saving):
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
        self._stage = None  # the last build: a _save.Stage
        self._gap_id = int(network_props.get("gj_id_start", 0))  # BMTK's next gap junction id
        _session.join(self, seed)

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
        type_props, node_props, positions = _nodes.block(N, properties)
        self._blocks.append((N, type_props, node_props, positions, caller()))
        self._nodes = None

    def nodes(self, **properties):
        """The nodes matching ``properties`` (equal, or one of a list), as a selection."""
        return NodePool(self, properties)

    def _node_objects(self):
        """Every node as a :class:`Node` (for Python functions and ``nodes()`` iteration)."""
        if self._nodes is None:
            if self._imports:
                nodes_file, types_file, population, _ = self._imports[0]
                self._nodes = _nodes.imported_nodes(self._name, nodes_file, types_file,
                                                    population)
            else:
                self._nodes = _nodes.node_objects(self._name, self._blocks)
        return self._nodes

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
                               edge_type_properties, None, caller())

    def _add_edges(self, source, target, rule, params, iterator, type_props, gap, callsite):
        rule = _connections.connection_rule(rule, params, iterator, type_props, callsite)
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
                               caller())

    def import_nodes(self, nodes_file_name, node_types_file_name, population=None):
        """Uses an existing SONATA node population as this network (BMTK's ``import_nodes``);
        its population must be named like this network."""
        if self._blocks:
            raise NetbuildError(f"network {self._name!r} has add_nodes blocks: no import_nodes")
        self._imports.append((os.path.abspath(nodes_file_name), os.path.abspath(node_types_file_name),
                              population or self._name, caller()))
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
        return Spec(self, compression, opts, with_edges=True).text

    def _ordered_maps(self):
        """The builder's edge types in the spec's order (``add_edges`` then
        ``add_gap_junctions``), which gives their ids 100, 101, ..."""
        return [cm for cm in self._maps if cm.gap is None] + [cm for cm in self._maps
                                                              if cm.gap is not None]

    def _staged(self, with_edges, compression=None, opts=None):
        """The build of this builder (nodes only when ``with_edges`` is False), made now unless
        the last one is still current: same spec text, same Python functions."""
        spec = Spec(self, compression, dict(opts or {}), with_edges)
        st = self._stage
        if st is not None and st.serves(spec):
            return st
        if st is not None:
            _staging.remove(st.path)
            self._stage = None
        # Per builder: two builders of one name may build the same spec text.
        path = _staging.staging_dir(f"{self._name}-{_session.index(self)}", spec.digest)
        _staging.remove(path)
        summary = spec.build(path)
        self._stage = Stage(path, spec, summary)
        return self._stage

    def _edges_stage(self):
        """The build with edges for ``edges()`` / ``nedges``: the current one, else made now."""
        st = self._stage
        if st is None:
            return self._staged(True)
        return self._staged(True, st.compression_given, st.opts)

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
