"""BBP's libsonata (the reader under bluepysnap, neurodamus, ...) reads every circuit and agrees with h5py."""

import libsonata
import numpy as np
import pytest

from circuit import unique

FULL_CHECK_NODES = 10_000  # query every node of populations up to this size, a sample of larger ones
SAMPLE = 2_000


def _nodes_to_check(n: int, seed: int) -> np.ndarray:
    if n <= FULL_CHECK_NODES:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return unique(np.concatenate([[0, n - 1], rng.choice(n, SAMPLE, replace=False)]))


def _rows(sel: libsonata.Selection) -> np.ndarray:
    return np.asarray(sel.flatten(), dtype=np.int64)


def test_circuit_config(circuit):
    assert circuit.config_path.exists(), "circuit_config.json missing"
    cc = libsonata.CircuitConfig.from_file(str(circuit.config_path))
    assert set(cc.node_populations) == set(circuit.node_pops), \
        "libsonata sees other node populations than the h5 files hold (an entry without 'populations'/'type'?)"
    assert set(cc.edge_populations) == set(circuit.edge_pops)
    for name, pop in circuit.node_pops.items():
        assert cc.node_population(name).size == pop.size
        props = cc.node_population_properties(name)
        assert props.type, f"node population {name} has no type"
        assert props.elements_path and circuit.resolve(props.elements_path) == pop.file.resolve()
    for name, pop in circuit.edge_pops.items():
        ep = cc.edge_population(name)
        assert ep.size == pop.size
        assert (ep.source, ep.target) == (pop.source_population, pop.target_population)
        props = cc.edge_population_properties(name)
        assert props.type, f"edge population {name} has no type"
        assert circuit.resolve(props.elements_path) == pop.file.resolve()


def test_config_paths(circuit):
    """Paths are written as $VAR/... with `$BASE_DIR: "."`, as NEST's reader needs; all resolve to real files."""
    cfg = circuit.config
    assert cfg.get("manifest", {}).get("$BASE_DIR") == ".", "manifest $BASE_DIR must be '.'"
    seen_h5, seen_csv = set(), set()
    for kind, h5key, csvkey in (("nodes", "nodes_file", "node_types_file"),
                                ("edges", "edges_file", "edge_types_file")):
        for entry in cfg["networks"][kind]:
            for key, seen in ((h5key, seen_h5), (csvkey, seen_csv)):
                assert key in entry, f"networks.{kind} entry without {key}: {entry}"
                assert entry[key].startswith("$"), f"{key} {entry[key]!r} is not a $VAR/... path"
                path = circuit.resolve(entry[key])
                assert path.exists(), f"{entry[key]} -> {path} does not exist"
                seen.add(path)
            assert entry.get("populations"), f"networks.{kind} entry without populations: {entry}"
            for name, props in entry["populations"].items():
                assert props.get("type"), f"population {name} has no type: libsonata skips it"
    assert seen_h5 == {f.resolve() for f in circuit.h5_files}, "config and folder list different h5 files"
    assert seen_csv == {f.resolve() for f in circuit.type_files}, "config and folder list different csv files"


def test_node_storage(node_pop):
    storage = libsonata.NodeStorage(str(node_pop.file))
    assert node_pop.name in storage.population_names
    pop = storage.open_population(node_pop.name)
    assert pop.size == node_pop.size
    sel = pop.select_all()
    assert sel.flat_size == node_pop.size
    for axis in "xyz":
        col = node_pop.group_column(axis)
        if col is not None:
            np.testing.assert_array_equal(pop.get_attribute(axis, sel), col)


def test_edge_storage_afferent_efferent(edge_pop):
    storage = libsonata.EdgeStorage(str(edge_pop.file))
    assert edge_pop.name in storage.population_names
    pop = storage.open_population(edge_pop.name)
    assert pop.size == edge_pop.size
    assert (pop.source, pop.target) == (edge_pop.source_population, edge_pop.target_population)

    for key, query in (("target", pop.afferent_edges), ("source", pop.efferent_edges)):
        order, starts = edge_pop.rows_by(key)
        n = len(starts) - 1
        for node in _nodes_to_check(n, seed=1 if key == "target" else 2):
            expected = order[starts[node]:starts[node + 1]]
            got = _rows(query([int(node)]))
            if not np.array_equal(got, expected):
                pytest.fail(f"{query.__name__}([{node}]): libsonata gives {len(got)} rows "
                            f"{got[:8]}..., h5py {len(expected)} rows {expected[:8]}...")
        # All nodes at once: every edge, once.
        got = _rows(query(list(range(n))))
        assert np.array_equal(np.sort(got), np.arange(edge_pop.size)), f"{query.__name__}(all nodes) != all edges"


def test_edge_selection_endpoints_and_attributes(edge_pop):
    cc = libsonata.CircuitConfig.from_file(str(edge_pop.circuit.config_path))
    pop = cc.edge_population(edge_pop.name)
    n = edge_pop.size
    if n == 0:
        assert pop.size == 0
        return
    rng = np.random.default_rng(3)
    picks = unique(np.concatenate([[0, n - 1], rng.integers(0, n, min(n, 50_000))]))
    selections = [pop.select_all() if n <= 5_000_000 else libsonata.Selection([(0, min(n, 5_000_000))]),
                  libsonata.Selection(picks)]
    for sel in selections:
        rows = _rows(sel)
        np.testing.assert_array_equal(pop.source_nodes(sel), edge_pop.source[rows])
        np.testing.assert_array_equal(pop.target_nodes(sel), edge_pop.target[rows])
        names = set(pop.attribute_names)
        assert set(edge_pop.group_columns["0"]) <= names, \
            f"libsonata does not list {set(edge_pop.group_columns['0']) - names}"
        for name in edge_pop.group_columns["0"]:
            expected = edge_pop.column(name)[rows]
            np.testing.assert_array_equal(pop.get_attribute(name, sel), expected, err_msg=name)
    # Scalar accessors on one edge.
    e = int(picks[len(picks) // 2])
    assert pop.source_node(e) == edge_pop.source[e] and pop.target_node(e) == edge_pop.target[e]


def test_connecting_edges(edge_pop):
    """connecting_edges(s, t) = the rows of pair (s, t), for a few pairs that exist."""
    if edge_pop.size == 0:
        pytest.skip("empty population")
    pop = libsonata.EdgeStorage(str(edge_pop.file)).open_population(edge_pop.name)
    rng = np.random.default_rng(4)
    for e in rng.integers(0, edge_pop.size, 20):
        s, t = int(edge_pop.source[e]), int(edge_pop.target[e])
        expected = np.flatnonzero((edge_pop.source == s) & (edge_pop.target == t))
        np.testing.assert_array_equal(_rows(pop.connecting_edges([s], [t])), expected)
