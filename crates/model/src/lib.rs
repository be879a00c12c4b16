//! The circuit model of netbuild: what a circuit is (the builder API), its generated nodes, and
//! the connection rules that push edges into a sink.
//!
//! Pipeline position: spec → **model → rules** → edge tables/spill → collator → writer.
//!
//! Depends on `netbuild-types` (the shared vocabulary, re-exported here), `netbuild-expr` and
//! `netbuild-sonata` (imported populations), never on `netbuild-spec`: the spec parser depends on
//! the model and produces its [`Rule`], [`EdgeValue`], [`Value`] and [`ImportBlock`] directly.
//!
//! - [`circuit`]: the builder API (`add_nodes`, `add_edges`, per-edge properties, closures).
//! - [`nodes`]: generates networks from node blocks, identically on every rank.
//! - [`import`]: imported node populations as networks.
//! - [`positions`]: draws a block's x, y, z in a volume (`positions`), optionally spaced apart.
//! - [`rules`]: prepares edge types and connects targets, one at a time, into an [`EdgeSink`].
//! - [`spatial`]: a k-d tree over sources, for exact pruning of distance-dependent rules.
//! - [`stream`]: the keyed random streams that make every draw independent of rank and order.
//! - [`issues`]: the tally of rows dropped and values changed, for the build's report.

#![warn(missing_docs)]

pub mod circuit;
mod columns;
mod error;
mod generator;
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
pub use issues::{Issue, IssueKind, Issues};
/// Morphologies for synapse placement (`[edges.locations]`).
pub use netbuild_morphology as morphology;
pub use nodes::{generate_networks, generate_networks_on, Network, Values};
pub use pair::Pair;
pub use rules::{BlockState, PreparedEdgeType, Scratch};
pub use shared::{Host, Private, Region, Shared};
pub use sink::{EdgeRow, EdgeSink, VecSink};
