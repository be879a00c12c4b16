"""A script run again over the circuit an earlier run (or the example's download) left in
network/: BMTK's save() replaces it (force_overwrite=True is its default), as BMTK's examples,
which ship their network/ folders, rely on. The test puts a network/cortex_nodes.h5 and
network/cortex_node_types.csv of another build in place. FRONT=bmtk builds it with BMTK, else
netbuild: the import below is the only difference."""
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

cortex = NetworkBuilder("cortex")
cortex.add_nodes(N=12, pop_name="e", model_type="point_neuron", model_template="nest:iaf_psc_alpha",
                 dynamics_params="e.json")
cortex.add_edges(source=cortex.nodes(), target=cortex.nodes(), connection_rule=2, syn_weight=1.0,
                 delay=1.0, model_template="static_synapse", dynamics_params="e2e.json")
cortex.build()
cortex.save(output_dir="network", compression="none")
