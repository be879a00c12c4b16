//! The ranks of one host hold the node columns (and the positions, selections and grids made
//! from them), the work per target and the per-source counts once: 8 ranks building 1M nodes
//! with a `max_distance` rule take at most 2 times the memory one rank takes (each rank holding
//! its own copy of everything took 6.6 times, its own work per target and counts 2.2 times; see
//! docs/SCALING.md, "Node columns per host"). And the shared files are gone from `/dev/shm`
//! once the build is over.
//!
//! Memory is the machine's: the sum over the job's ranks of their proportional set size (PSS,
//! which counts a page shared by k processes 1/k in each), sampled every 20 ms; its peak.
//! Per-rank peak RSS (VmHWM) would count the shared pages once per rank.

mod common;

use common::{netbuild_on, netbuild_processes_with, spawn};
use std::path::Path;
use std::time::{Duration, Instant};

const SPEC: &str = r#"
[build]
seed = 3

[[nodes]]
network = "net"
N = 1000000
x = { uniform = [0.0, 2500.0] }
y = { uniform = [0.0, 2500.0] }
z = { uniform = [0.0, 2500.0] }
tuning_angle = { uniform = [0.0, 360.0] }

[[edges]]
source = { network = "net" }
target = { network = "net" }
rule = { probability = 0.1, max_distance = 10.0 }
"#;

/// The PSS of process `pid` in KiB (0 once it is gone).
fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Builds the spec on `ranks` ranks into `out`; returns the peak of the ranks' summed PSS (KiB)
/// and the pids of the ranks seen.
fn build_peak(ranks: usize, spec: &Path, out: &Path) -> (u64, Vec<u32>) {
    let mut job = spawn(netbuild_on(
        ranks,
        [spec.as_os_str(), "-o".as_ref(), out.as_os_str()],
    ));
    let needle = out.to_string_lossy().into_owned();
    let (mut peak, mut pids) = (0u64, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(120);
    while job.try_status().is_none() && Instant::now() < deadline {
        let procs = netbuild_processes_with(&needle);
        peak = peak.max(procs.iter().map(|(pid, _)| pss_kib(*pid)).sum());
        for (pid, _) in procs {
            if !pids.contains(&pid) {
                pids.push(pid);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    job.wait(Duration::from_secs(10)).assert_success();
    assert_eq!(pids.len(), ranks, "every rank was seen running");
    (peak, pids)
}

#[test]
fn eight_ranks_hold_the_node_columns_once() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let (one, _) = build_peak(1, &spec, &tmp.path().join("np1"));
    let (eight, pids) = build_peak(8, &spec, &tmp.path().join("np8"));
    let ratio = eight as f64 / one as f64;
    eprintln!(
        "peak PSS: 1 rank {} MiB, 8 ranks {} MiB in all ({ratio:.2}x)",
        one / 1024,
        eight / 1024
    );
    assert!(
        ratio <= 2.0,
        "8 ranks took {ratio:.2} times the memory of 1 ({} MiB vs {} MiB): the ranks of a host \
         no longer share the node columns, the work per target or the per-source counts",
        eight / 1024,
        one / 1024
    );
    let left: Vec<String> = std::fs::read_dir("/dev/shm")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            pids.iter()
                .any(|p| n.starts_with(&format!("netbuild-{p}-")))
        })
        .collect();
    assert!(left.is_empty(), "left in /dev/shm: {left:?}");
}
