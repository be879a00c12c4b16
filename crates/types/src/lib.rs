//! The shared vocabulary of netbuild: one definition of each plain-data concept that several
//! crates speak of, so that the spec parser, the model, the edge tables and the SONATA writer
//! exchange the same types instead of converting between copies.
//!
//! In: nothing (no dependencies). Out: the types, re-exported at the crate root.
//!
//! - [`dtype`]: [`Dtype`], the numeric type of a stored column.
//! - [`column`]: [`NumColumn`] and [`NumSlice`], a column of numbers of one dtype, owned or
//!   borrowed (filled by the edge tables, written by the SONATA writer); [`ColumnData`] and
//!   [`ColumnSlice`], numbers or strings, of a [`ColumnType`]; [`Column`], a named one.
//! - [`population`]: [`NodePopulation`] (with its [`NodeGroup`]s) and [`EdgePopulationInfo`],
//!   a SONATA file's populations as plain data (read by `netbuild-sonata`, used by the model).
//! - [`output`]: how files are written: [`Compression`], [`SortBy`], [`Writer`].
//! - [`nodes`]: what describes nodes: [`Scalar`], [`Selector`], [`Generator`], [`NodeValues`],
//!   [`Positions`] and its [`Shape`].
//! - [`edges`]: what describes edges besides the rule: [`Nsyns`], [`Gap`], [`FileEdges`].
//! - [`loc`]: [`Loc`], where something was written in a spec.
//!
//! What may not go here: anything with behaviour beyond plain arithmetic on the values
//! (parsing, files, random draws), and any dependency.

#![warn(missing_docs)]

pub mod column;
pub mod dtype;
pub mod edges;
pub mod loc;
pub mod nodes;
pub mod output;
pub mod population;

pub use column::{Column, ColumnData, ColumnSlice, ColumnType, NumColumn, NumSlice};
pub use dtype::Dtype;
pub use edges::{FileEdge, FileEdges, Gap, Nsyns};
pub use loc::Loc;
pub use nodes::{GenKind, Generator, NodeValues, Positions, Scalar, Selector, Shape, MAX_FILL};
pub use output::{Compression, SortBy, Writer};
pub use population::{EdgePopulationInfo, NodeGroup, NodePopulation};
