"""The SONATA layout, checked with h5py against the spec and what the readers (libsonata, BMTK, NEST) need."""

import h5py
import numpy as np
import pytest

from circuit import INDEX_NAMES, expand_ranges, group_names, unique
from conftest import spec_of

SONATA_MAGIC = 0x0A7A


def test_root_attributes(h5file):
    with h5py.File(h5file, "r") as h5:
        assert "magic" in h5.attrs, "root attribute 'magic' missing"
        assert int(np.asarray(h5.attrs["magic"]).reshape(-1)[0]) == SONATA_MAGIC
        assert "version" in h5.attrs, "root attribute 'version' missing"
        assert list(np.asarray(h5.attrs["version"]).reshape(-1)) == [0, 1]
        assert ("nodes" in h5) != ("edges" in h5), "a file holds either /nodes or /edges"


def test_circuit_has_files(circuit):
    assert circuit.node_files, f"{circuit.path}: no *_nodes.h5"
    assert circuit.node_pops, "no node population"
    for f in circuit.h5_files:
        assert circuit.types_csv_of(f).exists(), f"{f.name} has no type table {circuit.types_csv_of(f).name}"


def test_no_temporary_files_left(circuit):
    # Folders (e.g. components/ for NEST's model dirs) and json files are allowed; a *.tmp or partial file is not.
    names = sorted(p.name for p in circuit.path.iterdir() if not p.is_dir())
    expected = {f.name for f in circuit.h5_files} | {f.name for f in circuit.type_files} | {"circuit_config.json"}
    extra = [n for n in names if n not in expected and not n.endswith(".json")]
    assert not extra, f"unexpected files in the output folder: {extra}"


# ---------------------------------------------------------------- nodes

def test_node_population_layout(node_pop):
    with h5py.File(node_pop.file, "r") as h5:
        pop = h5[f"nodes/{node_pop.name}"]
        for ds in ("node_type_id", "node_group_id", "node_group_index"):
            assert ds in pop, f"{ds} missing"
            assert np.issubdtype(pop[ds].dtype, np.integer), f"{ds} is {pop[ds].dtype}"
        n = pop["node_type_id"].shape[0]
        for k, v in pop.items():
            if isinstance(v, h5py.Dataset):
                assert v.shape == (n,), f"{k} has shape {v.shape}, expected ({n},)"
        if "node_id" in pop:
            assert np.array_equal(pop["node_id"][()], np.arange(n)), "node_id is not 0..n-1"
        groups = group_names(pop)
        assert groups == ["0"], f"groups {groups}: libsonata and NEST read exactly one group, '0'"
        gid, gidx = pop["node_group_id"][()], pop["node_group_index"][()]
        _check_groups(pop, groups, gid, gidx)
        for k in ("x", "y", "z"):
            if k in pop["0"]:
                assert np.isfinite(pop["0"][k][()]).all(), f"{k} has non-finite values"


def _check_groups(pop, groups, gid, gidx):
    """Every row points into an existing group, and each group's rows are 0..n-1 in row order
    (NEST ignores *_group_index, so group rows must be in row order)."""
    known = {int(g) for g in groups}
    used = set(unique(gid).tolist())
    assert used <= known, f"group ids {sorted(used - known)} have no group"
    for g in groups:
        rows = gid == int(g)
        count = int(rows.sum())
        assert np.array_equal(gidx[rows], np.arange(count)), f"group {g}: group indices are not 0..{count - 1} in order"
        for k, v in pop[g].items():
            if isinstance(v, h5py.Dataset):
                assert v.shape[0] == count, f"group {g}/{k} has {v.shape[0]} rows, expected {count}"
        if "dynamics_params" in pop[g]:
            dp = pop[g]["dynamics_params"]
            assert isinstance(dp, h5py.Group)


# ---------------------------------------------------------------- edges

def test_edge_population_layout(edge_pop):
    circuit = edge_pop.circuit
    with h5py.File(edge_pop.file, "r") as h5:
        pop = h5[f"edges/{edge_pop.name}"]
        for ds in ("source_node_id", "target_node_id", "edge_type_id", "edge_group_id", "edge_group_index"):
            assert ds in pop, f"{ds} missing"
            assert np.issubdtype(pop[ds].dtype, np.integer), f"{ds} is {pop[ds].dtype}"
        n = pop["source_node_id"].shape[0]
        for k, v in pop.items():
            if isinstance(v, h5py.Dataset):
                assert v.shape == (n,), f"{k} has shape {v.shape}, expected ({n},)"
        for ds, pop_name in (("source_node_id", edge_pop.source_population),
                             ("target_node_id", edge_pop.target_population)):
            assert pop_name is not None, f"{ds} has no 'node_population' attribute"
            assert pop_name in circuit.node_pops, \
                f"{ds}.node_population = {pop_name!r} is none of {sorted(circuit.node_pops)}"
        groups = group_names(pop)
        assert groups == ["0"], f"groups {groups}: libsonata and NEST read exactly one group, '0'"
        _check_groups(pop, groups, pop["edge_group_id"][()], pop["edge_group_index"][()])
        assert set(pop) <= {"source_node_id", "target_node_id", "edge_type_id", "edge_group_id",
                            "edge_group_index", "indices", *groups}, f"unexpected members {sorted(pop)}"


def test_edge_population_name(edge_pop):
    """BMTK's naming: <src>_<trg>_edges.h5 holds population <src>_to_<trg>."""
    expected = f"{edge_pop.source_population}_to_{edge_pop.target_population}"
    assert edge_pop.name == expected
    assert edge_pop.file.name == f"{edge_pop.source_population}_{edge_pop.target_population}_edges.h5"


def test_edge_ids_in_range(edge_pop):
    for ids, nodes, what in ((edge_pop.source, edge_pop.source_nodes, "source"),
                             (edge_pop.target, edge_pop.target_nodes, "target")):
        if len(ids):
            assert ids.min() >= 0, f"negative {what} id"
            assert ids.max() < nodes.size, f"{what} id {ids.max()} >= size {nodes.size} of {nodes.name}"


def test_edge_types_known(edge_pop):
    ids = set(unique(edge_pop.type_id).tolist())
    known = set(edge_pop.types["edge_type_id"].astype(np.int64).tolist())
    assert ids <= known, f"edge_type_id {sorted(ids - known)} not in {edge_pop.circuit.types_csv_of(edge_pop.file).name}"


def test_edges_sorted(edge_pop, request):
    """Rows sorted by target node id (the default `sort_edges_by`), or by source when the spec says so."""
    spec = spec_of(request.config, edge_pop.circuit) or {}
    key = spec.get("build", {}).get("sort_edges_by", "target")
    ids = edge_pop.source if key == "source" else edge_pop.target
    assert np.all(np.diff(ids) >= 0), f"rows are not sorted by {key}_node_id (sort_edges_by = {key!r})"


@pytest.mark.parametrize("index", sorted(INDEX_NAMES))
def test_index_covers_every_edge_once(edge_pop, index):
    """For every node, the union of its ranges is exactly the rows whose source/target is that node,
    and every row appears once in the index."""
    key = edge_pop.source if index == "source_to_target" else edge_pop.target
    n_nodes = (edge_pop.source_nodes if index == "source_to_target" else edge_pop.target_nodes).size
    n_edges = edge_pop.size
    with h5py.File(edge_pop.file, "r") as h5:
        pop = h5[f"edges/{edge_pop.name}"]
        assert f"indices/{index}" in pop, f"indices/{index} missing"
        grp = pop[f"indices/{index}"]
        for ds in ("node_id_to_ranges", "range_to_edge_id"):
            assert ds in grp, f"indices/{index}/{ds} missing (libsonata reads the plural)"
        n2r = grp["node_id_to_ranges"][()].astype(np.int64)
        r2e = grp["range_to_edge_id"][()].astype(np.int64)
    assert n2r.ndim == 2 and n2r.shape[1] == 2, f"node_id_to_ranges has shape {n2r.shape}"
    assert r2e.ndim == 2 and r2e.shape[1] == 2 or r2e.size == 0, f"range_to_edge_id has shape {r2e.shape}"
    r2e = r2e.reshape(-1, 2)
    assert len(n2r) == n_nodes, f"node_id_to_ranges has {len(n2r)} rows for {n_nodes} nodes"

    lo, hi = n2r[:, 0], n2r[:, 1]
    lengths = hi - lo
    assert (lengths >= 0).all(), "a node range ends before it starts"
    used = lengths > 0
    if used.any():
        assert lo[used].min() >= 0 and hi[used].max() <= len(r2e), "node ranges point outside range_to_edge_id"
    range_rows = expand_ranges(lo[used], lengths[used])
    owner = np.repeat(np.flatnonzero(used), lengths[used])
    assert len(unique(range_rows)) == len(range_rows), "a range_to_edge_id row belongs to two nodes"

    starts, ends = r2e[range_rows, 0], r2e[range_rows, 1]
    assert (ends >= starts).all(), "an edge range ends before it starts"
    if len(starts):
        assert starts.min() >= 0 and ends.max() <= n_edges, "edge ranges point outside the population"
    edges = expand_ranges(starts, ends - starts)
    edge_owner = np.repeat(owner, ends - starts)
    counts = np.bincount(edges, minlength=n_edges)
    assert len(counts) == n_edges and (counts == 1).all(), \
        f"{int((counts == 0).sum())} edges missing from the index, {int((counts > 1).sum())} listed twice"
    bad = np.flatnonzero(key[edges] != edge_owner)
    assert not len(bad), f"edge {edges[bad[0]]} listed under node {edge_owner[bad[0]]}, but its id is {key[edges[bad[0]]]}"


@pytest.mark.parametrize("index", sorted(INDEX_NAMES))
def test_singular_index_alias(edge_pop, index):
    """BMTK reads node_id_to_range (singular): it must be there and equal the plural."""
    with h5py.File(edge_pop.file, "r") as h5:
        grp = h5[f"edges/{edge_pop.name}/indices/{index}"]
        assert "node_id_to_range" in grp, "singular node_id_to_range missing (bmtk needs it)"
        assert np.array_equal(grp["node_id_to_range"][()], grp["node_id_to_ranges"][()])


def test_uncompressed(circuit):
    """libsonata's wheels cannot read gzip datasets; netbuild's default is no compression."""
    compressed = []
    for f in circuit.h5_files:
        with h5py.File(f, "r") as h5:
            h5.visititems(lambda name, obj: compressed.append(f"{f.name}:{name}")
                          if isinstance(obj, h5py.Dataset) and obj.compression else None)
    assert not compressed, f"compressed datasets: {compressed[:5]}"


def test_per_edge_values_finite(edge_pop):
    for g, cols in edge_pop.group_columns.items():
        for c in cols:
            v = edge_pop.column(c)
            if v is not None and np.issubdtype(v.dtype, np.floating):
                assert np.isfinite(v).all(), f"{c} has non-finite values"
