//! The resume state, kept up to date by rank 0 after the nodes and after each edges population
//! (see [`crate::output::resume`]), so that it is right whenever the build is stopped.
//!
//! In: rank 0's output folder, the state so far and, for a population, its pending index (the
//! file is finished when the index is). Out: the state written into the hidden folder; with the
//! test hooks of [`BuildOptions`], a stop or a pause right after.

use super::folder::Folder;
use super::BuildError;
use crate::output::resume::{FinishedFile, FinishedPopulation, ResumeState};
use crate::output::{OutputDir, OutputError};
use crate::run::options::BuildOptions;
use crate::write::PendingIndex;

/// Writes the resume state into the hidden folder (rank 0); the test hook
/// [`BuildOptions::stop_after_populations`] then stops the build as SIGTERM would.
pub(super) fn record(
    out: &OutputDir,
    state: &ResumeState,
    options: &BuildOptions,
) -> Result<(), BuildError> {
    out.record(state).map_err(|source| BuildError::Output {
        path: options.output_dir.clone(),
        source,
    })?;
    if options.stop_after_populations == Some(state.populations.len()) {
        crate::run::stop::stop_now(signal_hook::consts::SIGTERM);
    }
    if let Some(pause) = options
        .pause_after_population
        .filter(|_| !state.populations.is_empty())
    {
        std::thread::sleep(pause);
    }
    Ok(())
}

/// Waits for the file of a population to be complete (`index`), then (rank 0: the folder's
/// `out`) adds it to the resume state with its files as they are now, and records the state.
pub(super) fn finished(
    index: PendingIndex,
    mut fin: FinishedPopulation,
    folder: &mut Folder,
    options: &BuildOptions,
) -> Result<(), BuildError> {
    index.wait()?;
    let Some(out) = &folder.out else {
        return Ok(());
    };
    let io = |source| BuildError::Output {
        path: options.output_dir.clone(),
        source: OutputError::Io {
            path: out.path().to_path_buf(),
            source,
        },
    };
    for f in &mut fin.files {
        *f = FinishedFile::of(out.path(), &f.name).map_err(io)?;
    }
    folder.state.populations.push(fin);
    record(out, &folder.state, options)
}
