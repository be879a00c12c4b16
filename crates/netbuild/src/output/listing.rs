//! A folder's listing, sorted, as the output folder's steps compare it (what the build wrote
//! aside, what a stopped build kept).
//!
//! In: a folder. Out: its files and folders as paths relative to it, a folder before its content.
//! Its own file so that the folder's steps and the resume state (which both list) do not
//! import each other.

use super::{io, OutputError};
use std::path::Path;

/// The files and folders under `dir`, as paths relative to it prefixed with `prefix`; a folder
/// comes before its content.
pub(crate) fn walk(
    dir: &Path,
    prefix: &str,
    files: &mut Vec<String>,
    dirs: &mut Vec<String>,
) -> Result<(), OutputError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let rel = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().map_err(io(&e.path()))?.is_dir() {
            dirs.push(rel.clone());
            walk(&e.path(), &format!("{rel}/"), files, dirs)?;
        } else {
            files.push(rel);
        }
    }
    Ok(())
}
