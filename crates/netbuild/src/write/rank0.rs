//! The rank-0 writer: rank 0 writes an edges population's `<stem>_edges.h5` alone.
//!
//! In: each rank's [`TableReader`] (rows in file order for its block), the [`Collated`]
//! counts and the [`WriteContext`] (row order, spill policy). Out: on rank 0, the finished
//! file. Rank 0 streams its own rows, then each other
//! rank's in rank order, which those ranks send as chunk messages (core columns, then each
//! group's columns, each ended by an empty chunk). Data moves by MPI messages, never through a
//! shared filesystem; memory on rank 0 is one chunk plus the indices.

use super::index::{Sorted, Unsorted};
use super::source_sort;
use super::writer_thread::WriterThread;
use super::{WriteContext, WriteError, CHUNK_ROWS};
use crate::collate::Collated;
use crate::plan::{table_dtype, EdgePopulation};
use netbuild_comm::Comm;
use netbuild_model::Dtype;
use netbuild_sonata as sonata;
use netbuild_spec::SortBy;
use netbuild_spill::{LeBytes, RowChunk, TableReader};
use netbuild_types::NumColumn;
use std::path::Path;

/// The tag of rank 0's row stream.
const TAG_ROWS: i32 = 11;

fn u32_column(v: &[u32]) -> NumColumn {
    NumColumn::U32(v.to_vec())
}

/// A chunk as bytes: `[rows][source][target][edge type]`, then per group `[rows][columns]`.
fn encode(c: &RowChunk) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + c.len() * 24);
    out.extend_from_slice(&(c.len() as u64).to_le_bytes());
    u32_column(&c.source).write_le(&mut out);
    u32_column(&c.target).write_le(&mut out);
    NumColumn::U32(c.edge_type.iter().map(|&e| e as u32).collect()).write_le(&mut out);
    for cols in &c.groups {
        out.extend_from_slice(&(cols.first().map_or(0, NumColumn::len) as u64).to_le_bytes());
        for col in cols {
            col.write_le(&mut out);
        }
    }
    out
}

/// Reads what [`encode`] wrote; `groups` gives each group's column dtypes.
fn decode(b: &[u8], groups: &[Vec<Dtype>], rank: usize) -> Result<RowChunk, WriteError> {
    let bad = || WriteError::Message { rank };
    let mut at = 0usize;
    let mut take = |n: usize| -> Result<&[u8], WriteError> {
        let s = b.get(at..at + n).ok_or_else(bad)?;
        at += n;
        Ok(s)
    };
    let count = |bytes: &[u8]| -> Result<usize, WriteError> {
        Ok(u64::from_le_bytes(bytes.try_into().map_err(|_| bad())?) as usize)
    };
    let n = count(take(8)?)?;
    let mut core = [Vec::new(), Vec::new(), Vec::new()];
    for c in &mut core {
        let mut col = NumColumn::U32(Vec::new());
        col.extend_from_le(take(n * 4)?);
        if let NumColumn::U32(v) = col {
            *c = v;
        }
    }
    let [source, target, et] = core;
    let mut out_groups = Vec::with_capacity(groups.len());
    for dtypes in groups {
        let rows = count(take(8)?)?;
        let mut cols = Vec::with_capacity(dtypes.len());
        for &d in dtypes {
            let mut col = NumColumn::new(d);
            col.extend_from_le(take(rows * netbuild_spill::column::width(d))?);
            cols.push(col);
        }
        out_groups.push(cols);
    }
    if at != b.len() {
        return Err(bad());
    }
    Ok(RowChunk {
        source,
        target,
        edge_type: et.into_iter().map(|e| e as usize).collect(),
        groups: out_groups,
    })
}

/// Every row of the population, in rank order, as rank 0 sees them: its own table first, then
/// each other rank's messages.
struct AllRows<'a> {
    comm: &'a dyn Comm,
    own: &'a mut TableReader,
    rank: usize,
    dtypes: Vec<Vec<Dtype>>,
}

impl AllRows<'_> {
    /// Fills `c` with the next chunk (reusing its buffers for rank 0's own rows); false at the
    /// end.
    fn next_into(&mut self, c: &mut RowChunk) -> Result<bool, WriteError> {
        while self.rank < self.comm.size() {
            if self.rank == 0 {
                self.own.next_rows_into(c, CHUNK_ROWS)?;
            } else {
                *c = decode(
                    &self.comm.recv_bytes(self.rank, TAG_ROWS),
                    &self.dtypes,
                    self.rank,
                )?;
            }
            if !c.is_empty() {
                return Ok(true);
            }
            self.rank += 1;
        }
        Ok(false)
    }

    fn next(&mut self) -> Result<Option<RowChunk>, WriteError> {
        let mut c = RowChunk::default();
        Ok(self.next_into(&mut c)?.then_some(c))
    }
}

/// One side's index: the side rows are sorted by, or the other one (in memory when 4 bytes per
/// edge fit the memory plan's `side_index` share, else spilled by node range).
enum SideIndex {
    Sorted(Sorted),
    Unsorted(Unsorted),
}

impl SideIndex {
    /// The index of the side rows are not sorted by, for nodes with `counts` edges each.
    fn unsorted(counts: &[u64], ctx: &WriteContext<'_>) -> Result<SideIndex, WriteError> {
        Ok(SideIndex::Unsorted(Unsorted::new(
            counts,
            ctx.memory.side_index,
            ctx.spill_dir,
        )?))
    }

    /// Records edges `first..` for `nodes`, one edge per node in order.
    fn push_chunk(&mut self, nodes: &[u64], first: u64) -> Result<(), WriteError> {
        match self {
            SideIndex::Sorted(s) => {
                for (i, &n) in nodes.iter().enumerate() {
                    s.push(n, first + i as u64);
                }
            }
            SideIndex::Unsorted(u) => u.push_chunk(nodes, first)?,
        }
        Ok(())
    }

    fn write(
        self,
        w: &mut sonata::EdgesWriter,
        d: sonata::IndexDirection,
    ) -> Result<(), WriteError> {
        match self {
            // The number of runs first (a pass in memory or over the spill files): the index
            // is then written as fixed-size datasets, faster than grown chunk by chunk, and
            // alike for any budget.
            SideIndex::Sorted(s) => {
                w.write_index_runs(d, Some(s.runs().count() as u64), s.runs())?
            }
            SideIndex::Unsorted(mut u) => {
                let error = std::cell::RefCell::new(None);
                let ranges = u.count_runs(&error);
                if let Some(e) = error.borrow_mut().take() {
                    return Err(WriteError::Table(e));
                }
                w.write_index_runs(d, Some(ranges), u.runs(&error))?;
                if let Some(e) = error.into_inner() {
                    return Err(WriteError::Table(e));
                }
            }
        }
        Ok(())
    }
}

/// Takes chunks that arrive in final file order: numbers rows within their edge groups and
/// gathers both indices, while the [`WriterThread`] writes them.
struct ChunkWriter<'p, 's> {
    thread: WriterThread<'s>,
    pop: &'p EdgePopulation,
    next_group_index: Vec<u64>,
    by_source: SideIndex,
    by_target: SideIndex,
    edge: u64,
}

impl<'p, 's> ChunkWriter<'p, 's> {
    fn new(
        thread: WriterThread<'s>,
        pop: &'p EdgePopulation,
        by_source: SideIndex,
        by_target: SideIndex,
    ) -> Self {
        ChunkWriter {
            thread,
            pop,
            next_group_index: vec![0; pop.groups.len()],
            by_source,
            by_target,
            edge: 0,
        }
    }

    /// Queues `c` for writing; its group columns are swapped for spare buffers.
    fn write(&mut self, c: &mut RowChunk) -> Result<(), WriteError> {
        let mut b = self.thread.batch();
        b.fill_core(c, self.pop, &mut self.next_group_index);
        super::strings::decode(c, self.pop, &mut b.strings)?;
        self.by_source.push_chunk(&b.source, self.edge)?;
        self.by_target.push_chunk(&b.target, self.edge)?;
        self.edge += c.len() as u64;
        std::mem::swap(&mut b.groups, &mut c.groups);
        if self.thread.send(b) {
            Ok(())
        } else {
            Err(WriteError::WriterStopped)
        }
    }

    /// Ends the pass: waits for the data to be written (the writer thread's error, if any,
    /// wins over `pass`'s, which is then only its echo), then writes both indices, on a thread
    /// of its own when `background` (see [`PendingIndex`]).
    fn finish(
        self,
        pass: Result<(), WriteError>,
        background: bool,
    ) -> Result<PendingIndex, WriteError> {
        let writer = self.thread.finish()?;
        pass?;
        tracing::debug!("data columns written");
        let (by_source, by_target) = (self.by_source, self.by_target);
        let indices = move || -> Result<(), WriteError> {
            let mut writer = writer;
            by_target.write(&mut writer, sonata::IndexDirection::TargetToSource)?;
            by_source.write(&mut writer, sonata::IndexDirection::SourceToTarget)?;
            tracing::debug!("indices written");
            writer.finish()?;
            Ok(())
        };
        if background {
            Ok(PendingIndex(Some(std::thread::spawn(indices))))
        } else {
            indices().map(|()| PendingIndex(None))
        }
    }
}

/// An edges file whose indices are still being written, on a thread of their own, while the
/// next population generates (the index of a target-sorted file is a third of its bytes, and
/// generating needs no HDF5). [`PendingIndex::wait`] returns its result; dropping it waits too.
#[must_use = "the file is finished only when wait() returns"]
pub(crate) struct PendingIndex(Option<std::thread::JoinHandle<Result<(), WriteError>>>);

impl PendingIndex {
    /// A file already finished.
    pub(crate) fn done() -> Self {
        PendingIndex(None)
    }

    /// Waits for the indices to be written and the file closed.
    pub(crate) fn wait(mut self) -> Result<(), WriteError> {
        match self.0.take().map(std::thread::JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
        }
    }
}

impl Drop for PendingIndex {
    fn drop(&mut self) {
        // On an error path: the file is abandoned, but its thread must not outlive the build.
        if let Some(h) = self.0.take() {
            let _ = h.join();
        }
    }
}

/// Collective over the ranks: rank 0 writes `dir/<stem>_edges.h5`; the others send it their rows.
pub(super) fn write_population(
    ctx: &WriteContext<'_>,
    pop: &EdgePopulation,
    table: &mut TableReader,
    collated: &Collated,
    dir: &Path,
) -> Result<PendingIndex, WriteError> {
    let comm = ctx.comm;
    if comm.rank() != 0 {
        loop {
            let c = table.next_rows(CHUNK_ROWS)?;
            comm.send_bytes(0, TAG_ROWS, &encode(&c));
            if c.is_empty() {
                return Ok(PendingIndex::done());
            }
        }
    }
    // The indices are written in the background when what they hold in memory (4 bytes per
    // edge for the unsorted side, 16 per node for the sorted one) fits the plan's
    // `background_index`, small next to the budget the next population's table may then fill.
    let (src_n, trg_n) = (ctx.networks[pop.source].n, ctx.networks[pop.target].n);
    let index_bytes = 4 * collated.n_edges() + 16 * (src_n + trg_n);
    let background = index_bytes <= ctx.memory.background_index;
    let (src, trg) = (&ctx.networks[pop.source], &ctx.networks[pop.target]);
    let layout = super::layout(pop, ctx.networks, collated);
    let [h5, _] = crate::output::names::edges_files(&pop.file_stem);
    let path = dir.join(h5);
    let mut writer = sonata::EdgesWriter::create(&path, &layout, ctx.compression, ctx.prov)?;
    if let Some(pool) = &ctx.compressors {
        writer.set_compressors(pool.clone());
    }
    let mut rows = AllRows {
        comm,
        own: table,
        rank: 0,
        dtypes: group_dtypes(pop),
    };
    std::thread::scope(|scope| {
        let thread = WriterThread::spawn(scope, writer);
        match ctx.sort_by {
            SortBy::Target => {
                let mut out = ChunkWriter::new(
                    thread,
                    pop,
                    SideIndex::unsorted(&collated.source_counts, ctx)?,
                    SideIndex::Sorted(Sorted::new(0..trg.n)),
                );
                let mut chunk = RowChunk::default();
                let mut pass = || -> Result<(), WriteError> {
                    while rows.next_into(&mut chunk)? {
                        out.write(&mut chunk)?;
                    }
                    Ok(())
                };
                let pass = pass();
                out.finish(pass, background)
            }
            SortBy::Source => {
                let (buckets, target_counts) =
                    source_sort::bucket(&mut || rows.next(), pop, collated, trg.n, ctx)?;
                let mut out = ChunkWriter::new(
                    thread,
                    pop,
                    SideIndex::Sorted(Sorted::new(0..src.n)),
                    SideIndex::unsorted(&target_counts, ctx)?,
                );
                let pass = source_sort::drain_sorted(buckets, pop, &mut |mut c| out.write(&mut c));
                out.finish(pass, background)
            }
        }
    })
}

/// Column dtypes of each edge group of `pop`.
fn group_dtypes(pop: &EdgePopulation) -> Vec<Vec<Dtype>> {
    pop.groups
        .iter()
        .map(|g| g.iter().map(|(_, c)| table_dtype(*c)).collect())
        .collect()
}
