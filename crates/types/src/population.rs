//! SONATA populations as plain data: a node population with its groups of columns, and what an
//! edges file says about each of its edge populations.
//!
//! In: values the SONATA reader filled from a file, or the build's own nodes for the writer.
//! Out: the same values, for the writer (`netbuild-sonata`), the model's imported networks
//! (`netbuild-model`, which must build without HDF5) and the spec loader's checks.
//!
//! Why here and not in the SONATA crate: the model turns an imported population into a
//! network. Had it taken the reader's types from `netbuild-sonata`, the rule engine, the
//! builder API and the fuzzers would all need MPI and parallel HDF5 to compile. Converting in the
//! reader instead would have meant a second population type with the same fields; one plain
//! definition here serves the reader, the writer and the model.

use crate::Column;

/// One node group: columns of equal length (the per-node properties of its nodes).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeGroup {
    /// The group's datasets.
    pub columns: Vec<Column>,
}

/// A node population, as stored in `<net>_nodes.h5`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodePopulation {
    /// The population's name (`/nodes/<name>`).
    pub name: String,
    /// Each node's type (a row of the node types table).
    pub node_type_id: Vec<i64>,
    /// Each node's group.
    pub node_group_id: Vec<u32>,
    /// Each node's row in its group.
    pub node_group_index: Vec<u64>,
    /// The node groups, in `node_group_id` order.
    pub groups: Vec<NodeGroup>,
}

/// One edge population of an edges file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgePopulationInfo {
    /// The population's name.
    pub name: String,
    /// The `node_population` attributes of `source_node_id` and `target_node_id` (empty when
    /// missing).
    pub source: String,
    /// As `source`, for `target_node_id`.
    pub target: String,
}
