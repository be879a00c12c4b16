//! The hostile specs corpus (`crates/spec/tests/errors/hostile/NN_name.toml`, in the home of the
//! spec's errors: tests/README.md) run through the binary: every spec is wrong in one way, and
//! the binary must refuse it cleanly: exit code 2, the first line of stderr exactly as in
//! `NN_name.expected` (with the corpus folder's path removed), no panic, within 20 s, and no
//! output folder (nor a hidden `.netbuild-partial-*` one) left behind.
//!
//! Some cases are known to fail today (see `KNOWN_BUGS`): they are skipped by the main test, which
//! lists them, and checked by the ignored test `hostile_known_bugs`
//! (`cargo test --release --test hostile -- --ignored`). Their `.expected` file holds a proposed
//! message: whoever fixes the bug sets it to the real one and removes the name from the list.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Cases netbuild does not refuse cleanly yet (reported in the "Reliability" issue).
const KNOWN_BUGS: &[&str] = &[];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/spec/tests/errors/hostile")
}

fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("crates/spec/tests/errors/hostile")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Runs one case; `Err` says everything that is wrong with the outcome.
fn run_case(name: &str) -> Result<(), String> {
    let dir = corpus_dir();
    let spec = dir.join(format!("{name}.toml"));
    let expected_path = dir.join(format!("{name}.expected"));
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("cannot read {}: {e}", expected_path.display()))?;
    let expected = expected.lines().next().unwrap_or("").to_string();

    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_netbuild-mpi"))
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start netbuild-mpi: {e}"))?;
    // Read stderr on a thread so that a chatty child never blocks on a full pipe.
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = pipe.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > TIMEOUT => {
                // SIGTERM first, as mpirun or a user would: the binary then removes its
                // temporary folder (checked below); SIGKILL if it does not end within 5 s.
                let _ = Command::new("kill")
                    .arg("-TERM")
                    .arg(child.id().to_string())
                    .status();
                let grace = Instant::now();
                while grace.elapsed() < Duration::from_secs(5) {
                    if let Ok(Some(_)) = child.try_wait() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("wait: {e}")),
        }
    };
    let stderr = reader.join().unwrap_or_default();

    let mut problems = Vec::new();
    match status {
        None => problems.push(format!("no answer within {} s (killed)", TIMEOUT.as_secs())),
        Some(s) if s.code() != Some(2) => problems.push(format!("exit status {s}, expected 2")),
        Some(_) => {}
    }
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    let first = stderr.lines().next().unwrap_or("").replace(&prefix, "");
    if first != expected {
        problems.push(format!(
            "first line of stderr:\n      found:    {first:?}\n      expected: {expected:?}"
        ));
    }
    if stderr.contains("panicked") {
        problems.push("stderr has panic text".to_string());
    }
    let left = listing(tmp.path());
    if !left.is_empty() {
        problems.push(format!("left in the output's parent folder: {left:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let tail: String = stderr
            .lines()
            .take(5)
            .collect::<Vec<_>>()
            .join("\n      | ");
        Err(format!(
            "{}\n      stderr: | {tail}",
            problems.join("\n    ")
        ))
    }
}

/// Runs `names` on a few threads; panics with every failure listed.
fn run_all(names: &[String]) {
    let dir = corpus_dir();
    let before = listing(&dir);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(name) = names.get(i) else { break };
                if let Err(e) = run_case(name) {
                    failures.lock().unwrap().push(format!("  {name}:\n    {e}"));
                }
            });
        }
    });
    let after = listing(&dir);
    let mut failures = failures.into_inner().unwrap();
    if before != after {
        failures.push(format!(
            "  the corpus folder changed (a spec's own output_dir was written?): {before:?} -> {after:?}"
        ));
    }
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} hostile specs were not refused as expected:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

#[test]
fn hostile_specs_are_refused() {
    let all = cases();
    assert!(all.len() >= 40, "only {} hostile specs", all.len());
    for name in &all {
        assert!(
            corpus_dir().join(format!("{name}.expected")).exists(),
            "{name}.toml has no {name}.expected"
        );
    }
    let (known, checked): (Vec<String>, Vec<String>) = all
        .into_iter()
        .partition(|n| KNOWN_BUGS.contains(&n.as_str()));
    if !known.is_empty() {
        eprintln!(
            "hostile: skipping {} known bugs (run with --ignored): {}",
            known.len(),
            known.join(", ")
        );
    }
    run_all(&checked);
}

#[test]
#[ignore = "known bugs: see KNOWN_BUGS"]
fn hostile_known_bugs() {
    let names: Vec<String> = KNOWN_BUGS.iter().map(|s| s.to_string()).collect();
    run_all(&names);
}
