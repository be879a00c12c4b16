//! The one error type of this crate: every variant names the file and, where there is one,
//! the HDF5 object (dataset, group or attribute path) it is about.

use std::path::PathBuf;

/// An error while writing SONATA files.
#[derive(Debug, thiserror::Error)]
pub enum SonataError {
    /// The HDF5 library refused an operation.
    #[error("{file}: {object}: HDF5 error: {source}")]
    Hdf5 {
        /// The file.
        file: PathBuf,
        /// The HDF5 object's path (or what was being done).
        object: String,
        /// HDF5's error.
        #[source]
        source: hdf5::Error,
    },
    /// A file system operation (CSV, JSON, directories) failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The data handed to the writer does not fit the layout or the format.
    #[error("{file}: {object}: {message}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The HDF5 object's path.
        object: String,
        /// What is wrong.
        message: String,
    },
    /// The parallel writer was asked to write without an MPI job to write with.
    #[error("{file}: the parallel writer needs an MPI job")]
    NotMpi {
        /// The file.
        file: PathBuf,
    },
}

impl SonataError {
    pub(crate) fn hdf5(
        file: &std::path::Path,
        object: impl Into<String>,
        source: hdf5::Error,
    ) -> Self {
        SonataError::Hdf5 {
            file: file.to_path_buf(),
            object: object.into(),
            source,
        }
    }

    pub(crate) fn invalid(
        file: &std::path::Path,
        object: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SonataError::Invalid {
            file: file.to_path_buf(),
            object: object.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        SonataError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
