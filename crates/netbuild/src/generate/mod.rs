//! One rank's share of one edges population: its block of targets run through every edge type
//! of the population, in the order the file wants (target ascending, then edge type).
//!
//! In: prepared edge types, the population's work per target ([`TargetWork`]: which edge types
//! target each node) and a block of target ids. Out: a filled [`EdgeTypesTable`] and the
//! counts the collator needs (per source node into a [`SourceCounter`]; [`BlockCounts`]: rows
//! and synapses per edge type for the summary), with what the rules dropped or changed on the way ([`Issues`]).
//!
//! Threads: the block is cut into small runs of targets that worker threads connect into their
//! own buffers; the buffers are then replayed into the table in target order. A batch of runs
//! is in flight at a time, so memory stays bounded. Draws are keyed by target, so the threads
//! cannot change a single value.
//!
//! Beside it: [`progress`], rank 0's report while the ranks generate, and [`issues`], what the
//! rules dropped or changed, gathered over the ranks after generation and put in words.

pub mod issues;
pub mod progress;

use crate::collate::SourceCounter;
use crate::plan::work::TargetWork;
use netbuild_model::{BlockState, EdgeRow, EdgeRows, EdgeSink, Issues, PreparedEdgeType, Scratch};
use netbuild_spill::{EdgeTypesTable, TableError};
use rayon::prelude::*;
use std::ops::Range;

/// Rows of a run of targets, held by a worker until their turn comes.
#[derive(Default)]
struct RunBuffer {
    edge_type: Vec<u32>,
    source: Vec<u64>,
    target: Vec<u64>,
    nsyns: Vec<u32>,
    /// Properties of all rows, concatenated; row i has `n_props[edge_type[i]]` of them.
    props: Vec<f64>,
    n_props: Vec<u8>,
    /// What the rules dropped or changed for these targets.
    issues: Issues,
    /// The connecting thread's scratch space, kept with the buffer for the next run.
    scratch: Scratch,
}

impl EdgeSink for RunBuffer {
    type Error = std::convert::Infallible;
    #[inline]
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), Self::Error> {
        self.edge_type.push(row.edge_type as u32);
        self.source.push(row.source);
        self.target.push(row.target);
        self.nsyns.push(row.nsyns);
        self.n_props.push(row.properties.len() as u8);
        // A row has a few values: pushed one by one, not a call to `memcpy` per row.
        for &x in row.properties {
            self.props.push(x);
        }
        Ok(())
    }

    fn push_rows(&mut self, rows: EdgeRows<'_>) -> Result<(), Self::Error> {
        let n = rows.len();
        let grown = self.source.len() + n;
        self.edge_type.resize(grown, rows.edge_type as u32);
        self.source.extend_from_slice(rows.sources);
        self.target.resize(grown, rows.target);
        self.nsyns.extend_from_slice(rows.nsyns);
        self.n_props.resize(grown, rows.width as u8);
        self.props.extend_from_slice(rows.properties);
        Ok(())
    }
}

impl RunBuffer {
    /// Forgets the rows, keeping the vectors' room.
    fn clear(&mut self) {
        self.edge_type.clear();
        self.source.clear();
        self.target.clear();
        self.nsyns.clear();
        self.props.clear();
        self.n_props.clear();
        self.issues = Issues::default();
    }

    /// Hands the rows to `sink` a (edge type, target) stretch at a time, in order.
    fn replay<S: EdgeSink>(&self, sink: &mut S) -> Result<(), S::Error> {
        let (mut start, mut at) = (0usize, 0usize);
        let n = self.source.len();
        while start < n {
            let (l, t) = (self.edge_type[start], self.target[start]);
            let mut end = start + 1;
            while end < n && self.edge_type[end] == l && self.target[end] == t {
                end += 1;
            }
            // An edge type's rows all have as many properties.
            let width = self.n_props[start] as usize;
            let values = width * (end - start);
            sink.push_rows(EdgeRows {
                edge_type: l as usize,
                target: t,
                sources: &self.source[start..end],
                nsyns: &self.nsyns[start..end],
                properties: &self.props[at..at + values],
                width,
            })?;
            at += values;
            start = end;
        }
        Ok(())
    }
}

/// What one rank's block of a population holds, besides the rows themselves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockCounts {
    /// Rows of each of the population's edge types, in the order they were given.
    pub edge_type_rows: Vec<u64>,
    /// Synapses of each edge type: the sum of `nsyns` over rows (a row per synapse counts 1).
    pub edge_type_synapses: Vec<u64>,
    /// What the rules dropped or changed in this block (this rank's tally).
    pub issues: Issues,
}

/// Counts rows per source node, and rows and synapses per edge type, on their way into the
/// table.
struct Counting<'a> {
    table: &'a mut EdgeTypesTable,
    counts: &'a mut BlockCounts,
    sources: &'a mut SourceCounter,
    /// Edge type index in the circuit → its position in `counts`.
    local: Vec<usize>,
}

impl Counting<'_> {
    /// Adds `rows` rows and `synapses` synapses to edge type `edge_type`'s counts.
    #[inline]
    fn count_edge_type(&mut self, edge_type: usize, rows: u64, synapses: u64) {
        if let Some(&l) = self.local.get(edge_type) {
            if let Some(r) = self.counts.edge_type_rows.get_mut(l) {
                *r += rows;
                self.counts.edge_type_synapses[l] += synapses;
            }
        }
    }
}

impl EdgeSink for Counting<'_> {
    type Error = TableError;
    #[inline]
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), TableError> {
        self.sources.count(row.source);
        self.count_edge_type(row.edge_type, 1, u64::from(row.nsyns));
        self.table.push(row)
    }

    fn push_rows(&mut self, rows: EdgeRows<'_>) -> Result<(), TableError> {
        for &source in rows.sources {
            self.sources.count(source);
        }
        let synapses: u64 = rows.nsyns.iter().map(|&k| u64::from(k)).sum();
        self.count_edge_type(rows.edge_type, rows.len() as u64, synapses);
        self.table.push_rows(rows)
    }
}

/// Run buffers whose rows were replayed, for the next runs to fill: each run's vectors grew
/// from empty before (their `realloc` copies were 2% of the instructions of Allen's V1 at
/// 150 um). At most the buffers of the two batches in flight are kept.
#[derive(Default)]
struct Spare(std::sync::Mutex<Vec<RunBuffer>>);

impl Spare {
    fn take(&self) -> RunBuffer {
        let spare = self.0.lock().ok().and_then(|mut v| v.pop());
        spare.unwrap_or_default()
    }

    fn give(&self, buffers: Vec<RunBuffer>) {
        if let Ok(mut spare) = self.0.lock() {
            spare.extend(buffers.into_iter().map(|mut b| {
                b.clear();
                b
            }));
        }
    }
}

fn connect_run(
    edge_types: &[&PreparedEdgeType<'_>],
    states: &[BlockState],
    work: &TargetWork,
    run: Range<u64>,
    spare: &Spare,
) -> RunBuffer {
    let mut buf = spare.take();
    let mut scratch = std::mem::take(&mut buf.scratch);
    for t in run {
        // Only the edge types that target t, in the population's order.
        for &l in work.types_of(t) {
            let l = l as usize;
            // A RunBuffer never fails.
            let Ok(()) = edge_types[l].connect(&states[l], t, &mut scratch, &mut buf);
        }
    }
    buf.issues = std::mem::take(&mut scratch.issues);
    buf.scratch = scratch;
    buf
}

/// Cuts `block` into runs of about `goal` estimated work each.
fn runs(work: &TargetWork, block: Range<u64>, goal: f64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut start = block.start;
    let mut acc = 0.0;
    for t in block.clone() {
        acc += work.of(t);
        if acc >= goal || t + 1 - start >= 4096 {
            out.push(start..t + 1);
            start = t + 1;
            acc = 0.0;
        }
    }
    if start < block.end {
        out.push(start..block.end);
    }
    out
}

/// Connects every target of `block` for each of `edge_types` into `table`, on `threads` worker
/// threads (`work`: the population's work per target, [`crate::plan::setup::EdgeSetup::work`]); counts
/// the rows per source node into `sources` and returns the rows per edge type. `progress` hears, after each batch, the number of targets of the block done
/// so far (from its start) and the rows pushed so far of each edge type (in `edge_types` order).
pub fn generate_block(
    edge_types: &[&PreparedEdgeType<'_>],
    work: &TargetWork,
    block: Range<u64>,
    sources: &mut SourceCounter,
    table: &mut EdgeTypesTable,
    threads: usize,
    mut progress: impl FnMut(u64, &[u64]),
) -> Result<BlockCounts, TableError> {
    let states: Vec<BlockState> = edge_types
        .iter()
        .map(|e| e.prepare_block(block.clone()))
        .collect();
    let mut counts = BlockCounts {
        edge_type_rows: vec![0; edge_types.len()],
        edge_type_synapses: vec![0; edge_types.len()],
        issues: Issues::default(),
    };
    let mut local = vec![usize::MAX; edge_types.iter().map(|e| e.index + 1).max().unwrap_or(0)];
    for (l, e) in edge_types.iter().enumerate() {
        local[e.index] = l;
    }
    let mut sink = Counting {
        table,
        counts: &mut counts,
        sources,
        local,
    };
    // ~20k rows of work per run. A batch ends at a barrier where threads wait for its
    // slowest run: eight runs per thread keep that wait small (2 per thread left the 2 cores
    // of Allen's V1 at 150 um idle a tenth of the time) while the rows in flight stay a few
    // MB per thread.
    let runs = runs(work, block.clone(), 20_000.0);
    let batch = threads.max(1) * 8;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build();
    let mut done = 0u64;
    let spare = Spare::default();
    let replay = |sink: &mut Counting<'_>, buffers: Vec<RunBuffer>| -> Result<(), TableError> {
        buffers.iter().try_for_each(|buf| {
            sink.counts.issues.merge(&buf.issues);
            buf.replay(sink)
        })?;
        spare.give(buffers);
        Ok(())
    };
    let targets = |group: &[Range<u64>]| group.iter().map(|r| r.end - r.start).sum::<u64>();
    match &pool {
        Ok(pool) if threads > 1 => {
            // Batch k is replayed into the table on one thread while the others connect batch
            // k + 1: the table's single writer never leaves the cores idle.
            let mut pending: Option<(Vec<RunBuffer>, u64)> = None;
            for group in runs.chunks(batch).map(Some).chain([None]) {
                let (buffers, replayed) = pool.join(
                    || {
                        group.map(|g| {
                            g.par_iter()
                                .map(|r| connect_run(edge_types, &states, work, r.clone(), &spare))
                                .collect::<Vec<_>>()
                        })
                    },
                    || match pending.take() {
                        Some((b, n)) => replay(&mut sink, b).map(|()| Some(n)),
                        None => Ok(None),
                    },
                );
                if let Some(n) = replayed? {
                    done += n;
                    progress(done, &sink.counts.edge_type_rows);
                }
                pending = buffers.zip(group.map(targets));
            }
        }
        _ => {
            for group in runs.chunks(batch) {
                let buffers = group
                    .iter()
                    .map(|r| connect_run(edge_types, &states, work, r.clone(), &spare))
                    .collect();
                replay(&mut sink, buffers)?;
                done += targets(group);
                progress(done, &sink.counts.edge_type_rows);
            }
        }
    }
    Ok(counts)
}
