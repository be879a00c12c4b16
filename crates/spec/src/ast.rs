//! The checked spec: what `spec.toml` says, typed, with every path resolved and every expression
//! compiled. Everything here has passed the checks of SPEC.md; building from it cannot fail on input.
//!
//! The values themselves are the builder API's types (`netbuild_model`, `netbuild_types`): this
//! module adds only what a spec has beyond them, the blocks with their locations.

pub use netbuild_model::{EdgeValue, Rule, SynLocations, Value};
pub use netbuild_types::{
    Compression, Dtype, FileEdge, FileEdges, Gap, GenKind, Generator, Loc, NodeValues, Nsyns,
    Positions, Scalar, Selector, Shape, SortBy, Writer, MAX_FILL,
};
use std::path::PathBuf;

/// A checked spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The spec file itself.
    pub path: PathBuf,
    /// The SHA-256 of the spec file's bytes, in lower-case hex: what the built files record as
    /// `netbuild_spec_sha256`, and what `report` compares with it.
    pub sha256: String,
    /// `[build]`.
    pub build: BuildSection,
    /// `[[nodes]]` blocks, in file order.
    pub nodes: Vec<NodeBlock>,
    /// `[[import]]` blocks, in file order, their populations read.
    pub imports: Vec<netbuild_model::ImportBlock>,
    /// `[[edges]]` blocks then `[[gap_junctions]]` blocks, each in file order.
    pub edges: Vec<EdgeBlock>,
    /// Things that build but are probably not what was meant (an expression reading `d` on a
    /// network without positions), in file order; `load` returns them for the caller to print.
    pub warnings: Vec<crate::SpecError>,
}

/// The `[build]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildSection {
    /// The seed of every random draw.
    pub seed: u64,
    /// Resolved against the spec file's folder.
    pub output_dir: PathBuf,
    /// How HDF5 datasets are stored.
    pub compression: Compression,
    /// The row order of edges files.
    pub sort_edges_by: SortBy,
    /// Bytes per rank; `None` = a share of RAM, decided at run time.
    pub memory_budget: Option<u64>,
    /// `None` = the system temp dir.
    pub spill_dir: Option<PathBuf>,
    /// Who writes the edges files.
    pub writer: Writer,
}

/// One `[[nodes]]` block: one `add_nodes(N, ...)` call, one node type.
#[derive(Debug, Clone)]
pub struct NodeBlock {
    /// The network the nodes are added to.
    pub network: String,
    /// The number of nodes.
    pub n: u64,
    /// Scalar keys other than `network` and `N`, in file order: node-type properties.
    pub type_props: Vec<(String, Scalar)>,
    /// Per-node properties, in file order.
    pub node_props: Vec<(String, NodeValues)>,
    /// `positions`: x, y, z drawn in a volume (then none of them is in `type_props`/`node_props`).
    pub positions: Option<Positions>,
    /// The `positions` key, for errors found while drawing (the volume cannot hold the nodes).
    pub positions_loc: Option<Loc>,
    /// The block's header.
    pub loc: Loc,
}

/// One `[[edges]]` or `[[gap_junctions]]` block: one edge type.
#[derive(Debug, Clone)]
pub struct EdgeBlock {
    /// Which nodes are sources.
    pub source: Selector,
    /// Which nodes are targets.
    pub target: Selector,
    /// How pairs are connected (never [`Rule::Custom`]: a spec has no closures).
    pub rule: Rule,
    /// Pairs farther apart are never connected.
    pub max_distance: Option<f64>,
    /// Whether a node may connect to itself.
    pub autapses: bool,
    /// Synapses per connected pair.
    pub nsyns: Nsyns,
    /// Scalar keys that are not reserved: edge-type properties (columns of the edge_types CSV).
    pub type_props: Vec<(String, Scalar)>,
    /// `[edges.properties]`, in file order.
    pub edge_props: Vec<EdgeProp>,
    /// `[edges.locations]`, with where its key is written.
    pub locations: Option<(SynLocations, Loc)>,
    /// `Some` for a `[[gap_junctions]]` block.
    pub gap: Option<Gap>,
    /// The block's header.
    pub loc: Loc,
    /// The `rule` key, for errors found once nodes exist (e.g. in-degree above the sources).
    pub rule_loc: Loc,
}

/// One per-edge property of an edge block (never [`EdgeValue::Custom`]).
#[derive(Debug, Clone)]
pub struct EdgeProp {
    /// The column name.
    pub name: String,
    /// The stored type.
    pub dtype: Dtype,
    /// How each synapse gets its value.
    pub value: EdgeValue,
    /// Where its value is written (for errors about the values it computes).
    pub loc: Loc,
}
