"""What a script reads back through the builder after build() and before save(): the nnodes property, nedges,
get_connections(), edges(...) with node, network and property filters, and edges_iter(...);
written to report.json, which must be the same under both tools (every rule here is
deterministic). FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only
difference."""
import json
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

net = NetworkBuilder("v1")
net.add_nodes(N=6, pop_name="e", ei="e", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="e.json")
net.add_nodes(N=3, pop_name="i", ei="i", model_type="point_neuron",
              model_template="nest:iaf_psc_alpha", dynamics_params="i.json")
lgn = NetworkBuilder("lgn")
lgn.add_nodes(N=4, pop_name="tON", model_type="virtual")


def ring(source, target):
    """Each excitatory cell onto the next one, 2 synapses."""
    return 2 if target.node_id == (source.node_id + 1) % 6 else None


net.add_edges(source={"ei": "e"}, target={"ei": "e"}, connection_rule=ring, syn_weight=1.0,
              delay=1.0, model_template="static_synapse", dynamics_params="e2e.json")
net.add_edges(source={"ei": "i"}, target={"ei": "e"}, connection_rule=1, syn_weight=-2.0,
              delay=1.0, model_template="static_synapse", dynamics_params="i2e.json")
net.add_edges(source=lgn.nodes(), target=net.nodes(ei="i"), connection_rule=3, syn_weight=0.5,
              delay=2.0, model_template="static_synapse", dynamics_params="lgn.json")
net.build()
lgn.build()


def rows(edges):
    return sorted([int(e.source_node_id), int(e.target_node_id), int(e["nsyns"]),
                   float(e["syn_weight"])] for e in edges)


report = {
    "nnodes": [net.nnodes, lgn.nnodes],
    "nedges": int(net.nedges),
    "connections": [[cm.source_network_name, cm.target_network_name, len(list(cm.source_nodes)),
                     len(list(cm.target_nodes)),
                     {k: v for k, v in cm.edge_type_properties.items() if k != "edge_type_id"}]
                    for cm in net.get_connections()],
    "edges": rows(net.edges()),
    "edges_onto_e": rows(net.edges(target_nodes=net.nodes(ei="e"))),
    "edges_from_i": rows(net.edges(source_nodes={"ei": "i"}, source_network="v1")),
    "edges_from_lgn": rows(net.edges(source_network="lgn", target_nodes=[6, 7])),
    "edges_weight_half": rows(net.edges(syn_weight=0.5)),
    "edges_iter": rows(net.edges_iter(trg_gids=[0, 1, 6], src_network="v1")),
}
with open("report.json", "w") as f:
    json.dump(report, f, indent=1, sort_keys=True)
# After the reading: BMTK frees its edge tables as it saves them.
net.save(output_dir="network", compression="none")
lgn.save(output_dir="network", compression="none")
