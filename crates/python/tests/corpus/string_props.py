"""Per-edge string properties: an add_properties rule returning a synapse model's name per
edge (dtypes=h5py.string_dtype(): variable-length UTF-8, as h5py writes them), beside a numeric one. FRONT=bmtk builds it with BMTK, else netbuild: the
import below is the only difference."""
import os

import h5py
import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(17)
net = NetworkBuilder("ctx")
net.add_nodes(N=20, pop_name="pyr", ei="e", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="e.json")
net.add_nodes(N=10, pop_name="sst", ei="i", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="i.json")


def coin(source, target):
    return 1 if source.node_id != target.node_id and np.random.random() < 0.2 else None


def receptor(source, target):
    return "AMPA" if target["ei"] == "e" else "NMDA"


cm = net.add_edges(source={"ei": "e"}, target=net.nodes(), connection_rule=coin, syn_weight=1.0,
                   delay=1.0, model_template="static_synapse", dynamics_params="e2all.json")
cm.add_properties("receptor", rule=receptor, dtypes=h5py.string_dtype())
net.build()
net.save(output_dir="network", compression="none")
