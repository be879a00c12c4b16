//! Progress and summary of a real 2-rank build: with stderr not a terminal (a SLURM log), rank 0
//! logs `progress: POP N% (...)` lines every `NETBUILD_PROGRESS_SECS`, then `writing POP ...`
//! per population; the summary on stdout lists every edge type with its rows and synapses, the
//! peak memory of both ranks and the files written.

mod common;

use common::{example, mpirun, run, strip_ansi};
use std::time::Duration;

#[test]
fn two_rank_v1like_logs_progress_and_summarizes_every_edge_type() {
    let spec = example("v1like.toml");
    let n_edge_types = std::fs::read_to_string(&spec)
        .unwrap()
        .lines()
        .filter(|l| l.trim() == "[[edges]]" || l.trim() == "[[gap_junctions]]")
        .count();
    assert!(n_edge_types > 50);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v1like");
    let mut cmd = mpirun(2, [spec.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    // Local ranks inherit mpirun's environment.
    cmd.env("NETBUILD_PROGRESS_SECS", "1")
        .env_remove("RUST_LOG");
    // ~40 s on 2 idle cores; much more on a busy machine.
    let r = run(cmd, Duration::from_secs(1500));
    r.assert_success();
    let log = strip_ansi(&r.stderr);

    // Progress lines with a percentage, rising, for the big population.
    let percents: Vec<u32> = log
        .lines()
        .filter_map(|l| l.split("progress: v1_to_v1 ").nth(1))
        .filter_map(|rest| {
            assert!(rest.contains(" edges/s, ETA "), "{rest}");
            rest.split('%').next()?.parse().ok()
        })
        .collect();
    assert!(
        percents.len() >= 2,
        "expected progress lines every second:\n{}",
        r.describe()
    );
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
    assert!(percents.iter().all(|&p| p <= 100));
    for pop in ["v1_to_v1", "lgn_to_v1"] {
        assert!(
            log.contains(&format!("writing {pop} ...")),
            "{}",
            r.describe()
        );
    }
    // Only rank 0 reports: no line is repeated by rank 1 (its log level is warn).
    assert_eq!(log.matches("writing v1_to_v1 ...").count(), 1);

    // The summary: every edge type by id, with rows and synapses; both ranks' peak memory; files.
    let summary = &r.stdout;
    for i in 0..n_edge_types {
        let id = 100 + i;
        assert!(
            summary.lines().any(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                w.first() == Some(&id.to_string().as_str())
                    && w.contains(&"rows")
                    && w.last() == Some(&"synapses")
            }),
            "edge type {id} missing from the summary:\n{summary}"
        );
    }
    assert!(summary.contains("on 2 ranks"), "{summary}");
    assert!(
        summary.contains("rank 0 ") && summary.contains("rank 1 "),
        "{summary}"
    );
    for file in [
        "v1_v1_edges.h5",
        "lgn_v1_edges.h5",
        "v1_nodes.h5",
        "circuit_config.json",
    ] {
        assert!(summary.contains(file), "{file} not in:\n{summary}");
    }
    // Per-edge-type rows add up to the populations'.
    let rows = |l: &str| -> u64 {
        let w: Vec<&str> = l.split_whitespace().collect();
        let i = w.iter().position(|x| *x == "rows").unwrap();
        w[i - 1].replace(',', "").parse().unwrap()
    };
    let first_word = |l: &str| l.split_whitespace().next().unwrap_or("").to_string();
    let pop_rows: u64 = summary
        .lines()
        .filter(|l| first_word(l) == "edges")
        .map(rows)
        .sum();
    let type_rows: u64 = summary
        .lines()
        .filter(|l| first_word(l).parse::<u32>().is_ok() && l.contains(" rows "))
        .map(rows)
        .sum();
    assert!(pop_rows > 20_000_000, "{summary}");
    assert_eq!(type_rows, pop_rows, "{summary}");
}
