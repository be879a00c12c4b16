#!/usr/bin/env python3
"""BMTK's scripts where time matters, built by BMTK 1.2 and by netbuild side by side (called by
scripts/bench_python, which documents the options; run it with the project's .venv).

For each script of benches/ (ei_pointnet_bmtk.py, ei_bionet_bmtk.py, bio300_bmtk.py): FRONT=bmtk
then FRONT=netbuild, one process each (netbuild with its default worker processes), each under
scripts/pss_peak.py --comm python (the peak of the summed PSS of the script's process and the
workers it forks) and /usr/bin/time -v (user + system CPU seconds of the process and its
workers). Prints a markdown table (wall s, peak MiB, CPU s, synapses, netbuild/BMTK ratios of
wall time, CPU time and memory) and, with --write FILE, puts it into FILE between
`<!-- python-scripts:start -->` and `<!-- python-scripts:end -->` (appended if absent).
"""

import argparse
import datetime
import glob
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = {
    "ei_pointnet": ("ei_pointnet_bmtk.py", "examples/ei_networks/pointnet", True),
    "ei_bionet": ("ei_bionet_bmtk.py", "examples/ei_networks/bionet", True),
    "bio300": ("bio300_bmtk.py", "examples/bio_300cells_nosurround", False),
}
START, END = "<!-- python-scripts:start -->", "<!-- python-scripts:end -->"


def synapses(folder):
    """Synapses in every edges file of `folder` (nsyns summed, else one per row)."""
    n = 0
    for f in glob.glob(os.path.join(folder, "*_edges.h5")):
        with h5py.File(f) as h:
            for pop in h["edges"].values():
                groups = [pop[g] for g in pop if g.isdigit()]
                if groups and all("nsyns" in g for g in groups):
                    n += sum(int(g["nsyns"][()].sum()) for g in groups)
                else:
                    n += len(pop["source_node_id"])
    return n


def run(tool, name, scale, tmp):
    """One build: (wall s, peak PSS MiB, CPU s, synapses, load before)."""
    script = ROOT / "benches" / SCRIPTS[name][0]
    out = os.path.join(tmp, f"{name}-{tool}")
    subprocess.run(["rm", "-rf", out], check=True)
    os.makedirs(out + ".run", exist_ok=True)
    env = dict(os.environ, FRONT=tool, SCALE=str(scale))
    timefile = out + ".time"
    cmd = [sys.executable, str(ROOT / "scripts" / "pss_peak.py"), "--comm", "python", out, "--",
           "/usr/bin/time", "-v", "-o", timefile, sys.executable, str(script), out]
    load = os.getloadavg()[0]
    print(f"  {name}: {tool} ...", flush=True)
    t0 = time.monotonic()
    # The script's own folder: BMTK and the scripts print there; relative paths stay inside.
    p = subprocess.run(cmd, env=env, cwd=out + ".run", capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"bench_python: {name} with {tool} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    peak = int(re.search(r"peak_pss_mib=(\d+)", p.stdout).group(1))
    timing = open(timefile).read()
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", timing).group(1))
              for k in ("User", "System"))
    n = synapses(out)
    subprocess.run(["rm", "-rf", out, out + ".run"], check=True)
    row = (wall, peak, cpu, n, load)
    print(f"    wall {wall:.1f} s, peak {peak} MiB, CPU {cpu:.1f} s, {n} synapses, load {load:.1f}",
          flush=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scripts", default="ei_pointnet,ei_bionet,bio300")
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--cmdline", default="scripts/bench_python")
    ap.add_argument("--skip-bmtk", action="store_true")
    ap.add_argument("--write")
    a = ap.parse_args()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = ["| script | scale | tool | wall s | peak MiB | CPU s | synapses | load | "
             "time netbuild/BMTK | CPU netbuild/BMTK | memory netbuild/BMTK |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in a.scripts.split(","):
        if name not in SCRIPTS:
            sys.exit(f"bench_python: unknown script {name} (one of {', '.join(SCRIPTS)})")
        scale = a.scale if SCRIPTS[name][2] else 1.0
        rows = {}
        for tool in ("bmtk", "netbuild"):
            if tool == "bmtk" and a.skip_bmtk:
                continue
            rows[tool] = run(tool, name, scale, a.tmp)
        for tool, (wall, peak, cpu, n, load) in rows.items():
            ratio = ("", "", "")
            if tool == "netbuild" and "bmtk" in rows:
                bmtk = rows["bmtk"]
                ratio = (f"**{wall / bmtk[0]:.2f}x**", f"{cpu / bmtk[2]:.2f}x",
                         f"{peak / bmtk[1]:.2f}x")
            lines.append(f"| {name} | {scale:g} | {tool} | {wall:.1f} | {peak} | {cpu:.1f} | {n:,} | "
                         f"{load:.1f} | {' | '.join(ratio)} |")
    table = "\n".join(lines)
    print()
    print(table)
    if not a.write:
        return
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip() or "?"
    import bmtk
    section = f"""{START}
## Python front: BMTK's scripts

Generated by `{a.cmdline}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}
({os.cpu_count()} cores, load average before: {load_before}; netbuild {rev}, bmtk
{bmtk.__version__}). BMTK's example scripts where the builder's time matters, as BMTK-style
replicas (`benches/ei_pointnet_bmtk.py`: {SCRIPTS['ei_pointnet'][1]}, `benches/ei_bionet_bmtk.py`:
{SCRIPTS['ei_bionet'][1]}, `benches/bio300_bmtk.py`: {SCRIPTS['bio300'][1]}; the same networks,
node counts, functions, iterators, properties and `save` calls), each run with
`FRONT=bmtk|netbuild python benches/SCRIPT OUT` (the import line is the one difference), one
process each, no `mpirun`: netbuild evaluates the Python functions in worker processes, one per
core. `scale` multiplies the cell counts of the E/I networks (1: the originals'; pairs grow with
its square). Wall time: the whole script (interpreter start and imports included); peak MiB:
the summed PSS of the script's process and its workers (`scripts/pss_peak.py --comm python`);
CPU s: user + system of the process and its workers (`/usr/bin/time -v`); load: the 1-minute
load average before the run (above {os.cpu_count()}, other jobs competed for the cores: times
inflated, ratios noisy).

{table}
{END}
"""
    text = Path(a.write).read_text()
    pattern = re.compile(rf"^{re.escape(START)}$.*?^{re.escape(END)}$\n?", re.S | re.M)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text + "\n" + section
    Path(a.write).write_text(text)
    print(f"bench_python: wrote its section of {a.write}")


if __name__ == "__main__":
    main()
