//! How a build writes its files: the settings of the spec's `[build]` table that the writer and
//! the builder API share.

/// How HDF5 datasets are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Contiguous, unfiltered: readable by every reader (libsonata's wheels have no deflate).
    #[default]
    None,
    /// Chunked with HDF5's deflate filter at this level (1..=9), as h5py's `compression='gzip'`
    /// (`"gzip"` in a spec is level 4).
    Gzip(u8),
}

/// The order of the rows of an edges file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// By target node id (what simulators read fastest).
    Target,
    /// By source node id.
    Source,
}

/// Who writes the edges files of a multi-rank build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Parallel HDF5 when there are several ranks and rows are sorted by target, else rank 0.
    Auto,
    /// Rank 0 alone, the other ranks sending it their rows as MPI messages.
    Rank0,
    /// Every rank writes its own rows into the shared file through parallel HDF5 (MPI-IO).
    Parallel,
}
