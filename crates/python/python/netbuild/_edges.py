"""The edges a build made, seen as BMTK's builder shows them, and the tables BMTK derives from
them.

In: a staged SONATA folder (see ``_staging``) and the builder's edge types. Out: BMTK's
:class:`Edge` objects in BMTK's order (edge type by edge type; within one, source by source in
the source selection's order, then target by target, the synapse rows of a pair together), the
``<net>_gap_juncs.h5`` table BioNet reads, and per-edge values given as a list in that order
(``add_properties(values=[...])``). Reading the files needs h5py (only these calls do).
"""

import os
import threading

import numpy as np


def _h5py(what):
    try:
        import h5py
    except ImportError as e:
        raise ImportError(f"{what} reads the built edges with h5py: pip install h5py") from e
    return h5py


class Edge:
    """One edge row as BMTK's ``bmtk.builder.edge.Edge``: ``edge['syn_weight']`` (edge-type
    properties first, then the row's own: ``nsyns`` or the per-edge properties, None when
    neither has it), ``source_node_id``, ``target_node_id``, ``edge_type_id``."""

    __slots__ = ("_src", "_trg", "_type_props", "_syn_props")

    def __init__(self, src, trg, type_props, syn_props):
        self._src, self._trg = src, trg
        self._type_props, self._syn_props = type_props, syn_props

    @property
    def source_node_id(self):
        """The source node id."""
        return self._src

    @property
    def target_node_id(self):
        """The target node id."""
        return self._trg

    source_gid = source_node_id
    target_gid = target_node_id

    @property
    def edge_type_properties(self):
        """The edge type's properties (the edge types CSV row, with ``edge_type_id``)."""
        return self._type_props

    @property
    def edge_type_id(self):
        """The edge type id."""
        return self._type_props["edge_type_id"]

    @property
    def synaptic_properties(self):
        """The row's own values: ``source_node_id``, ``target_node_id``, then ``nsyns`` or the
        per-edge properties."""
        return self._syn_props

    def __contains__(self, k):
        return k in self._type_props or k in self._syn_props

    def __getitem__(self, k):
        if k in self._type_props:
            return self._type_props[k]
        return self._syn_props.get(k)

    def get(self, k, default=None):
        """The value of ``k``, or ``default``."""
        return self[k] if k in self else default

    def __eq__(self, other):
        return (isinstance(other, Edge) and (self._src, self._trg) == (other._src, other._trg)
                and self._type_props == other._type_props and self._syn_props == other._syn_props)

    __hash__ = None

    def __repr__(self):
        props = ", ".join(f"'{k}': {v}" for k, v in self._syn_props.items())
        return f"{self._src} --> {self._trg} ('edge_type_id': {self.edge_type_id}, {props})"


def read_edge_type(folder, src_net, trg_net, type_id):
    """The rows of edge type ``type_id`` in the staged ``<src>_<trg>_edges.h5`` of ``folder``, in
    BMTK's order: a dict of numpy columns (``source_node_id``, ``target_node_id``, then the
    group's datasets: ``nsyns`` or the per-edge properties). Empty columns when the build wrote
    no such file (no edges)."""
    path = os.path.join(folder, f"{src_net}_{trg_net}_edges.h5")
    empty = {"source_node_id": np.zeros(0, np.uint64), "target_node_id": np.zeros(0, np.uint64)}
    if not os.path.exists(path):
        return empty
    h5py = _h5py("edges()")
    with h5py.File(path, "r") as h:
        (name,) = list(h["edges"])
        pop = h["edges"][name]
        rows = np.flatnonzero(pop["edge_type_id"][()] == type_id)
        if len(rows) == 0:
            return empty
        src = pop["source_node_id"][()][rows]
        trg = pop["target_node_id"][()][rows]
        group = pop["edge_group_id"][()][rows]
        index = pop["edge_group_index"][()][rows]
        (g,) = np.unique(group)  # one edge type: one group
        grp = pop[str(g)]
        cols = {c: grp[c][()][index] for c in grp if isinstance(grp[c], h5py.Dataset)}
    # netbuild sorts rows by target; BMTK lists an edge type source by source, then target by
    # target (a stable sort keeps the synapse rows of a pair in their order).
    order = np.lexsort((trg, src))
    out = {"source_node_id": src[order], "target_node_id": trg[order]}
    out.update({c: v[order] for c, v in cols.items()})
    return out


def edges_of(columns, type_props, keep=None):
    """:class:`Edge` objects of one edge type's rows (``keep``: a boolean mask, or None)."""
    names = list(columns)
    idx = range(len(columns["source_node_id"])) if keep is None else np.flatnonzero(keep)
    lists = {c: columns[c].tolist() for c in names}
    for i in idx:
        row = {c: lists[c][i] for c in names}
        yield Edge(row["source_node_id"], row["target_node_id"], type_props, row)


def gap_junction_table(types, first_id):
    """BMTK's ``<net>_gap_juncs.h5`` columns from the rows of the gap junction edge types
    (``types``: their read columns, in the builder's order): one entry per synapse, each with
    a fresh source-side and target-side gap id counted from ``first_id``. Returns (columns,
    the next free id)."""
    src, trg = [], []
    for cols in types:
        reps = cols["nsyns"].astype(np.int64) if "nsyns" in cols else 1
        src.append(np.repeat(cols["source_node_id"].astype(np.int64), reps))
        trg.append(np.repeat(cols["target_node_id"].astype(np.int64), reps))
    src = np.concatenate(src) if src else np.zeros(0, np.int64)
    trg = np.concatenate(trg) if trg else np.zeros(0, np.int64)
    ids = first_id + np.arange(2 * len(src), dtype=np.int64)
    table = {"source_ids": src, "target_ids": trg, "src_gap_ids": ids[0::2], "trg_gap_ids": ids[1::2]}
    return table, first_id + 2 * len(src)


def write_gap_junctions(path, table, compression):
    """Writes BMTK's gap junction table (with SONATA's ``magic`` and ``version`` root
    attributes, as BMTK's file has) to ``path``, complete or not at all."""
    h5py = _h5py("the gap junction table <net>_gap_juncs.h5")
    tmp = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.netbuild-{os.getpid()}")
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["magic"] = np.uint32(0x0A7A)
            f.attrs["version"] = [np.uint32(0), np.uint32(1)]
            for k, v in table.items():
                f.create_dataset(k, data=v, compression=compression)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class ValuesInBmtkOrder:
    """``add_properties(values=[...])`` of an edge type whose rule is a number of synapses per
    pair: every pair of the selections connects, so BMTK's edge list is known without
    building. Value i belongs to BMTK's i-th edge: sources in selection order, for each the
    targets in selection order, for each pair its ``nsyns`` synapses. Called by netbuild with
    (source id, target id) once per synapse, the synapses of a pair one after the other."""

    def __init__(self, values, src_ids, trg_ids, nsyns):
        self.values = values
        self.src = {s: i for i, s in enumerate(src_ids)}
        self.trg = {t: i for i, t in enumerate(trg_ids)}
        self.n_trg, self.nsyns = len(trg_ids), nsyns
        self.last = {}  # thread -> (source, target, synapse index within the pair)

    def of_synapses(self, sources, targets):
        """The values of synapses given as one (source id, target id) each, the synapses of a
        pair one after the other (as netbuild writes them), at once."""
        s, t = np.asarray(sources, dtype=np.int64), np.asarray(targets, dtype=np.int64)
        if len(s) == 0:
            return np.zeros(0)
        first = np.ones(len(s), dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
        at = np.arange(len(s))
        k = at - np.maximum.accumulate(np.where(first, at, 0))
        si = np.array([self.src[x] for x in s.tolist()], dtype=np.int64)
        ti = np.array([self.trg[x] for x in t.tolist()], dtype=np.int64)
        return self.values[(si * self.n_trg + ti) * self.nsyns + k]

    def __call__(self, s, t):
        me = threading.get_ident()
        prev = self.last.get(me)
        k = prev[2] + 1 if prev is not None and prev[0] == s and prev[1] == t else 0
        self.last[me] = (s, t, k)
        return float(self.values[(self.src[s] * self.n_trg + self.trg[t]) * self.nsyns + k])
