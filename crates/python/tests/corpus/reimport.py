"""Two builders of the same name, as the tutorial's corticothalamic chapter writes them: network
'V1' is built and saved (save_nodes, save_edges), then a new NetworkBuilder('V1') imports the files
just saved (import_nodes) and 'LGN' connects to it with an all_to_one function that reads the
imported nodes' properties. FRONT=bmtk builds it with BMTK, else netbuild: the import below is the
only difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder.networks import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(21)
net = NetworkBuilder("V1")
net.add_nodes(N=30, pop_name="Scnn1a", ei="e", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="exc.json",
              x=np.random.uniform(-50, 50, 30), z=np.random.uniform(-50, 50, 30))
net.add_nodes(N=10, pop_name="PV1", ei="i", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="inh.json",
              x=np.random.uniform(-50, 50, 10), z=np.random.uniform(-50, 50, 10))


def near(source, target, radius):
    if source.node_id == target.node_id:
        return None
    d = np.hypot(source["x"] - target["x"], source["z"] - target["z"])
    return np.random.randint(1, 3) if d < radius and np.random.random() < 0.5 else None


net.add_edges(source={"ei": "e"}, target={"ei": "i"}, connection_rule=near,
              connection_params={"radius": 40.0}, syn_weight=0.5, delay=2.0,
              dynamics_params="e2i.json", model_template="static_synapse")
net.build()
net.save_nodes(output_dir="network")
net.save_edges(output_dir="network")

lgn = NetworkBuilder("LGN")
lgn.add_nodes(N=50, pop_name="tON", potential="exc", model_type="virtual")
v1 = NetworkBuilder("V1")
v1.import_nodes(nodes_file_name="network/V1_nodes.h5",
                node_types_file_name="network/V1_node_types.csv")


def some_sources(sources, target, lo, hi):
    syns = np.zeros(len(sources))
    if target["pop_name"] == "PV1":
        lo, hi = lo + 5, hi + 5
    k = np.random.randint(lo, hi)
    syns[np.random.choice(len(sources), k, replace=False)] = np.random.randint(2, 6, size=k)
    return syns


lgn.add_edges(source=lgn.nodes(), target=v1.nodes(), iterator="all_to_one",
              connection_rule=some_sources, connection_params={"lo": 5, "hi": 15},
              syn_weight=4e-03, delay=2.0, dynamics_params="AMPA_ExcToExc.json",
              model_template="exp2syn")
lgn.build()
lgn.save_nodes(output_dir="network")
lgn.save_edges(output_dir="network")
