//! `netbuild-mpi check`: the spec's errors as a build reports them, and estimates close to what
//! a build makes (exact where the rule fixes the count; within 10% where it is estimated).

mod common;

use common::{example, netbuild, run, Run};
use std::path::Path;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(600);

fn ok(cmd: std::process::Command) -> Run {
    let r = run(cmd, TIMEOUT);
    r.assert_success();
    r
}

fn check_json(spec: &Path, ranks: usize) -> serde_json::Value {
    let r = ok(netbuild([
        "check".as_ref(),
        spec.as_os_str(),
        "-n".as_ref(),
        ranks.to_string().as_ref(),
        "--json".as_ref(),
    ]));
    serde_json::from_str(&r.stdout).expect("check --json prints JSON")
}

/// Builds `spec` on one process; returns rows per edge population, from the summary.
fn built_rows(spec: &Path) -> Vec<(String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = netbuild([spec.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    cmd.env("NETBUILD_PROGRESS_SECS", "0");
    let r = ok(cmd);
    r.stdout
        .lines()
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            match words.as_slice() {
                ["edges", name, rows, "rows", ..] => {
                    Some((name.to_string(), rows.replace(',', "").parse().ok()?))
                }
                _ => None,
            }
        })
        .collect()
}

fn total_rows(check: &serde_json::Value) -> f64 {
    check["total"]["rows"].as_f64().expect("total.rows")
}

fn within(estimate: f64, actual: f64, tolerance: f64) -> bool {
    (estimate - actual).abs() <= tolerance * actual
}

#[test]
fn quickstart_estimate_within_ten_percent_of_the_build() {
    let spec = example("quickstart.toml");
    let check = check_json(&spec, 1);
    let estimate = total_rows(&check);
    // The count the build makes (seed 1), and a build now.
    assert!(within(estimate, 7_680_728.0, 0.10), "estimate {estimate}");
    let built = built_rows(&spec);
    assert_eq!(built.len(), 1, "{built:?}");
    assert!(
        within(estimate, built[0].1 as f64, 0.10),
        "estimate {estimate}, built {}",
        built[0].1
    );
    // A constant probability is p × pairs: 0.1 × 6400 × 7999 + 0.2 × 1600 × 7999.
    let types = check["edge_types"].as_array().unwrap();
    assert_eq!(types.len(), 2);
    assert_eq!(types[0]["pairs"], 6400 * 8000 - 6400);
    assert_eq!(types[0]["method"], "expected");
    assert!((types[0]["rows"].as_f64().unwrap() - 0.1 * 51_193_600.0).abs() < 1.0);
    // Bytes: 36 per row at least.
    let bytes = check["populations"][0]["file_bytes"].as_f64().unwrap();
    assert!(bytes > 36.0 * estimate, "{bytes}");
}

#[test]
fn distance_expression_estimate_within_ten_percent_of_the_build() {
    let spec = example("distance.toml");
    let check = check_json(&spec, 1);
    let types = check["edge_types"].as_array().unwrap();
    assert!(types.iter().all(|t| t["method"] == "sampled"), "{types:?}");
    // Per-edge properties: a row per synapse, 1 to 3 synapses per pair.
    assert!(types
        .iter()
        .all(|t| t["rows"] == t["synapses"] && t["row_per_synapse"] == true));
    let estimate = total_rows(&check);
    let built = built_rows(&spec);
    assert_eq!(built.len(), 1, "{built:?}");
    assert!(
        within(estimate, built[0].1 as f64, 0.10),
        "estimate {estimate}, built {}",
        built[0].1
    );
    // The sample is deterministic.
    assert_eq!(total_rows(&check_json(&spec, 1)), estimate);
}

#[test]
fn indegree_is_exact() {
    let spec = example("indegree.toml");
    let check = check_json(&spec, 3);
    let built = built_rows(&spec);
    assert_eq!(total_rows(&check), built[0].1 as f64);
    assert_eq!(check["populations"][0]["exact"], true);
    // 50 × 8000 connections of 3 synapses, 12 × 8000 of 3.
    assert_eq!(
        check["total"]["synapses"].as_f64(),
        Some(3.0 * 62.0 * 8000.0)
    );
    // Three ranks' shares of the edge table add up to the population.
    let shares: f64 = check["populations"][0]["rank_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_f64().unwrap())
        .sum();
    assert!((shares - total_rows(&check)).abs() < 1e-3 * total_rows(&check));
    assert_eq!(check["ranks"], 3);
}

/// `check` projects the build's time from the measured rates of `netbuild::estimate::projection`: the
/// busiest rank's rows at the rate of its rules, the bytes at one writer's rate or the ranks'.
#[test]
fn the_projection_follows_the_measured_rates() {
    use netbuild::estimate::projection::{FIXED_RULE_ROWS_PER_S, WRITE_BYTES_PER_S};
    let spec = example("indegree.toml");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    let (one, four) = (check_json(&spec, 1), check_json(&spec, 4));
    let p1 = &one["projection"];
    let p4 = &four["projection"];
    let secs = |p: &serde_json::Value, k: &str| p[k].as_f64().expect(k);
    // Only indegree rules: every row at their rate, on the one rank, then on the busiest of 4.
    assert!(close(
        secs(p1, "generate_seconds"),
        total_rows(&one) / FIXED_RULE_ROWS_PER_S
    ));
    let busiest = four["populations"][0]["rank_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(close(
        secs(p4, "generate_seconds"),
        busiest / FIXED_RULE_ROWS_PER_S
    ));
    assert!(secs(p4, "generate_seconds") < secs(p1, "generate_seconds") / 3.0);
    let bytes = one["total"]["file_bytes"].as_f64().unwrap();
    assert!(close(
        secs(p1, "write_one_writer_seconds"),
        bytes / WRITE_BYTES_PER_S
    ));
    assert!(close(
        secs(p4, "write_parallel_seconds"),
        bytes / (4.0 * WRITE_BYTES_PER_S)
    ));
    // Memory per rank shrinks with the ranks' edge tables; the host's part does not change.
    assert!(secs(p4, "rank_bytes") < secs(p1, "rank_bytes"));
    assert_eq!(p4["host_bytes"], p1["host_bytes"]);
    let text = ok(netbuild([
        "check".as_ref(),
        spec.as_os_str(),
        "-n".as_ref(),
        "4".as_ref(),
    ]));
    assert!(
        text.stdout.contains("projection on 4 ranks"),
        "{}",
        text.stdout
    );
}

#[test]
fn text_report_and_spill() {
    let spec = example("quickstart.toml");
    let out = ok(netbuild([
        "check".as_ref(),
        spec.as_os_str(),
        "-n".as_ref(),
        "2".as_ref(),
        "--memory-budget".as_ref(),
        "1 MiB".as_ref(),
    ]));
    let text = &out.stdout;
    for expected in [
        "net_to_net",
        "net_net_edges.h5",
        "probability",
        "will spill",
        "2 ranks",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    let check = check_json(&spec, 1);
    assert_eq!(check["memory"]["will_spill"], false);
}

/// `check --json` of quickstart on `ranks` ranks with the SLURM variables `vars` set (every other
/// SLURM memory variable removed): the memory section.
fn budget_with(vars: &[(&str, &str)], extra: &[&str]) -> serde_json::Value {
    let spec = example("quickstart.toml");
    let mut cmd = netbuild(["check".as_ref(), spec.as_os_str(), "--json".as_ref()]);
    cmd.args(extra);
    for v in [
        "SLURM_MEM_PER_NODE",
        "SLURM_MEM_PER_CPU",
        "SLURM_CPUS_ON_NODE",
    ] {
        cmd.env_remove(v);
    }
    cmd.envs(vars.iter().copied());
    let r = ok(cmd);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("check --json prints JSON");
    v["memory"].clone()
}

#[test]
fn the_budget_and_where_it_came_from() {
    const GIB: u64 = 1 << 30;
    // SLURM_MEM_PER_NODE (MiB, all the job's ranks on the node): 3/4 of it over the host's ranks,
    // unless a quarter of the machine is smaller still.
    let m = budget_with(
        &[("SLURM_MEM_PER_NODE", "1024")],
        &["-n", "8", "--ranks-per-host", "2"],
    );
    assert_eq!(m["budget_source"], "slurm_mem_per_node", "{m}");
    assert_eq!(
        m["budget"],
        3 * GIB / 4 / 2,
        "3/4 of 1 GiB over 2 ranks: {m}"
    );
    assert!(
        m["budget_from"]
            .as_str()
            .unwrap()
            .contains("2 ranks on this host"),
        "{m}"
    );
    // SLURM_MEM_PER_CPU times the job's CPUs on the node; all 4 ranks on this host.
    let m = budget_with(
        &[("SLURM_MEM_PER_CPU", "256"), ("SLURM_CPUS_ON_NODE", "4")],
        &["-n", "4"],
    );
    assert_eq!(m["budget_source"], "slurm_mem_per_cpu", "{m}");
    assert_eq!(
        m["budget"],
        192u64 << 20,
        "3/4 of 4 x 256 MiB over 4 ranks: {m}"
    );
    // The spec's and the command line's budgets win over any default.
    let m = budget_with(
        &[("SLURM_MEM_PER_NODE", "1024")],
        &["--memory-budget", "100 MiB"],
    );
    assert_eq!(m["budget_source"], "cli", "{m}");
    assert_eq!(m["budget"], 100u64 << 20);
    assert_eq!(m["default_budget"], false);
    // No SLURM: this machine's MemTotal, or its cgroup's limit where tighter.
    let m = budget_with(&[], &["-n", "2"]);
    let source = m["budget_source"].as_str().unwrap();
    assert!(["memtotal", "cgroup"].contains(&source), "{m}");
    assert_eq!(m["default_budget"], true);
    let spec = example("quickstart.toml");
    let text = ok(netbuild([
        "check".as_ref(),
        spec.as_os_str(),
        "--memory-budget".as_ref(),
        "1 GiB".as_ref(),
    ]))
    .stdout;
    assert!(text.contains("budget from: --memory-budget"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("budget.toml");
    std::fs::write(
        &spec,
        "[build]\nmemory_budget = \"300 MiB\"\n[[nodes]]\nnetwork = \"n\"\nN = 10\n",
    )
    .unwrap();
    let text = ok(netbuild(["check".as_ref(), spec.as_os_str()])).stdout;
    assert!(
        text.contains("budget from: [build] memory_budget"),
        "{text}"
    );
}

/// Writes `text` to `dir/name`, then runs `check` and a build (to `dir/out`) of it: both must
/// exit 2, and the build must say what `check` says. Returns `check`'s run and the output path.
fn check_and_build_exit_2(dir: &Path, name: &str, text: &str) -> (Run, std::path::PathBuf) {
    let bad = dir.join(name);
    std::fs::write(&bad, text).unwrap();
    let out = dir.join("out");
    let check = run(netbuild(["check".as_ref(), bad.as_os_str()]), TIMEOUT);
    let build = run(
        netbuild([bad.as_os_str(), "-o".as_ref(), out.as_os_str()]),
        TIMEOUT,
    );
    assert_eq!(check.code(), Some(2), "{}", check.describe());
    assert_eq!(build.code(), Some(2), "{}", build.describe());
    assert!(
        build.stderr.contains(check.stderr.trim()),
        "{}",
        build.describe()
    );
    (check, out)
}

#[test]
fn spec_errors_exit_2_as_in_a_build() {
    let dir = tempfile::tempdir().unwrap();
    let (check, _) = check_and_build_exit_2(
        dir.path(),
        "bad.toml",
        "[build]\nseed = 1\n\n[[nodes]]\nnetwork = \"a\"\nN = 10\n\n[[edges]]\nsource = { network = \"a\" }\ntarget = { network = \"a\" }\nrule = { indegree = 50 }\n",
    );
    let message = check.stderr.trim();
    assert!(message.contains("indegree = 50"), "{message}");
    assert!(message.contains("bad.toml:"), "{message}");
    assert!(check.stdout.is_empty());

    let none = dir.path().join("none.toml");
    let missing = run(netbuild(["check".as_ref(), none.as_os_str()]), TIMEOUT);
    assert_eq!(missing.code(), Some(2));
}

/// A block whose nodes find no room `min_distance` apart (the load-time bound lets it through:
/// two nodes 10 apart in a ball of radius 5 fill 25%) fails in `check` as in a build: exit 2,
/// the message located at the `positions` key, nothing built.
#[test]
fn positions_without_room_exit_2_at_the_positions_key() {
    let dir = tempfile::tempdir().unwrap();
    let (check, out) = check_and_build_exit_2(
        dir.path(),
        "full.toml",
        "[[nodes]]\nnetwork = \"a\"\nN = 2\npositions = { sphere = 5.0, min_distance = 10.0 }\n\n[[edges]]\nsource = { network = \"a\" }\ntarget = { network = \"a\" }\nrule = { probability = 0.5 }\n",
    );
    let message = check.stderr.trim();
    assert!(
        message.contains("full.toml:4:1: could place only 1 of N = 2 nodes"),
        "{message}"
    );
    assert!(!out.exists());
}
