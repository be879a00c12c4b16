//! Every example spec but the benchmarks (`BENCHMARKS`), built with the release binary into a
//! temporary folder, passes validation (through the library and through
//! `netbuild-mpi validate`). Skipped, with a message, when `target/release/netbuild-mpi` has
//! not been built (`cargo build --release`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Too big for a test: pd14 is full scale (3e8 synapses), billion its rules at 10^9 synapses (its
/// rules are pd14_small's); v1core and v1full (5e7 and 2e8 edges) are covered by small-radius copies (tests/mpi_identical.rs: v1core_small, v1full_small).
const BENCHMARKS: [&str; 4] = ["pd14", "v1core", "v1full", "billion"];

fn binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/netbuild-mpi")
}

fn examples_dir() -> PathBuf {
    let shared = PathBuf::from("/work/shared/examples");
    if shared.is_dir() {
        shared
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
    }
}

#[test]
fn every_example_output_validates() {
    let bin = binary();
    if !bin.exists() {
        eprintln!(
            "skipped: {} not found (run `cargo build --release` first)",
            bin.display()
        );
        return;
    }
    let mut specs: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter(|p| {
            p.file_stem()
                .is_some_and(|s| !BENCHMARKS.iter().any(|b| s == *b))
        })
        .collect();
    specs.sort();
    assert!(
        !specs.is_empty(),
        "no example specs in {}",
        examples_dir().display()
    );
    let mut failures = Vec::new();
    for spec in &specs {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join(&name);
        let build = Command::new(&bin)
            .arg(spec)
            .arg("-o")
            .arg(&out)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        if !build.status.success() {
            failures.push(format!(
                "{name}: build failed ({}): {}",
                build.status,
                String::from_utf8_lossy(&build.stderr)
            ));
            continue;
        }
        let report = netbuild_validate::validate(&out);
        if !report.is_ok() {
            let lines: Vec<String> = report.findings.iter().map(|f| f.to_string()).collect();
            failures.push(format!("{name}:\n  {}", lines.join("\n  ")));
            continue;
        }
        assert!(
            report.edges > 0 || name == "v1like",
            "{name}: no edges checked"
        );
        let cli = Command::new(&bin)
            .arg("validate")
            .arg(&out)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&cli.stdout);
        let expected = format!(
            "ok: {} populations, {} edges checked",
            report.populations, report.edges
        );
        if cli.status.code() != Some(0) || stdout.trim() != expected {
            failures.push(format!(
                "{name}: `netbuild-mpi validate` gave {} with {stdout:?} (expected {expected:?}); stderr: {}",
                cli.status,
                String::from_utf8_lossy(&cli.stderr)
            ));
        }
        eprintln!("{name}: {expected}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
