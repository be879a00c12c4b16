"""A network like BMTK's examples/bio_450cells, written as a BMTK builder script: 450
biophysical cells (the five morphologies of ../shared/bio_components, 80 per excitatory model,
30 per inhibitory one) and 150 IntFire1 point cells in a column, 100 virtual cells outside;
recurrent pairs connect with a Python function per pair (probability 0.1 or 0.2 within 100 um,
1 to 4 synapses), the virtual cells with a function per source (up to 10 targets within 30 um in
x/z); every synapse onto a biophysical cell is placed on the target's morphology by the
script's per-synapse callback ``set_synapses``, which calls BMTK's
``bmtk.builder.bionet.rand_syn_locations`` (which asks NEURON), as the example's does.

    [FRONT=bmtk|netbuild] [LOCATIONS=callback|native] [SCALE=1.0] python bio450_bmtk.py OUT_DIR

FRONT=bmtk builds it with BMTK (``from bmtk.builder import NetworkBuilder``), else netbuild (the
one line that changes). LOCATIONS=native (netbuild only): ``netbuild.rules.syn_locations(...)``
in place of the callback, everything else unchanged. (Given ``rule=rand_syn_locations`` itself,
netbuild would run BMTK's function natively: the example's wrapper keeps it a Python callback.) SCALE divides every population (e.g. 0.25
for a quick run); the components folder is $BIO_COMPONENTS, else ../shared/bio_components
beside the project; SAVE_EACH=0 skips the save of the internal network (see below).
scripts/bench_bio runs and compares the three.
"""
import os
import sys
import time

import numpy as np

FRONT = os.environ.get("FRONT", "netbuild")
LOCATIONS = os.environ.get("LOCATIONS", "callback")
SCALE = float(os.environ.get("SCALE", "1.0"))
# SAVE_EACH=0: no save of the internal network before the external one exists (the example saves
# each; netbuild's save writes the whole session, so its first save builds the internal edges once
# more than needed).
SAVE_EACH = os.environ.get("SAVE_EACH", "1") != "0"
HERE = os.path.dirname(os.path.abspath(__file__))
COMPONENTS = os.environ.get("BIO_COMPONENTS", os.path.join(HERE, "..", "..", "shared", "bio_components"))
MORPHOLOGIES = os.path.join(COMPONENTS, "morphologies")

if FRONT == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder, rules
if LOCATIONS == "native":
    if FRONT == "bmtk":
        sys.exit("LOCATIONS=native is netbuild's rule: FRONT=netbuild")
else:
    from bmtk.builder.bionet import rand_syn_locations

np.random.seed(42)
T0 = time.time()

# (model name, ei, morphology, fitted parameters): the bio_components cells.
BIO = [("Scnn1a", "e", "Scnn1a_473845048_m.swc", "472363762_fit.json"),
       ("Rorb", "e", "Rorb_325404214_m.swc", "473863510_fit.json"),
       ("Nr5a1", "e", "Nr5a1_471087815_m.swc", "473863035_fit.json"),
       ("PV1", "i", "Pvalb_470522102_m.swc", "472912177_fit.json"),
       ("PV2", "i", "Pvalb_469628681_m.swc", "473862421_fit.json")]
POINT = [("LIF_exc", "e", "IntFire1_exc_1.json"), ("LIF_inh", "i", "IntFire1_inh_1.json")]
LOCATION_NAMES = ["afferent_section_id", "afferent_section_pos", "afferent_swc_id", "afferent_swc_pos"]


def scaled(n):
    return max(1, int(round(n * SCALE)))


def column(n, radius=50.0, height=200.0, center_y=10.0):
    """n somata uniform in a vertical cylinder (as BMTK's positions_columinar)."""
    r = radius * np.sqrt(np.random.uniform(0.0, 1.0, n))
    phi = np.random.uniform(0.0, 2 * np.pi, n)
    y = np.random.uniform(center_y - height / 2, center_y + height / 2, n)
    return r * np.cos(phi), y, r * np.sin(phi)


def pair_synapses(src, trg, prob=0.1, min_syns=1, max_syns=5):
    """Synapses of one pair: none to itself or beyond 100 um, else 1..4 with probability prob."""
    if src.node_id == trg.node_id:
        return 0
    d2 = (src["x"] - trg["x"]) ** 2 + (src["y"] - trg["y"]) ** 2 + (src["z"] - trg["z"]) ** 2
    if d2 > 100.0 ** 2:
        return 0
    return 0 if np.random.uniform() > prob else np.random.randint(min_syns, max_syns)


def external_synapses(src, trgs, cutoff=30.0, max_trgs=10, max_syns=12):
    """Synapses from one virtual cell to each target: up to max_trgs targets near it (x/z)."""
    near = [i for i, t in enumerate(trgs) if np.hypot(t["x"] - src["x"], t["z"] - src["y"]) < cutoff]
    counts = np.zeros(len(trgs), dtype=int)
    if near:
        chosen = np.random.choice(near, size=min(max_trgs, len(near)), replace=False)
        counts[np.sort(chosen)] = np.random.randint(0, max_syns, size=len(chosen))
    return counts


def set_synapses(src, trg, section_names=("soma", "apical", "basal"), distance_range=(0.0, 1.0e20)):
    """One synapse's location on the target's morphology (the example's own callback)."""
    return rand_syn_locations(src, trg, sections=section_names, distance_range=distance_range,
                              morphology_dir=MORPHOLOGIES)


def place(cm, sections=("soma", "apical", "basal"), distance_range=(0.0, 1.0e20)):
    """Every synapse's location on the target's morphology."""
    if LOCATIONS == "native":
        rule = rules.syn_locations(sections=list(sections), distance_range=list(distance_range),
                                   morphology_dir=MORPHOLOGIES)
        cm.add_properties(LOCATION_NAMES, rule=rule, dtypes=[int, float, int, float])
    else:
        cm.add_properties(LOCATION_NAMES, rule=set_synapses,
                          rule_params={"section_names": list(sections), "distance_range": list(distance_range)},
                          dtypes=[int, float, int, float])


def internal_network(out):
    net = NetworkBuilder("internal")
    for name, ei, morphology, params in BIO:
        n = scaled(80 if ei == "e" else 30)
        x, y, z = column(n)
        net.add_nodes(N=n, x=x, y=y, z=z,
                      rotation_angle_yaxis=np.random.uniform(0.0, 2 * np.pi, n),
                      rotation_angle_zaxis=np.random.uniform(0.0, 2 * np.pi, n),
                      model_type="biophysical", model_template="ctdb:Biophys1.hoc",
                      model_processing="aibs_perisomatic", model_name=name, ei=ei,
                      morphology=morphology, dynamics_params=params)
    for name, ei, params in POINT:
        n = scaled(75)
        x, y, z = column(n)
        net.add_nodes(N=n, x=x, y=y, z=z, model_type="point_neuron", model_template="nrn:IntFire1",
                      model_name=name, ei=ei, dynamics_params=params)

    # (source ei, target ei, probability, synapse model, weight, sections, distance range)
    for s, t, p, syn, w, sections, drange in [
            ("e", "e", 0.2, "AMPA_ExcToExc.json", 6.0e-05, ("basal", "apical"), (30.0, 150.0)),
            ("e", "i", 0.1, "AMPA_ExcToInh.json", 0.0006, ("somatic", "basal"), (0.0, 1.0e20)),
            ("i", "e", 0.1, "GABA_InhToExc.json", 0.002, ("somatic", "basal", "apical"), (0.0, 50.0)),
            ("i", "i", 0.2, "GABA_InhToInh.json", 0.00015, ("somatic", "basal"), (0.0, 1.0e20))]:
        cm = net.add_edges(source={"ei": s}, target={"ei": t, "model_type": "biophysical"},
                           connection_rule=pair_synapses, connection_params={"prob": p},
                           dynamics_params=syn, model_template="Exp2Syn", delay=2.0)
        cm.add_properties("syn_weight", rule=w, dtypes=float)
        place(cm, sections, drange)
    for s, syn in (("e", "instantaneousExc.json"), ("i", "instantaneousInh.json")):
        cm = net.add_edges(source={"ei": s}, target={"model_type": "point_neuron"},
                           connection_rule=pair_synapses, dynamics_params=syn, delay=2.0)
        cm.add_properties("syn_weight", rule=0.0019, dtypes=float)
    net.build()
    if SAVE_EACH:
        net.save(output_dir=out)
    return net


def external_network(internal, out):
    ext = NetworkBuilder("external")
    n = scaled(100)
    ext.add_nodes(N=n, x=np.random.uniform(-40.0, 40.0, n), y=np.random.uniform(-40.0, 40.0, n),
                  model_type="virtual", ei="e")
    for target, syn, w, located in (
            (internal.nodes(ei="e", model_type="biophysical"), "AMPA_ExcToExc.json", 0.00041, True),
            (internal.nodes(ei="i", model_type="biophysical"), "AMPA_ExcToInh.json", 0.00095, True),
            (internal.nodes(model_type="point_neuron"), "instantaneousExc.json", 0.045, False)):
        props = {"model_template": "Exp2Syn"} if located else {}
        cm = ext.add_edges(source=ext.nodes(), target=target, connection_rule=external_synapses,
                           iterator="one_to_all", dynamics_params=syn, delay=2.0, **props)
        cm.add_properties("syn_weight", rule=w, dtypes=float)
        if located:
            place(cm)
    ext.build()
    ext.save(output_dir=out)
    return ext


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "network"
    # As BMTK's example: each network saved once built (under netbuild the second save builds
    # the whole session again, the internal edges included: README, "save writes the whole session").
    internal = internal_network(out)
    external_network(internal, out)
    print(f"bio450 ({FRONT}, locations {LOCATIONS}, scale {SCALE:g}): {time.time() - T0:.1f} s after imports")
