"""`[[import]]`: nodes built and saved by BMTK (and a BBP-style file written with h5py) are imported
by a netbuild spec that only adds edges; libsonata and bmtk's reader load the combined circuit from
its circuit_config.json, with BMTK's node ids and node type ids.

These tests build their own inputs in a temporary folder and run target/release/netbuild-mpi; they
need no --circuits.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "release" / "netbuild-mpi"


def run(spec: Path, *args: str, ranks: int = 1, check: bool = True) -> subprocess.CompletedProcess:
    assert BIN.exists(), f"build {BIN} first (cargo build --release)"
    cmd = [str(BIN), str(spec), *args]
    if ranks > 1:
        cmd = ["mpirun", "-n", str(ranks), *cmd]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if check:
        assert p.returncode == 0, f"{cmd} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return p


def bmtk_nodes(out: Path, seed: int = 3) -> None:
    """v1: two node types in two node groups (different property sets), positions as an N x 3
    dataset, a string column, saved as BMTK saves (gzip by default); lgn: virtual cells."""
    from bmtk.builder import NetworkBuilder

    rng = np.random.default_rng(seed)
    v1 = NetworkBuilder("v1")
    v1.add_nodes(N=30, pop_name="e4", ei="e", model_type="point_neuron", model_template="nest:iaf_psc_alpha",
                 positions=rng.uniform(0, 100, (30, 3)),
                 layer=["L4"] * 20 + ["L5"] * 10, tuning_angle=np.linspace(0, 180, 30))
    v1.add_nodes(N=12, pop_name="i4", ei="i", model_type="point_neuron", model_template="nest:iaf_psc_alpha",
                 positions=rng.uniform(0, 100, (12, 3)))
    v1.save(output_dir=str(out))
    lgn = NetworkBuilder("lgn")
    lgn.add_nodes(N=20, pop_name="tON", model_type="virtual", x=rng.uniform(0, 100, 20), y=rng.uniform(0, 100, 20))
    # Uncompressed and one group: the kind of population libsonata's wheels read (they have no
    # gzip filter and refuse several groups).
    lgn.save(output_dir=str(out), compression=None)


@pytest.fixture(scope="module")
def combined(tmp_path_factory) -> Path:
    """BMTK's nodes in bmtk/, a netbuild spec importing them (one copied, one referenced) adding
    edges into out/."""
    d = tmp_path_factory.mktemp("import")
    bmtk_nodes(d / "bmtk")
    spec = d / "add_edges.toml"
    spec.write_text("""
[build]
seed = 4
output_dir = "out"

[[import]]
nodes = "bmtk/v1_nodes.h5"
node_types = "bmtk/v1_node_types.csv"

[[import]]
nodes = "bmtk/lgn_nodes.h5"
node_types = "bmtk/lgn_node_types.csv"
population = "lgn"
copy = false

[[edges]]
source = { network = "v1", ei = "e" }
target = { network = "v1", layer = "L4" }
rule = { probability = "exp(-d / 80)" }
syn_weight = 2.0

[[edges]]
source = { network = "lgn" }
target = { network = "v1", layer = "L5" }
rule = { indegree = 5 }
[edges.properties]
syn_weight = "1.0 + trg.tuning_angle / 1000"
""")
    run(spec)
    return d


def test_bmtk_wrote_what_the_import_must_read(combined):
    """The input is what BMTK really writes: gzip datasets, positions N x 3, two node groups."""
    with h5py.File(combined / "bmtk" / "v1_nodes.h5") as f:
        pop = f["nodes/v1"]
        groups = sorted(k for k in pop if isinstance(pop[k], h5py.Group))
        assert len(groups) == 2
        assert any("positions" in pop[g] and pop[g]["positions"].shape[1] == 3 for g in groups)
        assert any(pop[g][k].compression == "gzip" for g in groups for k in pop[g]
                   if isinstance(pop[g][k], h5py.Dataset))
        assert any(h5py.check_string_dtype(pop[g][k].dtype) for g in groups for k in pop[g]
                   if isinstance(pop[g][k], h5py.Dataset))


def test_config_lists_copied_and_referenced_nodes_and_new_edges(combined):
    out = combined / "out"
    cfg = json.loads((out / "circuit_config.json").read_text())
    nodes = {next(iter(e["populations"])): e for e in cfg["networks"]["nodes"]}
    assert nodes["v1"]["nodes_file"] == "$NETWORK_DIR/v1_nodes.h5"
    assert Path(nodes["lgn"]["nodes_file"]) == (combined / "bmtk" / "lgn_nodes.h5").resolve()
    assert not (out / "lgn_nodes.h5").exists()
    assert nodes["lgn"]["populations"]["lgn"]["type"] == "virtual"
    edges = sorted(next(iter(e["populations"])) for e in cfg["networks"]["edges"])
    assert edges == ["lgn_to_v1", "v1_to_v1"]
    # The copy is BMTK's file, byte for byte.
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "v1_nodes.h5", combined / "bmtk" / "v1_nodes.h5")]
    assert digest[0] == digest[1]


def test_libsonata_loads_the_combined_circuit(combined):
    import libsonata

    out = combined / "out"
    cfg = libsonata.CircuitConfig.from_file(str(out / "circuit_config.json"))
    assert set(cfg.node_populations) == {"v1", "lgn"}
    assert set(cfg.edge_populations) == {"v1_to_v1", "lgn_to_v1"}
    # v1 (gzip, two groups) is beyond libsonata's wheels: the bmtk reader test reads it.
    with h5py.File(combined / "bmtk" / "lgn_nodes.h5") as f:
        bmtk_x = f["nodes/lgn/0/x"][()]
    lgn = cfg.node_population("lgn")
    assert lgn.size == 20
    all20 = libsonata.Selection([(0, 20)])
    np.testing.assert_array_equal(lgn.get_attribute("x", all20), bmtk_x)
    e = cfg.edge_population("lgn_to_v1")
    assert (e.source, e.target) == ("lgn", "v1")
    sel = libsonata.Selection([(0, e.size)])
    src, trg = e.source_nodes(sel), e.target_nodes(sel)
    assert e.size == 10 * 5  # indegree 5 onto each of the 10 layer-5 cells
    assert set(trg) == set(range(20, 30))
    assert src.max() < 20
    ee = cfg.edge_population("v1_to_v1")
    sel = libsonata.Selection([(0, ee.size)])
    assert ee.size > 0
    assert set(ee.source_nodes(sel)) <= set(range(30)), "sources: ei = e, BMTK ids 0..29"
    layer = np.array(["L4"] * 20 + ["L5"] * 10)
    assert set(ee.target_nodes(sel)) <= set(np.flatnonzero(layer == "L4")), "targets: layer = L4 (a string column)"
    assert set(ee.target_nodes(sel)) & set(range(30, 42)) == set(), "the i4 cells (BMTK ids 30..41) have no layer"
    # Per-edge values read the imported per-node column.
    tuning = np.linspace(0, 180, 30)
    w = e.get_attribute("syn_weight", libsonata.Selection([(0, e.size)]))
    np.testing.assert_allclose(w, 1.0 + tuning[trg] / 1000)


def test_bmtk_reader_loads_the_combined_circuit(combined, monkeypatch):
    from bmtk.utils.sonata.config import SonataConfig
    from bmtk.utils.sonata import File

    out = combined / "out"
    monkeypatch.chdir(out)  # BMTK resolves the manifest's "$BASE_DIR": "." against the working directory
    cfg = SonataConfig.from_json(str(out / "circuit_config.json"))
    for entry in cfg["networks"]["nodes"]:
        f = File(data_files=[entry["nodes_file"]], data_type_files=[entry["node_types_file"]])
        for name in f.nodes.population_names:
            df = f.nodes[name].to_dataframe()
            with h5py.File(combined / "bmtk" / f"{name}_nodes.h5") as h:
                np.testing.assert_array_equal(df.index.to_numpy(), np.arange(len(h[f"nodes/{name}/node_type_id"])))
                np.testing.assert_array_equal(df["node_type_id"].to_numpy(), h[f"nodes/{name}/node_type_id"][()])
    for entry in cfg["networks"]["edges"]:
        f = File(data_files=[entry["edges_file"]], data_type_files=[entry["edge_types_file"]])
        for name in f.edges.population_names:
            assert len(f.edges[name]) > 0


def bbp_nodes(path: Path, n: int = 25) -> None:
    """A BBP-style nodes file: group 0 only, uint64 node_type_id, no node_id/node_group_* datasets,
    fixed-length byte strings."""
    rng = np.random.default_rng(1)
    with h5py.File(path, "w") as f:
        f.attrs["version"] = np.array([0, 1], dtype=np.uint32)
        f.attrs["magic"] = np.uint32(0x0A7A)
        pop = f.create_group("nodes/hippo")
        pop.create_dataset("node_type_id", data=np.full(n, 7, dtype=np.uint64))
        g = pop.create_group("0")
        for axis in "xyz":
            g.create_dataset(axis, data=rng.uniform(0, 50, n))
        g.create_dataset("mtype", data=np.array([b"SP_PC"] * 20 + [b"SP_BS"] * 5, dtype="S5"))
        g.create_dataset("layer", data=np.arange(n, dtype=np.uint64) % 3)
        # A second population in the same file: the import must name one.
        other = f.create_group("nodes/other")
        other.create_dataset("node_type_id", data=np.full(3, 7, dtype=np.uint64))
        other.create_group("0").create_dataset("x", data=np.zeros(3))


def test_bbp_style_nodes_import(tmp_path):
    bbp_nodes(tmp_path / "hippo_nodes.h5")
    (tmp_path / "hippo_node_types.csv").write_text("node_type_id model_type\n7 point_neuron\n")
    spec = tmp_path / "s.toml"
    body = """
[build]
output_dir = "out"
[[import]]
nodes = "hippo_nodes.h5"
node_types = "hippo_node_types.csv"
{population}
[[edges]]
source = {{ network = "hippo", mtype = "SP_BS" }}
target = {{ network = "hippo", layer = [0, 2] }}
rule = {{ all_to_all = true }}
"""
    spec.write_text(body.format(population=""))
    p = run(spec, check=False)
    assert p.returncode == 2 and "s.toml:5:9" in p.stderr and "holds 2 node populations (hippo, other)" in p.stderr, p.stderr
    spec.write_text(body.format(population='population = "hippo"'))
    run(spec)
    # The copy holds that population alone, unchanged.
    with h5py.File(tmp_path / "hippo_nodes.h5") as src, h5py.File(tmp_path / "out" / "hippo_nodes.h5") as dst:
        assert list(dst["nodes"]) == ["hippo"]
        for name in ["node_type_id", "0/x", "0/mtype", "0/layer"]:
            a, b = src["nodes/hippo"][name], dst["nodes/hippo"][name]
            assert a.dtype == b.dtype, name
            np.testing.assert_array_equal(a[()], b[()])
    import libsonata

    cfg = libsonata.CircuitConfig.from_file(str(tmp_path / "out" / "circuit_config.json"))
    e = cfg.edge_population("hippo_to_hippo")
    sel = libsonata.Selection([(0, e.size)])
    targets = [i for i in range(25) if i % 3 != 1]
    assert e.size == 5 * len(targets) - sum(1 for i in range(20, 25) if i % 3 != 1)  # no autapses
    assert set(e.source_nodes(sel)) == set(range(20, 25))
    assert set(e.target_nodes(sel)) == set(targets)


def test_existing_edge_population_is_an_error_unless_replaced(tmp_path):
    """Adding into the imported folder itself: v1_to_v1 exists there after a first run."""
    d = tmp_path / "c"
    bmtk_nodes(d)
    spec = d / "s.toml"
    body = """
[build]
output_dir = "."
[[import]]
nodes = "v1_nodes.h5"
node_types = "v1_node_types.csv"
{replace}
[[edges]]
source = {{ network = "v1" }}
target = {{ network = "v1" }}
rule = {{ probability = 0.1 }}
"""
    spec.write_text(body.format(replace=""))
    run(spec)
    lgn_before = (d / "lgn_nodes.h5").read_bytes()
    assert (d / "v1_v1_edges.h5").exists()
    p = run(spec, check=False)
    assert p.returncode == 2
    assert "s.toml:8:1" in p.stderr and "'v1_to_v1' already exists" in p.stderr and "replace_edges" in p.stderr
    spec.write_text(body.format(replace="replace_edges = true"))
    run(spec)
    assert (d / "lgn_nodes.h5").read_bytes() == lgn_before, "other files of the folder are kept"


def test_two_ranks_write_the_same_files(combined, tmp_path):
    spec = combined / "add_edges.toml"
    out2 = tmp_path / "np2"
    run(spec, "--output-dir", str(out2), ranks=2)
    for f in ["v1_v1_edges.h5", "lgn_v1_edges.h5", "v1_nodes.h5"]:
        r = subprocess.run(["h5diff", str(combined / "out" / f), str(out2 / f)], capture_output=True, text=True)
        assert r.returncode == 0, f"{f} differs on 2 ranks: {r.stdout}"
