"""save(output_dir='network') into a folder that already holds a file of the user's (BMTK's
point_120cells example ships network/gids.h5 there; the test puts network/gids.h5 and
network/notes.txt in place): the builder writes its files beside them and leaves them alone.
FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only difference."""
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

cortex = NetworkBuilder("cortex")
cortex.add_nodes(N=10, pop_name="e", model_type="point_neuron", model_template="nest:iaf_psc_alpha",
                 dynamics_params="e.json")
cortex.add_edges(source=cortex.nodes(), target=cortex.nodes(), connection_rule=1, syn_weight=1.0,
                 delay=1.0, model_template="static_synapse", dynamics_params="e2e.json")
cortex.build()
cortex.save(output_dir="network", compression="none")
