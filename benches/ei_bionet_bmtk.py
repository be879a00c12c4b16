"""A replica of BMTK's examples/ei_networks/bionet/build_network.py (a Brunel E/I network of
biophysical cells), written for netbuild's benchmark: the same networks, node counts,
connection functions, iterators, edge-type properties and save calls.

    [FRONT=bmtk|netbuild] [SCALE=1.0] python ei_bionet_bmtk.py OUT_DIR

- internal: 10,000 excitatory (Scnn1a) and 2,500 inhibitory (PV1) cells, no positions; four
  edge types e->e, e->i, i->e, i->i (the last two onto biophysical targets), each a per-pair
  function (`one_to_one`) drawing `np.random.binomial(1, 0.1)` for every pair but self-pairs;
  `build`, `save`;
- external: 100 virtual cells connected to every internal cell by the same function; `build`,
  `save` (of the same folder, as the original does).

FRONT=bmtk builds with BMTK, else netbuild (the import line of ei_common.py is the one difference). SCALE
multiplies the internal cell counts (1.0: the original's).
"""
import sys

from ei_common import DELAY, EPS, N_EXC, N_INH, NetworkBuilder, random_connections

N_EXT = 100  # virtual input cells
OUT = sys.argv[1]

CELLS = {
    "Internal_exc": dict(N=N_EXC, model_type="biophysical", model_name="Scnn1a", ei="e",
                         morphology="Scnn1a_473845048_m.swc",
                         model_template="nml:Cell_472363762.cell.nml"),
    "Internal_inh": dict(N=N_INH, model_type="biophysical", model_name="PV1", ei="i",
                         morphology="Pvalb_470522102_m.swc",
                         model_template="nml:Cell_472912177.cell.nml"),
}


internal = NetworkBuilder("internal")
for cell in CELLS.values():
    internal.add_nodes(**cell)

for src, trg, dyn, weight, sections, reach in (
        ({"ei": "e"}, {"ei": "e"}, "brunel_excitatory.json", 7.0e-5, ["basal", "apical"], [0.0, 1e20]),
        ({"ei": "e"}, {"ei": "i"}, "brunel_excitatory.json", 7.0e-5, ["somatic", "basal"], [0.0, 1e20]),
        ({"ei": "i"}, {"ei": "e", "model_type": "biophysical"}, "brunel_inhibitory.json", 17.5e-5,
         ["somatic", "basal", "apical"], [0.0, 200]),
        ({"ei": "i"}, {"ei": "i", "model_type": "biophysical"}, "brunel_inhibitory.json", 17.5e-5,
         ["somatic", "basal"], [0.0, 1e20])):
    internal.add_edges(source=src, target=trg, connection_rule=random_connections,
                       connection_params={"p": EPS}, dynamics_params=dyn, model_template="Exp2Syn",
                       syn_weight=weight, delay=DELAY, target_sections=sections,
                       distance_range=reach)
internal.build()
internal.save(output_dir=OUT)

external = NetworkBuilder("external")
external.add_nodes(N=N_EXT, model_type="virtual", ei="e")
external.add_edges(source=external.nodes(), target=internal.nodes(),
                   connection_rule=random_connections, connection_params={"p": 0.1},
                   dynamics_params="AMPA_ExcToExc.json", model_template="Exp2Syn",
                   syn_weight=7.0e-3, delay=DELAY, target_sections=["somatic", "basal"],
                   distance_range=[0.0, 1e20])
external.build()
external.save(output_dir=OUT)
