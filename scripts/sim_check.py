"""NEST and BMTK PointNet build and simulate a netbuild circuit from another working directory.

    python scripts/sim_check.py NETWORK_DIR [--tsim 50]

Run by scripts/sim-check inside .venv-nest (NEST 3.10 built with HDF5, bmtk, pandas < 3). The working
directory is changed to `/` first and the configs are named by paths relative to it, as a user
elsewhere would. Steps:

1. writes a `dynamics_params` file for every name the types CSVs give (an `iaf_psc_alpha`
   parameter set for nodes, `{}` for edges): both simulators open them and netbuild creates the
   component folders empty;
2. NEST: `nest.SonataNetwork(circuit_config.json, sim_config=simulation_config.json)`,
   `BuildNetwork()`: one connection per edges-file row, then a Poisson drive and `--tsim` ms;
3. BMTK PointNet: `pointnet.Config.from_json(simulation_config.json)`,
   `PointNetwork.from_config`, `PointSimulator.from_config`: one connection per row, every node
   set of `node_sets.json` resolved by BMTK to the nodes whose attributes (h5 column, else node
   types CSV) match, then the same drive and `sim.run()` over `--tsim` ms.

Exits 1 on a mismatch or a silent network (no spike at all).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

NEURON_PARAMS = {"C_m": 250.0, "tau_m": 10.0, "t_ref": 2.0, "E_L": -65.0, "V_th": -50.0,
                 "V_reset": -65.0, "tau_syn_ex": 0.5, "tau_syn_in": 0.5, "V_m": -65.0}
POISSON_RATE = 8000.0   # Hz, to every neuron
POISSON_WEIGHT = 60.0   # pA


def log(msg):
    print(f"sim_check: {msg}", flush=True)


def fail(msg):
    print(f"sim_check: FAIL: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def resolve(net_dir, value):
    """A `$NETWORK_DIR/...` path of circuit_config.json (netbuild writes no other form there)."""
    assert value.startswith("$NETWORK_DIR/"), value
    return net_dir / value[len("$NETWORK_DIR/"):]


def write_components(net_dir, conf):
    for kind, key, params in (("point_neuron_models", "nodes", NEURON_PARAMS),
                              ("synaptic_models", "edges", {})):
        d = net_dir / "components" / kind
        d.mkdir(parents=True, exist_ok=True)
        for entry in conf["networks"][key]:
            df = pd.read_csv(resolve(net_dir, entry[f"{key[:-1]}_types_file"]), sep=r"\s+")
            for name in df.get("dynamics_params", pd.Series(dtype=str)).dropna().unique():
                (d / name).write_text(json.dumps(params) + "\n")


def edge_rows(net_dir, conf):
    n = 0
    for entry in conf["networks"]["edges"]:
        with h5py.File(resolve(net_dir, entry["edges_file"]), "r") as f:
            n += sum(pop["source_node_id"].shape[0] for pop in f["edges"].values())
    return n


def node_values(net_dir, conf):
    """{population: DataFrame of every node's attributes}: h5 group 0 columns, else the types CSV."""
    out = {}
    for entry in conf["networks"]["nodes"]:
        types = pd.read_csv(resolve(net_dir, entry["node_types_file"]), sep=r"\s+").set_index("node_type_id")
        with h5py.File(resolve(net_dir, entry["nodes_file"]), "r") as f:
            for name, pop in f["nodes"].items():
                df = types.reindex(pop["node_type_id"][:]).reset_index(drop=True)
                gid, gidx = pop["node_group_id"][:], pop["node_group_index"][:]
                for g in (k for k in pop if k.isdigit()):
                    rows = np.flatnonzero(gid == int(g))
                    for col, ds in pop[g].items():
                        if isinstance(ds, h5py.Dataset):
                            vals = ds[:][gidx[rows]]
                            if vals.dtype.kind in "OS":
                                vals = np.array([v.decode() if isinstance(v, bytes) else v for v in vals])
                            if col not in df:
                                df[col] = pd.Series([None] * len(df), dtype=object)
                            df.loc[rows, col] = vals
                out[name] = df
    return out


def drive_and_count(nest, neurons, tsim, simulate):
    """Poisson drive into `neurons`, a spike recorder on them, `simulate()`; returns the spike count."""
    pg = nest.Create("poisson_generator", params={"rate": POISSON_RATE})
    sr = nest.Create("spike_recorder")
    nest.Connect(pg, neurons, syn_spec={"weight": POISSON_WEIGHT, "delay": 1.0})
    nest.Connect(neurons, sr)
    t = time.monotonic()
    simulate()
    n = sr.get("n_events")
    log(f"  simulated {tsim} ms in {time.monotonic() - t:.2f} s: {n} spikes from {len(neurons)} neurons")
    if n == 0:
        fail("no spike at all")
    return n


def count_connections(nest, neurons, rows, who):
    n = len(nest.GetConnections(source=neurons, target=neurons))
    log(f"  {who}: {n} connections among {len(neurons)} neurons, the edges files have {rows} rows")
    if n != rows:
        fail(f"{who} made {n} connections, the edges files have {rows} rows")


def check_nest(nest, circuit_rel, sim_rel, rows, tsim):
    log(f"NEST {nest.__version__}: SonataNetwork({circuit_rel!r}, sim_config={sim_rel!r}) from {os.getcwd()}")
    nest.ResetKernel()
    net = nest.SonataNetwork(circuit_rel, sim_config=sim_rel)
    ncs = net.BuildNetwork()
    neurons = sum(ncs.values(), start=nest.NodeCollection())
    count_connections(nest, neurons, rows, "NEST")
    drive_and_count(nest, neurons, tsim, lambda: nest.Simulate(tsim))


def check_bmtk(nest, sim_rel, rows, tsim, values, node_sets):
    from bmtk.simulator import pointnet

    log(f"BMTK PointNet: Config.from_json({sim_rel!r}) from {os.getcwd()}")
    with tempfile.TemporaryDirectory() as out:
        cfg = pointnet.Config.from_json(sim_rel, OUTPUT_DIR=out)  # keep the circuit folder clean
        cfg["run"]["tstop"] = tsim
        cfg.build_env()
        graph = pointnet.PointNetwork.from_config(cfg)
        sim = pointnet.PointSimulator.from_config(cfg, graph)
        neurons = nest.NodeCollection(sorted(nest.GetNodes({"model": "iaf_psc_alpha"}).tolist()))
        count_connections(nest, neurons, rows, "BMTK PointNet")
        for name, d in node_sets.items():
            attrs = [(k, v) for k, v in d.items() if k != "population"]
            named = [d["population"]] if not attrs else [str(attrs[0][1]), f"{attrs[0][0]}_{attrs[0][1]}"]
            if name not in named:
                fail(f"node set {name!r} is {d}: its name should be one of {named}")
            got = np.sort(np.asarray(graph.get_node_set(name).node_ids, dtype=np.int64))
            listed = d["population"] if isinstance(d["population"], list) else [d["population"]]
            want = []
            for pop in listed:
                mask = np.ones(len(values[pop]), dtype=bool)
                for k, v in d.items():
                    if k != "population":
                        mask &= (values[pop][k] == v).to_numpy()
                want.append(np.flatnonzero(mask))
            want = np.sort(np.concatenate(want))
            if not np.array_equal(got, want):
                fail(f"BMTK resolves node set {name!r} to {len(got)} nodes, expected {len(want)}")
            log(f"  node set {name!r}: {len(got)} nodes, as expected")
        drive_and_count(nest, neurons, tsim, sim.run)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("network_dir")
    ap.add_argument("--tsim", type=float, default=50.0)
    args = ap.parse_args()
    net_dir = Path(args.network_dir).resolve()
    conf = json.loads((net_dir / "circuit_config.json").read_text())
    write_components(net_dir, conf)
    rows = edge_rows(net_dir, conf)
    values = node_values(net_dir, conf)
    node_sets = json.loads((net_dir / "node_sets.json").read_text())

    os.chdir("/")
    circuit_rel = os.path.relpath(net_dir / "circuit_config.json", "/")
    sim_rel = os.path.relpath(net_dir / "simulation_config.json", "/")

    import nest  # after the components exist; importing prints NEST's banner

    try:
        nest.verbosity = nest.VerbosityLevel.WARNING  # NEST 3.10
    except AttributeError:
        nest.set_verbosity("M_WARNING")
    check_nest(nest, circuit_rel, sim_rel, rows, args.tsim)
    check_bmtk(nest, sim_rel, rows, args.tsim, values, node_sets)
    log(f"OK: NEST and BMTK PointNet built {rows} connections each from {os.getcwd()} and simulated")


if __name__ == "__main__":
    main()
