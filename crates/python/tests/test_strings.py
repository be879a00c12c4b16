"""String per-edge properties (BMTK's `add_properties(name, rule=fn, dtypes=h5py.string_dtype())`).

scripts/string_edges.py here (deterministic rules: a string per synapse beside numbers,
in a several-name rule, a list of strings (values=[...]), two edge types sharing a group with
different strings, 2 synapses per pair, non-ASCII text; and a population without strings) built
by BMTK 1.2, by netbuild on 1 rank and by netbuild on 2 ranks:

- netbuild's files are the same on 1 and 2 ranks and with 3 worker processes (h5diff); on 2, rank 0 writes the files with
  strings, both ranks the other one (parallel HDF5);
- every edge (edge type by declaration order, source, target, each column's value) is the same
  as BMTK's, and each string column is stored as BMTK stores it: variable-length UTF-8;
- h5py, libsonata and bmtk's reader read the strings back; `netbuild-mpi validate` accepts it;
- the Python-side vocabulary merge is the same for any cut into blocks; a rule returning a
  non-string for a string property, and a fixed-length dtype, are errors that say so.

    .venv/bin/python -m pytest crates/python/tests/test_strings.py -q
"""

import csv
import re
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from test_front import ROOT, SCRIPTS, run, same_folder

SCRIPT = SCRIPTS / "string_edges.py"
POPULATIONS = {"ctx_ctx": "ctx_to_ctx", "ext_ctx": "ext_to_ctx", "ctx_out": "ctx_to_out"}
STRING_COLUMNS = {"ctx_to_ctx": {"receptor"}, "ext_to_ctx": {"site", "label"}, "ctx_to_out": set()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{"bmtk", "one", "two", "workers"}: the script's output folder built by BMTK, by netbuild
    on 1 rank, on 2 ranks, and on 1 rank with 3 worker processes; "<name> log": its stderr."""
    base = tmp_path_factory.mktemp("strings")
    out = {}
    runs = (("bmtk", 1, "bmtk", {}), ("one", 1, "netbuild", {}), ("two", 2, "netbuild", {}),
            ("workers", 1, "netbuild", {"WORKERS": "3"}))
    for name, ranks, front, extra in runs:
        p = run([SCRIPT, base / name], ranks=ranks, FRONT=front, **extra)
        out[name] = base / name
        out[name + " log"] = p.stderr
    return out


def plain(log):
    """`log` without its terminal colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", log)


def edges(folder, stem):
    """Sorted (edge type by declaration order, source, target, ((column, value), ...)) of every
    row of `<stem>_edges.h5`, strings decoded; and {column: h5py dtype} of its groups."""
    with open(folder / f"{stem}_edge_types.csv") as fh:
        ids = sorted(int(r["edge_type_id"]) for r in csv.DictReader(fh, delimiter=" "))
    order = {i: k for k, i in enumerate(ids)}
    rows, dtypes = [], {}
    with h5py.File(folder / f"{stem}_edges.h5", "r") as h:
        p = h["edges"][POPULATIONS[stem]]
        groups = {}
        for g in p:
            if g.isdigit():
                cols = {}
                for c, ds in p[g].items():
                    dtypes[c] = ds.dtype
                    v = ds[()]
                    cols[c] = [x.decode() if isinstance(x, bytes) else x for x in v] \
                        if h5py.check_string_dtype(ds.dtype) else v.tolist()
                groups[int(g)] = cols
        for t, s, d, g, i in zip(p["edge_type_id"][()], p["source_node_id"][()],
                                 p["target_node_id"][()], p["edge_group_id"][()],
                                 p["edge_group_index"][()]):
            values = tuple(sorted((c, v[i]) for c, v in groups[int(g)].items()))
            rows.append((order[int(t)], int(s), int(d), values))
    return sorted(rows), dtypes


def test_the_same_files_on_1_and_2_ranks_and_with_workers(built):
    same_folder(built["one"], built["two"])
    # Each worker's strings coded apart, then merged: the same files.
    same_folder(built["one"], built["workers"])
    # On 2 ranks the files with strings were written by rank 0, the other one by both ranks
    # through parallel HDF5 (which writes no variable-length strings).
    lines = plain(built["two log"]).splitlines()
    writers = {"ctx_to_ctx": "rank0", "ext_to_ctx": "rank0", "ctx_to_out": "parallel"}
    for pop, writer in writers.items():
        assert any(f"writing {pop} ... writer={writer}" in line for line in lines), pop
        fallback = any("rank 0 writes it: string properties" in line and f"population={pop}" in line
                       for line in lines)
        assert fallback == (writer == "rank0"), pop


@pytest.mark.parametrize("stem", sorted(POPULATIONS))
def test_every_edge_and_value_as_bmtk_writes_them(built, stem):
    want, want_dtypes = edges(built["bmtk"], stem)
    got, got_dtypes = edges(built["one"], stem)
    assert len(want) > 0
    assert got == want
    strings = {c for c, d in want_dtypes.items() if h5py.check_string_dtype(d)}
    assert strings == STRING_COLUMNS[POPULATIONS[stem]], "the script tests nothing"
    for c, d in want_dtypes.items():
        assert h5py.check_string_dtype(got_dtypes[c]) == h5py.check_string_dtype(d), c
        assert got_dtypes[c] == d, c
    # Non-ASCII text survives as UTF-8.
    if stem == "ctx_ctx":
        assert ("receptor", "NMDA_é") in {v for r in got for v in r[3]}


def test_readers_read_the_strings(built):
    import libsonata
    from bmtk.utils.sonata import File

    folder = built["two"]
    rows, _ = edges(folder, "ctx_ctx")
    with h5py.File(folder / "ctx_ctx_edges.h5", "r") as h:
        stored = h["edges/ctx_to_ctx/0/receptor"].asstr()[()].tolist()
    assert set(stored) == {"AMPA", "NMDA_é", "GABA_A", "GABA_B"}

    pop = libsonata.EdgeStorage(str(folder / "ctx_ctx_edges.h5")).open_population("ctx_to_ctx")
    assert pop.get_attribute("receptor", libsonata.Selection([[0, pop.size]])).tolist() == stored

    f = File(data_files=[str(folder / "ctx_ctx_edges.h5"), str(folder / "ctx_nodes.h5")],
             data_type_files=[str(folder / "ctx_ctx_edge_types.csv"),
                              str(folder / "ctx_node_types.csv")])
    read = [e["receptor"].decode() for e in f.edges["ctx_to_ctx"]]
    assert read == stored


def test_validate_accepts_the_circuit(built):
    binary = ROOT / "target" / "release" / "netbuild-mpi"
    if not binary.exists():
        pytest.skip("no target/release/netbuild-mpi (cargo build --release)")
    p = subprocess.run([binary, "validate", built["two"]], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ok:" in p.stdout


def test_the_vocabulary_merge_does_not_depend_on_the_blocks():
    from netbuild._calls import Strings, merge_strings

    values = ["b", "a", "é", "b", "", "c", "a", "a"] * 3
    whole = merge_strings([Strings.of(values, "x")])
    assert whole.vocabulary == ["", "a", "b", "c", "é"]
    assert [whole.vocabulary[c] for c in whole.codes] == values
    for cuts in ([1, 5], [0, 8, 8, 20], [3, 4, 5, 6, 7]):
        parts = np.split(np.array(values, dtype=object), cuts)
        merged = merge_strings([Strings.of(list(p), "x") for p in parts])
        assert merged.vocabulary == whole.vocabulary
        assert merged.codes.tolist() == whole.codes.tolist()
    assert merge_strings([]).codes.dtype == np.uint32


def test_a_rule_returning_a_number_for_a_string_property_says_so(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text(
        "import h5py\n"
        "from netbuild import NetworkBuilder\n"
        "net = NetworkBuilder('n')\n"
        "net.add_nodes(N=3, model_type='virtual')\n"
        "cm = net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=1)\n"
        "cm.add_properties('receptor', rule=lambda s, t: 1.5, dtypes=h5py.string_dtype())\n"
        "net.build()\n"
        "net.save(output_dir='out')\n")
    p = subprocess.run([sys.executable, script], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode != 0
    assert "property 'receptor' has a string dtype: the rule returned 1.5 (float)" in p.stderr
    assert not (tmp_path / "out").exists()


def test_a_list_of_strings_in_bmtk_order(built):
    rows, _ = edges(built["one"], "ext_ctx")
    labels = [dict(r[3])["label"] for r in rows if r[0] == 1]
    assert sorted(labels) == sorted(f"edge {i}" for i in range(60))


def test_a_fixed_length_string_dtype_is_refused_with_the_reason():
    from netbuild import NetworkBuilder
    from netbuild.builder import NetbuildError

    net = NetworkBuilder("n")
    net.add_nodes(N=3, model_type="virtual")
    cm = net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=1)
    with pytest.raises(NetbuildError, match="fixed-length byte strings"):
        cm.add_properties("receptor", rule=lambda s, t: "AMPA", dtypes="S8")
