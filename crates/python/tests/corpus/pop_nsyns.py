"""Population-level edges as PopNet scripts write them: nsyns= as an edge-type keyword with no
connection rule (every pair, 20 or 10 synapses), and nsyns=1e4 (a float). FRONT=bmtk builds it
with BMTK, else netbuild: the import below is the only difference."""
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

internal = NetworkBuilder("internal")
internal.add_nodes(N=3, pop_name="excitatory", ei="e", model_type="population",
                   model_template="dipde:Internal", dynamics_params="exc_model.json")
internal.add_nodes(N=2, pop_name="inhibitory", ei="i", model_type="population",
                   model_template="dipde:Internal", dynamics_params="inh_model.json")
internal.add_edges(source={"ei": "e"}, target={"ei": "i"}, syn_weight=0.005, nsyns=20,
                   delay=0.002, dynamics_params="ExcToInh.json")
internal.add_edges(source={"ei": "i"}, target={"ei": "e"}, syn_weight=-0.002, nsyns=10,
                   delay=0.002, dynamics_params="InhToExc.json")
internal.build()
internal.save(output_dir="network", compression="none")

external = NetworkBuilder("external")
external.add_nodes(N=2, pop_name="tON", ei="e", model_type="virtual")
external.add_edges(target=internal.nodes(ei="e"), syn_weight=0.0025, nsyns=1e4, delay=0.002,
                   dynamics_params="input_ExcToExc.json")
external.build()
external.save(output_dir="network", compression="none")
