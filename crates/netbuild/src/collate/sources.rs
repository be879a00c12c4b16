//! Rows per source node, counted on their way into the ranks' tables and summed over the
//! ranks: the per-source counts of [`super::Collated`].
//!
//! In: each row's source id, as generation pushes it ([`SourceCounter::count`]). Out: the
//! totals over all ranks ([`total_source_counts`]), the same on every rank.
//!
//! The per-source counts are held once per host, not once per rank ([`SourceCounter`]): the
//! ranks of a host add to one array of counters in the host's shared memory
//! ([`Comm::counters_on_host`]), each through a private byte per source that it flushes every
//! 255 rows of that source (so ranks seldom touch the same counter at once, and generation pays
//! a byte increment per row). With every rank on one host that array is already the total;
//! across hosts the hosts' arrays are summed in slices of [`REDUCE_SLICE`] (so no rank ever
//! holds a second whole copy). Every rank then reads the totals from its host's array.

use netbuild_comm::{Comm, FrozenCounters, HostCounters};

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
pub(super) fn total_source_counts(comm: &dyn Comm, counter: SourceCounter) -> FrozenCounters {
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

#[cfg(test)]
mod tests {
    use super::*;
    use netbuild_comm::Local;

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
