//! Edges files: one population per file, streamed (sizes known up front, datasets created at
//! full size).
//!
//! - [`layout`]: what the file holds ([`EdgePopulationLayout`]) and the open file both writers
//!   share (its datasets, positioned row writes, index groups);
//! - [`serial`]: [`EdgesWriter`], one process writes the whole file (appends in edge order,
//!   indices from sorted pairs, gzip compressed on every core);
//! - [`parallel`]: [`ParallelEdgesWriter`], every rank of an MPI job writes its rows and its
//!   part of each index ([`IndexPart`]) into the one file, through MPI-IO.

mod layout;
mod parallel;
mod serial;

pub use layout::{EdgeGroupLayout, EdgePopulationLayout, EdgeRows};
pub use parallel::ParallelEdgesWriter;
pub use serial::EdgesWriter;

/// Rows per block when streaming an index to disk.
const INDEX_BLOCK_ROWS: usize = 1 << 16;

/// One process's part of an index written by several
/// ([`ParallelEdgesWriter::write_index_part`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPart {
    /// The node ids whose rows of `node_id_to_ranges` this process writes.
    pub nodes: std::ops::Range<u64>,
    /// The first of its ranges (rows of `range_to_edge_id`): the ranges of the parts before.
    pub first_range: u64,
    /// Its ranges.
    pub ranges: u64,
    /// Ranges of all parts.
    pub total_ranges: u64,
    /// Range blocks every process writes: the largest [`IndexPart::blocks_for`] of any part.
    pub rounds: u64,
}

impl IndexPart {
    /// How many range blocks a part of `ranges` ranges writes (the last one maybe empty).
    pub fn blocks_for(ranges: u64) -> u64 {
        ranges / INDEX_BLOCK_ROWS as u64 + 1
    }
}
