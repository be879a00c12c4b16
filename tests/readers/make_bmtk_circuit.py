"""Builds a tiny SONATA circuit with BMTK's own NetworkBuilder, laid out like netbuild's output.

A check of the reader tests themselves, independent of netbuild:

    .venv/bin/python tests/readers/make_bmtk_circuit.py /tmp/circuits/quickstart
    .venv/bin/python -m pytest tests/readers --circuits /tmp/circuits

BMTK writes what netbuild writes, except that it has no plural `node_id_to_ranges` index
(libsonata needs it) and no circuit_config.json; both are added here as netbuild does it
(a hard link beside the singular dataset, `$NETWORK_DIR` paths with `$BASE_DIR: "."`).
The output is test data: never commit it.
"""

import json
import sys
from pathlib import Path

import h5py
import numpy as np


def build(out: Path, seed: int = 0) -> None:
    from bmtk.builder import NetworkBuilder

    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)

    net = NetworkBuilder("net")
    for n, pop, ei in ((80, "exc", "e"), (20, "inh", "i")):
        net.add_nodes(N=n, pop_name=pop, ei=ei, model_type="point_neuron",
                      model_template="nest:iaf_psc_alpha",
                      x=rng.uniform(0, 300, n), y=rng.uniform(0, 300, n), z=rng.uniform(0, 300, n))

    def bernoulli(p):
        def rule(s, t):
            return int(s.node_id != t.node_id and rng.random() < p)
        return rule

    def dist(s, t):
        return float(np.sqrt((s["x"] - t["x"]) ** 2 + (s["y"] - t["y"]) ** 2 + (s["z"] - t["z"]) ** 2))

    for ei, p, coef in (("e", 0.1, 2e-4), ("i", 0.2, -8e-4)):
        cm = net.add_edges(source={"ei": ei}, target={}, connection_rule=bernoulli(p),
                           model_template="static_synapse", dynamics_params=f"{ei}.json")
        cm.add_properties("syn_weight", rule=lambda s, t, c=coef: c * np.exp(-dist(s, t) / 300), dtypes=float)
        cm.add_properties("delay", rule=lambda s, t: 0.5 + dist(s, t) / 1000, dtypes=float)
    net.build()
    net.save(output_dir=str(out), compression="none")

    lgn = NetworkBuilder("lgn")
    lgn.add_nodes(N=20, pop_name="tON", model_type="virtual")
    lgn.add_edges(source=lgn.nodes(), target=net.nodes(),
                  connection_rule=lambda s, t: 2 if rng.random() < 0.3 else 0,
                  syn_weight=1.0, delay=2.0, model_template="static_synapse", dynamics_params="lgn.json")
    lgn.build()
    lgn.save(output_dir=str(out), compression="none")

    # What netbuild adds and BMTK does not: the plural index names libsonata reads.
    for f in out.glob("*_edges.h5"):
        with h5py.File(f, "r+") as h5:
            for pop in h5["edges"].values():
                for index in pop["indices"].values():
                    if "node_id_to_ranges" not in index:
                        index["node_id_to_ranges"] = index["node_id_to_range"]

    def entry(kind, name):
        return {f"{kind}_file": f"$NETWORK_DIR/{name}_{kind}.h5",
                f"{kind[:-1]}_types_file": f"$NETWORK_DIR/{name}_{kind[:-1]}_types.csv"}

    nodes = [dict(entry("nodes", "net"), populations={"net": {"type": "point_neuron"}}),
             dict(entry("nodes", "lgn"), populations={"lgn": {"type": "virtual"}})]
    edges = [dict(entry("edges", "net_net"), populations={"net_to_net": {"type": "point_neuron"}}),
             dict(entry("edges", "lgn_net"), populations={"lgn_to_net": {"type": "point_neuron"}})]
    config = {"manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR"},
              "networks": {"nodes": nodes, "edges": edges}}
    (out / "circuit_config.json").write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTPUT_DIR")
    build(Path(sys.argv[1]))
    print(f"wrote a BMTK-built circuit to {sys.argv[1]}")
