//! Why no report was written: the one error type of the crate, and the constructors its
//! readers use. In: the path and what went wrong. Out: [`ReportError`], whose text the
//! command prints.

use std::path::{Path, PathBuf};

/// Why no report was written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file of the circuit (or the folder) cannot be read, or holds what a SONATA circuit
    /// does not.
    #[error("{}: {message}", path.display())]
    File {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The spec given with `--spec` does not load.
    #[error(transparent)]
    Spec(#[from] netbuild_spec::SpecError),
    /// `--group-by` names a property no node has.
    #[error(
        "--group-by {property:?}: no node of the circuit has this property (node properties: {})",
        known.join(", ")
    )]
    GroupBy {
        /// The property asked for.
        property: String,
        /// The node properties the circuit has.
        known: Vec<String>,
    },
    /// The spec loads but its edge types cannot be prepared for the estimator.
    #[error("the spec's edge types cannot be prepared for the expected values: {0}")]
    Rules(String),
}

impl ReportError {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> ReportError {
        ReportError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
    pub(crate) fn h5(path: &Path, e: impl std::fmt::Display) -> ReportError {
        ReportError::File {
            path: path.to_path_buf(),
            message: format!("HDF5: {e}"),
        }
    }
    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> ReportError {
        ReportError::File {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}
