"""netbuild's native stand-in for BMTK's ``bmtk.builder.bionet.swc_reader`` (``netbuild.swc_reader``)
against BMTK's own reader on NEURON, and how it is wired.

Run by scripts/test with the project's venv (NEURON from PyPI):
    .venv/bin/python -m pytest crates/python/tests/test_swc_reader.py -q

- NEURON is the oracle (crates/python/tests/nrn_swc_oracle.py, in a fresh interpreter without
  netbuild): for each of the 5 morphologies of ../shared/bio_components, as ``get_swc`` makes
  them (with and without ``fix_axon``, with ``dL = 20``): ``seg_props`` (1e-9), the segments and
  probabilities of ``find_sections`` (indices equal, probabilities 1e-12), ``get_swc_id`` of every
  segment and of points along the sections (equal), and ``choose_sections`` of a reader seeded as
  BMTK's (``rng_seed``): the same draws.
- ``get_swc`` of a node (moved, rotated, ``aibs_perisomatic``, cached): ``seg_coords`` (NaN on
  the two axon sections ``fix_axon`` makes), ``soma_position``, ``get_coords``; a seeded reader's
  copy by ``move_and_rotate`` restarts its draws as BMTK's does.
- Unseeded readers draw from numpy's global generator: reproducible after ``np.random.seed``,
  and the draws pass a chi-square test against ``find_sections``' probabilities.
- Wiring: the script imports BMTK's module after netbuild (netbuild's module, no NEURON) or
  before (BMTK's ``get_swc`` makes netbuild's readers); ``NETBUILD_BMTK_SWC=neuron`` keeps BMTK's.
"""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from netbuild.swc_reader import SWCReader, get_swc, swc_cache

ROOT = Path(__file__).resolve().parents[3]
MORPHS = ROOT.parent / "shared" / "bio_components" / "morphologies"
ORACLE = Path(__file__).resolve().parent / "nrn_swc_oracle.py"
NAMES = sorted(p.name for p in MORPHS.glob("*.swc"))
QUERIES = [
    [["soma", "apical", "basal"], [0.0, 1.0e20]],
    [["basal", "apical"], [30.0, 150.0]],
    [["somatic", "basal"], [0.0, 1.0e20]],
    [["somatic", "basal", "apical"], [0.0, 50.0]],
    [["axon"], [0.0, 1.0e20]],
]
CONFIGS = [(False, None), (True, None), (True, 20.0)]
DRAWS = 500
TIMEOUT = 900

pytest.importorskip("neuron")


def run_oracle(requests, folder):
    req, out = folder / "request.json", folder / "answer.pickle"
    req.write_text(json.dumps(requests))
    env = {k: v for k, v in os.environ.items() if k != "NETBUILD_BMTK_SWC"}
    p = subprocess.run([sys.executable, str(ORACLE), str(req), str(out)], capture_output=True,
                       text=True, timeout=TIMEOUT, env=env)
    assert p.returncode == 0, p.stderr[-3000:]
    with open(out, "rb") as f:
        return pickle.load(f)


def points_along(n_sections):
    """(section, x) pairs that take get_swc_id's branches: ends, middles, near-ends."""
    return [[s, x] for s in range(n_sections) for x in (0.0, 0.01, 0.37, 0.5, 0.93, 1.0)]


@pytest.fixture(scope="module")
def readers(tmp_path_factory):
    cases = []
    for name in NAMES:
        for fix_axon, dl in CONFIGS:
            swc = SWCReader(str(MORPHS / name))
            if dl:
                swc.set_segment_dl(dl)
            if fix_axon:
                swc.fix_axon()
            n = swc.n_sections - (2 if fix_axon else 0)  # not the axon fix_axon makes
            cases.append({"swc": str(MORPHS / name), "fix_axon": fix_axon, "dl": dl,
                          "queries": QUERIES, "seed": 7, "draws": DRAWS,
                          "points": points_along(n)})
    return cases, run_oracle(cases, tmp_path_factory.mktemp("oracle"))


def test_the_five_morphologies_are_there():
    assert len(NAMES) == 5, MORPHS


def test_readers_equal_neurons(readers):
    cases, answers = readers
    for case, want in zip(cases, answers):
        what = (Path(case["swc"]).name, case["fix_axon"], case["dl"])
        swc = SWCReader(case["swc"])
        if case["dl"]:
            swc.set_segment_dl(case["dl"])
        if case["fix_axon"]:
            swc.fix_axon()
        props = swc.seg_props
        for k, v in want["props"].items():
            np.testing.assert_allclose(getattr(props, k), v, rtol=1e-9, atol=1e-9, err_msg=str(what))
        for (names, rng), (ix, p) in zip(case["queries"], want["find"]):
            got_ix, got_p = swc.find_sections(names, rng)
            np.testing.assert_array_equal(got_ix, ix, err_msg=f"{what} {names} {rng}")
            np.testing.assert_allclose(got_p, p, rtol=1e-12, err_msg=f"{what} {names} {rng}")
        got_ids = []
        for s, x in zip(props.sec_id, props.x):
            try:
                got_ids.append(tuple(float(v) for v in swc.get_swc_id(s, x)))
            except IndexError:
                got_ids.append(None)
        assert got_ids == want["swc_ids"], what
        more = [tuple(float(v) for v in swc.get_swc_id(s, x)) for s, x in case["points"]]
        assert more == want["more_swc_ids"], what


def test_seeded_draws_equal_bmtks(readers):
    cases, answers = readers
    for case, want in zip(cases, answers):
        swc = SWCReader(case["swc"], rng_seed=case["seed"])
        if case["dl"]:
            swc.set_segment_dl(case["dl"])
        if case["fix_axon"]:
            swc.fix_axon()
        for (names, rng), (sec, x) in zip(case["queries"], want["draws"]):
            got_sec, got_x = swc.choose_sections(names, rng, n_sections=case["draws"])
            np.testing.assert_array_equal(got_sec, sec)
            np.testing.assert_array_equal(got_x, x)


def test_get_swc_of_a_node_equals_bmtks(tmp_path):
    name = NAMES[0]
    cell = {"node_id": 4, "population": "internal", "morphology": name[:-4], "x": 12.5,
            "y": -40.0, "z": 7.25, "rotation_angle_yaxis": 1.1,
            "rotation_angle_zaxis": 4.2, "model_processing": "aibs_perisomatic"}
    swc = get_swc(cell, morphology_dir=str(MORPHS), use_cache=True)
    pts = [[int(s), float(x)] for s, x in zip(swc.seg_props.sec_id, swc.seg_props.x)]
    case = {"cell": cell, "morphology_dir": str(MORPHS), "path": str(MORPHS / name),
            "seed": 3, "draws": 200, "query": QUERIES[1], "points": pts}
    [want] = run_oracle([case], tmp_path)
    assert want["cached"] and get_swc(cell, morphology_dir=str(MORPHS), use_cache=True) is swc
    assert swc_cache["internal"][4] is swc
    np.testing.assert_allclose(swc.soma_position, want["soma"], rtol=1e-12)
    assert swc.nseg == want["nseg"]
    made = swc.seg_props.type == 2  # the axon fix_axon makes: NEURON's define_shape places it
    made[:-2] = False
    for k in ("p0", "p1", "p05"):
        got = getattr(swc.seg_coords, k)
        assert np.isnan(got[:, made]).all()
        np.testing.assert_allclose(got[:, ~made], want[k][:, ~made], rtol=1e-6, atol=1e-6)
    for (s, x), c in zip(pts, want["coords"]):
        if not made[np.argwhere(swc.seg_props.sec_id == s).flatten()].any():
            np.testing.assert_allclose(swc.get_coords(s, x), c, rtol=1e-6, atol=1e-6)
    seeded = SWCReader(str(MORPHS / name), rng_seed=3)
    seeded.fix_axon()
    moved = seeded.move_and_rotate(soma_coords=[cell["x"], cell["y"], cell["z"]],
                                   rotation_angles=[0.0, cell["rotation_angle_yaxis"], 0.3])
    names, rng = case["query"]
    for got, w in ((seeded.choose_sections(names, rng, n_sections=200), want["first"]),
                   (moved.choose_sections(names, rng, n_sections=200), want["copy"])):
        np.testing.assert_array_equal(got[0], w[0])
        np.testing.assert_array_equal(got[1], w[1])
    np.testing.assert_allclose(moved.seg_coords.p05[:, ~made], want["moved_p05"][:, ~made],
                               rtol=1e-6, atol=1e-6)


def test_unseeded_draws_follow_the_probabilities():
    swc = SWCReader(str(MORPHS / NAMES[1]))
    swc.fix_axon()
    names, rng = QUERIES[1]
    np.random.seed(5)
    sec, x = swc.choose_sections(names, rng, n_sections=200_000)
    np.random.seed(5)
    again = swc.choose_sections(names, rng, n_sections=200_000)
    np.testing.assert_array_equal(sec, again[0])
    ix, p = swc.find_sections(names, rng)
    props = swc.seg_props
    seg_of = {(s, xx): i for i, (s, xx) in enumerate(zip(props.sec_id[ix], props.x[ix]))}
    counts = np.bincount([seg_of[(s, xx)] for s, xx in zip(sec, x)], minlength=len(ix))
    assert stats.chisquare(counts, p * len(sec)).pvalue > 1e-4


def test_bad_input_raises_as_bmtk(tmp_path):
    swc = SWCReader(str(MORPHS / NAMES[0]))
    with pytest.raises(KeyError):
        swc.find_sections(["spine"], [0.0, 1.0])
    with pytest.raises(ValueError):
        swc.choose_sections(["basal"], [5000.0, 6000.0])
    with pytest.raises(ValueError, match="does not exist"):
        get_swc({"node_id": 0, "morphology": "nowhere"}, morphology_dir=str(tmp_path))
    with pytest.raises(NotImplementedError, match="NETBUILD_BMTK_SWC=neuron"):
        swc.hobj
    bad = tmp_path / "bad.swc"
    bad.write_text("1 1 0 0 0 5 -1\n2 3 zero 5 0 0.5 1\n")
    with pytest.raises(ValueError, match="bad.swc"):
        SWCReader(str(bad)).seg_props


WIRING = """
import sys
{first}
{second}
import bmtk.builder.bionet.swc_reader as m
import netbuild.swc_reader as ours
print(m.SWCReader is ours.SWCReader, "neuron" in sys.modules,
      type(m.get_swc({{"node_id": 0, "morphology": {path!r}}})).__module__)
"""


@pytest.mark.parametrize("netbuild_first,env,want", [
    (True, None, "True False netbuild.swc_reader"),
    (False, None, "True True netbuild.swc_reader"),
    (True, "neuron", "False True bmtk.builder.bionet.swc_reader"),
])
def test_wiring(netbuild_first, env, want):
    imports = ["import netbuild", "from bmtk.builder.bionet.swc_reader import get_swc"]
    if not netbuild_first:
        imports.reverse()
    code = WIRING.format(first=imports[0], second=imports[1], path=str(MORPHS / NAMES[0]))
    e = {k: v for k, v in os.environ.items() if k != "NETBUILD_BMTK_SWC"}
    if env:
        e["NETBUILD_BMTK_SWC"] = env
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=TIMEOUT, env=e)
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.split("\n")[-2].strip() == want


def test_a_script_gives_the_same_files_for_any_number_of_workers(tmp_path):
    """A script placing synapses with ``get_swc`` under netbuild: no NEURON, and the same
    files from one process and from two workers (the unseeded readers draw from numpy's global
    generator, which netbuild reseeds per block)."""
    import h5py

    script = Path(__file__).resolve().parent / "scripts" / "swc_synapses.py"
    columns = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        p = subprocess.run([sys.executable, str(script), str(out), str(MORPHS), str(workers)],
                           capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path)
        assert p.returncode == 0, p.stderr[-3000:]
        assert "neuron imported: False" in p.stdout
        with h5py.File(out / "cells_cells_edges.h5") as h:
            pop = h["edges/cells_to_cells"]
            columns.append({k: pop["0"][k][:] for k in pop["0"]}
                           | {"source": pop["source_node_id"][:]})
    assert len(columns[0]["source"]) > 1000
    for k, v in columns[0].items():
        np.testing.assert_array_equal(v, columns[1][k], err_msg=k)
    # One segment per section (BMTK's default): every position is a section's centre.
    assert set(np.unique(columns[0]["afferent_section_pos"])) <= {0.5}
