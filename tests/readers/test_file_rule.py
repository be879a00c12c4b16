"""`file` rules: per-edge property columns round-trip exactly, and a SONATA edges file read back
by a file rule (gzip in) is written again uncompressed, with the same edges, readable by libsonata.

These tests build their own small circuits with the netbuild binary (target/release/netbuild-mpi,
or NETBUILD_BIN).
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
from pathlib import Path

import h5py
import libsonata
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("NETBUILD_BIN", ROOT / "target" / "release" / "netbuild-mpi"))

NODES = """[[nodes]]
network = "net"
N = 60
"""


def build(spec: Path) -> subprocess.CompletedProcess:
    if not BIN.is_file():
        pytest.fail(f"no netbuild binary at {BIN} (cargo build --release, or set NETBUILD_BIN)")
    r = subprocess.run([str(BIN), str(spec)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{spec}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def write_edges_csv(path: Path) -> list[tuple[int, int, float, float]]:
    """400 rows with repeats and no self-connection; values with every bit significant."""
    rng = random.Random(11)
    rows = []
    for _ in range(400):
        s, t = rng.randrange(60), rng.randrange(60)
        if s == t:
            t = (t + 1) % 60
        rows.append((s, t, rng.uniform(-2, 2) * 10 ** rng.randrange(-8, 8), rng.uniform(0.1, 5)))
    with path.open("w") as f:
        f.write("source_node_id,target_node_id,syn_weight,delay\n")
        for s, t, w, d in rows:
            f.write(f"{s},{t},{w!r},{d!r}\n")
    return rows


def population(path: Path) -> h5py.Group:
    return h5py.File(path, "r")["edges/net_to_net"]


def edges_of(pop: h5py.Group) -> list[tuple]:
    """(target, source, syn_weight, delay) of every row, in file order."""
    return list(zip(pop["target_node_id"][:], pop["source_node_id"][:],
                    pop["0/syn_weight"][:], pop["0/delay"][:]))


def test_property_columns_round_trip_exactly(tmp_path):
    rows = write_edges_csv(tmp_path / "edges.csv")
    (tmp_path / "spec.toml").write_text(
        f'[build]\noutput_dir = "out"\n{NODES}[[edges]]\nsource = {{ network = "net" }}\n'
        'target = { network = "net" }\nrule = { file = "edges.csv" }\n')
    build(tmp_path / "spec.toml")
    pop = population(tmp_path / "out" / "net_net_edges.h5")
    assert pop["0/syn_weight"].dtype == np.float64 and pop["0/delay"].dtype == np.float64
    # Rows sorted by target, sources ascending, file order among repeats (a stable sort).
    expected = sorted(((t, s, w, d) for s, t, w, d in rows), key=lambda r: (r[0], r[1]))
    assert edges_of(pop) == expected


def test_gzip_edges_file_is_rewritten_uncompressed_for_libsonata(tmp_path):
    write_edges_csv(tmp_path / "edges.csv")
    edges = '[[edges]]\nsource = { network = "net" }\ntarget = { network = "net" }\n'
    (tmp_path / "gz.toml").write_text(
        f'[build]\noutput_dir = "gz"\ncompression = "gzip"\n{NODES}{edges}'
        'rule = { file = "edges.csv", dtypes = { delay = "f32" } }\n')
    build(tmp_path / "gz.toml")
    gz = tmp_path / "gz" / "net_net_edges.h5"
    assert population(gz)["0/syn_weight"].compression == "gzip"
    (tmp_path / "re.toml").write_text(
        f'[build]\noutput_dir = "re"\n{NODES}{edges}'
        'rule = { file = "gz/net_net_edges.h5", population = "net_to_net" }\n')
    build(tmp_path / "re.toml")
    re = tmp_path / "re" / "net_net_edges.h5"
    a, b = population(gz), population(re)
    for name in ["source_node_id", "target_node_id", "0/syn_weight", "0/delay"]:
        assert b[name].compression is None, name
        assert np.array_equal(a[name][:], b[name][:]), name
    # The stored dtype is kept (delay was written as f32).
    assert b["0/delay"].dtype == np.float32

    storage = libsonata.EdgeStorage(str(re))
    p = storage.open_population("net_to_net")
    assert p.size == len(a["source_node_id"])
    everything = libsonata.Selection([[0, p.size]])
    assert np.array_equal(p.source_nodes(everything), a["source_node_id"][:])
    assert np.array_equal(p.get_attribute("syn_weight", everything), a["0/syn_weight"][:])
    # The re-written indices work: the afferent edges of node 7 are the rows targeting it.
    rows7 = np.flatnonzero(a["target_node_id"][:] == 7)
    assert sorted(p.afferent_edges([7]).flatten()) == sorted(rows7.tolist())
