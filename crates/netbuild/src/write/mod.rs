//! The write path: a built circuit's files, from generated networks and each edge population's
//! tables to SONATA files on disk.
//!
//! In: the generated [`Network`]s (for [`nodes`]), and per edge population this rank's
//! [`TableReader`] (its rows, in file order for its block of targets), the [`Collated`] counts
//! over all ranks and a [`WriteContext`] (the ranks, compression, provenance, where to spill,
//! the memory plan's shares, row order). Out: `<net>_nodes.h5` / `<net>_node_types.csv`
//! ([`nodes`]), and `<stem>_edges.h5` ([`write_edges`]) with its `<stem>_edge_types.csv`
//! ([`edge_types`]).
//!
//! Two ways to write an edges file ([`Destination`]):
//! - [`rank0`]: rank 0 writes, the others send it their rows by MPI messages; the HDF5 writes
//!   run on a thread of their own ([`writer_thread`]) while rank 0 numbers rows and gathers
//!   both indices ([`index`]); with `sort_edges_by = "source"` rank 0 first re-orders the rows
//!   out of core ([`source_sort`]);
//! - [`parallel`]: every rank writes its own rows into the one file through parallel HDF5.
//!
//! Every writer fails with one [`WriteError`].

mod buckets;
mod convert;
mod cores;
mod edge_types;
mod error;
mod index;
mod index_spill;
mod nodes;
mod pairs;
mod parallel;
mod rank0;
mod source_sort;
mod strings;
mod writer_thread;

pub(crate) use cores::host_compressors;
pub use edge_types::edge_type_id;
pub(crate) use edge_types::edge_types;
pub use error::WriteError;
pub use nodes::write_network;
pub(crate) use nodes::{node_set_values, population_type};
pub(crate) use rank0::PendingIndex;

use crate::collate::Collated;
use crate::plan::EdgePopulation;
use crate::run::fault::FaultPlan;
use crate::run::memory::MemoryPlan;
use netbuild_comm::Comm;
use netbuild_model::Network;
use netbuild_sonata as sonata;
use netbuild_spec::SortBy;
use netbuild_spill::TableReader;
use std::ops::Range;
use std::path::Path;

/// Rows per chunk read from a table, sent to rank 0 or written by the parallel writer.
const CHUNK_ROWS: usize = 1 << 16;

/// What writing any edges population needs besides its own rows: the ranks, the networks its
/// ids refer to, how to store the data, and where the writers may spill.
pub(crate) struct WriteContext<'a> {
    /// The ranks; every writer is collective over them.
    pub comm: &'a dyn Comm,
    /// The generated networks (a population's source and target are indices into them).
    pub networks: &'a [Network],
    /// How datasets are stored.
    pub compression: sonata::Compression,
    /// The attributes every file records.
    pub prov: &'a sonata::Provenance,
    /// Where the source sort and the unsorted side's index spill.
    pub spill_dir: &'a Path,
    /// The rank's memory plan: the writers take their shares from it (the side index, the
    /// source sort, the indices finished in the background).
    pub memory: &'a MemoryPlan,
    /// The order of rows in the file (the parallel writer writes target order only).
    pub sort_by: SortBy,
    /// A test of the failure path (see [`crate::run::fault`]).
    pub fault: Option<&'a FaultPlan>,
    /// Where the rank-0 writer compresses gzip chunks (see [`cores`]); `None`: rayon's pool.
    pub compressors: Option<std::sync::Arc<rayon::ThreadPool>>,
}

/// Who writes an edges file, and where it goes.
pub(crate) enum Destination<'a> {
    /// Rank 0 writes `<dir>/<stem>_edges.h5`; the others send it their rows (`dir` is only
    /// read on rank 0).
    Rank0 { dir: &'a Path },
    /// Every rank writes `path` (the same on every rank) together; `blocks` are every rank's
    /// targets.
    Parallel {
        path: &'a Path,
        blocks: &'a [Range<u64>],
    },
}

/// Writes the edges file of `pop` from this rank's `table` and the `collated` counts.
/// Collective over the ranks. The rank-0 writer may leave the indices to a thread of their
/// own: the file is finished when the returned [`PendingIndex`] has been waited for.
pub(crate) fn write_edges(
    ctx: &WriteContext<'_>,
    pop: &EdgePopulation,
    table: &mut TableReader,
    collated: &Collated,
    to: Destination<'_>,
) -> Result<PendingIndex, WriteError> {
    match to {
        Destination::Rank0 { dir } => rank0::write_population(ctx, pop, table, collated, dir),
        Destination::Parallel { path, blocks } => {
            parallel::write_population(ctx, pop, table, collated, blocks, path)
                .map(|()| PendingIndex::done())
        }
    }
}

/// What the file of `pop` holds, from the collated counts.
fn layout(
    pop: &EdgePopulation,
    networks: &[Network],
    collated: &Collated,
) -> sonata::EdgePopulationLayout {
    let (src, trg) = (&networks[pop.source], &networks[pop.target]);
    sonata::EdgePopulationLayout {
        name: pop.name.clone(),
        source_population: src.name.clone(),
        target_population: trg.name.clone(),
        n_edges: collated.n_edges(),
        groups: pop
            .groups
            .iter()
            .zip(&collated.group_rows)
            .map(|(cols, &n)| sonata::EdgeGroupLayout {
                columns: cols.clone(),
                n_rows: n,
            })
            .collect(),
        n_source_nodes: src.n,
        n_target_nodes: trg.n,
    }
}
