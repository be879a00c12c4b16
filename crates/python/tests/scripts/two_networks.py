"""A BMTK builder script: two networks, Python connection functions for each iterator
(one_to_one, all_to_one, one_to_all), an int rule, add_properties (one and several names) and
gap junctions. Run it as `python two_networks.py OUT_DIR`; FRONT=bmtk builds it with BMTK itself,
else netbuild: the only difference is the import below."""
import os
import sys

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(int(os.environ.get("SEED", "1")))
rng = np.random.default_rng(7)  # node properties: the same for both tools
NE, NI, NL = 160, 40, 30

v1 = NetworkBuilder("v1")
v1.add_nodes(N=NE, pop_name="exc", ei="e", model_type="point_neuron",
             model_template="nest:iaf_psc_alpha", dynamics_params="exc.json",
             x=rng.uniform(0, 200, NE), y=rng.uniform(0, 200, NE), z=rng.uniform(0, 200, NE),
             tuning_angle=np.linspace(0, 360, NE, endpoint=False))
v1.add_nodes(N=NI, pop_name="inh", ei="i", model_type="point_neuron",
             model_template="nest:iaf_psc_alpha", dynamics_params="inh.json",
             x=rng.uniform(0, 200, NI), y=rng.uniform(0, 200, NI), z=rng.uniform(0, 200, NI),
             tuning_angle=np.linspace(0, 360, NI, endpoint=False))

lgn = NetworkBuilder("lgn")
lgn.add_nodes(N=NL, pop_name="tON", model_type="virtual", ei="e")


def dist(a, b):
    return np.sqrt((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2 + (a["z"] - b["z"]) ** 2)


def pair_rule(source, target, p_max, sigma):
    """one_to_one: per pair, a distance-dependent Bernoulli draw."""
    if source.node_id == target.node_id:
        return None
    p = p_max * np.exp(-dist(source, target) ** 2 / (2 * sigma ** 2))
    return 1 if np.random.random() < p else None


def all_to_one_rule(sources, target, p):
    """all_to_one: per target, the synapses of every source."""
    n = np.random.binomial(1, p, len(sources)) * np.random.randint(1, 4, len(sources))
    for i, s in enumerate(sources):
        if s.node_id == target.node_id:
            n[i] = 0
    return n


def one_to_all_rule(source, targets, p):
    """one_to_all: per source, the synapses to every target."""
    return [int(np.random.random() < p) for _ in targets]


def delay_rule(source, target):
    return 1.0 + dist(source, target) / 1000.0


def weight_and_delay(source, target, w0):
    return w0 * (1.0 + 0.1 * np.random.random()), 1.5


cm = v1.add_edges(source=v1.nodes(ei="e"), target=v1.nodes(), connection_rule=pair_rule,
                  connection_params={"p_max": 0.4, "sigma": 80.0}, iterator="one_to_one",
                  label="E1", syn_weight=0.5, model_template="static_synapse",
                  dynamics_params="ExcToAll.json")
cm.add_properties("delay", rule=delay_rule, dtypes=np.float32)

cm = v1.add_edges(source=v1.nodes(ei="i"), target=v1.nodes(), connection_rule=all_to_one_rule,
                  connection_params={"p": 0.2}, iterator="all_to_one", label="E2",
                  model_template="static_synapse", dynamics_params="InhToAll.json")
cm.add_properties(["syn_weight", "delay"], rule=weight_and_delay, rule_params={"w0": -2.0},
                  dtypes=[np.float32, np.float64])

v1.add_edges(source=v1.nodes(ei="e"), target=v1.nodes(ei="i"), connection_rule=one_to_all_rule,
             connection_params={"p": 0.15}, iterator="one_to_all", label="E3", syn_weight=1.0,
             delay=2.0, model_template="static_synapse", dynamics_params="ExcToInh.json")

v1.add_gap_junctions(source=v1.nodes(ei="i"), target=v1.nodes(ei="i"), resistance=0.5,
                     target_sections=None, connection_rule=pair_rule,
                     connection_params={"p_max": 0.3, "sigma": 100.0}, label="G1")

cm = lgn.add_edges(source=lgn.nodes(), target=v1.nodes(ei="e"), connection_rule=one_to_all_rule,
                   connection_params={"p": 0.25}, iterator="one_to_all", label="L1",
                   syn_weight=3.0, delay=1.0, model_template="static_synapse",
                   dynamics_params="LGN.json")
lgn.add_edges(source=lgn.nodes(), target=v1.nodes(ei="i"), connection_rule=2, label="L2",
              syn_weight=1.5, delay=1.0, model_template="static_synapse",
              dynamics_params="LGN.json")

out = sys.argv[1]
v1.build()
v1.save(output_dir=out, compression="none")
lgn.build()
lgn.save(output_dir=out, compression="none")
