"""One biophysical cell (morphology, model_processing) driven by a virtual cell with
connection_rule=12 and per-synapse locations given as lists: add_properties(values=[...]).
FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder.networks import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(100)
net = NetworkBuilder("biocell")
net.add_nodes(pop_name="Scnn1a", x=[0.0], y=[-100.0], z=[0.0], rotation_angle_xaxis=[0.0],
              rotation_angle_yaxis=[0.0], rotation_angle_zaxis=[3.646878266],
              tuning_angle=np.random.uniform(0.0, 360.0, size=1), model_type="biophysical",
              model_template="ctdb:Biophys1.hoc", model_processing="aibs_perisomatic",
              dynamics_params="472363762_fit.json", morphology="Scnn1a_473845048_m.swc")
net.build()
net.save(output_dir="network", compression="none")

virt = NetworkBuilder("virt")
virt.add_nodes(model_type="virtual")
cm = virt.add_edges(source=virt.nodes(), target=net.nodes(), connection_rule=12,
                    dynamics_params="AMPA_ExcToInh.json", model_template="Exp2Syn",
                    syn_weight=0.035, delay=2.0)
# A fixed choice of 12 sections and positions (BMTK's examples draw them from the morphology).
sec_ids = [0, 3, 5, 8, 12, 17, 21, 26, 30, 35, 41, 44]
seg_xs = np.linspace(0.05, 0.95, 12)
cm.add_properties("afferent_section_id", values=sec_ids, dtypes=int)
cm.add_properties("afferent_section_pos", values=seg_xs, dtypes=float)
virt.build()
virt.save(output_dir="network", compression="none")
