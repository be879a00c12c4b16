"""Per-node arrays of several values per node, as BMTK's scripts pass them: `positions` as an
N x 3 array (what positions_columinar returns), an N x 2 property given as a list of tuples,
beside 1-D columns; a Python rule connecting by the distance between `positions`. Run it as
`python positions_rows.py OUT_DIR`; FRONT=bmtk builds it with BMTK itself, else netbuild: the
only difference is the import below."""
import os
import sys

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

rng = np.random.default_rng(3)  # node values: the same for both tools
cortex = NetworkBuilder("cortex")
cortex.add_nodes(N=20, pop_name="e", positions=rng.uniform(-50, 50, (20, 3)),
                 ids=[(i, 2 * i) for i in range(20)], model_type="point_neuron",
                 model_template="nest:iaf_psc_alpha", dynamics_params="e.json")
cortex.add_nodes(N=10, pop_name="i", positions=rng.uniform(-50, 50, (10, 3)),
                 tuning=np.linspace(0, 180, 10), model_type="point_neuron",
                 model_template="nest:iaf_psc_alpha", dynamics_params="i.json")
# One block, one node group (what libsonata 0.2.2 opens).
lgn = NetworkBuilder("lgn")
lgn.add_nodes(N=15, pop_name="tON", positions=rng.uniform(0, 10, (15, 3)), model_type="virtual")


def close(source, target, r, same_network):
    """2 synapses for every pair of distinct nodes closer than r (nothing drawn)."""
    if same_network and source.node_id == target.node_id:
        return None
    d = np.linalg.norm(np.asarray(source["positions"]) - np.asarray(target["positions"]))
    return 2 if d < r else None


cortex.add_edges(source=cortex.nodes(), target=cortex.nodes(), connection_rule=close,
                 connection_params={"r": 40.0, "same_network": True}, syn_weight=1.0, delay=1.0,
                 model_template="static_synapse", dynamics_params="e2e.json")
lgn.add_edges(source=lgn.nodes(), target=cortex.nodes(pop_name="e"), connection_rule=close,
              connection_params={"r": 45.0, "same_network": False}, syn_weight=2.0, delay=1.0,
              model_template="static_synapse", dynamics_params="lgn.json")
for net in (cortex, lgn):
    net.build()
    net.save(output_dir=sys.argv[1], compression="none")
