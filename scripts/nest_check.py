"""Loads a netbuild circuit into NEST and checks every connection NEST made against the edges file.

    python scripts/nest_check.py NETWORK_DIR [--tsim 100]

Run by scripts/nest-check inside .venv-nest (NEST built with HDF5, h5py built against the same
system HDF5). Steps:

1. writes the `dynamics_params` JSON files that the node and edge types CSVs name into
   `components/point_neuron_models` and `components/synaptic_models` (netbuild creates those
   folders empty; NEST opens every file named there);
2. `nest.SonataNetwork("circuit_config.json", sim_config="simulation_config.json")`,
   `BuildNetwork()`;
3. checks the neurons' parameters are those of their JSON file;
4. checks that `nest.GetConnections()` between SONATA nodes is, as a multiset, exactly the rows of
   the edges files: (source, target) mapped through the SonataNetwork's node collections, the
   weight equal to `syn_weight` read as float64, the delay within dt/2 of `delay` (NEST rounds
   delays to its resolution), the synapse model the edge type's `model_template`;
5. adds a Poisson generator to every neuron and a spike recorder, simulates `--tsim` ms and
   prints the spike count.

Exits 1 on any mismatch (or no spikes at all), printing the first differences.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

# Parameter sets for the JSON files scripts/nest_check.toml names (NEST's iaf_psc_alpha keys).
# An edge JSON may hold synapse parameters; per-edge syn_weight/delay datasets override them.
DYNAMICS = {
    "point_neuron_models": {
        "exc_iaf_psc_alpha.json": {"C_m": 250.0, "tau_m": 10.0, "t_ref": 2.0, "E_L": -65.0,
                                   "V_th": -50.0, "V_reset": -65.0, "tau_syn_ex": 0.5,
                                   "tau_syn_in": 0.5, "V_m": -65.0},
        "inh_iaf_psc_alpha.json": {"C_m": 250.0, "tau_m": 8.0, "t_ref": 1.0, "E_L": -65.0,
                                   "V_th": -52.0, "V_reset": -65.0, "tau_syn_ex": 0.5,
                                   "tau_syn_in": 0.5, "V_m": -65.0},
    },
    "synaptic_models": {
        "exc_static.json": {},
        "inh_static.json": {},
    },
}
POISSON_RATE = 8000.0   # Hz, to every neuron
POISSON_WEIGHT = 60.0   # pA


def fail(msg):
    print(f"nest_check: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def write_components(net_dir, conf):
    """Writes every dynamics_params file the types CSVs name; returns {(kind, name): params}."""
    written = {}
    for kind, key in (("point_neuron_models", "nodes"), ("synaptic_models", "edges")):
        d = net_dir / "components" / kind
        d.mkdir(parents=True, exist_ok=True)
        for entry in conf["networks"][key]:
            csv = net_dir / entry[f"{key[:-1]}_types_file"].replace("$NETWORK_DIR/", "")
            df = pd.read_csv(csv, sep=r"\s+")
            if "dynamics_params" not in df.columns:
                continue
            for name in df["dynamics_params"].unique():
                if name not in DYNAMICS[kind]:
                    fail(f"{csv.name} names dynamics_params {name!r}: no parameter set for it here")
                (d / name).write_text(json.dumps(DYNAMICS[kind][name], indent=2) + "\n")
                written[(kind, name)] = DYNAMICS[kind][name]
    for (kind, name) in sorted(written):
        print(f"nest_check: wrote components/{kind}/{name}")
    return written


def expected_rows(net_dir, conf, nest_ids, syn_models):
    """The edges files' rows as arrays (src NEST id, tgt NEST id, weight, delay, model)."""
    src, tgt, w, dl, model = [], [], [], [], []
    for entry in conf["networks"]["edges"]:
        path = net_dir / entry["edges_file"].replace("$NETWORK_DIR/", "")
        csv = net_dir / entry["edge_types_file"].replace("$NETWORK_DIR/", "")
        types = pd.read_csv(csv, sep=r"\s+").set_index("edge_type_id")
        with h5py.File(path, "r") as f:
            for pop_name, pop in f["edges"].items():
                s_pop = pop["source_node_id"].attrs["node_population"]
                t_pop = pop["target_node_id"].attrs["node_population"]
                s_pop = s_pop.decode() if isinstance(s_pop, bytes) else s_pop
                t_pop = t_pop.decode() if isinstance(t_pop, bytes) else t_pop
                groups = [k for k in pop.keys() if k.isdigit()]
                if groups != ["0"]:
                    fail(f"{path.name}/{pop_name}: groups {groups}, NEST reads only a single group '0'")
                g = pop["0"]
                n = pop["source_node_id"].shape[0]
                if "syn_weight" not in g or "delay" not in g:
                    fail(f"{path.name}/{pop_name}: this check wants per-edge syn_weight and delay")
                if not np.array_equal(pop["edge_group_index"][:], np.arange(n)):
                    fail(f"{path.name}/{pop_name}: edge_group_index is not 0..n-1 (NEST ignores it)")
                src.append(nest_ids[s_pop][pop["source_node_id"][:].astype(np.int64)])
                tgt.append(nest_ids[t_pop][pop["target_node_id"][:].astype(np.int64)])
                w.append(g["syn_weight"][:].astype(np.float64))
                dl.append(g["delay"][:].astype(np.float64))
                et = pop["edge_type_id"][:]
                names = types["model_template"].to_dict()
                model.append(np.array([syn_models[names[int(e)]] for e in et], dtype=np.int64))
                print(f"nest_check: {path.name}: population {pop_name} ({s_pop} -> {t_pop}): {n} rows")
    return (np.concatenate(src), np.concatenate(tgt), np.concatenate(w), np.concatenate(dl),
            np.concatenate(model))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("network_dir")
    ap.add_argument("--tsim", type=float, default=100.0)
    args = ap.parse_args()
    net_dir = Path(args.network_dir).resolve()
    circuit = net_dir / "circuit_config.json"
    simcfg = net_dir / "simulation_config.json"
    conf = json.loads(circuit.read_text())
    params = write_components(net_dir, conf)

    import nest  # after the files exist; importing prints NEST's banner

    try:
        nest.verbosity = nest.VerbosityLevel.WARNING  # NEST 3.10
    except AttributeError:
        nest.set_verbosity("M_WARNING")
    nest.ResetKernel()
    t0 = time.monotonic()
    net = nest.SonataNetwork(str(circuit), sim_config=str(simcfg))
    dt = nest.resolution
    ncs = net.BuildNetwork()
    t_build = time.monotonic() - t0
    print(f"nest_check: NEST {nest.__version__}: SonataNetwork built in {t_build:.2f} s, dt = {dt} ms, "
          f"populations " + ", ".join(f"{k}: {len(v)}" for k, v in ncs.items()))

    # SONATA id i of population P is NEST node ncs[P][i] (NEST's reader indexes the collection).
    nest_ids = {p: np.asarray(nc.tolist(), dtype=np.int64) for p, nc in ncs.items()}
    if os.environ.get("NEST_CHECK_SELFTEST"):  # one connection too many: the check must fail
        first = next(iter(ncs.values()))
        nest.Connect(first[0], first[1], syn_spec={"weight": 1.0, "delay": 1.0})
    errors = []

    # Neurons: model and dynamics_params, per node type.
    for entry in conf["networks"]["nodes"]:
        csv = net_dir / entry["node_types_file"].replace("$NETWORK_DIR/", "")
        types = pd.read_csv(csv, sep=r"\s+").set_index("node_type_id")
        with h5py.File(net_dir / entry["nodes_file"].replace("$NETWORK_DIR/", ""), "r") as f:
            for pop_name, pop in f["nodes"].items():
                ntid = pop["node_type_id"][:]
                nc = ncs[pop_name]
                if len(nc) != ntid.size:
                    errors.append(f"population {pop_name}: {len(nc)} NEST nodes, {ntid.size} in the file")
                    continue
                models = np.asarray(nc.get("model")) if len(nc) > 1 else np.asarray([nc.get("model")])
                for tid in np.unique(ntid):
                    row = types.loc[int(tid)]
                    sel = np.nonzero(ntid == tid)[0]
                    want_model = row["model_template"].replace("nest:", "")
                    bad = np.nonzero(models[sel] != want_model)[0]
                    if bad.size:
                        errors.append(f"{pop_name} type {tid}: {bad.size} nodes not {want_model}")
                    for k, v in params[("point_neuron_models", row["dynamics_params"])].items():
                        got = np.asarray(nc[sel.tolist()].get(k), dtype=np.float64).reshape(-1)
                        if not np.all(got == v):
                            errors.append(f"{pop_name} type {tid}: {k} = {np.unique(got)[:3]}, want {v}")
    print(f"nest_check: neuron models and dynamics_params checked")

    # Connections: the multiset of (source, target, weight, rounded delay, model).
    syn_names = list(nest.synapse_models)
    syn_models = {m: i for i, m in enumerate(syn_names)}
    e_src, e_tgt, e_w, e_d, e_m = expected_rows(net_dir, conf, nest_ids, syn_models)
    all_nodes = nest.NodeCollection(sorted(np.concatenate(list(nest_ids.values())).tolist()))
    conns = nest.GetConnections(source=all_nodes, target=all_nodes)
    got = conns.get(["source", "target", "weight", "delay", "synapse_model"], output="pandas") \
        if len(conns) else pd.DataFrame(columns=["source", "target", "weight", "delay", "synapse_model"])
    g_src = got["source"].to_numpy(np.int64)
    g_tgt = got["target"].to_numpy(np.int64)
    g_w = got["weight"].to_numpy(np.float64)
    g_d = got["delay"].to_numpy(np.float64)
    g_m = np.array([syn_models[m] for m in got["synapse_model"]], dtype=np.int64)
    print(f"nest_check: connections: NEST {g_src.size}, edges files {e_src.size}")
    if g_src.size != e_src.size:
        errors.append(f"connection count: NEST made {g_src.size}, the edges files have {e_src.size} rows")
    else:
        # Sort both by (source, target, weight, delay): NEST's rounding of delays is monotone, so
        # equal keys line up even among the synapses of one pair.
        oe = np.lexsort((e_d, e_w, e_tgt, e_src))
        og = np.lexsort((g_d, g_w, g_tgt, g_src))
        e_src, e_tgt, e_w, e_d, e_m = (a[oe] for a in (e_src, e_tgt, e_w, e_d, e_m))
        g_src, g_tgt, g_w, g_d, g_m = (a[og] for a in (g_src, g_tgt, g_w, g_d, g_m))
        checks = {
            "source/target": (e_src != g_src) | (e_tgt != g_tgt),
            "weight (exact)": e_w != g_w,
            f"delay (within dt/2 = {dt / 2})": np.abs(e_d - g_d) > dt / 2 + 1e-9,
            "synapse model": e_m != g_m,
        }
        for what, bad in checks.items():
            idx = np.nonzero(bad)[0]
            if idx.size:
                errors.append(f"{what}: {idx.size} of {bad.size} differ")
                for i in idx[:5]:
                    errors.append(f"  file ({e_src[i]}->{e_tgt[i]} w={e_w[i]!r} d={e_d[i]!r} "
                                  f"{syn_names[e_m[i]]}) vs NEST ({g_src[i]}->{g_tgt[i]} w={g_w[i]!r} "
                                  f"d={g_d[i]!r} {syn_names[g_m[i]]})")
            else:
                print(f"nest_check: {what}: all {bad.size} equal")
        drift = np.abs(e_d - g_d)
        print(f"nest_check: delay |file - NEST| max {drift.max():.4g} ms, "
              f"{np.count_nonzero(drift > 1e-12)} rows rounded to the {dt} ms grid")

    # Simulation: Poisson drive to every neuron, spikes recorded from every neuron.
    pg = nest.Create("poisson_generator", params={"rate": POISSON_RATE})
    sr = nest.Create("spike_recorder")
    nest.Connect(pg, all_nodes, syn_spec={"weight": POISSON_WEIGHT, "delay": 1.0})
    nest.Connect(all_nodes, sr)
    t0 = time.monotonic()
    nest.Simulate(args.tsim)
    n_spikes = sr.get("n_events")
    senders = sr.get("events")["senders"]
    print(f"nest_check: simulated {args.tsim} ms in {time.monotonic() - t0:.2f} s: {n_spikes} spikes "
          f"from {len(np.unique(senders))} of {len(all_nodes)} neurons "
          f"({n_spikes / len(all_nodes) / (args.tsim / 1000.0):.1f} Hz mean)")
    if n_spikes == 0:
        errors.append("no spikes at all in the simulation")

    if errors:
        for e in errors:
            print(f"nest_check: MISMATCH: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"nest_check: OK: {e_src.size} connections match the edges files")


if __name__ == "__main__":
    main()
