"""A BMTK builder script with string per-edge properties: add_properties rules returning a str
per synapse (dtypes=h5py.string_dtype(), as BMTK's users write it), beside numbers and in a
several-name rule, as a list (values=[...]), on edge types that share an edge group with
different strings, with several synapses per pair and non-ASCII text; and a population without
strings. Every rule is deterministic, so BMTK and netbuild must
write the same edges with the same values. Run it as `python string_edges.py OUT_DIR`;
FRONT=bmtk builds it with BMTK itself, else netbuild: the only difference is the import below."""
import os
import sys

import h5py

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

ctx = NetworkBuilder("ctx")
ctx.add_nodes(N=12, pop_name="pyr", ei="e", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="e.json")
ctx.add_nodes(N=6, pop_name="pv", ei="i", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="i.json")
ext = NetworkBuilder("ext")
ext.add_nodes(N=5, pop_name="tON", model_type="virtual")
out = NetworkBuilder("out")
out.add_nodes(N=3, pop_name="readout", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="e.json")


def some_pairs(source, target):
    """2 synapses for a third of the pairs, none for the others (no self-connections)."""
    if source.node_id == target.node_id:
        return None
    return 2 if (source.node_id + 2 * target.node_id) % 3 == 0 else None


def receptor(source, target):
    return "AMPA" if target["ei"] == "e" else "NMDA_é"  # non-ASCII: stored as UTF-8


def gaba(source, target):
    return "GABA_A" if target.node_id % 2 else "GABA_B"


def weight(source, target):
    return 0.25 * source.node_id + target.node_id


def site_and_delay(source, target):
    return f"site-{source.node_id % 4}", 1.0 + target.node_id / 10


e2all = ctx.add_edges(source={"ei": "e"}, target=ctx.nodes(), connection_rule=some_pairs,
                      model_template="static_synapse", dynamics_params="e2all.json")
e2all.add_properties("receptor", rule=receptor, dtypes=h5py.string_dtype())
e2all.add_properties("syn_weight", rule=weight, dtypes=float)

# The same columns as above (one edge group in both tools), other strings.
i2all = ctx.add_edges(source={"ei": "i"}, target=ctx.nodes(), connection_rule=some_pairs,
                      model_template="static_synapse", dynamics_params="i2all.json")
i2all.add_properties("receptor", rule=gaba, dtypes=h5py.string_dtype())
i2all.add_properties("syn_weight", rule=weight, dtypes=float)

# No string here: under MPI this file is written by every rank together (the others, by rank 0).
ctx.add_edges(source=ctx.nodes(ei="e"), target=out.nodes(), connection_rule=1, syn_weight=2.0,
              model_template="static_synapse", dynamics_params="readout.json")

# Several names from one rule: a string and a number; every pair, 1 synapse.
inputs = ext.add_edges(source=ext.nodes(), target=ctx.nodes(ei="e"), connection_rule=1,
                       model_template="static_synapse", dynamics_params="input.json")
inputs.add_properties(["site", "delay"], rule=site_and_delay,
                      dtypes=[h5py.string_dtype(), float])

# A list of strings (values=[...]): value i for BMTK's i-th edge (sources, then targets, then
# the synapses of a pair); every pair, 2 synapses.
listed = ext.add_edges(source=ext.nodes(), target=ctx.nodes(ei="i"), connection_rule=2,
                       model_template="static_synapse", dynamics_params="listed.json")
listed.add_properties("label", values=[f"edge {i}" for i in range(5 * 6 * 2)],
                      dtypes=h5py.string_dtype())

for net in (ctx, ext, out):
    net.build()
folder = sys.argv[1] if len(sys.argv) > 1 else "network"
# netbuild's option: WORKERS=k evaluates the functions in k forked processes.
opts = {"workers": int(os.environ["WORKERS"])} if "WORKERS" in os.environ else {}
for net in (ctx, ext, out):
    net.save(output_dir=folder, compression="none", **opts)
