"""Rules with side effects the script reads afterwards: a connection function and an
add_properties function that record their calls in module-level state (users count, cache and
log this way); report.json holds what they saw, and must be the same under both tools (every
rule here is deterministic). FRONT=bmtk builds it with BMTK, else netbuild: the import below is
the only difference."""
import json
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

seen = {"pairs": 0, "connected": [], "weights": 0}

net = NetworkBuilder("ring")
net.add_nodes(N=12, pop_name="cell", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="cell.json")


def every_third(source, target):
    seen["pairs"] += 1
    if (source.node_id + 2 * target.node_id) % 3 == 0 and source.node_id != target.node_id:
        seen["connected"].append([source.node_id, target.node_id])
        return 1 + source.node_id % 2
    return None


def weight(source, target):
    seen["weights"] += 1
    return 0.1 * (1 + target.node_id)


cm = net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=every_third,
                   delay=1.0, model_template="static_synapse", dynamics_params="e2e.json")
cm.add_properties("syn_weight", rule=weight, dtypes=float)
net.build()
net.save(output_dir="network", compression="none")
with open("report.json", "w") as f:
    json.dump({"pairs": seen["pairs"], "connected": sorted(seen["connected"]),
               "weight calls": seen["weights"]}, f)
