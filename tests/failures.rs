//! Failures end cleanly: the right exit code and message, no output folder, no temporary
//! `.netbuild-partial-PID` folder, no process left running.

mod common;

use common::{
    example, listing, netbuild_on, netbuild_processes_with, partial_dirs, poll, run, spawn,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A spec with an error, made from `quickstart.toml`.
struct SpecError {
    what: &'static str,
    /// Text to find in quickstart.toml ...
    find: &'static str,
    /// ... and what to put in its place (the line of the error).
    replace: &'static str,
    /// Text the message must contain.
    phrase: &'static str,
    /// The column the message must point at: the 1-based column of this text in the
    /// replaced line (None: any column).
    column_of: Option<&'static str>,
}

const SPEC_ERRORS: &[SpecError] = &[
    SpecError {
        what: "unknown key in [build]",
        find: "seed = 1\n",
        replace: "seed = 1\nsead = 3\n",
        phrase: "unknown key 'sead' in [build]",
        column_of: Some("sead"),
    },
    SpecError {
        what: "unknown function in an expression",
        find: "rule = { probability = 0.1 }",
        replace: "rule = { probability = \"0.1 * frobnicate(d)\" }",
        phrase: "unknown function `frobnicate`",
        column_of: Some("frobnicate"),
    },
    SpecError {
        what: "indegree larger than the sources",
        find: "rule = { probability = 0.1 }",
        replace: "rule = { indegree = 7000 }",
        phrase: "indegree = 7000",
        column_of: None,
    },
];

/// Writes the spec of `e` into `dir`; returns its path and the 1-based line and column the
/// message must name.
fn write_bad_spec(e: &SpecError, dir: &Path) -> (PathBuf, usize, Option<usize>) {
    let text = std::fs::read_to_string(example("quickstart.toml")).unwrap();
    assert_eq!(text.matches(e.find).count(), 1, "{}: {:?}", e.what, e.find);
    let bad = text.replace(e.find, e.replace);
    let marker = e.replace.lines().last().unwrap();
    let line = bad
        .lines()
        .position(|l| l == marker)
        .expect("the changed line")
        + 1;
    let col = e
        .column_of
        .map(|t| bad.lines().nth(line - 1).unwrap().find(t).unwrap() + 1);
    let path = dir.join("bad_spec.toml");
    std::fs::write(&path, bad).unwrap();
    (path, line, col)
}

/// Whether `stderr` names `spec:LINE:COL` (COL any number when `col` is None).
fn names_location(stderr: &str, spec: &Path, line: usize, col: Option<usize>) -> bool {
    let prefix = format!("{}:{line}:", spec.display());
    stderr.match_indices(&prefix).any(|(i, _)| {
        let rest = &stderr[i + prefix.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        !digits.is_empty()
            && rest[digits.len()..].starts_with(':')
            && match col {
                Some(c) => digits == c.to_string(),
                None => true,
            }
    })
}

#[test]
fn spec_errors_exit_2_before_any_work() {
    for e in SPEC_ERRORS {
        for ranks in [1, 2] {
            let specs = tempfile::tempdir().unwrap();
            let (spec, line, col) = write_bad_spec(e, specs.path());
            let parent = tempfile::tempdir().unwrap();
            let out = parent.path().join("out");
            let before = listing(parent.path());
            let r = run(
                netbuild_on(ranks, [spec.as_os_str(), "-o".as_ref(), out.as_os_str()]),
                Duration::from_secs(30),
            );
            let ctx = format!("{} on {ranks} ranks: {}", e.what, r.describe());
            assert_eq!(r.code(), Some(2), "exit code: {ctx}");
            assert!(
                names_location(&r.stderr, &spec, line, col),
                "message must name {}:{line}:{}: {ctx}",
                spec.display(),
                col.map_or("COL".into(), |c| c.to_string())
            );
            assert!(
                r.stderr.contains(e.phrase),
                "expected {:?}: {ctx}",
                e.phrase
            );
            assert_eq!(
                r.stderr.matches("netbuild: error:").count(),
                1,
                "the message must be printed once, not per rank: {ctx}"
            );
            assert!(!r.stdout.contains("built"), "{ctx}");
            assert_eq!(listing(parent.path()), before, "output created: {ctx}");
            assert!(!out.exists(), "{ctx}");
        }
    }
}

#[test]
fn bad_memory_budget_exits_2() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let spec = example("quickstart.toml");
    let r = run(
        netbuild_on(
            1,
            [
                spec.as_os_str(),
                "-o".as_ref(),
                out.as_os_str(),
                "--memory-budget".as_ref(),
                "lots".as_ref(),
            ],
        ),
        Duration::from_secs(30),
    );
    assert_eq!(r.code(), Some(2), "{}", r.describe());
    assert!(r.stderr.contains("--memory-budget"), "{}", r.describe());
    assert!(listing(parent.path()).is_empty(), "{}", r.describe());
}

/// The output folder cannot be created: exit 1 quickly, naming it, creating nothing.
#[test]
fn unwritable_output_exits_1() {
    let spec = example("quickstart.toml");
    let parent = tempfile::tempdir().unwrap();
    // Tests run as root, which ignores permission bits: use a parent that is a regular file,
    // and a path under /proc (no folder can be made there).
    let file = parent.path().join("a_file");
    std::fs::write(&file, "not a folder").unwrap();
    let targets = [
        file.join("out"),
        PathBuf::from(format!("/proc/netbuild-test-{}/out", std::process::id())),
    ];
    for out in &targets {
        for ranks in [1, 2] {
            let r = run(
                netbuild_on(ranks, [spec.as_os_str(), "-o".as_ref(), out.as_os_str()]),
                Duration::from_secs(30),
            );
            let ctx = format!("-o {} on {ranks} ranks: {}", out.display(), r.describe());
            assert_eq!(r.code(), Some(1), "exit code: {ctx}");
            let limit = if ranks == 1 { 5 } else { 10 };
            assert!(r.elapsed < Duration::from_secs(limit), "too slow: {ctx}");
            assert!(
                r.stderr.contains(&out.display().to_string()),
                "message must name the folder: {ctx}"
            );
            assert_eq!(
                r.stderr.matches("netbuild: error:").count(),
                1,
                "the message must be printed once: {ctx}"
            );
            assert_eq!(listing(parent.path()), ["a_file"], "{ctx}");
            if out.starts_with("/proc") {
                assert!(!out.parent().unwrap().exists(), "{ctx}");
            }
        }
    }
}

/// Asserts that nothing of the build into `out` is left: no folder (the build created it), no
/// `.netbuild-partial-PID` folder (the rank removing it gets 5 s), no process.
fn assert_nothing_left(out: &Path, ctx: &str) {
    let needle = out.to_str().unwrap();
    let clean = poll(Duration::from_secs(5), || {
        !out.exists() && partial_dirs(out).is_empty()
    });
    assert!(
        clean,
        "left behind: {} exists: {}, partial folders: {:?}, beside it: {:?}: {ctx}",
        out.display(),
        out.exists(),
        partial_dirs(out),
        listing(out.parent().unwrap())
    );
    let gone = poll(Duration::from_secs(5), || {
        netbuild_processes_with(needle).is_empty()
    });
    let left = netbuild_processes_with(needle);
    for (pid, _) in &left {
        common::signal(*pid, "KILL");
    }
    assert!(gone, "processes left running: {left:?}: {ctx}");
}

/// quickstart on `ranks` ranks into `<tmp>/out` with `NETBUILD_INJECT_FAULT=fault`: the temp
/// folder, the output path, the run and its description.
fn build_with_fault(
    ranks: usize,
    fault: &str,
    timeout: Duration,
) -> (tempfile::TempDir, PathBuf, common::Run, String) {
    let spec = example("quickstart.toml");
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let mut cmd = netbuild_on(ranks, [spec.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    cmd.env("NETBUILD_INJECT_FAULT", fault);
    cmd.env("RUST_LOG", "info");
    let r = run(cmd, timeout);
    let ctx = r.describe();
    (parent, out, r, ctx)
}

/// `NETBUILD_INJECT_FAULT=1` under `mpirun -n 3`: rank 1 fails after generating; the job ends
/// quickly, naming the rank and the cause, and leaves nothing.
#[test]
fn fault_on_one_rank_ends_the_job() {
    let (_parent, out, r, ctx) = build_with_fault(3, "1", Duration::from_secs(15));
    assert!(!r.status.success(), "must fail: {ctx}");
    assert!(r.stderr.contains("rank 1"), "must name rank 1: {ctx}");
    assert!(
        r.stderr.contains("NETBUILD_INJECT_FAULT"),
        "must name the cause: {ctx}"
    );
    assert!(!r.stdout.contains("built"), "{ctx}");
    assert_nothing_left(&out, &ctx);
}

/// `NETBUILD_INJECT_FAULT=1:write` under `mpirun -n 3`: rank 1 fails after its first chunk of
/// the parallel writer, while the others wait in the next collective write; the job still ends
/// quickly, naming the rank and the cause, and leaves nothing.
#[test]
fn fault_during_parallel_writing_ends_the_job() {
    let (_parent, out, r, ctx) = build_with_fault(3, "1:write", Duration::from_secs(20));
    assert!(!r.status.success(), "must fail: {ctx}");
    assert!(
        common::strip_ansi(&r.stderr).contains("writer=parallel"),
        "the parallel writer must have started: {ctx}"
    );
    assert!(r.stderr.contains("rank 1"), "must name rank 1: {ctx}");
    assert!(
        r.stderr
            .contains("NETBUILD_INJECT_FAULT on rank 1 while writing"),
        "must name the cause: {ctx}"
    );
    assert!(!r.stdout.contains("built"), "{ctx}");
    assert_nothing_left(&out, &ctx);
}

/// The same on one process (no mpirun): the failing rank is the only one.
#[test]
fn fault_on_single_process() {
    let (_parent, out, r, ctx) = build_with_fault(1, "0", Duration::from_secs(15));
    assert!(!r.status.success(), "must fail: {ctx}");
    assert!(r.stderr.contains("rank 0"), "must name rank 0: {ctx}");
    assert!(r.stderr.contains("NETBUILD_INJECT_FAULT"), "{ctx}");
    assert_nothing_left(&out, &ctx);
}

/// Which rank to SIGKILL.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Victim {
    /// Rank 0: the one that created the `.netbuild-partial-PID` folder (its pid is in the name).
    Rank0,
    /// A rank that is not rank 0.
    Other,
}

/// Starts `mpirun -n 2` on v1like (about 40 s), waits for the `.netbuild-partial-PID` folder,
/// SIGKILLs one rank: mpirun must end the job within 10 s, non-zero, leaving nothing.
fn sigkill_mid_build(victim: Victim) {
    let spec = example("v1like.toml");
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let needle = out.to_str().unwrap().to_string();
    let mut job = spawn(netbuild_on(
        2,
        [spec.as_os_str(), "-o".as_ref(), out.as_os_str()],
    ));
    let appeared = poll(Duration::from_secs(60), || {
        !partial_dirs(&out).is_empty() || job.try_status().is_some()
    });
    assert!(appeared, "no .netbuild-partial folder within 60 s");
    if let Some(status) = job.try_status() {
        let r = job.finish(status);
        panic!(
            "the build ended before it could be killed: {}",
            r.describe()
        );
    }
    let partial = partial_dirs(&out);
    assert_eq!(partial.len(), 1, "{partial:?}");
    let rank0 = common::writer_pid(&partial[0]);

    // The ranks: children of mpirun running the binary on our output path.
    let mut ranks = Vec::new();
    poll(Duration::from_secs(10), || {
        ranks = common::processes()
            .into_iter()
            .filter(|(_, ppid, cmd)| *ppid == job.pid() && cmd.contains(&needle))
            .map(|(pid, _, _)| pid)
            .collect();
        ranks.len() == 2
    });
    assert_eq!(
        ranks.len(),
        2,
        "expected 2 ranks under mpirun {}",
        job.pid()
    );
    assert!(
        ranks.contains(&rank0),
        "rank 0 ({rank0}) not among {ranks:?}"
    );
    let target = match victim {
        Victim::Rank0 => rank0,
        Victim::Other => *ranks.iter().find(|&&p| p != rank0).unwrap(),
    };
    common::signal(target, "KILL");
    let killed = Instant::now();
    let status = job.wait_until(Duration::from_secs(10));
    let Some(status) = status else {
        job.kill_all();
        panic!("mpirun still running 10 s after SIGKILL of rank pid {target} ({victim:?})");
    };
    let r = job.finish(status);
    let ctx = format!(
        "SIGKILL of {victim:?} (pid {target}); mpirun ended {:.1} s later: {}",
        killed.elapsed().as_secs_f64(),
        r.describe()
    );
    assert!(!r.status.success(), "mpirun must fail: {ctx}");
    assert_nothing_left(&out, &ctx);
}

#[test]
fn sigkill_of_a_rank_mid_build() {
    sigkill_mid_build(Victim::Other);
}

#[test]
fn sigkill_of_rank_0_mid_build() {
    sigkill_mid_build(Victim::Rank0);
}

/// Unmounts a tmpfs when dropped (also when the test panics).
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A spill folder that fills up: the build fails, naming the spill folder, leaves no output
/// and no spill file. Needs root to mount a 2 MiB tmpfs; skipped otherwise.
#[test]
fn spill_dir_full() {
    let tmp = tempfile::tempdir().unwrap();
    let spill = tmp.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let mount = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2M", "tmpfs"])
        .arg(&spill)
        .output();
    match mount {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!(
                "skipped: cannot mount a tmpfs: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            eprintln!("skipped: cannot run mount: {e}");
            return;
        }
    }
    let guard = Mount(spill.clone());
    let out = tmp.path().join("out");
    let spec = example("distance.toml");
    let r = run(
        netbuild_on(
            1,
            [
                spec.as_os_str(),
                "-o".as_ref(),
                out.as_os_str(),
                "--spill-dir".as_ref(),
                spill.as_os_str(),
                "--memory-budget".as_ref(),
                "256 KiB".as_ref(),
            ],
        ),
        Duration::from_secs(60),
    );
    let ctx = r.describe();
    assert!(!r.status.success(), "must fail: {ctx}");
    assert!(
        r.stderr
            .contains(&format!("spill file in {}", spill.display())),
        "must name the spill folder: {ctx}"
    );
    assert_nothing_left(&out, &ctx);
    assert!(
        listing(&spill).is_empty(),
        "spill folder not empty: {:?}",
        listing(&spill)
    );
    drop(guard);
    let unmounted = Command::new("mountpoint")
        .arg("-q")
        .arg(&spill)
        .status()
        .map(|s| !s.success())
        .unwrap_or(true);
    assert!(unmounted, "tmpfs still mounted at {}", spill.display());
}
