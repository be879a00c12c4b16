"""Files named by the script: save_nodes(nodes_file_name=..., node_types_file_name=...), then a
second builder of the same name imports them, and save_edges(edges_file_name=...,
edge_types_file_name=...) writes the input edges; selectors on per-node values (rate=...).
FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only difference."""
import os

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder.networks import NetworkBuilder
else:
    from netbuild import NetworkBuilder

rates = [5, 15, 40]

cells = NetworkBuilder("cells")
for kind in ("fast", "slow"):
    cells.add_nodes(N=3, pop_name="Pvalb", syn_kind=kind, rate=rates, model_type="biophysical",
                    model_template="ctdb:Biophys1.hoc", dynamics_params="471085845_fit.json",
                    morphology="Pvalb_470522102_m.swc", model_processing="aibs_perisomatic")
cells.build()
cells.save_nodes(nodes_file_name="circuit/cells_n.h5", node_types_file_name="circuit/cells_nt.csv",
                 compression="none")

drive = NetworkBuilder("drive")
drive.add_nodes(N=3, pop_name="drive", model_type="virtual", rate=rates)
drive.save_nodes(nodes_file_name="circuit/drive_n.h5", node_types_file_name="circuit/drive_nt.csv",
                 compression="none")

cells = NetworkBuilder("cells")
cells.import_nodes(nodes_file_name="circuit/cells_n.h5", node_types_file_name="circuit/cells_nt.csv")
for kind, model in (("fast", "pvalb_pvalb.json"), ("slow", "AMPA_ExcToInh.json")):
    for r in rates:
        cells.add_edges(source=drive.nodes(rate=r), target=cells.nodes(rate=r, syn_kind=kind),
                        connection_rule=4, syn_weight=0.002, delay=2.0,
                        distance_range=[0.0, 50.0], target_sections=["somatic", "basal"],
                        dynamics_params=model, model_template="exp2syn")
cells.build()
cells.save_edges(edges_file_name="circuit/drive_cells_e.h5",
                 edge_types_file_name="circuit/drive_cells_et.csv", compression="none")
