#!/usr/bin/env bash
# End-to-end test of slurm/netbuild.sbatch on a single-node SLURM cluster (scripts/slurm-local):
#   starts the cluster (installing slurm-wlm and munge if missing), submits the job script with 2 tasks
#   (`sbatch --wait`) to build quickstart.toml, builds the same spec plainly (one process), and checks that
#   both folders hold the same files, byte for byte, and that the job log shows 2 tasks ran.
#   The job runs with a small memory budget, so its ranks spill to the node-local spill folder; its log must
#   show that budget and its source. Then `netbuild-mpi check` in a job of `--mem-per-cpu=512M` must
#   take its default budget from SLURM (SLURM_MEM_PER_CPU x SLURM_CPUS_ON_NODE, or the job's cgroup): 3/4 of 512 MiB.
#   Then (RESUME_TEST=1, the default) a 4-population build is stopped by SIGUSR1 to the batch shell once a
#   population is finished, requeued by the script, resumed, and compared with a plain build.
# Stops the daemons it started (a cluster that was already up is left running).
# Environment: LAUNCHERS="srun mpirun" (default) runs one job per launcher; KEEP=1 keeps the temp folder;
#   NETBUILD_SLURM_DIR as for scripts/slurm-local.
#   SLURM_TEST_TIMEOUT (s, default 400): the deadline for the whole test, not counting a cargo build when
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

DEADLINE=$((SECONDS + ${SLURM_TEST_TIMEOUT:-400}))
# Seconds left before the deadline, at most $1.
left() {
    local l=$((DEADLINE - SECONDS))
    ((l > 0)) || die "out of time (SLURM_TEST_TIMEOUT=${SLURM_TEST_TIMEOUT:-400} s)"
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
# Two manifests (.netbuild.json) list the same files and folders (their sizes and times may differ).
same_manifest() {
    python3 -c 'import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if (sorted(a["files"]), a["dirs"]) == (sorted(b["files"]), b["dirs"]) else 1)' "$1" "$2"
}
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
            */.netbuild.json) same_manifest "$WORK/plain/$f" "$out/$f" || die "$f lists other files" ;;
            *.h5) h5diff "$WORK/plain/$f" "$out/$f" >&2 || die "$f holds other data than the plain build's ($launcher)" ;;
            *) cmp "$WORK/plain/$f" "$out/$f" || die "$f differs between the plain build and the SLURM job ($launcher)" ;;
        esac
    done <<<"$files"
    say "OK: $launcher, 2 tasks, $(echo "$files" | wc -l) files identical to the plain build (h5diff for HDF5)"
    rm -rf "$out"
done
# A job stopped ahead of its time limit and requeued: SIGUSR1 to the batch shell (what
# `--signal=B:USR1@300` does, sent now by `scancel --batch`) once a population is finished; the script
# passes it to srun, netbuild keeps the finished populations and exits 3, the script requeues the job, and
# the requeued run continues with --resume into the same circuit as a plain build.
if [[ "${RESUME_TEST:-1}" == 1 ]]; then
    MULTI="$WORK/multi.toml"
    {
        printf '[build]\nseed = 3\n'
        for n in "a 6000 point_neuron" "b 3000 point_neuron" "c 1500 virtual"; do
            set -- $n
            printf '\n[[nodes]]\nnetwork = "%s"\nN = %s\nmodel_type = "%s"\n' "$1" "$2" "$3"
        done
        for e in "a a" "b a" "a b" "c b"; do
            set -- $e
            printf '\n[[edges]]\nsource = { network = "%s" }\ntarget = { network = "%s" }\nrule = { probability = 0.1 }\nsyn_weight = 1.0\n' "$1" "$2"
        done
    } >"$MULTI"
    say "plain build of $MULTI (4 edge populations)"
    timeout "$(left 90)" "$BIN" "$MULTI" -o "$WORK/multi-plain" >"$WORK/multi-plain.log" 2>&1 || { tail -n 20 "$WORK/multi-plain.log"; die "plain build of multi.toml"; }
    out="$WORK/slurm-resume"
    log="$WORK/job-resume.log"
    say "sbatch -n 2 slurm/netbuild.sbatch, SIGUSR1 to the batch shell after the first population"
    SPEC="$MULTI" OUTPUT_DIR="$out" NETBUILD="$BIN" LAUNCHER=srun \
        sbatch --parsable --job-name=netbuild-test-resume --nodes=1 --ntasks=2 --cpus-per-task=1 \
        --mem-per-cpu=1G --time=00:05:00 --output="$log" --open-mode=append \
        slurm/netbuild.sbatch >"$WORK/sbatch-resume.out" 2>&1 || { cat "$WORK/sbatch-resume.out" >&2; die "sbatch"; }
    jobid=$(head -n 1 "$WORK/sbatch-resume.out" | tr -dc 0-9)
    finished() { cat "$out"/.netbuild-partial-*/.netbuild-resume.json 2>/dev/null | grep -c '"rows"' || true; }
    deadline=$((SECONDS + $(left 90)))
    until (( $(finished) >= 1 )); do
        ((SECONDS < deadline)) || die "no population finished in job $jobid"
        sleep 0.2
    done
    scancel --batch --signal=USR1 "$jobid" || die "scancel --signal=USR1 $jobid"
    # SLURM holds a requeued job for a while (BeginTime, about 2 minutes): start it now.
    deadline=$((SECONDS + $(left 60)))
    until grep -q "requeueing job" "$log" 2>/dev/null; do
        ((SECONDS < deadline)) || die "job $jobid was not requeued"
        sleep 0.5
    done
    until squeue -h -j "$jobid" -o %r 2>/dev/null | grep -q BeginTime; do
        ((SECONDS < deadline)) || die "job $jobid is not pending after its requeue"
        sleep 0.5
    done
    scontrol update JobId="$jobid" StartTime=now || true
    deadline=$((SECONDS + $(left 120)))
    until [[ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ]]; do
        ((SECONDS < deadline)) || die "job $jobid did not end: $(squeue -h -j "$jobid" -o '%T %r' 2>&1)"
        # An update made while the requeue was still being processed may not hold: again.
        if squeue -h -j "$jobid" -o %r 2>/dev/null | grep -q BeginTime; then
            scontrol update JobId="$jobid" StartTime=now >/dev/null 2>&1 || true
        fi
        sleep 1
    done
    jobid_done=$jobid
    jobid=""
    sed -i 's/\x1b\[[0-9;]*m//g' "$log"
    sed 's/^/    | /' "$log"
    grep -q "stopped by SIGUSR1 after [1-3] of 4 edge populations" "$log" || die "no stop by SIGUSR1 in the log of job $jobid_done"
    grep -q "requeueing job $jobid_done" "$log" || die "job $jobid_done was not requeued"
    grep -q "resuming from .*: [1-3] of 4 edge populations finished" "$log" || die "the requeued job did not resume"
    [[ ! -e "$out/.netbuild-resume" ]] || die "$out/.netbuild-resume left after the resumed build"
    got=$(listing "$out")
    want=$(listing "$WORK/multi-plain")
    [[ "$got" == "$want" ]] || { diff <(echo "$want") <(echo "$got") >&2 || true; die "different file lists (resume)"; }
    while IFS= read -r f; do
        case "$f" in
            */.netbuild.json) same_manifest "$WORK/multi-plain/$f" "$out/$f" || die "$f lists other files" ;;
            *.h5) h5diff "$WORK/multi-plain/$f" "$out/$f" >&2 || die "$f holds other data than the plain build's (resume)" ;;
            *) cmp "$WORK/multi-plain/$f" "$out/$f" || die "$f differs between the plain build and the resumed job" ;;
        esac
    done < <(sed -n 's/^f //p' <<<"$want")
    say "OK: stopped by SIGUSR1, requeued, resumed: the same circuit as the plain build"
fi
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
