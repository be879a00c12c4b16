"""Gap junctions between inhibitory cells (add_gap_junctions with a Python rule) beside chemical
synapses: BMTK writes `<net>_gap_juncs.h5` beside the edges. FRONT=bmtk builds it with BMTK, else
netbuild: the import below is the only difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(13)
net = NetworkBuilder("hpc")
net.add_nodes(N=30, pop_name="basket", ei="i", model_type="biophysical",
              model_template="ctdb:Biophys1.hoc", dynamics_params="471085845_fit.json",
              morphology="Pvalb_470522102_m.swc", model_processing="aibs_perisomatic")
net.add_nodes(N=20, pop_name="pyr", ei="e", model_type="point_process",
              model_template="nrn:IntFire1", dynamics_params="IntFire1_exc_1.json")


def pairs(source, target, p):
    return 1 if source.node_id != target.node_id and np.random.random() < p else None


net.add_edges(source={"ei": "e"}, target={"ei": "i"}, connection_rule=pairs,
              connection_params={"p": 0.2}, syn_weight=0.01, delay=1.0,
              target_sections=["somatic"], distance_range=[0.0, 1e20],
              dynamics_params="AMPA_ExcToInh.json", model_template="Exp2Syn")
net.add_gap_junctions(source={"ei": "i"}, target={"ei": "i"}, resistance=1500.0,
                      target_sections=None, connection_rule=pairs, connection_params={"p": 0.15})
net.build()
net.save(output_dir="network", compression="none")
