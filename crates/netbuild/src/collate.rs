//! The `EdgesCollator`: after every rank has filled its table of a population, one collective
//! step tells every rank what the file will hold.
//!
//! In: this rank's row counts (all rows, per edge group) and per-source-node counts.
//! Out: [`Collated`]: every rank's row count (so rank r's rows start at the sum of the ranks
//! before it), each group's total, and the global per-source counts that place every edge in the
//! source_to_target index. An all-gather is itself the barrier: nobody writes before everybody
//! has finished generating.

use netbuild_comm::{bytes_to_u64s, u64s_to_bytes, Comm};

/// What a rank contributes.
#[derive(Debug, Clone, PartialEq)]
pub struct RankCounts {
    pub rows: u64,
    pub group_rows: Vec<u64>,
    /// Rows per source node id (length: the source network's size).
    pub source_counts: Vec<u64>,
}

/// What every rank learns.
#[derive(Debug, Clone, PartialEq)]
pub struct Collated {
    /// Rows of each rank, in rank order.
    pub rank_rows: Vec<u64>,
    /// Rows of each group, per rank: `rank_group_rows[r][g]`.
    pub rank_group_rows: Vec<Vec<u64>>,
    /// Rows of each group in the whole file.
    pub group_rows: Vec<u64>,
    /// Rows per source node in the whole file.
    pub source_counts: Vec<u64>,
}

impl Collated {
    pub fn n_edges(&self) -> u64 {
        self.rank_rows.iter().sum()
    }
}

/// Collective: every rank calls it with its own counts, in the same population order.
pub fn collate(comm: &dyn Comm, mine: &RankCounts) -> Collated {
    let mut head = vec![mine.rows];
    head.extend_from_slice(&mine.group_rows);
    let all = comm.all_gather_bytes(&u64s_to_bytes(&head));
    let per_rank: Vec<Vec<u64>> = all.iter().map(|b| bytes_to_u64s(b)).collect();
    let rank_rows = per_rank
        .iter()
        .map(|v| v.first().copied().unwrap_or(0))
        .collect();
    let rank_group_rows: Vec<Vec<u64>> = per_rank
        .iter()
        .map(|v| v.get(1..).unwrap_or(&[]).to_vec())
        .collect();
    let mut group_rows = vec![0u64; mine.group_rows.len()];
    for r in &rank_group_rows {
        for (g, n) in group_rows.iter_mut().zip(r) {
            *g += n;
        }
    }
    let source_counts = comm.all_reduce_sum_u64(&mine.source_counts);
    Collated {
        rank_rows,
        rank_group_rows,
        group_rows,
        source_counts,
    }
}
