//! The data columns of an edges file, written on a thread of their own.
//!
//! In: batches of rows in file order, as the file stores them (core columns and each edge
//! group's columns). Out: the [`sonata::EdgesWriter`], handed back once every batch is
//! written, for the indices.
//!
//! Why: rank 0's writing pass has two serial jobs of similar cost, the HDF5 writes and the
//! bookkeeping of every row (group numbering, both indices). On two threads they overlap. HDF5
//! is only ever used by one thread at a time: this one until [`WriterThread::finish`], then
//! the caller. Two batches at most wait in the queue, so memory stays a few chunks.

use super::strings::StringColumn;
use super::{edge_type_id, WriteError};
use crate::plan::EdgePopulation;
use netbuild_sonata as sonata;
use netbuild_spill::RowChunk;
use netbuild_types::NumColumn;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

/// Rows in file order: the core columns, then each group's columns of those rows.
#[derive(Default)]
pub(super) struct Batch {
    pub source: Vec<u64>,
    pub target: Vec<u64>,
    pub type_id: Vec<i64>,
    pub group_id: Vec<u32>,
    pub group_index: Vec<u64>,
    pub groups: Vec<Vec<NumColumn>>,
    /// The strings of the string columns of `groups` (which hold their codes): what is written.
    pub strings: Vec<StringColumn>,
}

impl Batch {
    /// Sets the core columns from `c`, numbering its rows within their groups from
    /// `next_group_index` (which advances). The group columns are left as they are.
    pub(super) fn fill_core(
        &mut self,
        c: &RowChunk,
        pop: &EdgePopulation,
        next_group_index: &mut [u64],
    ) {
        self.source.clear();
        self.source.extend(c.source.iter().map(|&s| u64::from(s)));
        self.target.clear();
        self.target.extend(c.target.iter().map(|&t| u64::from(t)));
        self.type_id.clear();
        self.type_id
            .extend(c.edge_type.iter().map(|&e| edge_type_id(e)));
        self.group_id.clear();
        self.group_index.clear();
        for &e in &c.edge_type {
            let g = pop.group_of_edge_type(e);
            self.group_id.push(g as u32);
            self.group_index.push(next_group_index[g]);
            next_group_index[g] += 1;
        }
    }

    /// The core columns, as the writers take them.
    pub(super) fn rows(&self) -> sonata::EdgeRows<'_> {
        sonata::EdgeRows {
            source: &self.source,
            target: &self.target,
            edge_type_id: &self.type_id,
            edge_group_id: &self.group_id,
            edge_group_index: &self.group_index,
        }
    }

    fn write(&self, w: &mut sonata::EdgesWriter) -> Result<(), WriteError> {
        w.append_rows(self.rows())?;
        for (g, cols) in self.groups.iter().enumerate() {
            if cols.first().is_some_and(|c| !c.is_empty()) {
                let mut slices: Vec<sonata::ColumnSlice<'_>> =
                    cols.iter().map(sonata::ColumnSlice::from).collect();
                for (_, j, strings) in self.strings.iter().filter(|s| s.0 == g) {
                    slices[*j] = sonata::ColumnSlice::Str(strings);
                }
                w.append_group(g, &slices)?;
            }
        }
        Ok(())
    }
}

/// The thread that owns the writer while batches stream in.
pub(super) struct WriterThread<'scope> {
    batches: SyncSender<Batch>,
    /// Written batches, returned for reuse (their buffers are allocated once).
    spare: Receiver<Batch>,
    handle: ScopedJoinHandle<'scope, Result<sonata::EdgesWriter, WriteError>>,
}

impl<'scope> WriterThread<'scope> {
    pub(super) fn spawn<'env>(
        scope: &'scope Scope<'scope, 'env>,
        mut writer: sonata::EdgesWriter,
    ) -> Self {
        let (batches, queue) = sync_channel::<Batch>(1);
        let (give_back, spare) = sync_channel::<Batch>(3);
        let handle = scope.spawn(move || {
            for batch in queue {
                batch.write(&mut writer)?;
                // The caller may have stopped taking spares; then the batch is just freed.
                let _ = give_back.try_send(batch);
            }
            Ok(writer)
        });
        WriterThread {
            batches,
            spare,
            handle,
        }
    }

    /// A batch to fill: a written one if any came back, else a new one.
    pub(super) fn batch(&self) -> Batch {
        self.spare.try_recv().unwrap_or_default()
    }

    /// Queues `batch`, waiting while the queue is full. False if the thread has stopped (on
    /// an error, which [`WriterThread::finish`] returns).
    pub(super) fn send(&self, batch: Batch) -> bool {
        self.batches.send(batch).is_ok()
    }

    /// Waits until every queued batch is written; returns the writer, or the error that
    /// stopped the thread.
    pub(super) fn finish(self) -> Result<sonata::EdgesWriter, WriteError> {
        drop(self.batches);
        match self.handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}
