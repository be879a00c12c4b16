"""examples/quickstart.toml written as a BMTK builder script: 8,000 point neurons (80%
excitatory) in a 1 mm cube; each excitatory cell connects to any other cell with probability
0.1, each inhibitory one with 0.2.

    [FRONT=bmtk|netbuild] [RULE=pair|all_to_one|native] python quickstart_bmtk.py OUT_DIR

FRONT=bmtk builds it with BMTK (`from bmtk.builder import NetworkBuilder`), else netbuild (the
one line that changes). RULE=pair (default): the connection rule is a Python function called
per (source, target) pair, as BMTK users write it; all_to_one: a numpy function per target over
all sources; native (netbuild only): netbuild's rule object `rules.probability(p)` and x, y, z
drawn by netbuild: then the files are the ones `netbuild-mpi examples/quickstart.toml` writes.
Runs under `mpirun -n K` as well.
"""
import os
import sys

import numpy as np

FRONT = os.environ.get("FRONT", "netbuild")
RULE = os.environ.get("RULE", "pair")
if FRONT == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder, rules

np.random.seed(1)


def bernoulli(source, target, p):
    """One synapse with probability p; no self-connection."""
    if source.node_id == target.node_id:
        return None
    return 1 if np.random.random() < p else None


def bernoulli_all(sources, target, p):
    """For one target, one synapse from each source with probability p; no self-connection."""
    n = (np.random.random(len(sources)) < p).astype(np.int64)
    for i, s in enumerate(sources):
        if s.node_id == target.node_id:
            n[i] = 0
    return n


def positions(n):
    if RULE == "native":
        return {a: rules.uniform(0.0, 1000.0) for a in "xyz"}
    return {a: np.random.uniform(0.0, 1000.0, n) for a in "xyz"}


def connection(p):
    if RULE == "native":
        return {"connection_rule": rules.probability(p)}
    if RULE == "all_to_one":
        return {"connection_rule": bernoulli_all, "connection_params": {"p": p},
                "iterator": "all_to_one"}
    return {"connection_rule": bernoulli, "connection_params": {"p": p}}


if FRONT != "bmtk":
    import netbuild
    netbuild.seed(1)
net = NetworkBuilder("net")
net.add_nodes(N=6400, pop_name="exc", ei="e", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="exc.json", **positions(6400))
net.add_nodes(N=1600, pop_name="inh", ei="i", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="inh.json", **positions(1600))
net.add_edges(source=net.nodes(ei="e"), target=net.nodes(), **connection(0.1),
              syn_weight=0.5, delay=1.5, model_template="static_synapse",
              dynamics_params="ExcToAll.json")
net.add_edges(source=net.nodes(ei="i"), target=net.nodes(), **connection(0.2),
              syn_weight=-2.0, delay=1.5, model_template="static_synapse",
              dynamics_params="InhToAll.json")
net.build()
net.save(output_dir=sys.argv[1], compression="none")
