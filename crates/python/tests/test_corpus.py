"""The corpus of BMTK-style scripts (corpus/*.py here), each built by BMTK and by netbuild.

Each script imports BMTK's NetworkBuilder when FRONT=bmtk, else netbuild's: nothing else differs.
Each run starts in a fresh folder holding the script, files a user keeps beside it (a README, the
simulation's configs: netbuild must leave them alone) and `components/` (BMTK's morphologies and
templates from ../shared/bio_components). The circuits are compared by scripts/bmtk_compare.py:
the same SONATA files; node types and edge types CSV rows equal by value (edge types matched by
declaration order, ids may differ); node files equal (every script here draws its node values
before any build, from a seeded numpy); per edge type synapse counts within 5 sd, constant nsyns
equal, the same per-edge columns and dtypes (and for scripts whose rules draw nothing, every edge
with its values); libsonata opens each file of netbuild's whose BMTK twin it opens; no file of
the folder deleted or overwritten. A script that writes `report.json` (what it read back through
the builder's API, or what its rules saw) must write the same one under both.

A case netbuild fails today is xfail(strict=True) with its cause: it flips (strict: the xfail then
fails; remove the mark) when netbuild changes.

    .venv/bin/python -m pytest crates/python/tests/test_corpus.py -q
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(__file__).resolve().parent / "corpus"
BIO = ROOT.parent / "shared" / "bio_components"
sys.path.insert(0, str(ROOT / "scripts"))
import bmtk_compare  # noqa: E402

TIMEOUT = 300
# Files a user keeps in a script's folder (BMTK's examples keep their configs beside the script).
FOREIGN = {
    "README.txt": "notes of the user\n",
    "config.json": '{"manifest": {"$BASE_DIR": "."}}\n',
    "circuit_config.json": '{"networks": {"nodes": [], "edges": []}, "user": true}\n',
    "simulation_config.json": '{"run": {"tstop": 100.0}, "user": true}\n',
    "node_sets.json": '{"user_set": {"population": "nobody"}}\n',
}

# Files of the user's in a script's output folder, for the scripts that save beside them.
FOREIGN_IN_OUTPUT = {"save_beside.py": {"network/gids.h5": "not HDF5: a user's placeholder\n",
                                        "network/notes.txt": "the user's notes\n"},
                     "rebuild.py": {"network/cortex_nodes.h5": "an earlier build's file\n",
                                    "network/cortex_node_types.csv": "node_type_id\n100\n"}}


def unassigned(what):
    return f"{what} (no branch builds it yet: reported to the lead)"


# script -> why netbuild fails it today, and who is changing that (None: netbuild passes).
# py-api and safe-output have landed (main at 0eeefae): what remains has no branch yet.
XFAIL = {
}


# Scripts that read BMTK's morphologies (components/morphologies).
NEEDS_BIO = {"bio_cells.py"}
# Scripts whose rules draw nothing: every edge and its values the same, not only the counts.
EXACT_EDGES = {"pop_nsyns.py", "network_api.py", "node_id_selectors.py", "query_text.py",
               "save_names.py", "bio_values.py", "build_force.py", "side_effects.py",
               "save_beside.py", "rebuild.py"}


def cases():
    for f in sorted(CORPUS.glob("*.py")):
        reason = XFAIL.get(f.name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(f.name, marks=marks, id=f.stem)


def prepare(folder, script):
    """A fresh run folder: the script, the user's files, components/."""
    folder.mkdir(parents=True)
    shutil.copy(CORPUS / script, folder / script)
    for name, text in {**FOREIGN, **FOREIGN_IN_OUTPUT.get(script, {})}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    if BIO.is_dir():
        (folder / "components").symlink_to(BIO)


def run(folder, script, front):
    env = dict(os.environ, FRONT=front, PYTHONHASHSEED="0")
    p = subprocess.run([sys.executable, script], cwd=folder, capture_output=True, text=True,
                       timeout=TIMEOUT, env=env)
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """script -> {tool: (folder, changes, process)}, each script built once per tool."""
    cache = {}

    def get(script):
        if script not in cache:
            out = {}
            for front in ("bmtk", "netbuild"):
                folder = tmp_path_factory.mktemp(Path(script).stem) / front
                prepare(folder, script)
                before = bmtk_compare.snapshot(folder)
                p = run(folder, script, front)
                out[front] = (folder, bmtk_compare.changes(before, folder), p)
            cache[script] = out
        return cache[script]

    return get


@pytest.mark.parametrize("script", list(cases()))
def test_netbuild_builds_what_bmtk_builds(built, script):
    if script in NEEDS_BIO and not BIO.is_dir():
        pytest.skip(f"{BIO} is missing (BMTK's morphologies and templates)")
    runs = built(script)
    (fb, cb, pb), (fn, cn, pn) = runs["bmtk"], runs["netbuild"]
    assert pb.returncode == 0, f"BMTK failed on {script}:\n{pb.stdout[-3000:]}\n{pb.stderr[-3000:]}"
    assert bmtk_compare.sonata_files(fb, cb["written"])["edges"] or "nodes" in script, \
        f"BMTK wrote no edges for {script}: the case tests nothing"
    assert pn.returncode == 0, f"netbuild failed on {script}:\n{pn.stdout[-3000:]}\n{pn.stderr[-3000:]}"
    c = bmtk_compare.compare(fb, fn, cb, cn, node_values=True, edge_values=script in EXACT_EDGES)
    assert c.agree, f"{script}: netbuild's circuit differs from BMTK's:\n  " + "\n  ".join(c.problems)
    for name in ("report.json",):
        if (fb / name).exists():
            got = json.loads((fn / name).read_text()) if (fn / name).exists() else None
            assert got == json.loads((fb / name).read_text()), f"{script}: {name} differs"


def test_the_comparison_finds_a_difference(built, tmp_path):
    """The comparison is not blind: one edge removed from BMTK's own circuit is reported,
    and so is a changed edge-type property and a deleted user file."""
    import h5py
    import numpy as np

    fb, cb, pb = built("iterators.py")["bmtk"]
    assert pb.returncode == 0, pb.stderr
    other = tmp_path / "other"
    shutil.copytree(fb, other, symlinks=True)
    assert bmtk_compare.compare(fb, other, cb, cb).agree
    # Every edge of the int rule (connection_rule=3, 20 x 20 pairs) gets 1 synapse instead of 3.
    with h5py.File(other / "network/cortex_cortex_edges.h5", "r+") as h:
        p = h["edges/cortex_to_cortex"]
        types = p["edge_type_id"][()]
        last = types == types.max()
        for g in p:
            if g.isdigit() and "nsyns" in p[g]:
                rows = p["edge_group_index"][()][last & (p["edge_group_id"][()] == int(g))]
                nsyns = p[g]["nsyns"][()]
                nsyns[rows] = 1
                p[g]["nsyns"][...] = nsyns
    text = (other / "network/cortex_cortex_edge_types.csv").read_text()
    (other / "network/cortex_cortex_edge_types.csv").write_text(text.replace("i2i.json", "x.json"))
    (other / "README.txt").unlink()
    changed = dict(cb, deleted=["README.txt"])
    problems = bmtk_compare.compare(fb, other, cb, changed).problems
    assert any("edge type #4" in p and "nsyns is 3" in p for p in problems), problems
    assert any("edge type #4" in p and "x.json" in p for p in problems), problems
    assert any("deleted" in p and "README.txt" in p for p in problems), problems
    exact = bmtk_compare.compare(fb, other, cb, changed, edge_values=True).problems
    assert any("edges differ" in p for p in exact), exact
    assert np.any(last)
