"""BMTK's own SONATA reader (bmtk.utils.sonata) opens every population and agrees with h5py.

bmtk.utils.sonata.File merges the type tables it is given into one table keyed by type id, and BMTK
numbers the types of every network from 100: so it is opened per file (h5 + its csv), as BMTK's
simulators do per network.
"""

import numpy as np
import pytest
from bmtk.utils.sonata import File


def _open(h5file, csvfile):
    return File(data_files=[str(h5file)], data_type_files=[str(csvfile)])


def test_bmtk_reads_nodes(node_pop):
    f = _open(node_pop.file, node_pop.circuit.types_csv_of(node_pop.file))
    assert f.has_nodes
    assert node_pop.name in f.nodes.population_names
    pop = f.nodes[node_pop.name]
    assert len(pop) == node_pop.size and pop.n_nodes == node_pop.size
    csv_ids = sorted(node_pop.types["node_type_id"].astype(int))
    assert sorted(int(i) for i in pop.node_types_table.node_type_ids) == csv_ids
    df = pop.to_dataframe()
    assert len(df) == node_pop.size
    np.testing.assert_array_equal(df.index.to_numpy(), np.arange(node_pop.size))
    np.testing.assert_array_equal(df["node_type_id"].to_numpy(), node_pop.node_type_id)
    types = node_pop.types.set_index("node_type_id")
    for col in types.columns:  # the type columns come through to every node
        assert col in df.columns, f"bmtk lost node-type column {col}"
    for axis in "xyz":
        col = node_pop.group_column(axis)
        if col is not None:
            np.testing.assert_array_equal(df[axis].to_numpy(), col)
    # One node through the object API.
    i = node_pop.size // 2
    node = pop.get_node_id(i)
    assert node.node_id == i and node["node_type_id"] == node_pop.node_type_id[i]
    for col in types.columns:
        expected = types.loc[node_pop.node_type_id[i], col]
        if not (isinstance(expected, float) and np.isnan(expected)):
            assert node[col] == expected, f"node {i}: {col} = {node[col]!r}, csv says {expected!r}"


def test_bmtk_reads_edges(edge_pop):
    f = _open(edge_pop.file, edge_pop.circuit.types_csv_of(edge_pop.file))
    assert f.has_edges
    assert edge_pop.name in f.edges.population_names
    pop = f.edges[edge_pop.name]
    assert len(pop) == edge_pop.size
    assert (pop.source_population, pop.target_population) == (edge_pop.source_population, edge_pop.target_population)
    csv_ids = sorted(edge_pop.types["edge_type_id"].astype(int))
    assert sorted(int(i) for i in f.edges.edge_types_table.edge_type_ids) == csv_ids
    if edge_pop.size == 0:
        return
    # BMTK walks its (singular) indices one row at a time: a few nodes each way.
    rng = np.random.default_rng(5)
    rows = rng.integers(0, edge_pop.size, 3)
    per_edge = [c for c in edge_pop.group_columns["0"]]
    for e in rows:
        t, s = int(edge_pop.target[e]), int(edge_pop.source[e])
        got = list(pop.get_target(t))
        expected = np.flatnonzero(edge_pop.target == t)
        assert len(got) == len(expected), f"bmtk: {len(got)} edges into {t}, h5py: {len(expected)}"
        assert sorted(int(x.source_node_id) for x in got) == sorted(edge_pop.source[expected].tolist())
        assert all(int(x.target_node_id) == t for x in got)
        got = list(pop.get_source(s))
        expected = np.flatnonzero(edge_pop.source == s)
        assert len(got) == len(expected), f"bmtk: {len(got)} edges from {s}, h5py: {len(expected)}"
        assert sorted(int(x.target_node_id) for x in got) == sorted(edge_pop.target[expected].tolist())
        # Row e itself, with its per-edge and edge-type properties.
        edge = pop.get_row(int(e))
        assert int(edge.edge_type_id) == edge_pop.type_id[e]
        for c in per_edge:
            assert edge[c] == pytest.approx(edge_pop.column(c)[e], rel=1e-6), c
