//! The parallel writer: every rank writes its own rows of an edges population into the one
//! shared `<stem>_edges.h5`, through parallel HDF5 (the MPI-IO driver) with collective writes.
//!
//! In: this rank's [`TableReader`], the [`Collated`] counts, every rank's block of targets.
//! Out: the finished file, written by all ranks together (the output folder must be visible
//! to every rank: a parallel filesystem on a cluster).
//!
//! Why it works: rows are sorted by target and rank r holds the r-th block of targets, so
//! rank r's rows are one contiguous stretch of the file, starting at the sum of the rows of
//! the ranks before it (and the same within each edge group). `target_to_source` follows the
//! same way: the node rows of a rank's targets and their ranges are its own. For
//! `source_to_target`, each (source, edge id) pair goes to the rank that owns the source's share
//! of source ids (shares balanced by the collated per-source counts): a rank's own pairs straight
//! into its index, the others' sent every `EXCHANGE_ROUNDS` chunks; each rank then sorts its
//! sources' edge ids and writes its part of that index.
//!
//! Collective calls match by order, so every rank makes the same calls in the same order: as
//! many chunk writes and exchanges as the rank with the most rows (the others write empty
//! selections and send nothing), and as many index blocks as the busiest rank (agreed by an
//! all-gather first).

use super::index::{Sorted, Unsorted};
use super::pairs::{decode_pair, encode_pair, PAIR_BYTES};
use super::writer_thread::Batch;
use super::{WriteContext, WriteError};
use crate::collate::Collated;
use crate::plan::EdgePopulation;
use crate::run::fault::FaultStage;
use netbuild_comm::Comm;
use netbuild_sonata as sonata;
use netbuild_sonata::{IndexDirection, IndexPart};
use netbuild_spill::{RowChunk, TableReader};
use std::ops::Range;
use std::path::Path;

/// Collective over the ranks: they all write `path` (`<dir>/<stem>_edges.h5`, the same on
/// every rank) together; `blocks` are every rank's targets.
pub(super) fn write_population(
    ctx: &WriteContext<'_>,
    pop: &EdgePopulation,
    table: &mut TableReader,
    collated: &Collated,
    blocks: &[Range<u64>],
    path: &Path,
) -> Result<(), WriteError> {
    let comm = ctx.comm;
    let layout = super::layout(pop, ctx.networks, collated);
    let mut writer =
        sonata::ParallelEdgesWriter::create(comm, path, &layout, ctx.compression, ctx.prov)?;

    let rank = comm.rank();
    let first_row: u64 = collated.rank_rows[..rank].iter().sum();
    let mut next_group_index: Vec<u64> = (0..pop.groups.len())
        .map(|g| collated.rank_group_rows[..rank].iter().map(|r| r[g]).sum())
        .collect();
    // Pieces end at multiples of CHUNK_ALIGN_ROWS: a gzip chunk is then written whole in one
    // collective call (partial chunks make HDF5 decompress, merge and recompress them).
    let align = sonata::CHUNK_ALIGN_ROWS;
    let mut start = 0u64;
    let rounds = collated
        .rank_rows
        .iter()
        .map(|&n| {
            let r = pieces(start, n, align);
            start += n;
            r
        })
        .max()
        .unwrap_or(0);

    let shares = source_shares(&collated.source_counts, comm.size());
    let mine = shares[rank].clone();
    // This rank's share of source_to_target: in memory when it fits the plan's `side_index`
    // share, else spilled by node range, as for the rank-0 writer.
    // Its edge ids are the whole file's.
    let mut by_source = Unsorted::with_ids_below(
        &collated.source_counts[mine.start as usize..mine.end as usize],
        collated.rank_rows.iter().sum(),
        ctx.memory.side_index,
        ctx.spill_dir,
    )?;
    // Only this rank's block of targets: its rows target nothing else.
    let targets = blocks.get(rank).cloned().unwrap_or(0..0);
    let mut by_target = Sorted::new(targets.clone());

    let mut chunk = RowChunk::default();
    let mut batch = Batch::default();
    let mut exchange = SourceExchange::new(&shares, rank);
    let mut row = first_row;
    let end = first_row + collated.rank_rows[rank];
    let t0 = std::time::Instant::now();
    for round in 0..rounds {
        let piece = ((row / align + 1) * align).min(end) - row;
        table.next_rows_into(&mut chunk, piece as usize)?;
        batch.fill_core(&chunk, pop, &mut next_group_index);
        let group_at: Vec<u64> = (0..pop.groups.len())
            .map(|g| next_group_index[g] - chunk.groups[g].first().map_or(0, |c| c.len() as u64))
            .collect();
        writer.write_edges_at(row, batch.rows())?;
        for (g, cols) in chunk.groups.iter().enumerate() {
            let slices: Vec<sonata::ColumnSlice<'_>> =
                cols.iter().map(sonata::ColumnSlice::from).collect();
            writer.write_group_at(g, group_at[g], &slices)?;
        }
        for (i, &t) in batch.target.iter().enumerate() {
            by_target.push(t, row + i as u64);
        }
        exchange.add(&batch.source, row, &mut by_source)?;
        if (round + 1) % EXCHANGE_ROUNDS == 0 || round + 1 == rounds {
            exchange.flush(comm, &mut by_source)?;
        }
        row += chunk.len() as u64;
        // Tests of the failure path: this rank stops while the others are in the next
        // collective write.
        if crate::run::fault::injected(ctx.fault, rank, FaultStage::Writing) {
            return Err(WriteError::Injected(rank));
        }
    }
    let t1 = std::time::Instant::now();
    by_source.sort();
    let t2 = std::time::Instant::now();
    write_indices(comm, &mut writer, &by_target, targets, &mut by_source, mine)?;
    writer.finish()?;
    tracing::debug!(
        rank,
        rows_seconds = (t1 - t0).as_secs_f64(),
        sort_seconds = (t2 - t1).as_secs_f64(),
        index_seconds = t2.elapsed().as_secs_f64(),
        "parallel writer phases"
    );
    Ok(())
}

/// Rounds (pieces of up to [`sonata::CHUNK_ALIGN_ROWS`] rows) between two exchanges of
/// (source, edge id) pairs: at most 8 x 256Ki pairs of 12 bytes (24 MiB) wait in a rank's
/// outgoing buffers (and as many arrive). An exchange is the only point where the ranks wait for each other while
/// rows are written; exchanging each round made them compute at the same time and then queue
/// for the file's lock (a filesystem serializes buffered writes to one file) to write at the
/// same time, where with a few exchanges one rank computes while the other writes.
const EXCHANGE_ROUNDS: u64 = 8;

/// The (source, edge id) pairs of `source_to_target` on their way to the ranks whose shares
/// hold their sources: this rank's own go straight into its index, the others' wait in
/// buffers until the next [`SourceExchange::flush`].
struct SourceExchange<'a> {
    shares: &'a [Range<u64>],
    rank: usize,
    /// Encoded pairs for each rank (this rank's stays empty).
    outgoing: Vec<Vec<u8>>,
}

impl<'a> SourceExchange<'a> {
    fn new(shares: &'a [Range<u64>], rank: usize) -> Self {
        SourceExchange {
            shares,
            rank,
            outgoing: vec![Vec::new(); shares.len()],
        }
    }

    /// Takes the sources of one chunk (edge ids from `first_edge`): this rank's into
    /// `by_source`, the others' into the buffers.
    fn add(
        &mut self,
        sources: &[u64],
        first_edge: u64,
        by_source: &mut Unsorted,
    ) -> Result<(), WriteError> {
        let mine = self.shares[self.rank].clone();
        let (shares, outgoing) = (self.shares, &mut self.outgoing);
        let local = sources.iter().enumerate().filter_map(|(i, &s)| {
            let e = first_edge + i as u64;
            if mine.contains(&s) {
                return Some((s - mine.start, e));
            }
            outgoing[owner(shares, s)].extend_from_slice(&encode_pair(s, e));
            None
        });
        by_source.push_pairs(local)?;
        Ok(())
    }

    /// Sends the buffered pairs to their ranks and records what this rank receives in
    /// `by_source`. Collective: every rank calls it after the same rounds.
    fn flush(&mut self, comm: &dyn Comm, by_source: &mut Unsorted) -> Result<(), WriteError> {
        for (from, bytes) in comm.exchange_bytes(self.take()).into_iter().enumerate() {
            self.receive(from, &bytes, by_source)?;
        }
        Ok(())
    }

    /// The buffered pairs for each rank, leaving the buffers empty.
    fn take(&mut self) -> Vec<Vec<u8>> {
        let empty = vec![Vec::new(); self.shares.len()];
        std::mem::replace(&mut self.outgoing, empty)
    }

    /// Records in `by_source` the pairs that rank `from` sent (`bytes`), which must all have
    /// their sources in this rank's share.
    fn receive(
        &self,
        from: usize,
        bytes: &[u8],
        by_source: &mut Unsorted,
    ) -> Result<(), WriteError> {
        let mine = self.shares[self.rank].clone();
        let pairs = bytes.chunks_exact(PAIR_BYTES).map(decode_pair);
        if !bytes.len().is_multiple_of(PAIR_BYTES) || pairs.clone().any(|(s, _)| !mine.contains(&s))
        {
            return Err(WriteError::Message { rank: from });
        }
        by_source.push_pairs(pairs.map(|(s, e)| (s - mine.start, e)))?;
        Ok(())
    }
}

/// This rank's parts of both indices: `target_to_source` for its block of `targets`,
/// `source_to_target` for its share `mine` of source ids. Collective.
fn write_indices(
    comm: &dyn Comm,
    writer: &mut sonata::ParallelEdgesWriter,
    by_target: &Sorted,
    targets: Range<u64>,
    by_source: &mut Unsorted,
    mine: Range<u64>,
) -> Result<(), WriteError> {
    // One range per target with edges; the runs are walked twice (count, then write), as
    // source_to_target's are.
    let part = agree_on_part(comm, targets, by_target.runs().count() as u64);
    writer.write_index_part(IndexDirection::TargetToSource, &part, by_target.runs())?;

    let error = std::cell::RefCell::new(None);
    let s2t_ranges = by_source.count_runs(&error);
    if let Some(e) = error.take() {
        return Err(WriteError::Table(e));
    }
    let part = agree_on_part(comm, mine.clone(), s2t_ranges);
    let offset = mine.start;
    let runs = by_source.runs(&error).map(|(n, r)| (n + offset, r));
    writer.write_index_part(IndexDirection::SourceToTarget, &part, runs)?;
    match error.take() {
        Some(e) => Err(WriteError::Table(e)),
        None => Ok(()),
    }
}

/// How many pieces rows `first..first + n` make when cut at multiples of `align`.
fn pieces(first: u64, n: u64, align: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    (first + n).div_ceil(align) - first / align
}

/// Contiguous shares of source ids, one per rank, with about equal numbers of edges.
fn source_shares(counts: &[u64], ranks: usize) -> Vec<Range<u64>> {
    crate::plan::balanced_blocks(counts.len() as u64, |s| counts[s as usize] as f64, ranks)
}

/// The rank whose share holds source `s`.
fn owner(shares: &[Range<u64>], s: u64) -> usize {
    shares
        .partition_point(|r| r.end <= s)
        .min(shares.len().saturating_sub(1))
}

/// Every rank's ranges, gathered: this rank's [`IndexPart`] for `nodes` with `ranges` ranges.
fn agree_on_part(comm: &dyn Comm, nodes: Range<u64>, ranges: u64) -> IndexPart {
    let all = comm.all_gather_u64(ranges);
    IndexPart {
        nodes,
        first_range: all[..comm.rank()].iter().sum(),
        ranges,
        total_ranges: all.iter().sum(),
        rounds: all
            .iter()
            .map(|&r| IndexPart::blocks_for(r))
            .max()
            .unwrap_or(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_source_once_and_balance_edges() {
        let counts = [5u64, 0, 3, 8, 1, 1, 1, 9, 0, 2];
        for ranks in 1..6 {
            let shares = source_shares(&counts, ranks);
            assert_eq!(shares.len(), ranks);
            assert_eq!(shares[0].start, 0);
            assert_eq!(shares[ranks - 1].end, counts.len() as u64);
            for w in shares.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
            for s in 0..counts.len() as u64 {
                assert!(shares[owner(&shares, s)].contains(&s));
            }
        }
        let two = source_shares(&counts, 2);
        let first: u64 = counts[..two[0].end as usize].iter().sum();
        assert!((12..=25).contains(&first), "{two:?}");
    }

    /// Two ranks' rows, their pairs exchanged in batches as the writer does: each rank's part
    /// of source_to_target holds exactly its sources' edges, sorted, as one writer's would.
    #[test]
    fn exchanged_pairs_make_each_ranks_share_of_the_index() {
        let nodes = 23u64;
        let sources: Vec<u64> = (0..1000u64).map(|e| (e * 7 + e / 13) % nodes).collect();
        let mut counts = vec![0u64; nodes as usize];
        for &s in &sources {
            counts[s as usize] += 1;
        }
        let shares = source_shares(&counts, 2);
        // In memory, and spilled to many bucket files.
        for memory in [1u64 << 20, 100] {
            let dir = tempfile::tempdir().unwrap();
            // Rank 0 writes rows 0..400, rank 1 rows 400..1000, in chunks of 64 rows.
            let rows = [0..400usize, 400..1000];
            let mut ex: Vec<SourceExchange<'_>> =
                (0..2).map(|r| SourceExchange::new(&shares, r)).collect();
            let mut index: Vec<Unsorted> = shares
                .iter()
                .map(|sh| {
                    let c = &counts[sh.start as usize..sh.end as usize];
                    Unsorted::new(c, memory, dir.path()).unwrap()
                })
                .collect();
            for round in 0..10 {
                for r in 0..2 {
                    let lo = (rows[r].start + 64 * round).min(rows[r].end);
                    let hi = (lo + 64).min(rows[r].end);
                    ex[r]
                        .add(&sources[lo..hi], lo as u64, &mut index[r])
                        .unwrap();
                }
                // A flush every third round and at the end.
                if round % 3 == 2 || round == 9 {
                    let sent: Vec<Vec<Vec<u8>>> = ex.iter_mut().map(|e| e.take()).collect();
                    for to in 0..2 {
                        assert!(sent[to][to].is_empty(), "a rank's own pairs are never sent");
                        for (from, bytes) in sent.iter().enumerate() {
                            ex[to].receive(from, &bytes[to], &mut index[to]).unwrap();
                        }
                    }
                }
            }
            let err = std::cell::RefCell::new(None);
            let mut got = Vec::new();
            for (sh, idx) in shares.iter().zip(&mut index) {
                idx.sort();
                got.extend(idx.pairs(&err).map(|(n, e)| (n + sh.start, e)));
            }
            let mut expected: Vec<(u64, u64)> = sources
                .iter()
                .enumerate()
                .map(|(e, &s)| (s, e as u64))
                .collect();
            expected.sort_unstable();
            assert_eq!(got, expected, "memory {memory}");
            // A pair outside the receiver's share is refused.
            let stray = encode_pair(shares[1].start, 5);
            let e = ex[0].receive(1, &stray, &mut index[0]);
            assert!(matches!(e, Err(WriteError::Message { rank: 1 })));
        }
    }

    #[test]
    fn pieces_end_at_aligned_rows() {
        assert_eq!(pieces(0, 0, 10), 0);
        assert_eq!(pieces(0, 10, 10), 1);
        assert_eq!(pieces(0, 11, 10), 2);
        assert_eq!(pieces(5, 5, 10), 1);
        assert_eq!(pieces(5, 6, 10), 2);
        assert_eq!(pieces(9, 22, 10), 4);
    }
}
