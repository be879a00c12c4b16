"""BMTK's BioNet (NEURON) loads, connects and simulates a biophysical circuit built by netbuild,
from another working directory. A step of scripts/test, run by scripts/bionet-check (which
compiles the mechanisms first); see docs/BIONET.md.

    bionet_check.py --mechanisms DIR [--locations callback|native] [--tstop MS] [--keep DIR]

1. build (a child process, working directory = the temp folder): a BMTK-style script through
   netbuild's Python front (``from netbuild import NetworkBuilder``): the five morphologies of
   ../shared/bio_components as biophysical cells (``model_processing = aibs_perisomatic``, their
   ``dynamics_params`` fits), IntFire1 point cells, a virtual population; every edge type onto a
   biophysical cell gets per-synapse locations (``afferent_section_id``, ``afferent_section_pos``,
   ``afferent_swc_id``, ``afferent_swc_pos``) from
   - ``--locations callback``: a function of the script's calling BMTK's own
     ``bmtk.builder.bionet.rand_syn_locations``, which netbuild calls per synapse (its
     ``get_swc`` reader is netbuild's native stand-in, ``netbuild.swc_reader``; with
     ``NETBUILD_BMTK_SWC=neuron`` in the environment, BMTK's, which asks NEURON);
   - ``--locations native``: ``netbuild.rules.syn_locations(...)``, netbuild's placement rule;
2. inputs: Poisson spike trains of the virtual cells (BMTK's ``PoissonSpikeGenerator``, seeded);
3. simulate (a child process, working directory = /): a BioNet simulation config written next to
   netbuild's ``simulation_config.json`` (same ``networks``, ``${configdir}`` manifest; components
   = ../shared/bio_components and the compiled mechanisms), ``BioNetwork.from_config``,
   ``BioSimulator.from_config``, then, before ``run``, every NEURON synapse BioNet made is read
   back, and after it the spikes.

Checks (exit 1 on any failure):
- per edge type onto biophysical cells, NEURON synapses = the sum over the edges file's rows of
  ``nsyns`` (1 where the row's group has no such column: rows with location columns are one
  synapse each, BioNet ignores nsyns there); one edge type has no location columns but BMTK's
  edge-type ``target_sections`` and ``distance_range``, from which BioNet draws ``nsyns``
  locations per row itself;
- per edge type onto point cells (IntFire1: no synapse objects), one NetCon per row, their
  weights summing to syn_weight x nsyns x the synapse file's sign over the rows;
- each synapse sits on the section its row names (``afferent_section_id``, at
  ``afferent_section_pos``), on a section of a type its edge type asked for; distances are
  ``h.distance`` from ``soma[0](0)`` (the origin BMTK's readers set with
  ``h.distance(sec=soma[0])``, half the soma's length from its middle). BMTK's
  ``rand_syn_locations`` and netbuild's rule (which draws as it does) pick a segment of BMTK's
  reader (one per section unless ``dL``) whose distance interval overlaps the asked range
  [lo, hi], weighted by the overlap, and put the synapse at its centre; so for a located
  synapse the check asserts exactly:
  - at its row's position, lo - h < d < hi + h, h = half the length of the reader's segment
    holding it (L / 2 here: one segment per section);
  - where NEURON put the point process (the centre of BioNet's segment holding the position,
    ``dL = 20``), the same widened by half of that segment;
  - the fraction of synapses strictly inside [lo, hi] at their position: within 4 standard
    deviations (+1 synapse) of the expected one, the sum over the synapses of the probability
    their target's candidates inside [lo, hi] carry (``rules.syn_location_candidates``, the
    distances from NEURON);
  BioNet's own draw (the edge type without location columns) is only checked to be on a
  section overlapping the range;
- the biophysical and the point cells spike.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = Path(os.environ.get("BIO_COMPONENTS", ROOT.parent / "shared" / "bio_components")).resolve()
LOCATION_COLUMNS = ["afferent_section_id", "afferent_section_pos", "afferent_swc_id", "afferent_swc_pos"]

# (model_name, ei, morphology, dynamics_params): BMTK's bio_14cells pairs them so.
BIO_MODELS = [
    ("Scnn1a", "e", "Scnn1a_473845048_m.swc", "472363762_fit.json"),
    ("Rorb", "e", "Rorb_325404214_m.swc", "473863510_fit.json"),
    ("Nr5a1", "e", "Nr5a1_471087815_m.swc", "473863035_fit.json"),
    ("PV1", "i", "Pvalb_470522102_m.swc", "472912177_fit.json"),
    ("PV2", "i", "Pvalb_469628681_m.swc", "473862421_fit.json"),
]
CELLS_PER_MODEL = 2
N_POINT = 2     # per point model (exc, inh)
N_VIRTUAL = 40
INPUT_RATE = 15.0  # Hz, every virtual cell

# The edge types onto biophysical cells: (name, source, target, nsyns, synapse params, weight,
# sections, distance range). The names are the edge types' `tag` property, which the checks read.
BIO_EDGES = [
    ("e2e", {"ei": "e"}, {"ei": "e"}, (1, 3), "AMPA_ExcToExc.json", 5.0e-5,
     ["basal", "apical"], [30.0, 150.0]),
    ("e2i", {"ei": "e"}, {"ei": "i"}, (1, 3), "AMPA_ExcToInh.json", 4.0e-4,
     ["somatic", "basal"], [0.0, 1.0e20]),
    ("i2e", {"ei": "i"}, {"ei": "e"}, (1, 3), "GABA_InhToExc.json", 1.0e-3,
     ["somatic", "basal", "apical"], [0.0, 50.0]),
    ("i2i", {"ei": "i"}, {"ei": "i"}, (1, 3), "GABA_InhToInh.json", 1.0e-4,
     ["somatic", "basal"], [0.0, 1.0e20]),
]
EXT_EDGES = [
    ("ext2e", {"ei": "e"}, 4, "AMPA_ExcToExc.json", 1.0e-3, ["basal", "apical"], [0.0, 1.0e20]),
    ("ext2i", {"ei": "i"}, 4, "AMPA_ExcToInh.json", 1.5e-3, ["somatic", "basal"], [0.0, 200.0]),
]
# Onto biophysical cells without location columns: the edge type's `target_sections` and
# `distance_range`, from which BioNet draws `nsyns` locations per row itself at load time.
TYPED_EDGES = [
    ("ext2e_typed", {"ei": "e"}, 3, "AMPA_ExcToExc.json", 5.0e-4, ["basal", "apical"], [50.0, 300.0]),
]
# NEURON's section names per SWC type, as BMTK's readers map them.
SECTION_TYPES = {"soma": "soma", "somatic": "soma", "axon": "axon", "axonal": "axon",
                 "dend": "dend", "basal": "dend", "apic": "apic", "apical": "apic"}


def log(msg):
    print(f"bionet_check: {msg}", flush=True)


# --- 1. build -----------------------------------------------------------------------------------

def locations(variant, sections, distance_range):
    """The ``add_properties`` arguments that place each synapse: (rule, rule_params)."""
    morphology_dir = str(COMPONENTS / "morphologies")
    if variant == "callback":
        from bmtk.builder.bionet import rand_syn_locations

        # A function of the script's (as bio_450cells's set_synapses): netbuild calls it per
        # synapse. (Given rand_syn_locations itself, netbuild would run it natively.)
        def set_synapses(src, trg, **params):
            return rand_syn_locations(src, trg, **params)
        return set_synapses, {"sections": sections, "distance_range": distance_range,
                              "morphology_dir": morphology_dir}
    from netbuild import rules
    return rules.syn_locations(sections=sections, distance_range=distance_range,
                               morphology_dir=morphology_dir), None


def build(out, variant):
    """The circuit, written by netbuild into ``out`` (BMTK's builder calls, netbuild's rules)."""
    from netbuild import NetworkBuilder, rules

    np.random.seed(7)
    bio = NetworkBuilder("bio")
    rng = np.random.default_rng(7)
    for name, ei, morphology, params in BIO_MODELS:
        n = CELLS_PER_MODEL
        bio.add_nodes(N=n, x=rng.uniform(-50, 50, n), y=rng.uniform(-100, 100, n), z=rng.uniform(-50, 50, n),
                      rotation_angle_yaxis=rng.uniform(0, 2 * np.pi, n),
                      model_name=name, ei=ei, morphology=morphology, dynamics_params=params,
                      model_type="biophysical", model_template="ctdb:Biophys1.hoc",
                      model_processing="aibs_perisomatic")
    for name, ei, params in (("LIF_exc", "e", "IntFire1_exc_1.json"), ("LIF_inh", "i", "IntFire1_inh_1.json")):
        bio.add_nodes(N=N_POINT, x=rng.uniform(-50, 50, N_POINT), y=rng.uniform(-100, 100, N_POINT),
                      z=rng.uniform(-50, 50, N_POINT), model_name=name, ei=ei, dynamics_params=params,
                      model_type="point_neuron", model_template="nrn:IntFire1")
    ext = NetworkBuilder("ext")
    ext.add_nodes(N=N_VIRTUAL, model_type="virtual", ei="e")

    def connect(p, nsyns):
        """The connection rule: netbuild's rule object (native), or, for the callback variant, a
        Python function as BMTK's scripts write it (netbuild computes a Python property
        function's values beside a Python or int connection rule)."""
        if variant != "callback":
            return rules.probability(p, nsyns=nsyns)

        def pair_rule(src, trg):
            if src.node_id == trg.node_id or np.random.random() >= p:
                return 0
            # (lo, hi): a number of synapses drawn in [lo, hi], as rules.probability's nsyns.
            return np.random.randint(nsyns[0], nsyns[1] + 1) if isinstance(nsyns, tuple) else nsyns
        return pair_rule

    def placed(cm, sections, distance_range):
        rule, params = locations(variant, sections, distance_range)
        cm.add_properties(LOCATION_COLUMNS, rule=rule, rule_params=params,
                          dtypes=[np.int64, np.float64, np.int64, np.float64])

    for tag, src, trg, nsyns, syn, weight, sections, drange in BIO_EDGES:
        cm = bio.add_edges(source=bio.nodes(**src), target=bio.nodes(model_type="biophysical", **trg),
                           connection_rule=connect(0.5, nsyns), tag=tag,
                           syn_weight=weight, delay=2.0, dynamics_params=syn, model_template="Exp2Syn")
        placed(cm, sections, drange)
    for ei, syn, weight in (("e", "instantaneousExc.json", 0.01), ("i", "instantaneousInh.json", 0.01)):
        bio.add_edges(source=bio.nodes(ei=ei), target=bio.nodes(model_type="point_neuron"),
                      connection_rule=rules.probability(0.5, nsyns=2), tag=f"{ei}2point",
                      syn_weight=weight, delay=2.0, dynamics_params=syn)
    for tag, trg, nsyns, syn, weight, sections, drange in EXT_EDGES:
        cm = ext.add_edges(source=ext.nodes(), target=bio.nodes(model_type="biophysical", **trg),
                           connection_rule=connect(0.5, nsyns), tag=tag,
                           syn_weight=weight, delay=2.0, dynamics_params=syn, model_template="Exp2Syn")
        placed(cm, sections, drange)
    for tag, trg, nsyns, syn, weight, sections, drange in TYPED_EDGES:
        ext.add_edges(source=ext.nodes(), target=bio.nodes(model_type="biophysical", **trg),
                      connection_rule=rules.probability(0.3, nsyns=nsyns), tag=tag,
                      target_sections=sections, distance_range=drange,
                      syn_weight=weight, delay=2.0, dynamics_params=syn, model_template="Exp2Syn")
    ext.add_edges(source=ext.nodes(), target=bio.nodes(model_type="point_neuron"),
                  connection_rule=rules.probability(0.5, nsyns=3), tag="ext2point",
                  syn_weight=0.05, delay=2.0, dynamics_params="instantaneousExc.json")
    bio.build()
    ext.build()
    # As BMTK's scripts: each builder saves its networks and the edges it made.
    bio.save(output_dir=str(out))
    ext.save(output_dir=str(out))


# --- 2. inputs and the simulation config ---------------------------------------------------------

def write_inputs(net, tstop):
    from bmtk.utils.reports.spike_trains import PoissonSpikeGenerator
    psg = PoissonSpikeGenerator(population="ext", seed=11)
    psg.add(node_ids=list(range(N_VIRTUAL)), firing_rate=INPUT_RATE, times=(0.0, tstop / 1000.0))
    (net / "inputs").mkdir(exist_ok=True)
    psg.to_sonata(str(net / "inputs" / "ext_spikes.h5"))


def write_config(net, mechanisms, tstop):
    """``bionet_config.json`` beside netbuild's configs: its ``networks`` and manifest
    (``${configdir}``), BioNet's run, conditions and inputs, components from bio_components."""
    # As a BMTK user writes it (netbuild's Python front, like BMTK's builder, writes no config
    # for a script of several builders): every nodes and edges file of the folder.
    def files(kind, one):
        return [{f"{kind}_file": f"$BASE_DIR/{f.name}",
                 f"{one}_types_file": f"$BASE_DIR/{f.name[:-len(f'_{kind}.h5')]}_{one}_types.csv"}
                for f in sorted(net.glob(f"*_{kind}.h5"))]
    (net / "node_sets.json").write_text(json.dumps({"bio": {"population": "bio"},
                                                    "ext": {"population": "ext"}}, indent=2))
    conf = {"manifest": {"$BASE_DIR": "${configdir}"},
            "networks": {"nodes": files("nodes", "node"), "edges": files("edges", "edge")},
            "node_sets_file": "$BASE_DIR/node_sets.json"}
    conf["target_simulator"] = "NEURON"
    conf["run"] = {"tstop": tstop, "dt": 0.1, "dL": 20.0, "spike_threshold": -15.0,
                   "nsteps_block": 5000}
    conf["conditions"] = {"celsius": 34.0, "v_init": -80.0}
    conf["components"] = {
        "morphologies_dir": str(COMPONENTS / "morphologies"),
        "synaptic_models_dir": str(COMPONENTS / "synaptic_models"),
        "biophysical_neuron_models_dir": str(COMPONENTS / "biophysical_neuron_templates" / "ctdb"),
        "point_neuron_models_dir": str(COMPONENTS / "point_neuron_templates"),
        "mechanisms_dir": str(mechanisms),
    }
    conf["inputs"] = {"ext_spikes": {"input_type": "spikes", "module": "sonata",
                                     "input_file": "$BASE_DIR/inputs/ext_spikes.h5", "node_set": "ext"}}
    conf["output"] = {"output_dir": "$BASE_DIR/output", "log_file": "log.txt",
                      "spikes_file": "spikes.h5", "overwrite_output_dir": True}
    path = net / "bionet_config.json"
    path.write_text(json.dumps(conf, indent=2) + "\n")
    return path


# --- 3. simulate and read back -------------------------------------------------------------------

def simulate(config, report):
    """In BioNet: build, read every synapse back (into ``report``, JSON), run."""
    from bmtk.simulator import bionet
    from bmtk.simulator.bionet.biocell import BioCell
    from neuron import h

    conf = bionet.Config.from_json(config, validate=True)
    conf.build_env()
    net = bionet.BioNetwork.from_config(conf)
    sim = bionet.BioSimulator.from_config(conf, network=net)

    synapses, netcons, sections = [], [], {}
    for gid, cell in net.get_local_cells().items():
        node_id = int(cell.node_id)
        if isinstance(cell, BioCell):
            soma = cell.soma[0]
            # Per section (in `all` order): h.distance of its 0 end, and its length.
            sections[node_id] = [(h.distance(soma(0), sec(0.0)), sec.L) for sec in cell.get_sections()]
            for c in cell.connections():
                e, syn = c._edge_prop, c._syn
                seg = syn.get_segment()
                if e.preselected_targets:  # the row's location columns
                    sec_id, pos = int(e.afferent_section_id), float(e.afferent_section_pos)
                    sec = cell.get_sections()[sec_id]
                else:  # BioNet drew the location
                    sec, pos = seg.sec, seg.x
                synapses.append({
                    "target": node_id, "preselected": bool(e.preselected_targets),
                    "tag": e["tag"], "pos": pos,
                    # NEURON's names: <template>[i].soma[0], .dend[k], .apic[k], .axon[k]
                    "sec_type": seg.sec.name().split(".")[-1].split("[")[0],
                    "same_section": seg.sec == sec,
                    # From soma[0](0), as BMTK's SWCReader and BioNet's Morphology measure
                    # (`h.distance(sec=soma[0])` puts the origin there).
                    "dist_at_pos": h.distance(soma(0), sec(pos)),
                    "dist_sec": sorted(h.distance(soma(0), sec(x)) for x in (0.0, 1.0)),
                    "dist_at_syn": h.distance(soma(0), seg),
                    # Half the length of the reader's segment holding the position (BMTK's
                    # reader keeps NEURON's one segment per section: no dL is asked here).
                    "half_reader_seg": sec.L / 2.0,
                    "half_seg": seg.sec.L / seg.sec.nseg / 2.0,
                })
        else:
            for c in cell.connections():
                netcons.append({"target": node_id, "tag": c._edge_prop["tag"], "weight": c.syn_weight})
    t0 = time.time()
    sim.run()
    run_s = time.time() - t0
    report.write_text(json.dumps({"synapses": synapses, "netcons": netcons, "sections": sections,
                                  "run_s": run_s}) + "\n")
    bionet.nrn.quit_execution()


# --- 4. checks ----------------------------------------------------------------------------------

def expected(net):
    """{tag: (rows, synapses = sum of nsyns, location columns in every row's group, the summed
    NetCon weight BioNet gives a point cell: syn_weight x nsyns x the synapse's sign)}, from the
    edges files (every group) and the edge types CSVs."""
    import h5py
    import pandas as pd

    out = {}
    for f in sorted(net.glob("*_edges.h5")):
        types = pd.read_csv(str(f).replace("_edges.h5", "_edge_types.csv"), sep=" ")
        tags = dict(zip(types["edge_type_id"], types["tag"]))
        weights = dict(zip(types["edge_type_id"], types["syn_weight"]))
        signs = {t: json.loads((COMPONENTS / "synaptic_models" / p).read_text()).get("sign", 1)
                 for t, p in zip(types["edge_type_id"], types["dynamics_params"])}
        with h5py.File(f, "r") as h:
            for pop in h["edges"].values():
                type_ids = pop["edge_type_id"][()]
                group_ids, index = pop["edge_group_id"][()], pop["edge_group_index"][()]
                for t in np.unique(type_ids):
                    m = type_ids == t
                    n, has_loc = 0, True
                    for gid in np.unique(group_ids[m]):
                        g = pop[str(gid)]
                        rows = index[m & (group_ids == gid)]
                        n += int(g["nsyns"][()][rows].sum()) if "nsyns" in g else len(rows)
                        has_loc &= "afferent_section_id" in g
                    out[tags[t]] = (int(m.sum()), n, has_loc, n * float(weights[t]) * signs[t])
    return out


def check(net, report, failures):
    rep = json.loads(report.read_text())
    want = expected(net)
    got, weight = {}, {}
    for s in rep["synapses"] + rep["netcons"]:
        got[s["tag"]] = got.get(s["tag"], 0) + 1
        weight[s["tag"]] = weight.get(s["tag"], 0.0) + s.get("weight", 0.0)
    onto_bio = {e[0] for e in BIO_EDGES + EXT_EDGES + TYPED_EDGES}
    typed = {e[0] for e in TYPED_EDGES}
    for tag, (rows, n, has_loc, w) in sorted(want.items()):
        if tag in onto_bio:
            ok = got.get(tag, 0) == n
            log(f"  {tag}: {got.get(tag, 0)} NEURON synapses; {rows} rows, rows x nsyns = {n} "
                f"({'ok' if ok else 'MISMATCH'})")
            if not ok:
                failures.append(f"{tag}: BioNet made {got.get(tag, 0)} NEURON synapses, the files hold {n}")
        else:
            # One NetCon per row onto a point cell, weighted by nsyns.
            ok = got.get(tag, 0) == rows and np.isclose(weight.get(tag, 0.0), w, rtol=1e-9)
            log(f"  {tag}: {got.get(tag, 0)} NetCons onto point cells of summed weight "
                f"{weight.get(tag, 0.0):.6g}; {rows} rows, rows x nsyns = {n}, x syn_weight x sign = "
                f"{w:.6g} ({'ok' if ok else 'MISMATCH'})")
            if not ok:
                failures.append(f"{tag}: BioNet made {got.get(tag, 0)} NetCons of summed weight "
                                f"{weight.get(tag, 0.0):.6g}, the files: {rows} rows, {w:.6g}")
        if tag in onto_bio and tag not in typed and not has_loc:
            failures.append(f"{tag}: no afferent_section_id column in the edges file")
    for s in rep["synapses"]:
        if s["preselected"] == (s["tag"] in typed):
            failures.append(f"{s['tag']}: BioNet {'took' if s['preselected'] else 'drew'} the locations, "
                            f"expected the other way: {s}")
            break
    asked = {e[0]: (e[6], e[7]) for e in BIO_EDGES}
    asked.update({e[0]: (e[5], e[6]) for e in EXT_EDGES + TYPED_EDGES})
    inside = expected_inside(rep["sections"], asked,
                             {(s["target"], s["tag"]) for s in rep["synapses"] if s["tag"] not in typed})
    eps = 1e-6  # NEURON's distances against the reader's, in um
    for tag, (sections, (lo, hi)) in sorted(asked.items()):
        syns = [s for s in rep["synapses"] if s["tag"] == tag]
        if not syns:
            failures.append(f"{tag}: no synapse (the check needs some)")
        types = {SECTION_TYPES[x] for x in sections}
        wrong_type = [s for s in syns if s["sec_type"] not in types]
        elsewhere = [s for s in syns if not s["same_section"]]
        bad = [(wrong_type, "on a section of another type"),
               (elsewhere, "not on the section their row names")]
        d = [s["dist_at_pos"] for s in syns]
        if tag in typed:
            # BioNet's own draw: a section overlapping the range.
            no_overlap = [s for s in syns if s["dist_sec"][1] < lo or s["dist_sec"][0] > hi]
            log(f"  {tag}: {len(syns)} synapses drawn by BioNet on {sorted({s['sec_type'] for s in syns})} "
                f"(asked {sorted(types)}), h.distance {min(d, default=0):.1f}..{max(d, default=0):.1f} um "
                f"(asked {lo:g}..{hi:g}): {len(no_overlap)} on a section outside the range")
            bad.append((no_overlap, "on a section wholly outside the distance range"))
        else:
            # BMTK's bound: the centre of a reader segment overlapping [lo, hi].
            out_pos = [s for s in syns if not lo - s["half_reader_seg"] - eps < s["dist_at_pos"]
                       < hi + s["half_reader_seg"] + eps]
            out_syn = [s for s in syns
                       if not lo - s["half_reader_seg"] - s["half_seg"] - eps < s["dist_at_syn"]
                       < hi + s["half_reader_seg"] + s["half_seg"] + eps]
            strictly = sum(lo <= x <= hi for x in d)
            p_in = [inside[(s["target"], tag)] for s in syns]
            want, sd = sum(p_in), sum(max(p * (1 - p), 0.0) for p in p_in) ** 0.5
            log(f"  {tag}: {len(syns)} synapses on {sorted({s['sec_type'] for s in syns})} (asked {sorted(types)}), "
                f"h.distance {min(d, default=0):.1f}..{max(d, default=0):.1f} um (asked {lo:g}..{hi:g}): "
                f"{len(wrong_type)} on another type, {len(elsewhere)} off their row's section, "
                f"{len(out_pos)} beyond the range widened by half their reader segment, {len(out_syn)} "
                f"beyond it by more than half a NEURON segment; {strictly} strictly inside "
                f"({strictly / max(len(syns), 1):.3f}; expected {want:.1f} +- {sd:.1f})")
            bad += [(out_pos, "outside the range widened by half their reader segment at their row's position"),
                    (out_syn, "outside that bound by more than half a segment where NEURON put them")]
            if abs(strictly - want) > 4 * sd + 1:
                failures.append(f"{tag}: {strictly} of {len(syns)} synapses strictly inside [{lo:g}, {hi:g}], "
                                f"expected {want:.1f} +- {sd:.1f} from the candidates' probabilities")
        for which, what in bad:
            if which:
                failures.append(f"{tag}: {len(which)} synapse(s) {what}, e.g. {which[0]}")
    return rep


def expected_inside(sections, asked, pairs):
    """{(node id, tag): the probability that a synapse of edge type `tag` onto biophysical cell
    `node id` lies strictly inside the asked range at its position}, for the (node id, tag)
    `pairs`: the summed probability of the candidates (netbuild's
    ``rules.syn_location_candidates``, which the NEURON oracle of crates/python/tests/
    test_syn_locations.py checks against BMTK's reader) whose position is inside,
    by NEURON's distances (``sections``: the report's start distance and length per section)."""
    from netbuild import rules

    out = {}
    for node, tag in pairs:
        names, (lo, hi) = asked[tag]
        secs = sections[str(node)]
        morphology = BIO_MODELS[node // CELLS_PER_MODEL][2]
        cands = rules.syn_location_candidates(COMPONENTS / "morphologies" / morphology, names,
                                              (lo, hi), fix_axon=True)
        out[(node, tag)] = sum(p for _, sec, x, p, _, _ in cands
                               if lo <= secs[sec][0] + x * secs[sec][1] <= hi)
    return out


def spikes(net, failures):
    import h5py
    with h5py.File(net / "output" / "spikes.h5", "r") as h:
        pop = h["spikes"]["bio"]
        ids = pop["node_ids"][()]
    n_bio = len(BIO_MODELS) * CELLS_PER_MODEL
    bio_ids, point_ids = {int(i) for i in ids if i < n_bio}, {int(i) for i in ids if i >= n_bio}
    log(f"  spikes: {len(ids)} from {len(bio_ids)} of {n_bio} biophysical and {len(point_ids)} of "
        f"{2 * N_POINT} point cells")
    if not bio_ids:
        failures.append("no biophysical cell spiked")
    if not point_ids:
        failures.append("no point cell spiked")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mechanisms", type=Path, help="folder where nrnivmodl compiled the mechanisms")
    ap.add_argument("--locations", choices=("callback", "native"), default="callback")
    ap.add_argument("--tstop", type=float, default=250.0)
    ap.add_argument("--keep", type=Path, help="build into this folder and keep it")
    ap.add_argument("--child", nargs=2, metavar=("STEP", "ARG"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        step, arg = args.child
        if step == "build":
            build(Path(arg), args.locations)
        else:
            simulate(arg, Path(os.environ["BIONET_CHECK_REPORT"]))
        return 0

    if not args.mechanisms or not (args.mechanisms / "x86_64").is_dir():
        sys.exit("bionet_check: --mechanisms: a folder where nrnivmodl ran (with x86_64/) is needed")
    tmp = Path(tempfile.mkdtemp(prefix="bionet-check."))
    net = (args.keep or tmp / "network").resolve()
    if net.exists():
        if not (net / "bionet_config.json").exists():
            sys.exit(f"bionet_check: {net} exists and is no folder of this check: not touching it")
        shutil.rmtree(net)
    try:
        t0 = time.time()
        me = [sys.executable, str(Path(__file__).resolve()), "--locations", args.locations]
        subprocess.run(me + ["--child", "build", str(net)], cwd=tmp, check=True)
        log(f"built {net} with netbuild (locations: {args.locations}) in {time.time() - t0:.1f} s")
        write_inputs(net, args.tstop)
        config = write_config(net, args.mechanisms.resolve(), args.tstop)
        report = tmp / "report.json"
        t0 = time.time()
        # From /: every path comes from the config (${configdir}), none from the working directory.
        subprocess.run(me + ["--child", "simulate", os.path.relpath(config, "/")], cwd="/", check=True,
                       env={**os.environ, "BIONET_CHECK_REPORT": str(report)})
        failures = []
        rep = check(net, report, failures)
        log(f"BioNet loaded and simulated {args.tstop:g} ms from / in {time.time() - t0:.1f} s "
            f"(run {rep['run_s']:.1f} s)")
        spikes(net, failures)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        for f in failures:
            log(f"FAILED: {f}")
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
