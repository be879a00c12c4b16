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
//! `source_to_target`, each (source, edge id) pair is sent, chunk by chunk, to the rank that
//! owns the source's share of source ids (shares balanced by the collated per-source counts);
//! each rank then sorts its sources' edge ids and writes its part of that index.
//!
//! Collective calls match by order, so every rank makes the same calls in the same order: as
//! many chunk writes as the rank with the most rows (the others write empty selections), and
//! as many index blocks as the busiest rank (agreed by an all-gather first).

use super::index::{decode_pair, encode_pair, Sorted, Unsorted, PAIR_BYTES};
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
    let mut by_source = Unsorted::new(
        &collated.source_counts[mine.start as usize..mine.end as usize],
        ctx.memory.side_index,
        ctx.spill_dir,
    )?;
    // Only this rank's block of targets: its rows target nothing else.
    let targets = blocks.get(rank).cloned().unwrap_or(0..0);
    let mut by_target = Sorted::new(targets.clone());

    let mut chunk = RowChunk::default();
    let mut batch = Batch::default();
    let mut row = first_row;
    let end = first_row + collated.rank_rows[rank];
    for _ in 0..rounds {
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
        exchange_sources(comm, &shares, &batch.source, row, &mut by_source)?;
        row += chunk.len() as u64;
        // Tests of the failure path: this rank stops while the others are in the next
        // collective write.
        if crate::run::fault::injected(ctx.fault, rank, FaultStage::Writing) {
            return Err(WriteError::Injected(rank));
        }
    }
    by_source.sort();

    write_indices(comm, &mut writer, &by_target, targets, &mut by_source, mine)?;
    writer.finish()?;
    Ok(())
}

/// Sends each (source, edge id) of one chunk (`sources`, edge ids from `first_edge`) to the
/// rank whose share holds the source, and records what this rank receives in `by_source`.
/// Collective: every rank calls it once per round.
fn exchange_sources(
    comm: &dyn Comm,
    shares: &[Range<u64>],
    sources: &[u64],
    first_edge: u64,
    by_source: &mut Unsorted,
) -> Result<(), WriteError> {
    let mine = &shares[comm.rank()];
    let mut outgoing = vec![Vec::new(); comm.size()];
    for (i, &s) in sources.iter().enumerate() {
        let to = owner(shares, s);
        outgoing[to].extend_from_slice(&encode_pair(s, first_edge + i as u64));
    }
    for (from, bytes) in comm.exchange_bytes(outgoing).into_iter().enumerate() {
        if bytes.len() % PAIR_BYTES != 0 {
            return Err(WriteError::Message { rank: from });
        }
        for pair in bytes.chunks_exact(PAIR_BYTES) {
            let (s, e) = decode_pair(pair);
            if !mine.contains(&s) {
                return Err(WriteError::Message { rank: from });
            }
            by_source.push(s - mine.start, e)?;
        }
    }
    Ok(())
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
