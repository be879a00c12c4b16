"""save() into the script's own folder (output_dir defaults to '.'), where the user keeps a README
and the simulation's config files: the builder writes its circuit files beside them and leaves
them alone. FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only
difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(3)
net = NetworkBuilder("column")
net.add_nodes(N=40, pop_name="pyr", ei="e", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="pyr.json",
              depth=np.random.uniform(100.0, 500.0, 40))


def sparse(source, target, p):
    return 1 if source.node_id != target.node_id and np.random.random() < p else None


net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=sparse,
              connection_params={"p": 0.2}, syn_weight=1.0, delay=1.5,
              model_template="static_synapse", dynamics_params="e2e.json")
net.build()
net.save()
