#!/usr/bin/env python3
"""Peak machine memory of a (multi-rank) netbuild run: the sum of the PSS of every netbuild-mpi
process (or every process named NAME: `--comm python` for a Python script and the workers it
forks) whose command line holds MARKER, sampled every 20 ms while CMD runs.

PSS counts a page shared by k processes as 1/k in each, so the sum is the memory the machine
really gives the job (pages of the per-host node map counted once); summing each rank's peak RSS
(VmHWM) would count them once per rank.

usage: scripts/pss_peak.py [--comm NAME] MARKER -- CMD...   (e.g. MARKER = the output folder's name)
prints: peak_pss_mib=N procs=K rc=R
"""
import os
import subprocess
import sys
import time


def pss_kib(marker: bytes, comm: bytes = b"netbuild-mpi") -> tuple[int, int]:
    total, procs = 0, 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker not in f.read():
                    continue
            with open(f"/proc/{pid}/comm", "rb") as f:
                if comm not in f.read():
                    continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        procs += 1
        except OSError:
            pass  # the process ended between the listing and the read
    return total, procs


def main() -> int:
    args, comm = sys.argv[1:], b"netbuild-mpi"
    if args[:1] == ["--comm"] and len(args) > 1:
        comm, args = args[1].encode(), args[2:]
    if len(args) < 3 or args[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    marker, cmd = args[0].encode(), args[2:]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    peak, peak_procs = 0, 0
    while p.poll() is None:
        total, procs = pss_kib(marker, comm)
        if total > peak:
            peak, peak_procs = total, procs
        time.sleep(0.02)
    print(f"peak_pss_mib={peak / 1024:.0f} procs={peak_procs} rc={p.returncode}")
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
