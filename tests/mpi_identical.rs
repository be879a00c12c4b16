//! The files of a build do not depend on the number of MPI ranks, the memory budget or the
//! spill pattern: every example (but the benchmarks in `SKIPPED`) built on 1 rank and under
//! `mpirun -n 2, 3, 4` gives the same folder: the same CSV and JSON bytes, and HDF5 files
//! with the same content (`h5diff` finds no difference; several ranks write through parallel
//! HDF5, whose file layout is MPI-IO's). With `--writer rank0` (rank 0 writes everything, as
//! for `sort_edges_by = "source"`) and on one rank under any budget, even the bytes are equal.
//!
//! One `#[test]` per example, so that cargo-nextest runs them in parallel.

mod common;

use common::{assert_same_content, assert_same_tree, example, listing, netbuild_on, run, Run};
use std::path::Path;
use std::time::Duration;

/// Every example but the `SKIPPED` ones is built here.
const EXAMPLES: &[&str] = &[
    "distance.toml",
    "gap_junctions.toml",
    "indegree.toml",
    "pd14_small.toml",
    "quickstart.toml",
    "twopop.toml",
    "v1like.toml",
];
/// Benchmarks, far too big for a test: `pd14.toml` is full scale (3e8 synapses), `billion.toml`
/// its rules at 10^9 synapses (the rules are `pd14_small`'s here); `v1core.toml`
/// and `v1full.toml` (5e7 and 2e8 edges) are covered by their small-radius copies
/// (`v1core_small`, `v1full_small` below).
const SKIPPED: &[&str] = &["pd14.toml", "v1core.toml", "v1full.toml", "billion.toml"];

/// `netbuild-mpi SPEC -o OUT EXTRA...` on `ranks` ranks.
fn build(ranks: usize, spec: &Path, out: &Path, extra: &[&str], timeout: Duration) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec![spec.as_os_str(), "-o".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let mut cmd = netbuild_on(ranks, args);
    // Every rank logs its "edges generated ... spills=N" line.
    cmd.env("RUST_LOG", "info");
    run(cmd, timeout)
}

/// Builds the example `name` on 1 rank, then on 2, 3 and 4, comparing each with the first.
fn check_example(name: &str, timeout: Duration) {
    check_spec(name, &example(name), timeout);
}

/// Builds `spec` on 1 rank, then on 2, 3 and 4, comparing each with the first.
fn check_spec(name: &str, spec: &Path, timeout: Duration) {
    check_spec_on(name, spec, &[2, 3, 4], timeout);
}

/// Builds `spec` on 1 rank, then on each of `rank_counts`: the same content every time, written
/// through the parallel writer.
fn check_spec_on(name: &str, spec: &Path, rank_counts: &[usize], timeout: Duration) {
    let spec = spec.to_path_buf();
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("np1");
    let r = build(1, &spec, &base, &[], timeout);
    r.assert_success();
    eprintln!("{name}: 1 rank: {:.1} s", r.elapsed.as_secs_f64());
    for &ranks in rank_counts {
        let out = tmp.path().join(format!("np{ranks}"));
        let r = build(ranks, &spec, &out, &[], timeout);
        r.assert_success();
        eprintln!("{name}: {ranks} ranks: {:.1} s", r.elapsed.as_secs_f64());
        assert!(
            common::strip_ansi(&r.stderr).contains("writer=parallel"),
            "{name}: {ranks} ranks did not use the parallel writer:\n{}",
            r.stderr
        );
        assert_same_content(&base, &out, &format!("{name}: {ranks} ranks vs 1"));
        std::fs::remove_dir_all(&out).unwrap();
        assert_eq!(
            listing(tmp.path()),
            ["np1"],
            "{name}: something left beside the output folders"
        );
    }
}

#[test]
fn every_example_is_covered() {
    let mut found: Vec<String> = listing(&common::examples_dir())
        .into_iter()
        .filter(|n| n.ends_with(".toml"))
        .collect();
    found.sort();
    let mut known: Vec<String> = EXAMPLES
        .iter()
        .chain(SKIPPED)
        .map(|s| s.to_string())
        .collect();
    known.sort();
    assert_eq!(
        found, known,
        "the examples folder changed: add a test per new example to tests/mpi_identical.rs"
    );
}

#[test]
fn distance() {
    check_example("distance.toml", Duration::from_secs(120));
}

#[test]
fn gap_junctions() {
    check_example("gap_junctions.toml", Duration::from_secs(120));
}

#[test]
fn indegree() {
    check_example("indegree.toml", Duration::from_secs(120));
}

#[test]
fn pd14_small() {
    check_example("pd14_small.toml", Duration::from_secs(120));
}

#[test]
fn quickstart() {
    check_example("quickstart.toml", Duration::from_secs(120));
}

#[test]
fn twopop() {
    check_example("twopop.toml", Duration::from_secs(120));
}

/// About 40 s per build on 2 cores: the longest test.
#[test]
fn v1like() {
    check_example("v1like.toml", Duration::from_secs(480));
}

/// v1core.toml (66,562 V1 cells in a 400 um cylinder, `positions = { cylinder = ... }`) at a
/// radius of 100 um: ~4,200 cells, ~1.1 M edges. Node positions are drawn identically on every rank.
#[test]
fn v1core_small() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::small_radius_copy("v1core.toml", 100.0, dir.path());
    let text = std::fs::read_to_string(&spec).unwrap();
    assert!(text.contains("cylinder = [100.0, 50.0, 169.0]"), "{text}");
    assert!(text.contains("N = 1049\n"), "L2/3 Exc: 16784 / 16");
    check_spec("v1core_small", &spec, Duration::from_secs(240));
}

/// v1full.toml (700 um) at a radius of 100 um: ~4,700 cells.
#[test]
fn v1full_small() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::small_radius_copy("v1full.toml", 100.0, dir.path());
    check_spec("v1full_small", &spec, Duration::from_secs(240));
}

/// v1full.toml at a radius of 50 um (~1,000 cells, ~30,000 edges) on 16 and 64 ranks
/// (oversubscribed: 64 processes on this machine's cores): the same circuit as one process.
#[test]
fn v1full_tiny_on_16_and_64_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::small_radius_copy("v1full.toml", 50.0, dir.path());
    check_spec_on("v1full_tiny", &spec, &[16, 64], Duration::from_secs(400));
}

/// Builds `name` without a budget, then with `budget` (spilling) on 1 and 2 ranks, each with a
/// fresh `--spill-dir`: identical files, and the spill folder is empty afterwards.
fn check_spill(name: &str, budget: &str) {
    let timeout = Duration::from_secs(180);
    let spec = example(name);
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("unlimited");
    build(1, &spec, &base, &[], timeout).assert_success();
    let mut spills = Vec::new();
    for ranks in [1, 2] {
        let spill = tempfile::tempdir().unwrap();
        let out = tmp.path().join(format!("budget-np{ranks}"));
        let spill_arg = spill.path().to_str().unwrap();
        let r = build(
            ranks,
            &spec,
            &out,
            &["--memory-budget", budget, "--spill-dir", spill_arg],
            timeout,
        );
        r.assert_success();
        spills.push(r.spills());
        eprintln!(
            "{name}: --memory-budget {budget:?} on {ranks} ranks: {:.1} s, spills {:?}",
            r.elapsed.as_secs_f64(),
            r.spills()
        );
        let what = format!("{name}: --memory-budget {budget:?} on {ranks} ranks vs unlimited");
        if ranks == 1 {
            assert_same_tree(&base, &out, &what);
        } else {
            assert_same_content(&base, &out, &what);
        }
        assert!(
            listing(spill.path()).is_empty(),
            "{name}: spill dir not empty after the build: {:?}",
            listing(spill.path())
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
    // The budget must really make the build spill (when the log says how often it did).
    if spills.iter().all(Option::is_some) {
        assert!(
            spills.iter().flatten().sum::<u64>() > 0,
            "{name}: --memory-budget {budget:?} did not spill at all: {spills:?}"
        );
    }
}

#[test]
fn spill_pd14_small() {
    check_spill("pd14_small.toml", "32 MiB");
}

/// 1 MiB forces many spills.
#[test]
fn spill_distance() {
    check_spill("distance.toml", "1 MiB");
}

/// `--writer rank0`: rank 0 writes every edges file from the rows the others send it, and the
/// folder is byte for byte the one-rank folder (twopop: two edge populations).
#[test]
fn rank0_writer_is_byte_identical() {
    let timeout = Duration::from_secs(180);
    let spec = example("twopop.toml");
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("np1");
    build(1, &spec, &base, &[], timeout).assert_success();
    for ranks in [2, 3] {
        let out = tmp.path().join(format!("np{ranks}"));
        let r = build(ranks, &spec, &out, &["--writer", "rank0"], timeout);
        r.assert_success();
        assert_same_tree(
            &base,
            &out,
            &format!("--writer rank0 on {ranks} ranks vs 1"),
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
}

/// A copy of `distance.toml` in `dir` with `line` added to its `[build]` section.
fn distance_with(dir: &Path, line: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(example("distance.toml")).unwrap();
    let spec = dir.join("distance_variant.toml");
    std::fs::write(&spec, common::with_build_key(&text, line)).unwrap();
    spec
}

/// gzip through the parallel writer (HDF5 compresses collectively, each rank its own chunks):
/// the same content as one process's gzip file (compressed there with libdeflate), and
/// compressed indeed.
#[test]
fn parallel_writer_gzip() {
    let timeout = Duration::from_secs(180);
    let tmp = tempfile::tempdir().unwrap();
    let spec = distance_with(tmp.path(), "compression = \"gzip\"");
    let base = tmp.path().join("np1");
    build(1, &spec, &base, &[], timeout).assert_success();
    let out = tmp.path().join("np3");
    build(3, &spec, &out, &["--writer", "parallel"], timeout).assert_success();
    assert_same_content(&base, &out, "gzip, parallel writer on 3 ranks vs 1 rank");
    let uncompressed = tmp.path().join("plain");
    build(1, &example("distance.toml"), &uncompressed, &[], timeout).assert_success();
    let size = |d: &Path| std::fs::metadata(d.join("net_net_edges.h5")).unwrap().len();
    assert!(
        size(&out) * 2 < size(&uncompressed),
        "the parallel gzip file ({} bytes) is not compressed (plain: {} bytes)",
        size(&out),
        size(&uncompressed)
    );
}

/// gzip with every rank on one host: rank 0 writes (libdeflate on all cores, shuffle before
/// deflate, chunks in a fixed order): the same content as one rank's file, the same bytes from
/// one 2-rank build to the next, and both filters recorded, so any HDF5 reader decodes it.
#[test]
fn gzip_on_one_host_rank0_shuffled_and_deterministic() {
    let timeout = Duration::from_secs(180);
    let tmp = tempfile::tempdir().unwrap();
    let spec = distance_with(tmp.path(), "compression = \"gzip\"");
    let base = tmp.path().join("np1");
    build(1, &spec, &base, &[], timeout).assert_success();
    let mut runs = Vec::new();
    for k in 0..2 {
        let out = tmp.path().join(format!("np2_{k}"));
        let r = build(2, &spec, &out, &[], timeout);
        r.assert_success();
        assert!(
            r.stderr
                .contains("rank 0 writes the edges files: gzip, every rank on this host"),
            "the writer choice is not logged:\n{}",
            r.stderr
        );
        runs.push(out);
    }
    assert_same_content(&base, &runs[0], "gzip, 2 ranks (rank 0 writes) vs 1 rank");
    assert_same_tree(&runs[0], &runs[1], "gzip, two 2-rank builds");
    let dump = std::process::Command::new("h5dump")
        .args(["-p", "-H", "-d", "/edges/net_to_net/source_node_id"])
        .arg(runs[0].join("net_net_edges.h5"))
        .output()
        .expect("h5dump runs");
    let text = String::from_utf8_lossy(&dump.stdout);
    let (shuffle, deflate) = (text.find("SHUFFLE"), text.find("DEFLATE"));
    assert!(
        matches!((shuffle, deflate), (Some(s), Some(d)) if s < d),
        "source_node_id lacks shuffle then deflate:\n{text}"
    );
}

/// One population, two edge groups, one of them empty in the whole file (its rule finds no
/// pair), and ranks without rows: the parallel writer must not write to storage that does not
/// exist, and still gives the one-rank content.
#[test]
fn parallel_writer_empty_group() {
    let timeout = Duration::from_secs(120);
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("empty_group.toml");
    std::fs::write(
        &spec,
        r#"[build]
seed = 3

[[nodes]]
network = "net"
N = 300
x = { uniform = [0.0, 100.0] }
y = 0.0
z = 0.0

[[edges]]
source = { network = "net" }
target = { network = "net" }
rule = { probability = 0.05 }

[[edges]]
source = { network = "net" }
target = { network = "net" }
rule = { probability = 0.0 }

[edges.properties]
syn_weight = "1.0 + d"
"#,
    )
    .unwrap();
    let base = tmp.path().join("np1");
    let r = build(1, &spec, &base, &[], timeout);
    r.assert_success();
    assert!(
        r.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("101") && l.contains(" 0 rows")),
        "the second edge type should have no rows:\n{}",
        r.stdout
    );
    for ranks in [2, 4] {
        let out = tmp.path().join(format!("np{ranks}"));
        build(ranks, &spec, &out, &["--writer", "parallel"], timeout).assert_success();
        assert_same_content(&base, &out, &format!("empty group, {ranks} ranks vs 1"));
    }
}

/// The `source_node_id` column of `file`'s population `pop`, through `h5dump` (None if the
/// tool is missing).
fn source_ids(file: &Path, pop: &str, scratch: &Path) -> Option<Vec<u64>> {
    if !common::have_tool("h5dump") {
        return None;
    }
    let bin = scratch.join("source_node_id.bin");
    let mut cmd = std::process::Command::new("h5dump");
    cmd.arg("-d")
        .arg(format!("/edges/{pop}/source_node_id"))
        .args(["-b", "LE", "-o"])
        .arg(&bin)
        .arg(file);
    run(cmd, Duration::from_secs(60)).assert_success();
    let bytes = std::fs::read(&bin).unwrap();
    assert_eq!(bytes.len() % 8, 0, "source_node_id is not 64-bit");
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
    )
}

/// `sort_edges_by = "source"`: identical for 1 and 3 ranks and under a small budget, and the
/// rows really are in source order.
#[test]
fn sort_by_source() {
    let timeout = Duration::from_secs(180);
    let tmp = tempfile::tempdir().unwrap();
    let spec = distance_with(tmp.path(), "sort_edges_by = \"source\"");
    let base = tmp.path().join("np1");
    build(1, &spec, &base, &[], timeout).assert_success();
    for (ranks, extra) in [
        (3, &[][..]),
        (1, &["--memory-budget", "2 MiB"][..]),
        (3, &["--memory-budget", "2 MiB"][..]),
    ] {
        let spill = tempfile::tempdir().unwrap();
        let mut args = extra.to_vec();
        args.extend(["--spill-dir", spill.path().to_str().unwrap()]);
        let out = tmp.path().join(format!("np{ranks}-{}", extra.len()));
        let r = build(ranks, &spec, &out, &args, timeout);
        r.assert_success();
        eprintln!(
            "sort by source: {ranks} ranks {extra:?}: {:.1} s, spills {:?}",
            r.elapsed.as_secs_f64(),
            r.spills()
        );
        assert_same_tree(
            &base,
            &out,
            &format!("sort_edges_by = \"source\": {ranks} ranks {extra:?} vs 1 rank"),
        );
        assert!(listing(spill.path()).is_empty(), "spill dir not empty");
        std::fs::remove_dir_all(&out).unwrap();
    }
    match source_ids(&base.join("net_net_edges.h5"), "net_to_net", tmp.path()) {
        Some(ids) => {
            assert!(!ids.is_empty(), "no edges");
            if let Some(i) = ids.windows(2).position(|w| w[0] > w[1]) {
                panic!(
                    "sort_edges_by = \"source\": row {} has source {} after {}",
                    i + 1,
                    ids[i + 1],
                    ids[i]
                );
            }
        }
        None => eprintln!("h5dump not available: source order not checked"),
    }
}
