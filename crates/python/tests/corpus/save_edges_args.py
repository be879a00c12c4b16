"""save_edges(src_network=, trg_network=, name=, force_build=): one builder holds the edges of two
source networks and writes them one population at a time, under names of its own, building on
the first save_edges (no build() call). FRONT=bmtk builds it with BMTK, else netbuild: the import
below is the only difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(8)
v1 = NetworkBuilder("v1")
v1.add_nodes(N=30, pop_name="e", ei="e", model_type="point_neuron",
             model_template="nest:iaf_psc_alpha", dynamics_params="e.json")
lgn = NetworkBuilder("lgn")
lgn.add_nodes(N=10, pop_name="tON", model_type="virtual")


def coin(source, target, p):
    return 1 if np.random.random() < p else None


v1.add_edges(source=v1.nodes(), target=v1.nodes(), connection_rule=coin, connection_params={"p": 0.1},
             syn_weight=1.0, delay=1.0, model_template="static_synapse", dynamics_params="e2e.json")
v1.add_edges(source=lgn.nodes(), target=v1.nodes(), connection_rule=coin, connection_params={"p": 0.3},
             syn_weight=2.0, delay=2.0, model_template="static_synapse", dynamics_params="lgn.json")
v1.save_nodes(output_dir="network", compression="none")
lgn.save_nodes(output_dir="network", compression="none")
v1.save_edges(output_dir="network", src_network="v1", trg_network="v1", name="recurrent",
              force_build=True, compression="none")
v1.save_edges(output_dir="network", src_network="lgn", trg_network="v1", name="feedforward",
              compression="none")
