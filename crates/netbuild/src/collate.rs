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
//! The per-source counts are held once per host, not once per rank ([`SourceCounter`]): the
//! ranks of a host add to one array of counters in the host's shared memory
//! ([`Comm::counters_on_host`]), each through a private byte per source that it flushes every
//! 255 rows of that source (so ranks seldom touch the same counter at once, and generation pays
//! a byte increment per row). With every rank on one host that array is already the total;
//! across hosts the hosts' arrays are summed in slices of [`REDUCE_SLICE`] (so no rank ever
//! holds a second whole copy). Every rank then reads the totals from its host's array.

use netbuild_comm::{bytes_to_u64s, u64s_to_bytes, Comm, FrozenCounters, HostCounters};

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

/// Rows per source node, counted on their way into a rank's table, into its host's counters.
pub struct SourceCounter {
    /// Rows of each source not yet added to `host` (at most 254).
    pending: Vec<u8>,
    host: HostCounters,
}

/// Counters summed per call when the hosts' arrays are added up (8 MiB).
pub const REDUCE_SLICE: usize = 1 << 20;

impl SourceCounter {
    /// *Collective over the host* (every rank calls it for each population, in the same
    /// order): counters for `n_sources` source nodes, shared by the ranks of this host where
    /// possible (else this rank's own; the totals are the same, only the memory differs).
    pub fn new(comm: &dyn Comm, n_sources: u64) -> SourceCounter {
        let n = n_sources as usize;
        let host = comm.counters_on_host(n).unwrap_or_else(|e| {
            tracing::warn!(
                rank = comm.rank(),
                "cannot share the per-source counts with the other ranks of this host ({e}); this rank counts alone"
            );
            HostCounters::owned(n)
        });
        SourceCounter {
            pending: vec![0; n],
            host,
        }
    }

    /// A row of source `source` (ignored past the source network's size).
    #[inline]
    pub fn count(&mut self, source: u64) {
        if let Some(c) = self.pending.get_mut(source as usize) {
            *c += 1;
            if *c == u8::MAX {
                self.host.add(source as usize, u64::from(u8::MAX));
                *c = 0;
            }
        }
    }

    /// Adds what is pending to the host's counters.
    fn flush(self) -> HostCounters {
        for (i, &c) in self.pending.iter().enumerate() {
            if c > 0 {
                self.host.add(i, u64::from(c));
            }
        }
        self.host
    }
}

/// *Collective.* Every rank's `counter` summed, as the same totals on every rank (read from the
/// host's array).
fn total_source_counts(comm: &dyn Comm, counter: SourceCounter) -> FrozenCounters {
    let counts = counter.flush();
    // Every rank of the host has added its rows.
    comm.barrier();
    let one_array = comm.ranks_on_host() == comm.size() && (counts.is_shared() || comm.size() == 1);
    if !comm.all(one_array) {
        // Each host's array (or each lone rank's) is added once: by the host's leader, or by a
        // rank that counts alone; the others add zeros. The same number of calls everywhere.
        let adds = !counts.is_shared() || comm.host_leader();
        let mut slice = Vec::with_capacity(REDUCE_SLICE.min(counts.len()));
        for start in (0..counts.len()).step_by(REDUCE_SLICE) {
            let end = (start + REDUCE_SLICE).min(counts.len());
            slice.clear();
            slice.extend((start..end).map(|i| if adds { counts.get(i) } else { 0 }));
            let sums = comm.all_reduce_sum_u64(&slice);
            if adds {
                for (i, &s) in (start..end).zip(&sums) {
                    counts.set(i, s);
                }
            }
        }
        // The totals are written before anyone reads them.
        comm.barrier();
    }
    counts.freeze()
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

    /// A source's rows pass through its pending byte many times over: none is lost.
    #[test]
    fn counts_past_a_byte_add_up() {
        let local = Local::new();
        let mut sources = SourceCounter::new(&local, 2);
        for _ in 0..100_000 {
            sources.count(1);
        }
        for _ in 0..254 {
            sources.count(0);
        }
        assert_eq!(&total_source_counts(&local, sources)[..], &[254, 100_000]);
    }
}
