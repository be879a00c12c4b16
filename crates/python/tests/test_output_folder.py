"""What ``save`` may touch in an existing folder: netbuild's own files (listed in the folder's
``.netbuild.json``), nothing else; ``force_overwrite=False`` replaces none of them.

Run with the project's venv: ``.venv/bin/python -m pytest crates/python/tests -q``.
"""

import subprocess

import pytest

from test_front import PYTHON, TIMEOUT, env

# A BMTK-style script: `python script.py SEED [OUTPUT_DIR|-] [True|False|-]`; `-`: the default
# (``save()`` with no output_dir writes into the working directory, as BMTK's).
SCRIPT = """\
import sys
import netbuild
from netbuild import NetworkBuilder, rules

netbuild.seed(int(sys.argv[1]))
net = NetworkBuilder("v1")
net.add_nodes(N=40, pop_name="e", tau=rules.uniform(5, 20))
net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=rules.probability(0.2),
              syn_weight=1.0)
net.build()
kw = {}
if sys.argv[2] != "-":
    kw["output_dir"] = sys.argv[2]
if sys.argv[3] != "-":
    kw["force_overwrite"] = sys.argv[3] == "True"
net.save(**kw)
"""

NETBUILDS = ["v1_nodes.h5", "v1_node_types.csv", "v1_v1_edges.h5", "v1_v1_edge_types.csv",
             "circuit_config.json", "node_sets.json", "simulation_config.json", ".netbuild.json"]


def save(folder, seed, output_dir="-", force="-", check=True):
    """Runs the script from `folder` (its working directory and its own folder)."""
    p = subprocess.run([PYTHON, "script.py", str(seed), str(output_dir), force], cwd=folder,
                       capture_output=True, text=True, timeout=TIMEOUT, env=env())
    if check and p.returncode != 0:
        raise AssertionError(f"script.py failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def user_folder(folder):
    """A folder as a user has it: the script, a data folder, a notes file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "script.py").write_text(SCRIPT)
    (folder / "data").mkdir()
    (folder / "data" / "cells.csv").write_text("id x\n0 1.5\n")
    (folder / "notes.txt").write_text("my notes\n")
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_intact(folder, mine):
    for rel, data in mine.items():
        assert (folder / rel).read_bytes() == data, f"{rel} changed or gone"


def test_save_in_the_scripts_own_folder_keeps_everything_else(tmp_path):
    mine = user_folder(tmp_path)
    save(tmp_path, 1)
    assert_intact(tmp_path, mine)
    for f in NETBUILDS:
        assert (tmp_path / f).is_file(), f
    first = (tmp_path / "v1_v1_edges.h5").read_bytes()
    # Again, another seed: netbuild's files replaced, the user's still there.
    save(tmp_path, 2)
    assert_intact(tmp_path, mine)
    assert (tmp_path / "v1_v1_edges.h5").read_bytes() != first
    assert not list(tmp_path.glob(".netbuild-partial-*"))


def test_force_overwrite_false_refuses_to_replace_a_file(tmp_path):
    mine = user_folder(tmp_path)
    save(tmp_path, 1, "out")
    before = {f: (tmp_path / "out" / f).read_bytes() for f in NETBUILDS}
    p = save(tmp_path, 2, "out", "False", check=False)
    assert p.returncode != 0
    assert "NetbuildError" in p.stderr, p.stderr
    assert f"{tmp_path / 'out' / 'v1_nodes.h5'} exists (force_overwrite=False)" in p.stderr
    assert {f: (tmp_path / "out" / f).read_bytes() for f in NETBUILDS} == before
    assert_intact(tmp_path, mine)
    # Into a new folder, False writes.
    save(tmp_path, 2, "new", "False")
    assert (tmp_path / "new" / "v1_nodes.h5").is_file()


@pytest.mark.parametrize("force", ["True", "-"])
def test_force_overwrite_true_replaces_netbuilds_files_and_keeps_others_aside(tmp_path, force):
    mine = user_folder(tmp_path)
    save(tmp_path, 1, "out")
    (tmp_path / "out" / "mine.txt").write_text("mine")
    first = (tmp_path / "out" / "v1_v1_edges.h5").read_bytes()
    save(tmp_path, 2, "out", force)
    assert (tmp_path / "out" / "v1_v1_edges.h5").read_bytes() != first
    assert (tmp_path / "out" / "mine.txt").read_text() == "mine"
    # A file netbuild did not write, under a name it would write (BMTK's examples ship the
    # network/ BMTK wrote; BMTK's save replaces it): never replaced, kept as <name>.orig, twice.
    for n, aside in enumerate(("v1_nodes.h5.orig", "v1_nodes.h5.orig.1")):
        (tmp_path / "out" / "v1_nodes.h5").unlink()
        (tmp_path / "out" / "v1_nodes.h5").write_text(f"someone else's {n}")
        p = save(tmp_path, 3, "out", force, check=False)
        assert p.returncode == 0, p.stderr
        assert "was not written by netbuild: kept as " + aside in p.stderr, p.stderr
        assert (tmp_path / "out" / aside).read_text() == f"someone else's {n}"
        assert (tmp_path / "out" / "v1_nodes.h5").read_bytes()[:4] == b"\x89HDF"
    assert_intact(tmp_path, mine)
