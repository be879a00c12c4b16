//! A build stopped by a signal keeps its finished edge populations, and `--resume` continues
//! it into the same files as an uninterrupted build: the binary under `mpirun -n 2`.
//!
//! - the hidden `--stop-after-populations N` (rank 0 stops as on SIGTERM, through the same
//!   function as the signal handler) after 1, 2 and 3 of 4 populations, a stop of a resumed
//!   build, then `--resume`: byte-identical (`--writer rank0`) to the uninterrupted build;
//! - a real SIGTERM (and SIGUSR1, SLURM's early warning that mpirun forwards) to mpirun once a
//!   population is finished: same content (`h5diff`: the parallel writer's MPI-IO layout);
//! - SIGKILL of rank 0: no half file where a finished one would be, and `--resume` continues;
//! - `--resume` of another build (ranks, seed, budget) is refused with the reason and keeps the
//!   stopped build; a plain build removes it and starts over; `--resume` with nothing to
//!   continue builds from the start.

mod common;

use common::{
    assert_same_content, assert_same_tree, listing, netbuild_on, partial_dirs, poll, run, spawn,
    Run,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(180);
/// The folder a stopped build keeps, in the output folder.
const KEPT: &str = ".netbuild-resume";
/// The resume state in the hidden folder.
const STATE: &str = ".netbuild-resume.json";

/// Three networks and four edge populations (a→a, b→a, a→b, c→b), `n` nodes in `a`.
fn spec(dir: &Path, name: &str, seed: u64, n: u64) -> PathBuf {
    let text = format!(
        "[build]\nseed = {seed}\n\n\
         [[nodes]]\nnetwork = \"a\"\nN = {n}\npop_name = \"exc\"\nmodel_type = \"point_neuron\"\n\
         x = {{ uniform = [0.0, 100.0] }}\n\n\
         [[nodes]]\nnetwork = \"b\"\nN = {}\npop_name = \"inh\"\nmodel_type = \"point_neuron\"\n\n\
         [[nodes]]\nnetwork = \"c\"\nN = {}\npop_name = \"ext\"\nmodel_type = \"virtual\"\n\n\
         [[edges]]\nsource = {{ network = \"a\" }}\ntarget = {{ network = \"a\" }}\n\
         rule = {{ probability = 0.1 }}\nsyn_weight = 0.5\n\n\
         [[edges]]\nsource = {{ network = \"b\" }}\ntarget = {{ network = \"a\" }}\n\
         rule = {{ probability = 0.1 }}\nsyn_weight = 1.0\n\n\
         [[edges]]\nsource = {{ network = \"a\" }}\ntarget = {{ network = \"b\" }}\n\
         rule = {{ probability = 0.1 }}\nsyn_weight = 2.0\n\n\
         [[edges]]\nsource = {{ network = \"c\" }}\ntarget = {{ network = \"b\" }}\n\
         rule = {{ probability = 0.1 }}\nsyn_weight = 3.0\n",
        n / 2,
        n / 4
    );
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `netbuild-mpi SPEC -o OUT EXTRA...` on `ranks` ranks.
fn build(ranks: usize, spec: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec![spec.as_os_str(), "-o".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let mut cmd = netbuild_on(ranks, args);
    cmd.env("RUST_LOG", "info");
    run(cmd, TIMEOUT)
}

/// Asserts that `out` holds a stopped build: nothing but hidden entries (no file where a
/// finished one would be), and the kept folder with `finished` populations in its state.
fn assert_stopped(out: &Path, finished: usize, ctx: &str) {
    let visible: Vec<String> = listing(out)
        .into_iter()
        .filter(|f| !f.starts_with('.'))
        .collect();
    assert!(
        visible.is_empty(),
        "files in place after a stop: {visible:?}: {ctx}"
    );
    let state = read_state(&out.join(KEPT)).unwrap_or_else(|| panic!("no {KEPT}: {ctx}"));
    assert_eq!(populations_in(&state), finished, "{state}: {ctx}");
}

fn read_state(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join(STATE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn populations_in(state: &serde_json::Value) -> usize {
    state["populations"].as_array().map_or(0, Vec::len)
}

#[test]
fn stop_after_populations_then_resume_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), "multi.toml", 7, 2000);
    let full = tmp.path().join("full");
    let rank0 = ["--writer", "rank0"];
    build(2, &spec, &full, &rank0).assert_success();

    for n in [1, 2, 3] {
        let out = tmp.path().join(format!("stop{n}"));
        let stop = n.to_string();
        let r = build(
            2,
            &spec,
            &out,
            &["--writer", "rank0", "--stop-after-populations", &stop],
        );
        let ctx = r.describe();
        assert!(!r.status.success(), "{ctx}");
        assert!(
            r.stderr.contains(&format!(
                "stopped by SIGTERM after {n} of 4 edge populations"
            )) && r.stderr.contains("--resume"),
            "{ctx}"
        );
        assert!(r.stderr.contains("Exit code:    3"), "{ctx}");
        assert_stopped(&out, n, &ctx);
        let r = build(2, &spec, &out, &["--writer", "rank0", "--resume"]);
        r.assert_success();
        let ctx = r.describe();
        assert!(
            r.stderr
                .contains(&format!("{n} of 4 edge populations finished")),
            "{ctx}"
        );
        assert_same_tree(&full, &out, &format!("stopped after {n}, resumed"));
        assert!(partial_dirs(&out).is_empty(), "{ctx}");
        assert!(!out.join(KEPT).exists(), "{ctx}");
    }

    // A resumed build stopped again, then resumed.
    let out = tmp.path().join("twice");
    let r = build(
        2,
        &spec,
        &out,
        &["--writer", "rank0", "--stop-after-populations", "1"],
    );
    assert_stopped(&out, 1, &r.describe());
    let r = build(
        2,
        &spec,
        &out,
        &[
            "--writer",
            "rank0",
            "--resume",
            "--stop-after-populations",
            "3",
        ],
    );
    assert_stopped(&out, 3, &r.describe());
    build(2, &spec, &out, &["--writer", "rank0", "--resume"]).assert_success();
    assert_same_tree(&full, &out, "stopped twice, resumed");
}

#[test]
fn resume_of_another_build_is_refused_and_a_plain_build_starts_over() {
    let tmp = tempfile::tempdir().unwrap();
    let spec7 = spec(tmp.path(), "seed7.toml", 7, 800);
    let spec8 = spec(tmp.path(), "seed8.toml", 8, 800);
    let full = tmp.path().join("full");
    build(2, &spec7, &full, &["--writer", "rank0"]).assert_success();
    let out = tmp.path().join("out");
    let r = build(
        2,
        &spec7,
        &out,
        &["--writer", "rank0", "--stop-after-populations", "2"],
    );
    assert_stopped(&out, 2, &r.describe());
    let kept = std::fs::read(out.join(KEPT).join(STATE)).unwrap();

    let refusals: [(usize, &Path, &[&str], &str); 3] = [
        (1, &spec7, &["--resume"], "ranks 2 (now 1)"),
        (2, &spec8, &["--resume"], "seed 7 (now 8)"),
        (
            2,
            &spec7,
            &["--resume", "--memory-budget", "100 MiB"],
            "memory budget",
        ),
    ];
    for (ranks, spec, extra, why) in refusals {
        let mut args = vec!["--writer", "rank0"];
        args.extend_from_slice(extra);
        let r = build(ranks, spec, &out, &args);
        let ctx = r.describe();
        assert!(!r.status.success(), "{ctx}");
        assert!(
            r.stderr.contains("cannot resume") && r.stderr.contains(why),
            "must say why ({why}): {ctx}"
        );
        // Refused before any work: the stopped build is as it was.
        assert_eq!(
            std::fs::read(out.join(KEPT).join(STATE)).unwrap(),
            kept,
            "{ctx}"
        );
        assert_stopped(&out, 2, &ctx);
    }

    // Without --resume: the stopped build's files go, the build starts over.
    let r = build(2, &spec7, &out, &["--writer", "rank0"]);
    r.assert_success();
    assert!(
        r.stderr.contains(KEPT),
        "must say it removes {KEPT}: {}",
        r.describe()
    );
    assert!(!out.join(KEPT).exists());
    assert_same_tree(&full, &out, "a plain build after a stop");

    // --resume with nothing to continue: a build from the start.
    let fresh = tmp.path().join("fresh");
    let r = build(2, &spec7, &fresh, &["--writer", "rank0", "--resume"]);
    r.assert_success();
    assert!(
        r.stderr.contains("building from the start"),
        "{}",
        r.describe()
    );
    assert_same_tree(&full, &fresh, "--resume with nothing to resume");
}

/// The populations the hidden folder of the build running into `out` lists as finished.
fn finished_in_partial(out: &Path) -> usize {
    partial_dirs(out)
        .iter()
        .filter_map(|d| read_state(d))
        .map(|s| populations_in(&s))
        .max()
        .unwrap_or(0)
}

/// Starts the build of `spec` into `out` on 2 ranks and waits until a population is finished
/// (the build still running).
fn start_and_wait_for_a_population(spec: &Path, out: &Path) -> common::Running {
    // Rank 0 waits 5 s after each population: the signal finds the build between two
    // populations on any machine (the whole build takes a fraction of a second on a quiet one).
    let mut cmd = netbuild_on(
        2,
        [
            spec.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--pause-after-population-ms".as_ref(),
            "5000".as_ref(),
        ],
    );
    cmd.env("RUST_LOG", "info");
    let mut job = spawn(cmd);
    let ready = poll(TIMEOUT, || {
        finished_in_partial(out) >= 1 || job.try_status().is_some()
    });
    assert!(ready, "no population finished");
    if let Some(status) = job.try_status() {
        panic!(
            "the build ended before it could be stopped: {}",
            job.finish(status).describe()
        );
    }
    job
}

/// A real signal to mpirun once a population is finished (SIGTERM: mpirun sends it to every
/// rank, then SIGKILL a second later; SIGUSR1: forwarded to every rank), then `--resume`: the
/// same content as an uninterrupted build (parallel writer).
#[test]
fn signal_to_mpirun_then_resume_gives_the_same_circuit() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), "multi.toml", 11, 3000);
    let full = tmp.path().join("full");
    build(2, &spec, &full, &[]).assert_success();
    for signal in ["TERM", "USR1"] {
        let out = tmp.path().join(format!("sig{signal}"));
        let mut job = start_and_wait_for_a_population(&spec, &out);
        common::signal(job.pid(), signal);
        let Some(status) = job.wait_until(Duration::from_secs(30)) else {
            job.kill_all();
            panic!("mpirun still running 30 s after SIG{signal}");
        };
        let r = job.finish(status);
        let ctx = r.describe();
        assert!(!r.status.success(), "{ctx}");
        assert!(
            r.stderr.contains(&format!("stopped by SIG{signal} after")),
            "{ctx}"
        );
        let state = read_state(&out.join(KEPT)).unwrap_or_else(|| panic!("no {KEPT}: {ctx}"));
        let finished = populations_in(&state);
        assert!((1..4).contains(&finished), "{state}: {ctx}");
        assert_stopped(&out, finished, &ctx);
        build(2, &spec, &out, &["--resume"]).assert_success();
        assert_same_content(&full, &out, &format!("SIG{signal}, resumed"));
        assert!(!out.join(KEPT).exists());
    }
}

/// SIGKILL of rank 0 (no handler runs there) once a population is finished: no half file
/// where a finished one would be, and `--resume` continues from what was finished (the other
/// rank kept it on mpirun's SIGTERM, or the killed build's hidden folder is taken up).
#[test]
fn sigkill_leaves_no_half_file_and_resume_continues() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), "multi.toml", 5, 3000);
    let full = tmp.path().join("full");
    build(2, &spec, &full, &["--writer", "rank0"]).assert_success();
    let out = tmp.path().join("out");
    let mut cmd = netbuild_on(
        2,
        [
            spec.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--writer".as_ref(),
            "rank0".as_ref(),
        ],
    );
    cmd.env("RUST_LOG", "info");
    let mut job = spawn(cmd);
    let ready = poll(TIMEOUT, || {
        finished_in_partial(&out) >= 1 || job.try_status().is_some()
    });
    assert!(
        ready && job.try_status().is_none(),
        "no population finished while running"
    );
    let partial = partial_dirs(&out);
    let rank0 = common::writer_pid(&partial[0]);
    common::signal(rank0, "KILL");
    let Some(status) = job.wait_until(Duration::from_secs(30)) else {
        job.kill_all();
        panic!("mpirun still running 30 s after SIGKILL of rank 0");
    };
    let r = job.finish(status);
    let ctx = r.describe();
    assert!(!r.status.success(), "{ctx}");
    let visible: Vec<String> = listing(&out)
        .into_iter()
        .filter(|f| !f.starts_with('.'))
        .collect();
    assert!(
        visible.is_empty(),
        "files in place after SIGKILL: {visible:?}: {ctx}"
    );
    let r = build(2, &spec, &out, &["--writer", "rank0", "--resume"]);
    r.assert_success();
    assert!(
        r.stderr.contains("edge populations finished"),
        "must resume: {}",
        r.describe()
    );
    assert_same_tree(&full, &out, "SIGKILL of rank 0, resumed");
    assert!(partial_dirs(&out).is_empty() && !out.join(KEPT).exists());
}
