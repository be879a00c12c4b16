"""A bio_300cells_nosurround-style script for test_swc_reader.py: synapse locations placed by
the script's own function with BMTK's ``get_swc`` (netbuild's native stand-in under netbuild).

    python swc_synapses.py OUT_DIR MORPHOLOGY_DIR WORKERS

Prints whether NEURON was imported.
"""
import sys

import numpy as np

from netbuild import NetworkBuilder
from bmtk.builder.bionet.swc_reader import get_swc

OUT, MORPHS, WORKERS = sys.argv[1], sys.argv[2], int(sys.argv[3])
np.random.seed(3)


def n_connections(src, trg, prob=0.3):
    if src.node_id == trg.node_id:
        return 0
    return 0 if np.random.uniform() > prob else np.random.randint(1, 4)


def set_synapses(src, trg, section_names=("soma", "apical", "basal"), distance_range=(0.0, 1e20)):
    swc = get_swc(trg, morphology_dir=MORPHS, use_cache=True)
    sec_ids, xs = swc.choose_sections(section_names, distance_range, n_sections=1)
    swc_id, swc_pos = swc.get_swc_id(sec_ids[0], xs[0])
    return [sec_ids[0], xs[0], swc_id, swc_pos]


net = NetworkBuilder("cells")
for morphology, n in (("Scnn1a_473845048_m.swc", 40), ("Pvalb_470522102_m.swc", 20)):
    net.add_nodes(N=n, x=np.random.uniform(-50, 50, n), y=np.random.uniform(-50, 50, n),
                  z=np.random.uniform(-50, 50, n),
                  rotation_angle_yaxis=np.random.uniform(0, 2 * np.pi, n),
                  model_type="biophysical", model_processing="aibs_perisomatic",
                  morphology=morphology)
for names, reach in ((["basal", "apical"], [30.0, 150.0]), (["somatic", "basal"], [0.0, 1e20])):
    cm = net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=n_connections,
                       model_template="Exp2Syn")
    cm.add_properties(["afferent_section_id", "afferent_section_pos", "afferent_swc_id",
                       "afferent_swc_pos"], rule=set_synapses,
                      rule_params={"section_names": names, "distance_range": reach},
                      dtypes=[int, float, int, float])
net.build()
net.save(output_dir=OUT, workers=WORKERS)
print("neuron imported:", "neuron" in sys.modules)
