//! The one error type of the write path: every writer (rank 0's, the parallel one, the writer
//! thread, the source sort) returns a [`WriteError`].

use netbuild_sonata as sonata;

/// A failure while writing edges.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The SONATA writer refused or HDF5 failed.
    #[error(transparent)]
    Sonata(#[from] sonata::SonataError),
    /// A spilled edge table or index bucket could not be read back.
    #[error("reading back the edge table: {0}")]
    Table(#[from] std::io::Error),
    /// The out-of-core sort by source failed.
    #[error("sorting by source: {0}")]
    Sort(#[from] netbuild_spill::TableError),
    /// A chunk or pair message from another rank did not decode.
    #[error("a message from rank {rank} was malformed")]
    Message {
        /// The sender.
        rank: usize,
    },
    /// A string column's code outside its vocabulary (a bug of the build, not of the input).
    #[error(transparent)]
    BadCode(#[from] BadCode),
    /// The writer thread ended early (its own error is returned instead, when there is one).
    #[error("the writer thread stopped")]
    WriterStopped,
    /// A test of the failure path asked this rank to fail (see [`crate::run::fault`]).
    #[error("fault injected by NETBUILD_INJECT_FAULT on rank {0} while writing")]
    Injected(usize),
}

/// A code that its vocabulary does not hold: the Python front checks its codes, so this is a
/// bug of the build or a library caller's [`netbuild_model::EdgeValue`] giving other values
/// than codes; an error rather than a panic on rank 0.
#[derive(Debug, thiserror::Error)]
#[error("edge type {edge_type}: string column {column} of its group holds code {code}, but its property has {len} strings (its values must be codes 0..{len})")]
pub struct BadCode {
    pub(super) edge_type: usize,
    pub(super) column: usize,
    pub(super) code: u32,
    pub(super) len: usize,
}
