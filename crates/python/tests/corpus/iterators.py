"""Python connection rules with each iterator (one_to_one, all_to_one, one_to_all), an int rule,
connection_params, and add_properties rules (one name, several names with dtypes, rule_params).
FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(11)
N_E, N_I = 60, 20
net = NetworkBuilder("cortex")
net.add_nodes(N=N_E, pop_name="Exc", ei="e", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="exc.json",
              x=np.random.uniform(0, 100, N_E), y=np.random.uniform(0, 100, N_E),
              tuning_angle=np.linspace(0.0, 360.0, N_E, endpoint=False))
net.add_nodes(N=N_I, pop_name="Inh", ei="i", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="inh.json",
              x=np.random.uniform(0, 100, N_I), y=np.random.uniform(0, 100, N_I),
              tuning_angle=np.linspace(0.0, 360.0, N_I, endpoint=False))


def planar_distance(a, b):
    return np.hypot(a["x"] - b["x"], a["y"] - b["y"])


def by_distance(source, target, p0, scale):
    """one_to_one: a Bernoulli draw per pair, 1 to 3 synapses when connected."""
    if source.node_id == target.node_id:
        return None
    if np.random.random() < p0 * np.exp(-planar_distance(source, target) / scale):
        return np.random.randint(1, 4)
    return None


def fixed_indegree(sources, target, k):
    """all_to_one: k random sources per target, 2 synapses each."""
    n = np.zeros(len(sources), dtype=int)
    n[np.random.choice(len(sources), k, replace=False)] = 2
    return n


def fan_out(source, targets, p):
    """one_to_all: per source, a Bernoulli draw for every target."""
    return [1 if np.random.random() < p else 0 for _ in targets]


def distance_delay(source, target):
    return 0.5 + planar_distance(source, target) / 100.0


def weight_and_tag(source, target, w):
    return w * (1.0 + 0.05 * np.random.randn()), int(target.node_id % 4)


cm = net.add_edges(source={"ei": "e"}, target={"ei": "e"}, connection_rule=by_distance,
                   connection_params={"p0": 0.6, "scale": 40.0}, iterator="one_to_one",
                   syn_weight=2.0, model_template="static_synapse", dynamics_params="e2e.json")
cm.add_properties("delay", rule=distance_delay, dtypes=np.float64)

cm = net.add_edges(source={"ei": "i"}, target={"ei": "e"}, connection_rule=fixed_indegree,
                   connection_params={"k": 5}, iterator="all_to_one", delay=1.0,
                   model_template="static_synapse", dynamics_params="i2e.json")
cm.add_properties(["syn_weight", "tag"], rule=weight_and_tag, rule_params={"w": -3.0},
                  dtypes=[np.float64, np.int32])

net.add_edges(source={"ei": "e"}, target={"ei": "i"}, connection_rule=fan_out,
              connection_params={"p": 0.3}, iterator="one_to_all", syn_weight=1.0, delay=1.0,
              model_template="static_synapse", dynamics_params="e2i.json")
net.add_edges(source={"ei": "i"}, target={"ei": "i"}, connection_rule=3, syn_weight=-1.0,
              delay=1.0, model_template="static_synapse", dynamics_params="i2i.json")
net.build()
net.save(output_dir="network", compression="none")
