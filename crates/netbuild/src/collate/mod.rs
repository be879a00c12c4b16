//! The `EdgesCollator`: after every rank has filled its table of a population, one collective
//! step tells every rank what the file will hold.
//!
//! In: this rank's row counts (all rows, per edge group, rows and synapses per edge type) and
//! per-source-node counts.
//! Out: [`Collated`]: every rank's row count (so rank r's rows start at the sum of the ranks
//! before it), each group's total, each edge type's rows and synapses (for the summary), and the
//! global per-source counts that place every edge in the source_to_target index. An all-gather is itself the barrier: nobody writes before everybody
//! has finished generating.
//!
//! The per-source counts are held once per host, not once per rank: [`SourceCounter`]
//! (`sources.rs`).

mod sources;

use netbuild_comm::{bytes_to_u64s, u64s_to_bytes, Comm, FrozenCounters};
use sources::total_source_counts;
pub use sources::{SourceCounter, REDUCE_SLICE};

/// What a rank contributes.
#[derive(Debug, Clone, PartialEq)]
pub struct RankCounts {
    /// Rows this rank made.
    pub rows: u64,
    /// Rows of each edge group on this rank.
    pub group_rows: Vec<u64>,
    /// Rows and synapses of each of the population's edge types (the same length on every rank).
    pub edge_type_rows: Vec<u64>,
    /// As `edge_type_rows`, synapses.
    pub edge_type_synapses: Vec<u64>,
}

/// What every rank learns.
#[derive(Debug, PartialEq)]
pub struct Collated {
    /// Rows of each rank, in rank order.
    pub rank_rows: Vec<u64>,
    /// Rows of each group, per rank: `rank_group_rows[r][g]`.
    pub rank_group_rows: Vec<Vec<u64>>,
    /// Rows of each group in the whole file.
    pub group_rows: Vec<u64>,
    /// Rows per source node in the whole file (held once per host).
    pub source_counts: FrozenCounters,
    /// Rows and synapses of each of the population's edge types in the whole file.
    pub edge_type_rows: Vec<u64>,
    /// As `edge_type_rows`, synapses.
    pub edge_type_synapses: Vec<u64>,
}

impl Collated {
    /// Rows in the whole file.
    pub fn n_edges(&self) -> u64 {
        self.rank_rows.iter().sum()
    }
}

/// Collective: every rank calls it with its own counts, in the same population order (so the
/// group and edge type lists have the same lengths everywhere), and the `sources` it counted.
pub fn collate(comm: &dyn Comm, mine: &RankCounts, sources: SourceCounter) -> Collated {
    // One all-gather of [rows, group rows.., edge type rows.., edge type synapses..].
    let (g, e) = (mine.group_rows.len(), mine.edge_type_rows.len());
    let mut head = vec![mine.rows];
    head.extend_from_slice(&mine.group_rows);
    head.extend_from_slice(&mine.edge_type_rows);
    head.extend_from_slice(&mine.edge_type_synapses);
    let all = comm.all_gather_bytes(&u64s_to_bytes(&head));
    let per_rank: Vec<Vec<u64>> = all.iter().map(|b| bytes_to_u64s(b)).collect();
    let rank_rows = per_rank
        .iter()
        .map(|v| v.first().copied().unwrap_or(0))
        .collect();
    let rank_group_rows: Vec<Vec<u64>> = per_rank
        .iter()
        .map(|v| v.get(1..1 + g).unwrap_or(&[]).to_vec())
        .collect();
    let sum_of = |range: std::ops::Range<usize>| -> Vec<u64> {
        let mut total = vec![0u64; range.len()];
        for v in &per_rank {
            for (t, n) in total.iter_mut().zip(v.get(range.clone()).unwrap_or(&[])) {
                *t += n;
            }
        }
        total
    };
    let edge_type_rows = sum_of(1 + g..1 + g + e);
    let edge_type_synapses = sum_of(1 + g + e..1 + g + 2 * e);
    let mut group_rows = vec![0u64; mine.group_rows.len()];
    for r in &rank_group_rows {
        for (g, n) in group_rows.iter_mut().zip(r) {
            *g += n;
        }
    }
    let source_counts = total_source_counts(comm, sources);
    Collated {
        rank_rows,
        rank_group_rows,
        group_rows,
        source_counts,
        edge_type_rows,
        edge_type_synapses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netbuild_comm::Local;

    #[test]
    fn one_rank_collates_its_own_counts() {
        let mine = RankCounts {
            rows: 7,
            group_rows: vec![4, 3],
            edge_type_rows: vec![4, 3],
            edge_type_synapses: vec![9, 3],
        };
        let local = Local::new();
        let mut sources = SourceCounter::new(&local, 3);
        // Source 0 five times, source 2 twice, and one past the end (ignored).
        for s in [0, 2, 0, 0, 2, 0, 3, 0] {
            sources.count(s);
        }
        let c = collate(&local, &mine, sources);
        assert_eq!(c.rank_rows, vec![7]);
        assert_eq!(c.rank_group_rows, vec![vec![4, 3]]);
        assert_eq!(c.group_rows, vec![4, 3]);
        assert_eq!(&c.source_counts[..], &[5, 0, 2]);
        assert_eq!(c.edge_type_rows, vec![4, 3]);
        assert_eq!(c.edge_type_synapses, vec![9, 3]);
        assert_eq!(c.n_edges(), 7);
    }
}
