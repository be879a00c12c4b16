"""nodes() read before build (a script that inspects its cells first) and build(); a second
network built with build(force=True); report.json: what the script read. (Not both on one
network: BMTK 1.2 then makes every node twice.) BMTK 1.2's build(force=True) makes a network's
nodes again after nodes() was called (16 nodes for 8): BMTK's reference is its build(), netbuild
runs build(force=True). FRONT=bmtk builds it with BMTK, else netbuild: the
import below is the only difference."""
import json
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(5)
net = NetworkBuilder("net")
net.add_nodes(N=25, pop_name="a", layer=np.random.choice([2, 4, 5], 25), model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="a.json")
deep = [n.node_id for n in net.nodes() if n["layer"] >= 4]


def same_layer(source, target):
    return 1 if source["layer"] == target["layer"] and source.node_id != target.node_id else None


net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=same_layer, syn_weight=1.0,
              delay=1.0, model_template="static_synapse", dynamics_params="a2a.json")
net.build()
net.save(output_dir="network", compression="none")

inputs = NetworkBuilder("inputs")
inputs.add_nodes(N=8, pop_name="drive", model_type="virtual")
inputs.add_edges(source=inputs.nodes(), target=net.nodes(pop_name="a"), connection_rule=2,
                 syn_weight=3.0, delay=2.0, model_template="static_synapse",
                 dynamics_params="drive.json")
inputs.build(force=os.environ.get("FRONT") != "bmtk")
inputs.save(output_dir="network", compression="none")
with open("report.json", "w") as f:
    json.dump({"deep": deep}, f)
