"""Synapse locations on dendrites (`[edges.locations]`, BMTK's `rand_syn_locations`) against
NEURON, and at scale.

Run by scripts/test with the project's venv (NEURON from PyPI, pinned in
tests/readers/requirements.txt):
    .venv/bin/python -m pytest crates/python/tests/test_syn_locations.py -q

- NEURON is the oracle: for each of the 5 morphologies of ../shared/bio_components, with and
  without `fix_axon`, with BMTK's one segment per section and with `dL = 20`, and several
  (sections, distance_range) pairs, netbuild's candidate segments, probabilities (1e-9),
  section ids, x, swc ids and positions equal those of BMTK's own `SWCReader` run on NEURON
  (crates/python/tests/nrn_syn_oracle.py, in a fresh interpreter).
- The same for small made-up trees that take Import3d's other paths (a neuromorpho.org 3-point
  soma, a soma of several points with children along it, a branch off a dendrite's first
  point, a one-point branch of the soma, a type change within a branch); and a file NEURON
  prunes a zero-length branch of, on which BMTK's SWCReader fails: netbuild says why.
- A native build of ~750,000 synapses: per (morphology, edge type), the counts per segment pass
  a chi-square test against `find_sections`' probabilities, and every row's swc id and
  position are its segment's.
- `return_coords`: afferent_x/y/z equal BMTK's `get_coords` on cells moved and rotated by
  `get_swc`.
- The same files on 1 and 2 ranks, the 2 ranks of the host parsing each morphology once in all
  (the tables are made once per host and mapped; the build's debug log counts the parses); the
  Python front's `rules.syn_locations` and BMTK's own
  `rand_syn_locations` (run natively) write the same columns.
- Bad input: a missing morphology file, a malformed SWC line, a range no segment reaches, an
  unknown section name: located errors, exit code 2, nothing built.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from scipy import stats

from netbuild import rules

ROOT = Path(__file__).resolve().parents[3]
MORPHS = ROOT.parent / "shared" / "bio_components" / "morphologies"
BINARY = ROOT / "target" / "release" / "netbuild-mpi"
ORACLE = Path(__file__).resolve().parent / "nrn_syn_oracle.py"
NAMES = sorted(p.name for p in MORPHS.glob("*.swc"))
QUERIES = [
    [["soma", "apical", "basal"], [0.0, 1.0e20]],
    [["basal", "apical"], [30.0, 150.0]],
    [["apical"], [150.0, 300.0]],
    [["dend"], [0.0, 50.0]],
    [["somatic", "axonal"], [0.0, 20.0]],
    [["axon"], [0.0, 1.0e20]],
    [["basal"], [5000.0, 6000.0]],
]
CONFIGS = [(False, None), (True, None), (True, 20.0)]
TIMEOUT = 600


def env():
    e = dict(os.environ)
    if os.geteuid() == 0:
        e.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return e


def ask_neuron(requests, folder):
    """The oracle's answers to `requests` (see nrn_syn_oracle.py), from a fresh interpreter."""
    req = Path(folder) / "requests.json"
    req.write_text(json.dumps(requests))
    p = subprocess.run([sys.executable, str(ORACLE), str(req)], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def assert_candidates_equal(swc, sections, rng, fix_axon, dl, rows, what):
    """netbuild's candidates for one query equal NEURON's `rows`; where NEURON has none (BMTK
    divides by zero) or BMTK's get_swc_id fails on one (a section without SWC points, such as
    the second axon section fix_axon makes), netbuild raises and says why."""
    if not rows:
        with pytest.raises(ValueError, match="no segment of the sections"):
            rules.syn_location_candidates(swc, sections, rng, fix_axon, dl)
        return False
    if any(r[4] is None for r in rows):
        with pytest.raises(ValueError, match="has no SWC point"):
            rules.syn_location_candidates(swc, sections, rng, fix_axon, dl)
        return False
    mine = rules.syn_location_candidates(swc, sections, rng, fix_axon, dl)
    assert [m[0] for m in mine] == [r[0] for r in rows], what
    for m, r in zip(mine, rows):
        assert m[1] == r[1], what  # section id
        assert m[2] == pytest.approx(r[2], abs=1e-12), what  # section x
        assert abs(m[3] - r[3]) <= 1e-9, f"{what}: p {m[3]} vs NEURON's {r[3]}"
        assert m[4] == r[4], what  # swc id
        assert m[5] == pytest.approx(r[5], abs=1e-12), what  # swc position
    return True


def test_the_five_morphologies_are_there():
    assert len(NAMES) == 5, f"expected BMTK's 5 morphologies in {MORPHS}, found {NAMES}"


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    """NEURON's answers, per (morphology, fix_axon, dL): one list per query."""
    requests = [{"swc": str(MORPHS / m), "fix_axon": fa, "dl": dl, "queries": QUERIES}
                for m in NAMES for fa, dl in CONFIGS]
    answers = ask_neuron(requests, tmp_path_factory.mktemp("oracle"))
    return {(r["swc"], r["fix_axon"], r["dl"]): a for r, a in zip(requests, answers)}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fix_axon,dl", CONFIGS)
def test_candidates_equal_neurons(oracle, name, fix_axon, dl):
    swc = str(MORPHS / name)
    checked = 0
    for (sections, rng), want in zip(QUERIES, oracle[(swc, fix_axon, dl)]):
        what = f"{name} fix_axon={fix_axon} dL={dl} {sections} {rng}"
        checked += assert_candidates_equal(swc, sections, rng, fix_axon, dl, want["rows"], what)
    assert checked >= 4


# Made-up trees for Import3d's less travelled paths (see the module doc).
SYNTHETIC = {
"threept": """1 1 0 0 0 5 -1
2 1 0 -5 0 5 1
3 1 0 5 0 5 1
4 3 0 6 0 0.5 1
5 3 0 20 0 0.5 4
6 3 5 40 0 0.5 5
7 3 -5 40 0 0.5 5
8 2 0 -6 0 0.5 1
9 2 0 -30 0 0.5 8
10 4 3 6 1 0.5 1
11 4 3 60 1 0.5 10
""",
"chainsoma": """1 1 0 0 0 5 -1
2 1 0 2 0 5 1
3 1 0 4 0 5 2
4 1 0 6 0 5 3
5 3 3 2 0 0.5 2
6 3 20 2 0 0.5 5
7 3 0 20 0 0.5 4
8 3 0 40 1 0.5 7
9 2 0 -3 0 0.5 1
10 2 0 -40 0 0.5 9
""",
"prox": """1 1 0 0 0 5 -1
2 3 0 6 0 0.5 1
3 3 0 12 0 0.5 2
4 3 0 30 0 0.5 3
5 3 5 7 0 0.5 2
6 3 15 9 0 0.5 5
7 3 10 31 0 0.5 4
8 3 -10 31 0 0.5 4
9 2 0 -6 0 0.5 1
10 2 0 -20 0 0.5 9
""",
"onept": """1 1 0 0 0 5 -1
2 3 0 8 0 0.5 1
3 3 4 0 0 0.5 1
4 3 10 0 0 0.5 3
5 3 30 3 0 0.5 4
6 2 0 -6 0 0.5 1
7 2 0 -20 0 0.5 6
""",
"zerolen": """1 1 0 0 0 5 -1
2 3 0 6 0 0.5 1
3 3 0 12 0 0.5 2
4 3 0 12 0 0.5 3
5 3 5 20 0 0.5 3
6 3 -5 20 0 0.5 3
7 2 0 -6 0 0.5 1
8 2 0 -20 0 0.5 7
""",
"typechange": """1 1 0 0 0 5 -1
2 3 0 6 0 0.5 1
3 3 0 12 0 0.5 2
4 4 0 30 0 0.5 3
5 4 0 50 0 0.5 4
6 4 10 60 0 0.5 5
7 4 -10 60 0 0.5 5
8 2 0 -6 0 0.5 1
9 2 0 -20 0 0.5 8
10 2 5 -30 0 0.5 9
11 2 -5 -30 0 0.5 9
""",
}
SYNTHETIC_QUERIES = [
    [["soma", "apical", "basal"], [0.0, 1.0e20]],
    [["basal", "apical"], [3.0, 25.0]],
    [["soma", "axon"], [0.0, 1.0e20]],
    [["dend"], [0.0, 1.0e20]],
]


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_made_up_trees_equal_neurons(tmp_path, name):
    swc = tmp_path / f"{name}.swc"
    swc.write_text(SYNTHETIC[name])
    requests = [{"swc": str(swc), "fix_axon": fa, "dl": dl, "queries": SYNTHETIC_QUERIES}
                for fa, dl in CONFIGS]
    if name == "zerolen":
        req = tmp_path / "requests.json"
        req.write_text(json.dumps(requests))
        p = subprocess.run([sys.executable, str(ORACLE), str(req)], capture_output=True,
                           text=True, timeout=TIMEOUT)
        assert p.returncode != 0 and "nameindex" in p.stderr, p.stderr  # BMTK fails
        with pytest.raises(ValueError, match=r"zerolen.swc:7: NEURON's Import3d removed"):
            rules.syn_location_candidates(swc, ["basal"], [0.0, 1.0e20])
        return
    for r, answer in zip(requests, ask_neuron(requests, tmp_path)):
        for (sections, rng), want in zip(SYNTHETIC_QUERIES, answer):
            what = f"{name} fix_axon={r['fix_axon']} dL={r['dl']} {sections} {rng}"
            assert_candidates_equal(swc, sections, rng, r["fix_axon"], r["dl"], want["rows"],
                                    what)


def spec_text(morphology_dir, edge_blocks, n_targets=10, n_sources=50, seed=11):
    nodes = "\n".join(
        f"""
[[nodes]]
network = "bio"
N = {n_targets}
model_type = "biophysical"
model_processing = "aibs_perisomatic"
morphology = "{m[:-4] if k % 2 else m}"
""" for k, m in enumerate(NAMES))
    return f"""[build]
seed = {seed}
output_dir = "out"

[[nodes]]
network = "lgn"
N = {n_sources}
model_type = "virtual"
{nodes}
{edge_blocks}"""


EDGE_TYPES = [
    (["basal", "apical"], [30.0, 150.0], None),
    (["soma", "apical", "basal"], [0.0, 1.0e20], None),
    (["basal", "soma"], [0.0, 100.0], 20.0),
]


def edge_blocks(nsyns, morphology_dir):
    out = []
    for sections, rng, dl in EDGE_TYPES:
        extra = f"\ndL = {dl}" if dl else ""
        out.append(f"""
[[edges]]
source = {{ network = "lgn" }}
target = {{ network = "bio" }}
rule = {{ all_to_all = true }}
nsyns = {nsyns}
[edges.locations]
sections = {json.dumps(sections)}
distance_range = {json.dumps(rng)}
morphology_dir = "{morphology_dir}"{extra}
""")
    return "\n".join(out)


def build(tmp, text, ranks=1, check=True, log=None):
    """Builds spec `text` in `tmp` on `ranks` ranks (`log`: RUST_LOG for every rank)."""
    tmp.mkdir(parents=True, exist_ok=True)
    spec = tmp / "spec.toml"
    spec.write_text(text)
    cmd = [str(BINARY), str(spec)]
    if ranks > 1:
        cmd = ["mpirun", "-n", str(ranks), "--oversubscribe", *cmd]
    e = env()
    if log:
        e["RUST_LOG"] = log
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=e)
    if check:
        assert p.returncode == 0, p.stdout + p.stderr
    return p


def edges_of(folder):
    with h5py.File(folder / "lgn_bio_edges.h5") as h:
        p = h["edges/lgn_to_bio"]
        out = {k: p[k][()] for k in ("edge_type_id", "target_node_id", "edge_group_id",
                                     "edge_group_index")}
        for g in p:
            if isinstance(p[g], h5py.Group) and g.isdigit():
                for k in p[g]:
                    out[f"{g}/{k}"] = p[g][k][()]
                    out[f"{g}/{k}:dtype"] = p[g][k].dtype
    return out


def test_counts_per_segment_pass_a_chi_square(tmp_path):
    build(tmp_path, spec_text(MORPHS, edge_blocks(100, MORPHS)))
    e = edges_of(tmp_path / "out")
    type_ids = sorted(np.unique(e["edge_type_id"]).tolist())
    assert len(type_ids) == 3
    checked = 0
    for k, ((sections, rng, dl), et) in enumerate(zip(EDGE_TYPES, type_ids)):
        rows = e["edge_type_id"] == et
        groups = np.unique(e["edge_group_id"][rows])
        assert len(groups) == 1
        g = str(groups[0])
        assert e[f"{g}/afferent_section_id:dtype"] == np.int64
        assert e[f"{g}/afferent_swc_id:dtype"] == np.int64
        assert e[f"{g}/afferent_section_pos:dtype"] == np.float64
        idx = e["edge_group_index"][rows]
        sec = e[f"{g}/afferent_section_id"][idx]
        pos = e[f"{g}/afferent_section_pos"][idx]
        swc = e[f"{g}/afferent_swc_id"][idx]
        swc_pos = e[f"{g}/afferent_swc_pos"][idx]
        trg = e["target_node_id"][rows]
        for m, name in enumerate(NAMES):
            mine = (trg >= 10 * m) & (trg < 10 * (m + 1))  # 10 targets per morphology
            cands = rules.syn_location_candidates(MORPHS / name, sections, rng, True, dl)
            where = {(c[1], c[2]): i for i, c in enumerate(cands)}
            seg = np.array([where[(s, x)] for s, x in zip(sec[mine].tolist(),
                                                            pos[mine].tolist())])
            assert np.array_equal(swc[mine], np.array([cands[i][4] for i in seg]))
            assert np.allclose(swc_pos[mine], np.array([cands[i][5] for i in seg]))
            n = mine.sum()
            assert n == 10 * 50 * 100
            observed = np.bincount(seg, minlength=len(cands)).astype(float)
            expected = n * np.array([c[3] for c in cands])
            # Pool the segments expected fewer than 5 times, as a chi-square test needs.
            small = expected < 5
            obs = np.append(observed[~small], observed[small].sum())
            exp = np.append(expected[~small], expected[small].sum())
            if exp[-1] == 0:
                obs, exp = obs[:-1], exp[:-1]
            p = stats.chisquare(obs, exp).pvalue
            assert p > 1e-4, f"{name} edge type {et}: chi-square p = {p}"
            checked += 1
    assert checked == 15


# Every parse of a morphology file is logged at debug level by the build's preparation.
PARSE_LOG = "warn,netbuild_model::columns=debug"


def parses(stderr):
    """The morphology files parsed, one entry per parse, from a build's log."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", stderr)  # the log's colours
    return sorted(re.findall(r"morphology parsed file=(\S+)", plain))


def test_the_same_files_on_one_and_two_ranks(tmp_path):
    """Same files on 1 and 2 ranks; and the 2 ranks of this host parse each morphology once in
    all (the rank that makes the tables parses, the other maps them), as 1 rank does: 5 files,
    each with BMTK's one segment per section and with dL = 20 (the third edge type)."""
    text = spec_text(MORPHS, edge_blocks(3, MORPHS), n_targets=4, n_sources=30)
    one = build(tmp_path / "one", text, log=PARSE_LOG)
    two = build(tmp_path / "two", text, ranks=2, log=PARSE_LOG)
    a, b = edges_of(tmp_path / "one" / "out"), edges_of(tmp_path / "two" / "out")
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]) if not k.endswith(":dtype") else a[k] == b[k], k
    want = sorted(str(MORPHS / n) for n in NAMES for _ in range(2))
    assert parses(one.stderr) == want, one.stderr
    assert parses(two.stderr) == want, two.stderr


def test_the_python_front_and_bmtks_function(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(f"""
import sys
from netbuild import NetworkBuilder, rules
from bmtk.builder.bionet import rand_syn_locations
lgn = NetworkBuilder("lgn")
lgn.add_nodes(N=20, model_type="virtual")
bio = NetworkBuilder("bio")
bio.add_nodes(N=6, model_type="biophysical", model_processing="aibs_perisomatic",
              morphology="Scnn1a_473845048_m.swc")
names = ['afferent_section_id', 'afferent_section_pos', 'afferent_swc_id', 'afferent_swc_pos']
cm = lgn.add_edges(source=lgn.nodes(), target=bio.nodes(), connection_rule=2, name="native")
cm.add_properties(names, rule=rules.syn_locations(sections=['basal', 'apical'],
                  distance_range=[30.0, 150.0], morphology_dir={str(MORPHS)!r}),
                  dtypes=[int, float, int, float])
cm = lgn.add_edges(source=lgn.nodes(), target=bio.nodes(), connection_rule=2, name="bmtk")
cm.add_properties(names, rule=rand_syn_locations,
                  rule_params={{'sections': ['basal', 'apical'], 'distance_range': [30.0, 150.0],
                               'morphology_dir': {str(MORPHS)!r}}},
                  dtypes=[int, float, int, float])
lgn.build()
bio.build()
lgn.save(output_dir=sys.argv[1])
bio.save(output_dir=sys.argv[1])
""")
    p = subprocess.run([sys.executable, str(script), str(tmp_path / "net")], capture_output=True,
                       text=True, timeout=TIMEOUT, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    e = edges_of(tmp_path / "net")
    cands = rules.syn_location_candidates(MORPHS / "Scnn1a_473845048_m.swc",
                                          ["basal", "apical"], [30.0, 150.0], True)
    allowed = {(c[1], c[2], c[4]) for c in cands}
    for et in np.unique(e["edge_type_id"]):
        rows = e["edge_type_id"] == et
        assert rows.sum() == 20 * 6 * 2  # one row per synapse
        (g,) = np.unique(e["edge_group_id"][rows])
        idx = e["edge_group_index"][rows]
        got = zip(e[f"{g}/afferent_section_id"][idx].tolist(),
                  e[f"{g}/afferent_section_pos"][idx].tolist(),
                  e[f"{g}/afferent_swc_id"][idx].tolist())
        assert set(got) <= allowed


@pytest.mark.parametrize("ranks", [1, 2])
@pytest.mark.parametrize("case", ["missing_file", "bad_line", "empty_range", "section_name"])
def test_bad_input_is_a_located_error(tmp_path, case, ranks):
    """On 2 ranks only the host's first rank reads the files: the others get its error."""
    morphs = tmp_path / "m"
    morphs.mkdir()
    for name in NAMES:
        (morphs / name).write_text((MORPHS / name).read_text())
    blocks = edge_blocks(1, morphs)
    if case == "missing_file":
        (morphs / NAMES[2]).unlink()
        want = [f"{morphs / NAMES[2]} not found", "node type 102", "spec.toml:"]
    elif case == "bad_line":
        lines = (morphs / NAMES[0]).read_text().splitlines()
        lines[9] = "10 3 1.0 2.0"
        (morphs / NAMES[0]).write_text("\n".join(lines) + "\n")
        want = [f"{NAMES[0]}:10: expected 7 numbers", "node type 100", "spec.toml:"]
    elif case == "empty_range":
        blocks = blocks.replace("[30.0, 150.0]", "[5000.0, 6000.0]")
        want = ["no segment of the sections", "[5000, 6000]", NAMES[0], "spec.toml:"]
    else:
        blocks = blocks.replace('"basal", "apical"', '"basal", "dendrite"', 1)
        want = ["spec.toml:", "unknown section name 'dendrite'"]
    p = build(tmp_path, spec_text(morphs, blocks), ranks=ranks, check=False)
    assert p.returncode == 2, p.stdout + p.stderr
    for w in want:
        assert w in p.stderr, f"{w!r} not in {p.stderr!r}"
    assert not (tmp_path / "out").exists()


def test_coordinates_equal_bmtks_moved_and_rotated_cells(tmp_path):
    """`return_coords = true`: afferent_x/y/z are BMTK's `get_coords` on the cell `get_swc`
    moves to the node's x, y, z and rotates by its rotation_angle_[yz]axis (and leaves in place
    when the node has no x, y, z, N x 3 `positions` or not)."""
    rng = np.random.default_rng(5)
    nodes, cells = [], []
    for m in NAMES:
        xyz = rng.uniform(-200, 200, (2, 3))
        ay, az = rng.uniform(-np.pi, np.pi, 2), float(rng.uniform(-1, 1))
        nodes.append(f"""
[[nodes]]
network = "bio"
N = 2
model_processing = "aibs_perisomatic"
morphology = "{m}"
x = {xyz[:, 0].tolist()}
y = {xyz[:, 1].tolist()}
z = {xyz[:, 2].tolist()}
rotation_angle_yaxis = {ay.tolist()}
rotation_angle_zaxis = {az}
""")
        for i in range(2):
            cells.append({"node_id": len(cells), "morphology": m,
                          "model_processing": "aibs_perisomatic", "x": xyz[i, 0],
                          "y": xyz[i, 1], "z": xyz[i, 2], "rotation_angle_yaxis": ay[i],
                          "rotation_angle_zaxis": az})
    # Positions given as BMTK's N x 3 `positions` column, no x, y, z: BMTK's get_swc moves the
    # cell only by x, y, z, so it stays where the file puts it (and so does netbuild's).
    rows = rng.uniform(-200, 200, (2, 3))
    nodes.append(f"""
[[nodes]]
network = "bio"
N = 2
morphology = "{NAMES[0]}"
positions = {rows.tolist()}
""")
    for i in range(2):
        cells.append({"node_id": len(cells), "morphology": NAMES[0], "positions": rows[i].tolist()})
    text = f"""[build]
output_dir = "out"
[[nodes]]
network = "lgn"
N = 20
{"".join(nodes)}
[[edges]]
source = {{ network = "lgn" }}
target = {{ network = "bio" }}
rule = {{ all_to_all = true }}
nsyns = 5
[edges.locations]
sections = ["basal", "apical", "soma"]
distance_range = [0.0, 200.0]
morphology_dir = "{MORPHS}"
return_coords = true
"""
    build(tmp_path, text)
    e = edges_of(tmp_path / "out")
    idx = e["edge_group_index"]
    sec, pos = e["0/afferent_section_id"][idx], e["0/afferent_section_pos"][idx]
    xyz = np.stack([e[f"0/afferent_{k}"][idx] for k in "xyz"], axis=1)
    trg = e["target_node_id"]
    requests = []
    for c in cells:
        mine = trg == c["node_id"]
        points = sorted(set(zip(sec[mine].tolist(), pos[mine].tolist())))
        requests.append({"cell": c, "morphology_dir": str(MORPHS), "points": points})
    answers = ask_neuron(requests, tmp_path)
    checked = 0
    for c, r, want in zip(cells, requests, answers):
        at = dict(zip(map(tuple, r["points"]), want))
        mine = np.flatnonzero(trg == c["node_id"])
        assert len(mine) == 20 * 5
        for i in mine:
            assert np.allclose(xyz[i], at[(sec[i], pos[i])], atol=1e-6), (c, sec[i], pos[i])
            checked += 1
    assert checked == 12 * 100
