"""A network's nodes as the builder keeps them, and as Python functions and selections see them.

In: ``add_nodes`` keywords (:func:`block` sorts them into node-type properties, per-node columns
and netbuild-drawn values), a builder's blocks or its imported population. Out: the nodes as
:class:`~netbuild._calls.Node` objects (:func:`node_objects`, :func:`imported_nodes`: what a
Python function is given), and :class:`NodePool`, BMTK's ``net.nodes(**filters)``: a selection
for ``add_edges`` that writes itself as the spec's selector.
"""

import numpy as np

from . import _toml
from ._calls import Node
from ._errors import NetbuildError
from .rules import Positions, Value


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


def block(N, properties):
    """An ``add_nodes(N, **properties)`` block as (node-type properties, per-node properties,
    positions): scalars are node-type properties, sequences of length N per-node ones (see
    :func:`per_node`), netbuild values (``rules.uniform(0, 1)``) per-node ones drawn natively,
    ``positions=rules.cylinder(...)`` (x, y, z drawn by netbuild) the positions; anything else is
    a node-type property by its text, as in BMTK's node types CSV."""
    type_props, node_props, positions = {}, {}, None
    for k, v in properties.items():
        if v is None:
            continue
        if k == "positions" and isinstance(v, Positions):
            positions = v
        elif isinstance(v, Value):
            node_props[k] = v
        elif isinstance(v, (list, np.ndarray)) or (isinstance(v, tuple) and len(v) == N):
            node_props[k] = per_node(k, v, N)
        elif _toml.is_scalar(v):
            type_props[k] = v
        else:
            # As BMTK's node types CSV: the value's text.
            type_props[k] = str(v)
    return type_props, node_props, positions


def node_objects(name, blocks):
    """Every node of the ``add_nodes`` blocks of network ``name`` as a :class:`Node` (node type
    ids 100, 101, ... per block); the values netbuild draws are not among their properties."""
    nodes = []
    for b, (n, type_props, node_props, _positions, _) in enumerate(blocks):
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
            nodes.append(Node(node_id, 100 + b, name, props))
    return nodes


def per_node(name, values, n):
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


def imported_nodes(name, nodes_file, types_file, population):
    """The nodes of network ``name``, imported from ``population`` of ``nodes_file`` (its node
    types in ``types_file``), read with h5py (needed only when a Python function connects
    them)."""
    try:
        import h5py
    except ImportError as e:
        raise NetbuildError("Python functions over imported nodes need h5py") from e
    import csv
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
        nodes.append(Node(i, int(t), name, props))
    return nodes
