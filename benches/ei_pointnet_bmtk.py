"""A replica of BMTK's examples/ei_networks/pointnet/build_network.py (a Brunel E/I network of
point neurons), written for netbuild's benchmark: the same networks, node counts, connection
functions, iterators, edge-type properties and save calls.

    [FRONT=bmtk|netbuild] [SCALE=1.0] python ei_pointnet_bmtk.py OUT_DIR

- internal: 10,000 excitatory and 2,500 inhibitory LIF cells (x, y, z in a column); four edge
  types e->e, e->i, i->e, i->i, each a per-pair function (`one_to_one`) drawing
  `np.random.binomial(1, 0.1)` for every pair but self-pairs (1.56e8 calls); `save`;
- external: one virtual cell per internal cell; two edge types with a per-target function
  (`all_to_one`) giving one synapse from the virtual cell of the same id; `save` (of the same
  folder, as the original does).

FRONT=bmtk builds with BMTK, else netbuild (the import line of ei_common.py is the one difference). SCALE
multiplies the cell counts (1.0: the original's). The original also writes a spike-train file
after the build (BMTK's PoissonSpikeGenerator, not the builder): left out.
"""
import sys

import numpy as np
from bmtk.builder.auxi.node_params import positions_columinar
from ei_common import DELAY, EPS, N_EXC, N_INH, NetworkBuilder, random_connections

OUT = sys.argv[1]


def injective_connections(sources, target):
    """From the virtual cell with the target's id only."""
    if target.node_id % 1000 == 0:
        print(target.node_id)
    nsyns = np.zeros(len(sources))
    nsyns[target.node_id] = 1
    return nsyns


def build_lif_network():
    net = NetworkBuilder("internal")
    for name, n, ei, dyn in (("LIF_exc", N_EXC, "e", "excitatory.json"),
                             ("LIF_inh", N_INH, "i", "inhibitory.json")):
        xyz = positions_columinar(N=n, center=[0, 10.0, 0], max_radius=50.0, height=200.0)
        net.add_nodes(N=n, x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], ei=ei, pop_name=name,
                      model_type="point_process", model_template="nest:iaf_psc_exp",
                      dynamics_params=dyn)
    for src, trg, weight, dyn in (("e", "e", 200, "ExcToExc.json"), ("e", "i", 300, "ExcToInh.json"),
                                  ("i", "e", -550, "InhToExc.json"), ("i", "i", -300, "InhToInh.json")):
        net.add_edges(source={"ei": src}, target={"ei": trg}, connection_rule=random_connections,
                      connection_params={"p": EPS}, syn_weight=weight, delay=DELAY,
                      dynamics_params=dyn, model_template="static_synapse")
    net.build()
    net.save(output_dir=OUT)
    return net


def build_injective_inputs(target_net):
    inputs = NetworkBuilder("external")
    inputs.add_nodes(N=len(target_net.nodes()), ei="e", pop_name="input_network",
                     model_type="virtual")
    for pop, weight in (("LIF_exc", 200), ("LIF_inh", 100)):
        inputs.add_edges(target=target_net.nodes(pop_name=pop), connection_rule=injective_connections,
                         iterator="all_to_one", syn_weight=weight, delay=DELAY,
                         dynamics_params="ExcToExc.json", model_template="static_synapse")
    inputs.build()
    inputs.save(output_dir=OUT)


if __name__ == "__main__":
    build_injective_inputs(build_lif_network())
