//! The output folder: written aside inside it, each file renamed into place when the build is
//! complete; nothing netbuild did not write is ever replaced or removed.
//!
//! In: the folder the user asked for (it may hold anything: a script, data, an earlier build)
//! and an [`OutputPolicy`]. Out: a hidden `.netbuild-partial-<pid>` folder inside it (same
//! filesystem, so each file's final rename is atomic, and no write access to the parent is
//! needed: `output_dir = "."` works), where the build writes. [`OutputDir::check`] refuses,
//! before any work, to replace a file netbuild did not write (see [`crate::output::manifest`]);
//! [`OutputDir::commit`] renames the files into place one by one, removes the files of an
//! earlier build that this one no longer writes (with [`OutputPolicy::remove_stale`]), and
//! updates the folder's manifest `.netbuild.json`. Dropped without commit (an error), the
//! hidden folder is removed, and the output folder too when the build created it and it is
//! still empty: a half-written file never sits where a finished one would.
//!
//! Stopped by a signal ([`keep_in_progress`], see [`crate::run::stop`]), the hidden folder is
//! kept as `.netbuild-resume` with the files its resume state lists as finished ([`resume`]);
//! [`OutputDir::create_for`] with [`Start::Resume`] takes it (or a killed build's hidden folder)
//! up again, with [`Start::Fresh`] removes it.
//!
//! A file per job: `folder.rs`, the folder while a build writes it ([`OutputDir`]);
//! `in_progress.rs`, what a build leaves when it dies or is stopped ([`InProgress`], [`Kept`]);
//! [`names`], the names of the files a build writes; [`manifest`], the folder's record of them
//! (`.netbuild.json`); [`resume`], what a stopped build keeps for `--resume`. Here: the policy
//! and the errors they share.

mod folder;
mod in_progress;
mod listing;
pub mod manifest;
pub mod names;
pub mod resume;

pub use folder::{Committed, OutputDir, Start};
pub use in_progress::{
    keep_in_progress, partial_path, remove_in_progress, remove_in_progress_on_signals,
    set_in_progress, InProgress, Kept,
};
pub(crate) use listing::walk;
use manifest::ManifestError;
use resume::ResumeError;
use std::path::{Path, PathBuf};

/// The name of the hidden folder a build writes into, inside the output folder, before its
/// process id.
pub const PARTIAL_PREFIX: &str = ".netbuild-partial-";

/// Which existing files a build may replace. Files netbuild did not write are never replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace the files of an earlier netbuild build (the binary; Python's
    /// `force_overwrite=True`).
    Netbuilds,
    /// Replace no nodes, edges or type table file that exists (Python's
    /// `force_overwrite=False`, as BMTK's `save_nodes`); the folder's config files are still
    /// kept up to date when they are netbuild's.
    Never,
}

/// How a build treats an existing output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputPolicy {
    /// Which existing files it may replace.
    pub overwrite: Overwrite,
    /// Whether files an earlier build wrote there (listed in the manifest) that this build does
    /// not write are removed; if not, the manifest lists both builds' files.
    pub remove_stale: bool,
}

/// Why the output folder cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The operating system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file the build would replace is not netbuild's.
    #[error(
        "{path} exists and netbuild did not write it (the folder's {manifest} does not list \
         it, or it changed since netbuild wrote it): netbuild never replaces such a file; move \
         it away or choose another output folder",
        manifest = manifest::MANIFEST
    )]
    NotNetbuilds {
        /// The file.
        path: PathBuf,
    },
    /// A file the build would replace exists and replacing was not allowed
    /// ([`Overwrite::Never`]).
    #[error("{path} exists (force_overwrite=False): remove it or allow overwriting")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The folder's manifest cannot be read or written.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A stopped build cannot be resumed (another spec, seed, rank count, ...), or its state
    /// cannot be written.
    #[error(transparent)]
    Resume(#[from] ResumeError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}
