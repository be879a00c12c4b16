"""Edges between single nodes picked by id (nodes(node_id=0) as a selector), a selection of
several ids, and a whole network, as the STDP example writes them.
FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only difference."""
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

post = NetworkBuilder("post")
post.add_nodes(N=4, model_type="point_neuron", model_template="nest:iaf_psc_delta",
               dynamics_params="post.json")
post.build()
post.save(output_dir="network", compression="none")

pre = NetworkBuilder("pre")
pre.add_nodes(N=3, model_type="point_neuron", model_template="nest:iaf_psc_delta",
              dynamics_params="pre.json")
for i in range(3):
    pre.add_edges(source=pre.nodes(node_id=i), target=post.nodes(node_id=i), connection_rule=1,
                  syn_weight=10.0 + i, delay=1.0, dynamics_params=f"stdp_{i}.json",
                  model_template="stdp_synapse")
pre.add_edges(source=pre.nodes(), target=post.nodes(node_id=3), connection_rule=2,
              syn_weight=5.0, delay=1.0, dynamics_params="stdp_all.json",
              model_template="stdp_synapse")
pre.build()
pre.save(output_dir="network", compression="none")

inputs = NetworkBuilder("inputs")
inputs.add_nodes(N=6, model_type="virtual")
inputs.add_edges(target=pre.nodes(), connection_rule=1, syn_weight=4.0, delay=1.5,
                 dynamics_params="static.json", model_template="static_synapse")
inputs.build()
inputs.save(output_dir="network", compression="none")
