"""Edge types selected by number-valued node properties (nodes(layer=4), a float, a bool): the
edge types CSV keeps each selection as BMTK writes its source_query and target_query.
FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only difference."""
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

net = NetworkBuilder("layers")
for layer, depth in ((2, 150.0), (4, 400.0), (5, 650.0)):
    for excitatory in (True, False):
        net.add_nodes(N=5, layer=layer, depth=depth, excitatory=excitatory,
                      model_type="point_neuron", model_template="nest:iaf_psc_alpha",
                      dynamics_params="cell.json")
net.add_edges(source=net.nodes(layer=4), target=net.nodes(layer=2), connection_rule=1,
              syn_weight=1.0, delay=1.0, model_template="static_synapse", dynamics_params="4to2.json")
net.add_edges(source=net.nodes(depth=650.0), target=net.nodes(excitatory=False), connection_rule=2,
              syn_weight=0.5, delay=1.0, model_template="static_synapse", dynamics_params="5toi.json")
net.build()
net.save(output_dir="network", compression="none")
