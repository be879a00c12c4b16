//! The nodes stage (rank 0): every generated network's nodes files, the imported populations
//! placed, or, resuming, the nodes files a stopped build wrote kept.
//!
//! In: the build ([`Build`]: the generated networks) and the started [`Folder`]. Out: the files
//! in the hidden folder, listed in the resume state and recorded.

use super::folder::Folder;
use super::record::record;
use super::{Build, BuildError};
use crate::output::resume::{FinishedFile, STATE_FILE};
use crate::output::OutputError;
use crate::write::write_network;
use std::path::Path;

/// Writes (or keeps) the nodes files on rank 0; nothing on the other ranks.
pub(super) fn write_nodes(b: &Build, folder: &mut Folder) -> Result<(), BuildError> {
    let Some(out) = &folder.out else {
        return Ok(());
    };
    let kept = folder
        .resumed
        .as_ref()
        .map(|r| r.nodes.clone())
        .filter(|nodes| !nodes.is_empty());
    if let Some(nodes) = kept {
        folder.state.nodes = nodes;
        tracing::info!("resume: the nodes files are kept");
    } else {
        for net in b.networks {
            if crate::imports_out::is_imported(b.circuit, &net.name) {
                continue;
            }
            write_network(out.path(), net, b.options.compression, &b.prov)?;
            tracing::info!(network = %net.name, nodes = net.n, "nodes written");
        }
        crate::imports_out::place(b.circuit, out.path(), out.target(), &b.prov)?;
        folder.state.nodes = files_in(out.path())?;
    }
    record(out, &folder.state, b.options)
}

/// The files in the hidden folder `dir` now (the nodes files and imported copies, written
/// before any population), as the resume state lists them.
fn files_in(dir: &Path) -> Result<Vec<FinishedFile>, BuildError> {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    let fail = |source| BuildError::Output {
        path: dir.to_path_buf(),
        source,
    };
    crate::output::walk(dir, "", &mut files, &mut dirs).map_err(fail)?;
    files
        .iter()
        .filter(|f| !f.starts_with(STATE_FILE))
        .map(|f| {
            FinishedFile::of(dir, f).map_err(|source| {
                fail(OutputError::Io {
                    path: dir.join(f),
                    source,
                })
            })
        })
        .collect()
}
