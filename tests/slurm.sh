#!/usr/bin/env bash
# End-to-end test of slurm/netbuild.sbatch on a single-node SLURM cluster (scripts/slurm-local):
#   starts the cluster (installing slurm-wlm and munge if missing), submits the job script with 2 tasks
#   (`sbatch --wait`) to build quickstart.toml, builds the same spec plainly (one process), and checks that
#   both folders hold the same files, byte for byte, and that the job log shows 2 tasks ran.
#   The job runs with a small memory budget, so its ranks spill to the node-local spill folder; its log must
#   show that budget and its source. Then `netbuild-mpi check` in a job of `--mem-per-cpu=512M` must
#   take its default budget from SLURM (SLURM_MEM_PER_CPU x SLURM_CPUS_ON_NODE, or the job's cgroup): 3/4 of 512 MiB.
# Stops the daemons it started (a cluster that was already up is left running).
# Environment: LAUNCHERS="srun mpirun" (default) runs one job per launcher; KEEP=1 keeps the temp folder;
#   NETBUILD_SLURM_DIR as for scripts/slurm-local.
#   SLURM_TEST_TIMEOUT (s, default 170): the deadline for the whole test, not counting a cargo build when
#   the binary is missing; each step gets what is left of it.
# Exits non-zero on any failure; takes about 30 s once the packages are installed, 50 s with the install.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
T0=$SECONDS
say() { echo "slurm.sh [$((SECONDS - T0)) s]: $*"; }
die() { echo "slurm.sh [$((SECONDS - T0)) s]: FAILED: $*" >&2; exit 1; }

if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
BIN="$ROOT/target/release/netbuild-mpi"
if [[ ! -x "$BIN" ]]; then
    say "no $BIN: cargo build --release"
    command -v cargo >/dev/null 2>&1 || source "$HOME/.cargo/env"
    cargo build --release -q
fi
if [[ -f "$ROOT/../shared/examples/quickstart.toml" ]]; then
    SPEC=$(cd "$ROOT/../shared/examples" && pwd)/quickstart.toml
else
    SPEC="$ROOT/examples/quickstart.toml"
fi
[[ -f "$SPEC" ]] || die "no quickstart.toml"

DEADLINE=$((SECONDS + ${SLURM_TEST_TIMEOUT:-170}))
# Seconds left before the deadline, at most $1.
left() {
    local l=$((DEADLINE - SECONDS))
    ((l > 0)) || die "out of time (SLURM_TEST_TIMEOUT=${SLURM_TEST_TIMEOUT:-170} s)"
    echo $((l < $1 ? l : $1))
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/netbuild-slurm-test.XXXXXX")
started=0
jobid=""
cleanup() {
    local rc=$?
    if [[ -n "$jobid" ]]; then scancel "$jobid" 2>/dev/null || true; fi
    if ((started)); then scripts/slurm-local stop || true; fi
    if [[ "${KEEP:-0}" == 1 ]]; then echo "slurm.sh: kept $WORK"; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$(scripts/slurm-local env)"   # export SLURM_CONF=...
if scripts/slurm-local status >/dev/null 2>&1; then
    say "a cluster is already up: using it, leaving it running"
else
    say "scripts/slurm-local start"
    started=1
    timeout "$(left 120)" scripts/slurm-local start || die "scripts/slurm-local start"
fi

say "plain build of $SPEC"
timeout "$(left 60)" "$BIN" "$SPEC" -o "$WORK/plain" >"$WORK/plain.log" 2>&1 || { tail -n 20 "$WORK/plain.log"; die "plain build"; }
listing() { (cd "$1" && find . -mindepth 1 -printf '%y %p\n' | LC_ALL=C sort); }
entries=$(listing "$WORK/plain")
files=$(sed -n 's/^f //p' <<<"$entries")
[[ -n "$files" ]] || die "the plain build wrote no files"

for launcher in ${LAUNCHERS:-srun mpirun}; do
    out="$WORK/slurm-$launcher"
    log="$WORK/job-$launcher.log"
    say "sbatch --wait -n 2 slurm/netbuild.sbatch (LAUNCHER=$launcher)"
    rc=0
    limit=$(left 90)
    # The command line overrides the script's #SBATCH lines: a small --mem-per-cpu fits any test machine.
    SPEC="$SPEC" OUTPUT_DIR="$out" MEMORY_BUDGET="16 MiB" SPILL_DIR="$WORK/spill-$launcher" \
    NETBUILD="$BIN" LAUNCHER="$launcher" \
        timeout "$limit" sbatch --wait --parsable --job-name="netbuild-test-$launcher" --nodes=1 --ntasks=2 \
        --cpus-per-task=1 --mem-per-cpu=1G --time=00:03:00 --output="$log" \
        slurm/netbuild.sbatch >"$WORK/sbatch-$launcher.out" 2>&1 || rc=$?
    jobid=$(head -n 1 "$WORK/sbatch-$launcher.out" | tr -dc 0-9)
    if ((rc != 0)); then
        cat "$WORK/sbatch-$launcher.out" >&2
        if [[ -f "$log" ]]; then sed 's/\x1b\[[0-9;]*m//g' "$log" | tail -n 40 >&2; fi
        ((rc == 124)) && die "job $jobid ($launcher) did not finish in $limit s"
        die "job $jobid ($launcher) exited with $rc"
    fi
    jobid=""
    sed -i 's/\x1b\[[0-9;]*m//g' "$log"   # netbuild's log colours
    sed 's/^/    | /' "$log"

    # Evidence that 2 tasks ran: the allocation, and each rank saying who it is.
    grep -q "SLURM_NTASKS=2 " "$log" || die "the job log does not show SLURM_NTASKS=2"
    for r in 0 1; do
        grep -q "^netbuild.sbatch: task $r of 2 on " "$log" || die "the job log does not show task $r of 2 ($launcher)"
    done
    grep -q "spills=[1-9]" "$log" || die "the job's ranks did not spill (MEMORY_BUDGET=16 MiB) ($launcher)"
    grep -q "writer=parallel" "$log" || die "the 2 tasks did not write through parallel HDF5 ($launcher)"
    grep -q "memory budget: 16.0 MiB per rank (--memory-budget)" "$log" || die "the job log does not show the budget and its source ($launcher)"
    [[ -d "$WORK/spill-$launcher" ]] || die "no spill folder $WORK/spill-$launcher ($launcher)"
    [[ -z "$(ls -A "$WORK/spill-$launcher")" ]] || die "spill files left behind: $(ls -A "$WORK/spill-$launcher")"

    # The same files: CSV and JSON byte for byte, HDF5 with the same content (the 2 tasks
    # write through parallel HDF5, whose MPI-IO layout differs from one process's).
    got=$(listing "$out")
    [[ "$got" == "$entries" ]] || { diff <(echo "$entries") <(echo "$got") >&2 || true; die "different file lists ($launcher)"; }
    while IFS= read -r f; do
        case "$f" in
            *.h5) h5diff "$WORK/plain/$f" "$out/$f" >&2 || die "$f holds other data than the plain build's ($launcher)" ;;
            *) cmp "$WORK/plain/$f" "$out/$f" || die "$f differs between the plain build and the SLURM job ($launcher)" ;;
        esac
    done <<<"$files"
    say "OK: $launcher, 2 tasks, $(echo "$files" | wc -l) files identical to the plain build (h5diff for HDF5)"
    rm -rf "$out"
done
# The default budget inside an allocation: netbuild reads SLURM's memory variables (or the job's cgroup,
# which holds the same limit): 3/4 of 512 MiB x 1 CPU, for the one rank on the node. (A batch job: srun
# alone does not pass SLURM_MEM_PER_CPU on to its tasks.)
say "sbatch --mem-per-cpu=512M: netbuild-mpi check (the default budget from SLURM)"
timeout "$(left 60)" sbatch --wait --job-name=netbuild-test-budget --ntasks=1 --cpus-per-task=1 \
    --mem-per-cpu=512M --time=00:01:00 --output="$WORK/check.json" --error="$WORK/check.err" \
    --wrap "$(printf '%q ' "$BIN" check "$SPEC" --json)" >"$WORK/sbatch-check.out" 2>&1 \
    || { cat "$WORK/sbatch-check.out" "$WORK/check.err" >&2; die "sbatch check"; }
python3 - "$WORK/check.json" <<'PY' || die "the default budget in the allocation is not SLURM's (check --json above)"
import json, sys
m = json.load(open(sys.argv[1]))["memory"]
print("    | budget", m["budget"], "from:", m["budget_from"])
assert m["budget_source"] in ("slurm_mem_per_cpu", "cgroup"), m
assert m["budget"] == 384 << 20, m
PY
say "passed"
