//! The command line: help, the summary, rebuilding over an old folder, and where a relative
//! `output_dir` goes.

mod common;

use common::{assert_same_tree, example, listing, netbuild, run};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn help() {
    let r = run(netbuild(["--help"]), Duration::from_secs(30));
    r.assert_success();
    for word in [
        "Usage",
        "<SPEC>",
        "--output-dir",
        "--memory-budget",
        "--spill-dir",
        "--writer",
    ] {
        assert!(
            r.stdout.contains(word),
            "--help lacks {word:?}: {}",
            r.describe()
        );
    }
    let r = run(netbuild(["--version"]), Duration::from_secs(30));
    r.assert_success();
    assert!(r.stdout.contains("netbuild-mpi"), "{}", r.describe());
}

#[test]
fn no_spec_is_a_usage_error() {
    let r = run(netbuild(Vec::<&str>::new()), Duration::from_secs(30));
    assert!(!r.status.success(), "{}", r.describe());
    assert!(r.stderr.contains("Usage"), "{}", r.describe());
}

/// `netbuild-mpi EXAMPLE -o <tmp>/out --writer WRITER`: the temp folder, the output path, the run.
fn build_with_writer(
    example_name: &str,
    writer: &str,
    timeout: Duration,
) -> (tempfile::TempDir, std::path::PathBuf, common::Run) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = example(example_name);
    let r = run(
        netbuild([
            spec.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--writer".as_ref(),
            writer.as_ref(),
        ]),
        timeout,
    );
    (tmp, out, r)
}

/// A bad `--writer` is refused before any work, naming the choices; no folder is made.
#[test]
fn bad_writer_is_refused() {
    let (tmp, _, r) = build_with_writer("quickstart.toml", "everyone", Duration::from_secs(30));
    assert_eq!(r.status.code(), Some(2), "{}", r.describe());
    assert!(
        r.stderr
            .contains("--writer: expected \"auto\", \"rank0\" or \"parallel\", found \"everyone\""),
        "{}",
        r.describe()
    );
    assert!(listing(tmp.path()).is_empty(), "{:?}", listing(tmp.path()));
}

/// `writer = "parallel"` cannot work on one process; the build still runs, rank 0 being the
/// only writer there is (the choice only matters for several ranks).
#[test]
fn parallel_writer_on_one_process_writes_alone() {
    let (_tmp, out, r) = build_with_writer("gap_junctions.toml", "parallel", TIMEOUT);
    r.assert_success();
    assert!(
        out.join("circuit_config.json").is_file(),
        "{:?}",
        listing(&out)
    );
}

#[test]
fn quickstart_prints_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("quickstart");
    let spec = example("quickstart.toml");
    let r = run(
        netbuild([spec.as_os_str(), "-o".as_ref(), out.as_os_str()]),
        TIMEOUT,
    );
    r.assert_success();
    assert!(
        r.stdout.contains(&format!("built {}", out.display())),
        "summary must say where: {}",
        r.describe()
    );
    assert!(r.stdout.contains("net_to_net"), "{}", r.describe());
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("nodes") && l.contains("net")),
        "the nodes of network net: {}",
        r.describe()
    );
    for f in [
        "circuit_config.json",
        "simulation_config.json",
        "node_sets.json",
        "net_nodes.h5",
        "net_node_types.csv",
        "net_net_edges.h5",
        "net_net_edge_types.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing: {:?}", listing(&out));
    }
    assert_eq!(
        listing(tmp.path()),
        ["quickstart"],
        "left beside the output"
    );
}

/// A build into an existing folder replaces netbuild's files there and nothing else: a user's
/// file and folder survive, nothing is left beside it, and netbuild's files are those of a fresh
/// build (tests/output_folder.rs has the rest).
#[test]
fn rebuild_replaces_netbuilds_files_and_keeps_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = example("indegree.toml");
    let fresh = tmp.path().join("fresh");
    let out = tmp.path().join("out");
    for dir in [&fresh, &out] {
        run(
            netbuild([spec.as_os_str(), "-o".as_ref(), dir.as_os_str()]),
            TIMEOUT,
        )
        .assert_success();
    }
    std::fs::write(out.join("stray.txt"), "a user's").unwrap();
    std::fs::create_dir(out.join("stray_dir")).unwrap();
    std::fs::write(out.join("stray_dir/inner.txt"), "x").unwrap();
    let r = run(
        netbuild([spec.as_os_str(), "-o".as_ref(), out.as_os_str()]),
        TIMEOUT,
    );
    r.assert_success();
    assert_eq!(
        std::fs::read_to_string(out.join("stray.txt"))
            .ok()
            .as_deref(),
        Some("a user's"),
        "a file netbuild did not write must survive the rebuild"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("stray_dir/inner.txt"))
            .ok()
            .as_deref(),
        Some("x"),
        "a folder netbuild did not write must survive the rebuild"
    );
    assert_eq!(
        listing(tmp.path()),
        ["fresh", "out"],
        "something left beside the output folder"
    );
    std::fs::remove_file(out.join("stray.txt")).unwrap();
    std::fs::remove_dir_all(out.join("stray_dir")).unwrap();
    assert_same_tree(&fresh, &out, "rebuild vs fresh build");
}

/// A relative `output_dir` in the spec is taken from the spec file's folder, not the cwd.
#[test]
fn relative_output_dir_is_relative_to_the_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let spec_dir = tmp.path().join("specs");
    let cwd = tmp.path().join("elsewhere");
    std::fs::create_dir(&spec_dir).unwrap();
    std::fs::create_dir(&cwd).unwrap();
    let text = std::fs::read_to_string(example("indegree.toml")).unwrap();
    let spec = spec_dir.join("spec.toml");
    std::fs::write(
        &spec,
        common::with_output_dir_line(&text, "output_dir = \"out\""),
    )
    .unwrap();
    let mut cmd = netbuild([spec.as_os_str()]);
    cmd.current_dir(&cwd);
    let r = run(cmd, TIMEOUT);
    r.assert_success();
    let out = spec_dir.join("out");
    assert!(
        out.join("circuit_config.json").is_file(),
        "no circuit in {}: {}",
        out.display(),
        r.describe()
    );
    assert_eq!(listing(&spec_dir), ["out", "spec.toml"], "beside the spec");
    assert!(
        listing(&cwd).is_empty(),
        "written into the cwd: {:?}",
        listing(&cwd)
    );
    assert!(r.stdout.contains("built "), "{}", r.describe());

    // Also with the spec named by a relative path from another folder.
    std::fs::remove_dir_all(&out).unwrap();
    let mut cmd = netbuild(["../specs/spec.toml"]);
    cmd.current_dir(&cwd);
    run(cmd, TIMEOUT).assert_success();
    assert!(out.join("circuit_config.json").is_file());
    assert!(
        listing(&cwd).is_empty(),
        "written into the cwd: {:?}",
        listing(&cwd)
    );
}
