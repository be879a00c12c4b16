//! Imported node populations (BMTK's `import_nodes`, a spec's `[[import]]` block): what was read,
//! as plain data.
//!
//! In: filled by `netbuild_spec::open_import` or an `[[import]]` block, from the SONATA reader's
//! [`NodePopulation`] (a `netbuild-types` shape: the model reads no file and needs no HDF5).
//! Out: an [`ImportBlock`] for [`crate::Circuit::import_nodes`]; [`crate::generate`] turns its
//! population into a network with the file's node ids and node type ids, unchanged.

use netbuild_types::{EdgePopulationInfo, Loc, NodePopulation, Scalar};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One imported node population (BMTK's `import_nodes`, a spec's `[[import]]` block), read.
#[derive(Debug, Clone)]
pub struct ImportBlock {
    /// The population name: the network `[[edges]]` selectors name.
    pub network: String,
    /// The nodes file (resolved against the spec folder).
    pub nodes_file: PathBuf,
    /// The node types CSV of the population.
    pub node_types_file: PathBuf,
    /// `true`: written into `output_dir` unchanged; `false`: `circuit_config.json` points at
    /// `nodes_file` where it is.
    pub copy: bool,
    /// Whether an edge population of this spec may replace one of the same name found beside
    /// the nodes file (else that is an error).
    pub replace_edges: bool,
    /// The population itself.
    pub nodes: Arc<ImportedNodes>,
    /// The edges files found in the nodes file's folder.
    pub existing_edges: Vec<ExistingEdges>,
    /// The block's header (the nodes file's start when opened outside a spec).
    pub loc: Loc,
}

/// The content of an imported population.
#[derive(Debug, Clone)]
pub struct ImportedNodes {
    /// As stored: node type ids, groups, per-node columns (an N x 3 `positions` split into
    /// `x`, `y`, `z`).
    pub population: NodePopulation,
    /// node_type_id → the node-type properties of its CSV row (non-missing cells, in column
    /// order; integers, floats and `True`/`False` typed, anything else a string).
    pub types: BTreeMap<i64, Vec<(String, Scalar)>>,
}

impl ImportedNodes {
    /// The number of nodes.
    pub fn n(&self) -> u64 {
        self.population.node_type_id.len() as u64
    }
}

/// One edges file of an imported circuit's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingEdges {
    /// The HDF5 file.
    pub edges_file: PathBuf,
    /// `<stem>_edge_types.csv` beside `<stem>_edges.h5`, when it exists.
    pub edge_types_file: Option<PathBuf>,
    /// The edge populations it holds.
    pub populations: Vec<EdgePopulationInfo>,
}
