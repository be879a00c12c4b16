//! A build's time and memory on many ranks, projected from an [`Estimate`] and this machine's
//! measured rates: what `netbuild-mpi check -n RANKS` prints under "projection".
//!
//! In: the estimate (rows per rank of each population, the rule of each edge type, bytes to
//! write, node counts, the budget). Out: a [`Projection`]: generation seconds on the busiest
//! rank, writing seconds with one writer and with the parallel writer, memory per rank and per
//! host.
//!
//! Every rate is one of the named constants below, each with where it was measured
//! (docs/SCALING.md gives the commands). They are this machine's: a cluster's cores and file
//! system change them, and the projection says so. Populations are generated one after
//! another, each as slow as its busiest rank.

use crate::estimate::Estimate;

/// Rows per second one rank (one core) generates for the rules that test candidate pairs
/// (`probability`, `count`, custom rules...). Measured: Allen's V1 (v1full.toml) V1->V1, 179.5M
/// rows in 77 s on 2 ranks of this 2-core machine (2026-12-04).
pub const PAIR_RULE_ROWS_PER_S: f64 = 1.2e6;

/// Rows per second one rank generates for the rules that fix a number of sources or targets
/// (`indegree`, `outdegree`, `total`). Measured: billion.toml, 10^9 rows in 102 s on 2 ranks
/// (issue 22's unloaded run).
pub const FIXED_RULE_ROWS_PER_S: f64 = 4.9e6;

/// Bytes per second one writer writes (uncompressed). Measured: v1full, 9.9 GiB in ~40 s by
/// rank 0 on this machine's local disk.
pub const WRITE_BYTES_PER_S: f64 = 250e6;

/// Bytes per second of a parallel file system's aggregate bandwidth: **assumed** (a Lustre
/// file system of a few dozen targets), not measured here; it bounds the parallel writer.
pub const FILE_SYSTEM_BYTES_PER_S: f64 = 20e9;

/// Memory of one rank before any circuit data: the MPI and HDF5 libraries, the binary, the
/// thread pools. Measured: 38-43 MiB peak RSS per rank, 64 ranks building the 4,160-cell V1
/// copy (`v1full_100um.toml`), less its node data.
pub const RANK_RUNTIME_BYTES: f64 = 30.0 * 1024.0 * 1024.0;

/// Memory per node held once per host: the per-source counts (8 B) and the work per target
/// (8 B) of a population, besides the node columns themselves.
pub const HOST_BYTES_PER_NODE: f64 = 16.0;

/// Memory per source node held by every rank: the pending byte of its per-source counts.
pub const RANK_BYTES_PER_SOURCE: f64 = 1.0;

/// What [`project`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Ranks planned for.
    pub ranks: usize,
    /// Seconds generating, the busiest rank of each population in turn.
    pub generate_s: f64,
    /// Seconds writing every file with one writer (rank 0).
    pub write_one_s: f64,
    /// Seconds writing with the parallel writer: every rank writes, bounded by
    /// [`FILE_SYSTEM_BYTES_PER_S`].
    pub write_parallel_s: f64,
    /// Peak memory of the busiest rank: runtime, edge table (up to the budget; the rest
    /// spills) and the pending per-source counts.
    pub rank_bytes: f64,
    /// Memory held once per host, whatever its number of ranks: node data, per-source counts,
    /// work per target.
    pub host_bytes: f64,
}

/// Seconds per row of one edge type's rule.
fn seconds_per_row(rule: &str) -> f64 {
    match rule {
        "indegree" | "outdegree" | "total" => 1.0 / FIXED_RULE_ROWS_PER_S,
        _ => 1.0 / PAIR_RULE_ROWS_PER_S,
    }
}

/// The projection of `est` (made for `est.ranks` ranks).
pub fn project(est: &Estimate) -> Projection {
    let generate_s = est
        .populations
        .iter()
        .map(|p| {
            // The population's mean seconds per row, weighted by its edge types' rows.
            let (secs, rows) = p.edge_types.iter().fold((0.0, 0.0), |(s, r), &i| {
                let e = &est.edge_types[i];
                (s + e.rows * seconds_per_row(e.rule), r + e.rows)
            });
            let per_row = if rows > 0.0 { secs / rows } else { 0.0 };
            let busiest = p.rank_rows.iter().copied().fold(0.0, f64::max);
            busiest * per_row
        })
        .sum();
    let bytes = est.file_bytes();
    let ranks = est.ranks.max(1) as f64;
    let largest_nodes = est.networks.iter().map(|n| n.nodes).max().unwrap_or(0) as f64;
    let table = est.largest_share().map_or(0.0, |(_, _, b)| b);
    Projection {
        ranks: est.ranks,
        generate_s,
        write_one_s: bytes / WRITE_BYTES_PER_S,
        write_parallel_s: bytes / (ranks * WRITE_BYTES_PER_S).min(FILE_SYSTEM_BYTES_PER_S),
        rank_bytes: RANK_RUNTIME_BYTES
            + table.min(est.memory.edge_table as f64)
            + RANK_BYTES_PER_SOURCE * largest_nodes,
        host_bytes: est.networks.iter().map(|n| n.file_bytes).sum::<f64>()
            + HOST_BYTES_PER_NODE * largest_nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_count_rules_are_faster_per_row() {
        assert!(seconds_per_row("indegree") < seconds_per_row("probability"));
        assert_eq!(seconds_per_row("count"), seconds_per_row("probability"));
    }
}
