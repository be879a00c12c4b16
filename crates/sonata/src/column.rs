//! Provenance, and the column types the writer is given (re-exported from `netbuild-types`).
//!
//! In: numbers as the vocabulary's [`NumColumn`] / [`NumSlice`], or strings, as
//! [`ColumnData`] (owned) or [`ColumnSlice`] (borrowed), each with its [`ColumnType`]: all
//! defined in `netbuild-types` (the one definition of a column, shared with the edge tables and
//! the model's imported populations, which need no HDF5). Out: [`Provenance`], the root
//! attributes of every file written; what the HDF5 code does with the columns' bytes stays in
//! this crate.

pub use netbuild_types::{
    Column, ColumnData, ColumnSlice, ColumnType, Compression, Dtype, NumColumn, NumSlice,
};

/// Provenance written as string attributes on the root group of every HDF5 file
/// (e.g. `netbuild_version`, `seed`, `spec_sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// Attribute names and values, written in this order.
    pub attrs: Vec<(String, String)>,
}
