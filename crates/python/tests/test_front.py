"""netbuild's Python front (crates/python), against BMTK itself and against the binary.

Run by scripts/test with the project's venv (scripts/venv builds the package into it):
    .venv/bin/python -m pytest crates/python/tests -q

- BMTK-style scripts (scripts/two_networks.py here: Python connection functions for each
  iterator, an int rule, add_properties, gap junctions, two networks) built by BMTK and by
  netbuild: per edge type, connected pairs and synapses within 5 sd; the same property columns
  and dtypes, the same files; libsonata and bmtk's reader load both.
- Native rule objects: the same files on 1, 2 and 4 ranks (h5diff), and the same files as the
  binary builds from the equivalent spec (examples/quickstart.toml).
- A Python exception in a function on one rank of two: the job ends, non-zero, with the
  traceback, and writes nothing.
"""

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = Path(__file__).resolve().parent / "scripts"
PYTHON = sys.executable
TIMEOUT = 300


def env(**extra):
    e = dict(os.environ)
    if os.geteuid() == 0:
        e.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    e["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    e.update(extra)
    return e


def run(args, ranks=1, check=True, timeout=TIMEOUT, **extra):
    """Runs a Python script (under `mpirun -n ranks` when ranks > 1)."""
    cmd = [PYTHON, *map(str, args)]
    if ranks > 1:
        cmd = ["mpirun", "-n", str(ranks), *cmd]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env(**extra))
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def edge_types(folder):
    """label -> (population, edge_type_id, {non-NULL edge-type property: value})."""
    out = {}
    for f in sorted(Path(folder).glob("*_edge_types.csv")):
        pop = f.name[: -len("_edge_types.csv")]
        with open(f) as fh:
            for row in csv.DictReader(fh, delimiter=" "):
                props = {k: v for k, v in row.items()
                         if v != "NULL" and k not in ("edge_type_id", "label")}
                out[row["label"]] = (pop, int(row["edge_type_id"]), props)
    return out


def counts(folder, pop, type_id):
    """(connected pairs, synapses) of one edge type in `<pop>_edges.h5`."""
    with h5py.File(Path(folder) / f"{pop}_edges.h5") as h:
        (name,) = list(h["edges"])
        p = h["edges"][name]
        sel = p["edge_type_id"][()] == type_id
        src, trg = p["source_node_id"][()][sel], p["target_node_id"][()][sel]
        groups, index = p["edge_group_id"][()][sel], p["edge_group_index"][()][sel]
        pairs = len(set(zip(src.tolist(), trg.tolist())))
        synapses = 0
        for g in np.unique(groups):
            grp = p[str(g)]
            rows = index[groups == g]
            synapses += int(grp["nsyns"][()][rows].sum()) if "nsyns" in grp else len(rows)
        return pairs, synapses


def group_columns(folder, pop):
    """The property columns (name, dtype) of each group of an edges file, as a sorted list."""
    with h5py.File(Path(folder) / f"{pop}_edges.h5") as h:
        (name,) = list(h["edges"])
        p = h["edges"][name]
        return sorted(
            tuple(sorted((c, str(p[g][c].dtype)) for c in p[g] if isinstance(p[g][c], h5py.Dataset)))
            for g in p if g.isdigit())


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """two_networks.py built by BMTK and by netbuild."""
    tmp = tmp_path_factory.mktemp("front")
    run([SCRIPTS / "two_networks.py", tmp / "bmtk"], FRONT="bmtk")
    run([SCRIPTS / "two_networks.py", tmp / "netbuild"], FRONT="netbuild")
    return tmp / "bmtk", tmp / "netbuild"


def test_the_same_files_as_bmtk(both):
    bmtk, nb = both
    sonata = lambda d: {f.name for f in d.iterdir() if f.name.endswith(("_nodes.h5", "_edges.h5", ".csv"))}
    assert sonata(nb) == sonata(bmtk)
    # Both write BMTK's gap junction table beside the edges (BioNet reads it); netbuild its
    # manifest of the files it wrote.
    assert {f.name for f in bmtk.iterdir()} - sonata(bmtk) == {"v1_gap_juncs.h5"}
    assert {f.name for f in nb.iterdir()} - sonata(nb) == {"v1_gap_juncs.h5", ".netbuild.json"}


def test_a_seeded_script_gives_the_same_files_again(both, tmp_path):
    # np.random.seed in the script drives its functions' draws; with Python functions netbuild
    # calls them from one thread in a fixed order: the same files run after run.
    run([SCRIPTS / "two_networks.py", tmp_path / "again"], FRONT="netbuild")
    same_folder(both[1], tmp_path / "again")
    run([SCRIPTS / "two_networks.py", tmp_path / "other"], FRONT="netbuild", SEED="2")
    with h5py.File(both[1] / "v1_v1_edges.h5") as a, h5py.File(tmp_path / "other" / "v1_v1_edges.h5") as b:
        assert not np.array_equal(a["edges/v1_to_v1/source_node_id"][()], b["edges/v1_to_v1/source_node_id"][()])


def test_edge_counts_within_5_sd_of_bmtk(both):
    bmtk, nb = both
    tb, tn = edge_types(bmtk), edge_types(nb)
    assert sorted(tb) == sorted(tn) == ["E1", "E2", "E3", "G1", "L1", "L2"]
    for label in tb:
        assert tb[label][0] == tn[label][0], label
        a = counts(bmtk, tb[label][0], tb[label][1])
        b = counts(nb, tn[label][0], tn[label][1])
        assert b[0] > 0, label
        # Sums of independent draws per pair: a Bernoulli's variance is at most its mean; a
        # pair's synapses (at most 3 here) vary by at most 3 times their mean.
        for x, y, what, k in ((a[0], b[0], "pairs", 1), (a[1], b[1], "synapses", 3)):
            sd = math.sqrt(k * (x + y))
            assert abs(x - y) <= 5 * sd, f"{label} {what}: BMTK {x}, netbuild {y}"
    # connection_rule=2: every pair, 2 synapses each.
    assert counts(nb, *tn["L2"][:2]) == (30 * 40, 2 * 30 * 40)
    assert counts(bmtk, *tb["L2"][:2]) == (30 * 40, 2 * 30 * 40)


def test_python_functions_on_2_ranks(both, tmp_path):
    # Every rank runs the script; each connects its own targets (a one_to_all function is called
    # for every source on every rank, each keeping its targets): counts as on one rank.
    one = both[1]
    two = tmp_path / "np2"
    run([SCRIPTS / "two_networks.py", two], ranks=2, FRONT="netbuild")
    t1, t2 = edge_types(one), edge_types(two)
    assert t1 == t2
    for label, (pop, type_id, _) in t1.items():
        a, b = counts(one, pop, type_id), counts(two, pop, type_id)
        assert b[0] > 0, label
        assert abs(a[1] - b[1]) <= 5 * math.sqrt(3 * (a[1] + b[1])), f"{label}: {a} vs {b}"
    assert group_columns(two, "v1_v1") == group_columns(one, "v1_v1")


def test_edge_type_properties_as_bmtk(both):
    bmtk, nb = both
    tb, tn = edge_types(bmtk), edge_types(nb)
    for label in tb:
        # Gap junctions too: syn_weight = 1/resistance, and no resistance column (as BMTK).
        assert tn[label][2] == tb[label][2], label
    assert tn["G1"][2]["is_gap_junction"] == "True"
    assert "resistance" not in tn["G1"][2]


def test_property_columns_and_dtypes_as_bmtk(both):
    bmtk, nb = both
    for pop in ("v1_v1", "lgn_v1"):
        assert group_columns(nb, pop) == group_columns(bmtk, pop), pop
    assert group_columns(nb, "v1_v1") == [
        (("delay", "float32"),), (("delay", "float64"), ("syn_weight", "float32")),
        (("nsyns", "uint32"),)]


def test_nodes_as_bmtk(both):
    bmtk, nb = both
    for net, n in (("v1", 200), ("lgn", 30)):
        cols = []
        for d in (bmtk, nb):
            with h5py.File(d / f"{net}_nodes.h5") as h:
                p = h["nodes"][net]
                assert len(p["node_id"]) == n
                cols.append(sorted(c for c in p["0"]))
            with open(d / f"{net}_node_types.csv") as fh:
                cols.append(sorted(next(csv.reader(fh, delimiter=" "))))
        assert cols[:2] == cols[2:], net
    with h5py.File(nb / "v1_nodes.h5") as h, h5py.File(bmtk / "v1_nodes.h5") as g:
        for c in ("x", "y", "z", "tuning_angle"):
            assert np.array_equal(h["nodes/v1/0"][c][()], g["nodes/v1/0"][c][()]), c


def test_libsonata_and_bmtk_load_both(both):
    import libsonata
    from bmtk.utils.sonata import File

    for d in both:
        nodes = sorted(str(f) for f in d.glob("*_nodes.h5"))
        edges = sorted(str(f) for f in d.glob("*_edges.h5"))
        for f in nodes:
            s = libsonata.NodeStorage(f)
            (pop,) = s.population_names
            assert s.open_population(pop).size > 0
        for f in edges:
            s = libsonata.EdgeStorage(f)
            (pop,) = s.population_names
            if pop == "v1_to_v1":
                # Three property sets, three groups, with both tools: libsonata reads only
                # single-group populations (ARCHITECTURE.md).
                with pytest.raises(libsonata.SonataError, match="single-group"):
                    s.open_population(pop)
                continue
            p = s.open_population(pop)
            assert p.size > 0
            assert len(p.source_nodes(libsonata.Selection([0, 1]))) == 2
            if d == both[1]:
                # BMTK writes its indices as node_id_to_range; libsonata reads ..._ranges.
                assert p.afferent_edges(list(range(200))).flat_size == p.size
        # One file at a time: node type ids (and BMTK's edge type ids) repeat across networks.
        sizes = {}
        for f in nodes + edges:
            kind = "_nodes.h5" if f.endswith("_nodes.h5") else "_edges.h5"
            types = f[: -len(kind)] + kind[:-4] + "_types.csv"
            sf = File(data_files=[f], data_type_files=[types])
            store = sf.nodes if kind == "_nodes.h5" else sf.edges
            (pop,) = store.population_names
            sizes[pop] = sum(1 for _ in store[pop]) if kind == "_nodes.h5" else len(store[pop])
        assert sizes["v1"] == 200 and sizes["lgn"] == 30
        assert sizes["v1_to_v1"] > 0 and sizes["lgn_to_v1"] > 30 * 40


def same_folder(a, b, ignore_spec_hash=False):
    """Every file of `a` and `b` the same: h5diff for HDF5 (exit 0), bytes for the rest.
    `ignore_spec_hash`: not the `netbuild_spec_sha256` attribute (the hash of the spec text)."""
    # Not the manifest .netbuild.json: it lists what was written (and when), not the circuit.
    names = sorted(f.name for f in a.iterdir() if f.is_file() and f.name != ".netbuild.json")
    assert names == sorted(f.name for f in b.iterdir() if f.is_file() and f.name != ".netbuild.json")
    for n in names:
        if n.endswith(".h5"):
            files = [a / n, b / n]
            if ignore_spec_hash:
                files = [strip_spec_hash(f, tag) for f, tag in zip(files, "ab")]
            p = subprocess.run(["h5diff", *map(str, files)], capture_output=True, text=True)
            assert p.returncode == 0, f"{n}: {p.stdout[-2000:]}"
        elif n == ".netbuild.json":
            # The manifest: the same files (their times differ from build to build, the sizes of
            # HDF5 files with the writer, as their bytes do).
            listed = [json.loads((d / n).read_text()) for d in (a, b)]
            listed = [(sorted(m["files"]), m["dirs"]) for m in listed]
            assert listed[0] == listed[1], n
        else:
            assert (a / n).read_bytes() == (b / n).read_bytes(), n


def strip_spec_hash(f, tag):
    """A copy of HDF5 file `f` without its spec hash attribute (which must be there)."""
    copy = f.parent.parent / f"{tag}-{f.name}"
    shutil.copy(f, copy)
    with h5py.File(copy, "r+") as h:
        assert len(h.attrs["netbuild_spec_sha256"]) == 64
        del h.attrs["netbuild_spec_sha256"]
    return copy


def test_native_rules_same_files_on_1_2_and_4_ranks(tmp_path):
    outs = {}
    for k in (1, 2, 4):
        outs[k] = tmp_path / f"np{k}"
        run([SCRIPTS / "native_rules.py", outs[k]], ranks=k)
    assert (outs[1] / "v1_v1_edges.h5").stat().st_size > 0
    with h5py.File(outs[1] / "lgn_v1_edges.h5") as h:
        assert len(h["edges/lgn_to_v1/source_node_id"]) == 50 * 20 + 500
    for k in (2, 4):
        same_folder(outs[1], outs[k])


def test_the_same_files_as_the_binary_from_the_spec(tmp_path):
    binary = ROOT / "target" / "release" / "netbuild-mpi"
    if not binary.exists():
        pytest.skip("no target/release/netbuild-mpi (cargo build --release)")
    spec = ROOT.parent / "shared" / "examples" / "quickstart.toml"
    if not spec.exists():
        spec = ROOT / "examples" / "quickstart.toml"
    subprocess.run([str(binary), str(spec), "-o", str(tmp_path / "spec")], check=True,
                   capture_output=True, timeout=TIMEOUT)
    run([ROOT / "benches" / "quickstart_bmtk.py", tmp_path / "script"], RULE="native")
    # The files record the sha256 of their spec's text: the binary's of quickstart.toml, the
    # script's of the spec netbuild made from it.
    same_folder(tmp_path / "spec", tmp_path / "script", ignore_spec_hash=True)


@pytest.mark.parametrize("ranks", [1, 2])
def test_an_exception_in_a_function_ends_the_job_without_output(tmp_path, ranks):
    out = tmp_path / "out"
    p = run([SCRIPTS / "fails.py", out], ranks=ranks, check=False)
    assert p.returncode != 0
    assert "Traceback (most recent call last)" in p.stderr
    assert "RuntimeError: connection function failed on purpose for target 199" in p.stderr
    assert 'fails.py", line' in p.stderr
    if ranks > 1:
        assert "rank 1 of 2 failed" in p.stderr
    assert not out.exists()
    assert [f.name for f in tmp_path.iterdir()] == [], "a partial folder was left"


def test_spec_mistakes_point_at_the_script_line(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text(
        "from netbuild import NetworkBuilder, rules\n"
        "net = NetworkBuilder('net')\n"
        "net.add_nodes(N=10, pop_name='a')\n"
        "net.add_edges(source=net.nodes(), target=net.nodes(),\n"
        "              connection_rule=rules.probability('0.1 * exp(-dd / 10)'))\n"
        "net.build()\n"
        f"net.save(output_dir={str(tmp_path / 'out')!r})\n")
    p = run([script], check=False)
    assert p.returncode != 0
    assert "NetbuildError" in p.stderr
    assert f"{script}:4: add_edges:" in p.stderr, p.stderr
    assert "dd" in p.stderr
    assert not (tmp_path / "out").exists()


def test_import_nodes_adds_edges_to_an_existing_circuit(tmp_path):
    out = tmp_path / "circuit"
    run([SCRIPTS / "import_nodes.py", out, "nodes"])
    assert sorted(f.name for f in out.glob("*.h5")) == ["v1_nodes.h5"]
    before = (out / "v1_nodes.h5").read_bytes()
    run([SCRIPTS / "import_nodes.py", out, "edges"])
    assert sorted(f.name for f in out.glob("*.h5")) == ["lgn_nodes.h5", "lgn_v1_edges.h5", "v1_nodes.h5"]
    assert (out / "v1_nodes.h5").read_bytes() == before
    types = edge_types(out)
    with h5py.File(out / "lgn_v1_edges.h5") as h:
        p = h["edges/lgn_to_v1"]
        src, trg = p["source_node_id"][()], p["target_node_id"][()]
        fn = p["edge_type_id"][()] == types["fn"][1]
        assert sorted(zip(src[fn].tolist(), trg[fn].tolist())) == sorted(
            (t % 10, t) for t in range(50) if t % 10 < 5)
        assert set(p["0/nsyns"][()][p["edge_group_index"][()][fn]].tolist()) == {2}
        native = ~fn
        assert sorted(trg[native].tolist()) == sorted(list(range(50, 60)) * 2)


def test_an_exception_in_the_script_on_one_rank_ends_the_job(tmp_path):
    script = tmp_path / "rank1.py"
    script.write_text(
        "import netbuild\n"
        "if netbuild.rank() == 1:\n"
        "    raise KeyError('only on rank 1')\n"
        "netbuild.barrier()\n")
    p = run([script], ranks=2, check=False, timeout=60)  # a hang fails here
    assert p.returncode != 0
    assert "KeyError: 'only on rank 1'" in p.stderr
    assert "rank 1 of 2 failed: uncaught Python exception KeyError" in p.stderr


def test_model_errors_point_at_the_script_line_and_gzip_when_asked(tmp_path):
    script = tmp_path / "model.py"
    body = (
        "import sys\n"
        "from netbuild import NetworkBuilder, rules\n"
        "net = NetworkBuilder('net')\n"
        "net.add_nodes(N=10, pop_name='a')\n"
        "net.add_edges(source=net.nodes(), target=net.nodes(),\n"
        "              connection_rule=rules.indegree(int(sys.argv[2])))\n"
        "net.build()\n"
        "net.save(output_dir=sys.argv[1], compression=sys.argv[3])\n")
    script.write_text(body)
    p = run([script, tmp_path / "bad", 20, "none"], check=False)
    assert p.returncode != 0
    assert f"{script}:5: indegree = 20 but a target can have only 9 distinct sources" in p.stderr, p.stderr
    run([script, tmp_path / "gz", 3, "gzip"])
    with h5py.File(tmp_path / "gz" / "net_net_edges.h5") as h:
        assert h["edges/net_to_net/source_node_id"].compression == "gzip"
        assert len(h["edges/net_to_net/source_node_id"]) == 30
