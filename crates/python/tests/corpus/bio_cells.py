"""Biophysical cells (morphology, model_processing, per-node rotations and coordinates) with
point-process cells, edges onto dendrites (target_sections, distance_range, weight_function) and
per-synapse places from a rule of several names with dtypes that reads the target's
reconstruction (components/morphologies: BMTK's, from ../shared/bio_components), as BMTK's bio
examples write them. FRONT=bmtk builds it with BMTK, else netbuild: the import below is the only
difference."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder

np.random.seed(31)
cells = [("Scnn1a", "e", "Scnn1a_473845048_m.swc", "472363762_fit.json", 8),
         ("Rorb", "e", "Rorb_325404214_m.swc", "473863510_fit.json", 6),
         ("PV1", "i", "Pvalb_470522102_m.swc", "472912177_fit.json", 4)]
net = NetworkBuilder("column")
for pop, ei, morphology, params, n in cells:
    net.add_nodes(N=n, pop_name=pop, ei=ei, model_type="biophysical",
                  model_template="ctdb:Biophys1.hoc", model_processing="aibs_perisomatic",
                  dynamics_params=params, morphology=morphology,
                  x=np.random.uniform(-100, 100, n), y=np.random.uniform(-300, -100, n),
                  z=np.random.uniform(-100, 100, n),
                  rotation_angle_yaxis=np.random.uniform(0.0, 2 * np.pi, n),
                  rotation_angle_zaxis=np.full(n, -1.5707963))
net.add_nodes(N=10, pop_name="LIF_exc", ei="e", model_type="point_process",
              model_template="nrn:IntFire1", dynamics_params="IntFire1_exc_1.json",
              x=np.random.uniform(-100, 100, 10), y=np.random.uniform(-300, -100, 10),
              z=np.random.uniform(-100, 100, 10))


def nearby(source, target, d_max):
    if source.node_id == target.node_id:
        return None
    d = np.linalg.norm([source["x"] - target["x"], source["z"] - target["z"]])
    return np.random.randint(2, 6) if d < d_max and np.random.random() < 0.6 else None


swc_cache = {}


def dendrite_points(morphology):
    """The SWC ids of a morphology's basal (3) and apical (4) points, read once per file."""
    if morphology not in swc_cache:
        swc = np.loadtxt(os.path.join("components", "morphologies", morphology), comments="#")
        swc_cache[morphology] = swc[np.isin(swc[:, 1], (3, 4)), 0].astype(int)
    return swc_cache[morphology]


def synapse_place(source, target, sections):
    """Per synapse: a dendrite point of the target's reconstruction (its SWC id), a section
    id among the first `sections` and a position along it."""
    points = dendrite_points(target["morphology"])
    return (points[np.random.randint(len(points))], np.random.randint(0, sections),
            np.random.uniform(0.0, 1.0))


cm = net.add_edges(source={"ei": "e"}, target={"model_type": "biophysical"},
                   connection_rule=nearby, connection_params={"d_max": 150.0},
                   syn_weight=5e-05, weight_function="wmax", delay=2.0,
                   target_sections=["basal", "apical"], distance_range=[30.0, 150.0],
                   dynamics_params="AMPA_ExcToExc.json", model_template="exp2syn")
cm.add_properties(["afferent_swc_id", "afferent_section_id", "afferent_section_pos"],
                  rule=synapse_place, rule_params={"sections": 40},
                  dtypes=[np.int64, np.int32, np.float32])
net.add_edges(source={"ei": "i"}, target={"model_type": "biophysical"}, connection_rule=nearby,
              connection_params={"d_max": 200.0}, syn_weight=2e-04, weight_function="wmax",
              delay=2.0, target_sections=["somatic"], distance_range=[0.0, 1e20],
              dynamics_params="GABA_InhToExc.json", model_template="exp2syn")
net.add_edges(source={"ei": "e"}, target={"model_type": "point_process"}, connection_rule=nearby,
              connection_params={"d_max": 150.0}, syn_weight=0.0019, weight_function="wmax",
              delay=2.0, dynamics_params="instantaneousExc.json")
net.build()
net.save(output_dir="network", compression="none")
