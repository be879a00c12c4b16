"""A biophysical circuit with many distinct morphologies, for measuring what `[edges.locations]`
costs in memory per rank (docs/BIONET.md, "Morphologies once per host").

    python benches/many_morphologies.py OUT [--morphologies 1000] [--cells 4000]

Writes into OUT (made if missing; nothing else is touched):
- ``morphs/m0000.swc`` ... : MORPHOLOGIES symbolic links to the five SWC files of
  ../shared/bio_components/morphologies in turn, so that netbuild sees that many distinct files;
- ``spec.toml``: 50 virtual cells onto CELLS biophysical ones (``aibs_perisomatic``, a
  morphology each drawn among the files, positions and a y rotation), two edge types
  (probability 0.2, nsyns 2) with ``[edges.locations]`` at ``dL = 20`` on different sections
  and ranges: ~160,000 synapses.

Then, e.g.: ``scripts/pss_peak.py out4 -- mpirun -n 4 --oversubscribe
target/release/netbuild-mpi OUT/spec.toml -o OUT/out4``.
"""

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ROOT.parent / "shared" / "bio_components" / "morphologies"

EDGE_TYPES = [(["basal", "apical"], [0.0, 1.0e20]), (["somatic", "basal"], [0.0, 100.0])]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--morphologies", type=int, default=1000)
    ap.add_argument("--cells", type=int, default=4000)
    args = ap.parse_args()
    sources = sorted(COMPONENTS.glob("*.swc"))
    if not sources:
        raise SystemExit(f"many_morphologies: no .swc file in {COMPONENTS}")
    morphs = args.out / "morphs"
    morphs.mkdir(parents=True, exist_ok=True)
    names = []
    for k in range(args.morphologies):
        name = f"m{k:04d}.swc"
        link = morphs / name
        if not link.is_symlink():
            link.symlink_to(sources[k % len(sources)])
        names.append(name)
    edges = "".join(f"""
[[edges]]
source = {{ network = "lgn" }}
target = {{ network = "bio" }}
rule = {{ probability = 0.2 }}
nsyns = 2
[edges.locations]
sections = {json.dumps(sections)}
distance_range = {json.dumps(distance_range)}
morphology_dir = "{morphs.resolve()}"
dL = 20.0
""" for sections, distance_range in EDGE_TYPES)
    (args.out / "spec.toml").write_text(f"""[build]
seed = 5

[[nodes]]
network = "lgn"
N = 50
model_type = "virtual"

[[nodes]]
network = "bio"
N = {args.cells}
model_type = "biophysical"
model_processing = "aibs_perisomatic"
morphology = {{ choice = {json.dumps(names)} }}
x = {{ uniform = [0.0, 100.0] }}
y = {{ uniform = [0.0, 100.0] }}
z = {{ uniform = [0.0, 100.0] }}
rotation_angle_yaxis = {{ uniform = [0.0, 6.28] }}
{edges}""")
    print(args.out / "spec.toml")


if __name__ == "__main__":
    main()
