//! Reads a `spec.toml` (SPEC.md) and checks it completely before any work starts.
//!
//! In: a path. Out: a [`Spec`] in which everything is typed, located, resolved and compiled,
//! or a [`SpecError`] that names file, line, column and what was expected.
//!
//! STATUS: AST defined; loader in progress.

pub mod ast;
pub use ast::*;

use std::path::Path;

/// A spec mistake, located. Display: `file:line:col: message`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{loc}: {message}")]
pub struct SpecError {
    pub loc: Loc,
    pub message: String,
}

/// Reads and checks the spec at `path`.
pub fn load(path: &Path) -> Result<Spec, SpecError> {
    let _ = path;
    unimplemented!()
}
