//! The circuit model of netbuild: what a circuit is (the builder API), its generated nodes, and
//! the connection rules that push edges into a sink.
//!
//! Pipeline position: spec → **model → rules** → edge tables/spill → collator → writer.
//!
//! Depends on `netbuild-types` (the shared vocabulary, re-exported here; an imported
//! population's shape included), `netbuild-expr` and `netbuild-morphology`: neither on
//! `netbuild-sonata` (HDF5, MPI-IO) nor on `netbuild-spec`, so the builder API and the rule
//! engine build and test without MPI or HDF5. The spec parser depends on the model and produces
//! its [`Rule`], [`EdgeValue`], [`Value`] and [`ImportBlock`] directly; the SONATA reader fills
//! the [`ImportedNodes`].
//!
//! - [`circuit`]: the builder API (`add_nodes`, `add_edges`, per-edge properties, closures).
//! - [`nodes`]: what a generated network is ([`Network`], its blocks and columns) and its
//!   look-ups by property.
//! - [`generate`]: makes every network, from node blocks or imported populations, identically
//!   on every rank.
//! - [`import`]: imported node populations, as read.
//! - [`positions`]: draws a block's x, y, z in a volume (`positions`), optionally spaced apart.
//! - [`rules`]: prepares edge types and connects targets, one at a time, into an [`EdgeSink`].
//! - [`spatial`]: a k-d tree over sources, for exact pruning of distance-dependent rules.
//! - [`grid`]: a grid over sources, for `max_distance` look-ups (both indexes measure boxes with
//!   `geometry.rs`).
//! - [`stream`]: the keyed random streams that make every draw independent of rank and order.
//! - [`issues`]: the tally of rows dropped and values changed, for the build's report.

#![warn(missing_docs)]

pub mod circuit;
mod columns;
mod draw;
mod error;
pub mod generate;
mod geometry;
pub mod grid;
pub mod import;
pub mod issues;
pub mod nodes;
mod pair;
pub mod positions;
pub mod rules;
pub mod shared;
pub mod sink;
pub mod spatial;
pub mod stream;

pub use circuit::*;
pub use columns::Columns;
pub use error::ModelError;
pub use generate::{generate_networks, generate_networks_on};
pub use import::{ExistingEdges, ImportBlock, ImportedNodes};
pub use issues::{Issue, IssueKind, Issues};
/// Morphologies for synapse placement (`[edges.locations]`).
pub use netbuild_morphology as morphology;
/// The shared vocabulary, as the builder API speaks it (the type of an edge group's column
/// included).
pub use netbuild_types::{
    ColumnType, Dtype, FileEdge, FileEdges, Gap, GenKind, Generator, NodeValues, Nsyns, Positions,
    Scalar, Selector, Shape, MAX_FILL,
};
pub use nodes::{Network, Values};
pub use pair::Pair;
pub use rules::{BlockState, PreparedEdgeType, Scratch};
pub use shared::{Host, Private, Region, Shared};
pub use sink::{EdgeRow, EdgeRows, EdgeSink, VecSink};
