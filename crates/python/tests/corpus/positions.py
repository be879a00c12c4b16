"""Node positions given as an N x 3 array (add_nodes(positions=...)), as scripts using
positions_columinar write them: BMTK keeps them as one `positions` column. FRONT=bmtk builds it
with BMTK, else netbuild: the import below is the only difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(2)
net = NetworkBuilder("mcortex")
for pop, n in (("Scnn1a", 30), ("PV", 10)):
    r = 50.0 * np.sqrt(np.random.uniform(0, 1, n))
    phi = np.random.uniform(0, 2 * np.pi, n)
    xyz = np.column_stack([r * np.cos(phi), np.random.uniform(-200, -100, n), r * np.sin(phi)])
    net.add_nodes(N=n, pop_name=pop, positions=xyz, model_type="point_neuron",
                  model_template="nest:iaf_psc_alpha", dynamics_params=f"{pop}.json")


def close(source, target, d_max):
    if source.node_id == target.node_id:
        return None
    return 1 if np.linalg.norm(source["positions"] - target["positions"]) < d_max else None


net.add_edges(source=net.nodes(), target=net.nodes(pop_name="Scnn1a"), connection_rule=close,
              connection_params={"d_max": 60.0}, syn_weight=1.0, delay=1.0,
              model_template="static_synapse", dynamics_params="e2e.json")
net.build()
net.save(output_dir="network", compression="none")
