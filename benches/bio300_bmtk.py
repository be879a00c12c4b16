"""A replica of BMTK's examples/bio_300cells_nosurround/build_network.py (300 biophysical cells
and 100 virtual inputs, a synapse location on the target's morphology for every synapse),
written for netbuild's benchmark: the same networks, node counts, functions, iterators,
properties and save calls.

    [FRONT=bmtk|netbuild] python bio300_bmtk.py OUT_DIR

- internal: five cell models, 80 cells each for the three excitatory and 30 for the two
  inhibitory ones (positions in a column, random y and z rotations); four edge types (e->e,
  e->i, i->e, i->i), each a per-pair function (`one_to_one`: within 100 um, probability 0.1 or
  0.2, 1..4 synapses), a constant `syn_weight` and four per-synapse properties
  (`afferent_section_id`, `afferent_section_pos`, `afferent_swc_id`, `afferent_swc_pos`) from
  one function that places the synapse on the target's morphology with BMTK's SWC reader
  (`bmtk.builder.bionet.swc_reader.get_swc`, which needs NEURON: `pip install neuron`);
  `build`, `save`;
- external: 100 virtual cells (x, y drawn after `np.random.seed(42)`), two edge types with a
  per-source function (`one_to_all`: up to 10 targets within 30 um, 0..11 synapses each) and
  the same properties; `build`, `save` (of the same folder, as the original does).

FRONT=bmtk builds with BMTK, else netbuild (the import line is the one difference). The
morphologies: ../shared/bio_components/morphologies from the project root (MORPHOLOGY_DIR to
change it).
"""
import os
import sys
from pathlib import Path

import numpy as np

# The original's order: the builder first, then BMTK's SWC reader (under netbuild, netbuild's
# native stand-in, netbuild.swc_reader), then the position helpers.
if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder
from bmtk.builder.bionet.swc_reader import get_swc
from bmtk.builder.auxi.node_params import positions_columinar, xiter_random

OUT = sys.argv[1]
MORPHOLOGIES = os.environ.get(
    "MORPHOLOGY_DIR",
    str(Path(__file__).resolve().parents[1] / ".." / "shared" / "bio_components" / "morphologies"))

np.random.seed(42)

MODELS = [
    ("Scnn1a", "e", "Scnn1a_473845048_m.swc", "nml:Cell_472363762.cell.nml"),
    ("Rorb", "e", "Rorb_325404214_m.swc", "nml:Cell_473863510.cell.nml"),
    ("Nr5a1", "e", "Nr5a1_471087815_m.swc", "nml:Cell_473863035.cell.nml"),
    ("PV1", "i", "Pvalb_470522102_m.swc", "nml:Cell_472912177.cell.nml"),
    ("PV2", "i", "Pvalb_469628681_m.swc", "nml:Cell_473862421.cell.nml"),
]
SYNAPSE_PROPS = ["afferent_section_id", "afferent_section_pos", "afferent_swc_id",
                 "afferent_swc_pos"]
SYNAPSE_DTYPES = [int, float, int, float]


def n_connections(src, trg, prob=0.1, min_syns=1, max_syns=5):
    """Within 100 um, with probability prob: min_syns..max_syns - 1 synapses."""
    if src.node_id == trg.node_id:
        return 0
    d = np.sqrt((src["x"] - trg["x"]) ** 2 + (src["y"] - trg["y"]) ** 2 + (src["z"] - trg["z"]) ** 2)
    if d > 100.0:
        return 0
    return 0 if np.random.uniform() > prob else np.random.randint(min_syns, max_syns)


def connect_external(src, trgs, dist_cutoff=30.0, max_trgs=10, max_syns=12):
    """Up to max_trgs targets whose (x, z) is within dist_cutoff of the source's (x, y)."""
    near = [i for i, t in enumerate(trgs)
            if np.sqrt((t["x"] - src["x"]) ** 2 + (t["z"] - src["y"]) ** 2) < dist_cutoff]
    if not near:
        return [0] * len(trgs)
    chosen = np.sort(np.random.choice(near, size=min(max_trgs, len(near)), replace=False))
    nsyns = np.zeros(len(trgs), dtype=int)
    nsyns[chosen] = np.random.randint(0, max_syns, size=len(chosen))
    return nsyns


def set_synapses(src, trg, section_names=("soma", "apical", "basal"), distance_range=(0.0, 1.0e20)):
    """A section of the target's morphology and a position on it, with its SWC point."""
    swc = get_swc(trg, morphology_dir=MORPHOLOGIES, use_cache=True)
    sec_ids, seg_xs = swc.choose_sections(section_names, distance_range, n_sections=1)
    swc_id, swc_dist = swc.get_swc_id(sec_ids[0], seg_xs[0])
    return [sec_ids[0], seg_xs[0], swc_id, swc_dist]


def build_internal():
    internal = NetworkBuilder("internal")
    for name, ei, morphology, template in MODELS:
        n = 80 if ei == "e" else 30
        xyz = positions_columinar(N=n, center=[0, 10.0, 0], max_radius=50.0, height=200.0)
        internal.add_nodes(N=n, x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2],
                           rotation_angle_yaxis=xiter_random(N=n, min_x=0.0, max_x=2 * np.pi),
                           rotation_angle_zaxis=xiter_random(N=n, min_x=0.0, max_x=2 * np.pi),
                           model_type="biophysical", model_processing="aibs_perisomatic",
                           model_name=name, ei=ei, morphology=morphology, model_template=template)
    for src, trg, params, dyn, weight, sections, reach in (
            ("e", "e", {"prob": 0.2}, "AMPA_ExcToExc.json", 6.0e-05, ["basal", "apical"], [30.0, 150.0]),
            ("e", "i", None, "AMPA_ExcToInh.json", 0.0006, ["somatic", "basal"], [0.0, 1.0e20]),
            ("i", "e", None, "GABA_InhToExc.json", 0.002, ["somatic", "basal", "apical"], [0.0, 50.0]),
            ("i", "i", {"prob": 0.2}, "GABA_InhToInh.json", 0.00015, ["somatic", "basal"], [0.0, 1.0e20])):
        cm = internal.add_edges(source={"ei": src}, target={"ei": trg, "model_type": "biophysical"},
                                connection_rule=n_connections, connection_params=params,
                                dynamics_params=dyn, model_template="Exp2Syn", delay=2.0)
        cm.add_properties("syn_weight", rule=weight, dtypes=float)
        cm.add_properties(SYNAPSE_PROPS, rule=set_synapses,
                          rule_params={"section_names": sections, "distance_range": reach},
                          dtypes=SYNAPSE_DTYPES)
    internal.build()
    internal.save(output_dir=OUT)
    return internal


def build_external(internal):
    np.random.seed(42)
    external = NetworkBuilder("external")
    external.add_nodes(N=100, x=np.random.uniform(-40.0, 40.0, size=100),
                       y=np.random.uniform(-40.0, 40.0, size=100), model_type="virtual", ei="e")
    for ei, dyn, weight in (("e", "AMPA_ExcToExc.json", 0.00041), ("i", "AMPA_ExcToInh.json", 0.00095)):
        cm = external.add_edges(target=internal.nodes(ei=ei, model_type="biophysical"),
                                source=external.nodes(), connection_rule=connect_external,
                                iterator="one_to_all", dynamics_params=dyn,
                                model_template="Exp2Syn", delay=2.0)
        cm.add_properties("syn_weight", rule=weight, dtypes=float)
        cm.add_properties(SYNAPSE_PROPS, rule=set_synapses, dtypes=SYNAPSE_DTYPES)
    external.build()
    external.save(output_dir=OUT)


if __name__ == "__main__":
    build_external(build_internal())
