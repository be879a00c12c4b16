"""Per-node properties of several values per node (BMTK's ``add_nodes(positions=<N x 3>)``),
against BMTK 1.2 itself and read back by h5py, libsonata and bmtk's reader; netbuild's own
rules reading x, y, z from such ``positions``; arrays that cannot be such a column refused.

    .venv/bin/python -m pytest crates/python/tests/test_positions.py -q
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parent / "scripts"
PYTHON = sys.executable
TIMEOUT = 300


def run(args, cwd=None, **env):
    p = subprocess.run([PYTHON, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                       timeout=TIMEOUT, env=dict(os.environ, **env))
    assert p.returncode == 0, f"{args} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """scripts/positions_rows.py built by BMTK and by netbuild: (BMTK's folder, netbuild's)."""
    tmp = tmp_path_factory.mktemp("positions")
    for front in ("bmtk", "netbuild"):
        run([SCRIPTS / "positions_rows.py", tmp / front], FRONT=front)
    return tmp / "bmtk", tmp / "netbuild"


def groups(path, pop):
    """group -> {column: (shape, dtype, attrs, values)} of a nodes file."""
    with h5py.File(path) as h:
        p = h["nodes"][pop]
        return {g: {c: (p[g][c].shape, str(p[g][c].dtype), dict(p[g][c].attrs), p[g][c][()])
                    for c in p[g]}
                for g in p if g.isdigit()}


def test_n_by_k_columns_as_bmtk_writes_them(both):
    bmtk, nb = both
    for pop, expect in (("cortex", {"0": {"ids": ((20, 2), "int64"),
                                          "positions": ((20, 3), "float64")},
                                    "1": {"positions": ((10, 3), "float64"),
                                          "tuning": ((10,), "float64")}}),
                        ("lgn", {"0": {"positions": ((15, 3), "float64")}})):
        b, n = groups(bmtk / f"{pop}_nodes.h5", pop), groups(nb / f"{pop}_nodes.h5", pop)
        assert {g: {c: v[:2] for c, v in cols.items()} for g, cols in b.items()} == expect, pop
        for g, cols in b.items():
            assert sorted(n[g]) == sorted(cols), (pop, g)
            for c, (shape, dtype, attrs, values) in cols.items():
                assert n[g][c][:3] == (shape, dtype, attrs), (pop, g, c)
                assert np.array_equal(n[g][c][3], values), (pop, g, c)
        # Nothing of them in the node types table, as BMTK.
        header = lambda d: (d / f"{pop}_node_types.csv").read_text().splitlines()[0].split()
        assert sorted(header(nb)) == sorted(header(bmtk)), pop
        assert "positions" not in header(nb)


def test_functions_see_positions_rows_as_bmtk_does(both):
    """The rule connects by the distance between node['positions'] and draws nothing: the same
    pairs and synapse counts."""
    def pairs(d, pop):
        with h5py.File(d / f"{pop}_edges.h5") as h:
            (name,) = list(h["edges"])
            p = h["edges"][name]
            nsyns = p["0"]["nsyns"][()][p["edge_group_index"][()]]
            return sorted(zip(p["source_node_id"][()].tolist(), p["target_node_id"][()].tolist(),
                              nsyns.tolist()))

    for pop in ("cortex_cortex", "lgn_cortex"):
        b, n = pairs(both[0], pop), pairs(both[1], pop)
        assert len(b) > 20, pop
        assert n == b, pop


def test_readers_load_the_rows(both):
    import libsonata
    from bmtk.utils.sonata import File

    seen = []
    for d in both:
        f = File(data_files=[str(d / "cortex_nodes.h5")],
                 data_type_files=[str(d / "cortex_node_types.csv")])
        nodes = list(f.nodes["cortex"])
        assert len(nodes) == 30
        seen.append(np.array([n["positions"] for n in nodes]))
        assert nodes[3]["ids"].tolist() == [3, 6]
        # libsonata 0.2.2 opens single-group populations and lists the column alike for both
        # files (it reads no 2-D attribute values: the same error for both).
        p = libsonata.NodeStorage(str(d / "lgn_nodes.h5")).open_population("lgn")
        assert (p.size, sorted(p.attribute_names)) == (15, ["positions"])
        with pytest.raises(RuntimeError):
            p.get_attribute("positions", libsonata.Selection([0, 1]))
    assert seen[0].shape == (30, 3)
    assert np.array_equal(seen[0], seen[1])


def script(tmp_path, body):
    """Runs a netbuild script (body after the import) in tmp_path; returns its stdout."""
    (tmp_path / "s.py").write_text("import json, sys\nimport numpy as np\n"
                                   "from netbuild import NetworkBuilder, NetbuildError, rules\n"
                                   + textwrap.dedent(body))
    return run([tmp_path / "s.py"], cwd=tmp_path).stdout


def test_native_rules_read_x_y_z_from_positions_rows(tmp_path):
    """A distance rule and an expression property (netbuild's own) read x, y, z from an N x 3
    `positions`, and the file keeps the one column."""
    script(tmp_path, """
        xyz = np.random.default_rng(5).uniform(0, 100, (60, 3))
        np.save("xyz.npy", xyz)
        net = NetworkBuilder("v1")
        net.add_nodes(N=60, positions=xyz, model_type="point_neuron")
        cm = net.add_edges(source=net.nodes(), target=net.nodes(),
                           connection_rule=rules.all_to_all(max_distance=30.0),
                           model_template="static_synapse")
        cm.add_properties("dx", rule=rules.expr("trg.x - src.x"), dtypes=float)
        net.build()
        net.save(output_dir="out", compression="none")
    """)
    xyz = np.load(tmp_path / "xyz.npy")
    d = np.linalg.norm(xyz[:, None, :] - xyz[None, :, :], axis=2)
    expect = sorted((s, t) for s in range(60) for t in range(60) if s != t and d[s, t] <= 30.0)
    with h5py.File(tmp_path / "out/v1_v1_edges.h5") as h:
        p = h["edges/v1_to_v1"]
        src, trg = p["source_node_id"][()], p["target_node_id"][()]
        dx = p["0/dx"][()][p["edge_group_index"][()]]
    assert len(expect) > 100
    assert sorted(zip(src.tolist(), trg.tolist())) == expect
    assert np.allclose(dx, xyz[trg, 0] - xyz[src, 0])
    with h5py.File(tmp_path / "out/v1_nodes.h5") as h:
        assert sorted(h["nodes/v1/0"]) == ["positions"]
        assert np.array_equal(h["nodes/v1/0/positions"][()], xyz)


def test_arrays_that_are_no_column_are_refused(tmp_path):
    out = script(tmp_path, """
        cases = {"length": [1.0, 2.0], "ragged": [[1, 2], [3]] * 2,
                 "3d": np.zeros((4, 2, 2)), "strings": [["a", "b"]] * 4}
        said = {}
        for name, v in cases.items():
            net = NetworkBuilder("n_" + name)
            try:
                net.add_nodes(N=4, prop=v)
            except NetbuildError as e:
                said[name] = str(e)
        print(json.dumps(said))
    """)
    said = json.loads(out.strip().splitlines()[-1])
    assert "array of length 2 into N=4 nodes" in said["length"]
    assert "rows of different lengths" in said["ragged"]
    assert "shape (4, 2, 2)" in said["3d"]
    assert "shape (4, 2) and dtype <U1" in said["strings"]
