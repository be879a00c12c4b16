//! Reading SONATA circuits, for every reader of netbuild: `[[import]]` (a node population and
//! its type table), `validate` and `report` (which files a circuit has, their type tables, the
//! attributes that name populations and provenance).
//!
//! - [`circuit`]: a circuit folder's nodes and edges files, through `circuit_config.json`
//!   (manifest variables expanded) or by file names, with what is wrong in how they are listed.
//! - [`type_table`]: the space-separated type tables, line by line or whole.
//! - [`attr`]: string attributes and dtype names.
//! - `nodes`: node populations with their per-node columns, and the edge populations of a file.

pub mod attr;
pub mod circuit;
mod nodes;
pub mod type_table;

pub use nodes::{
    copy_node_population, edge_populations, node_population_names, read_node_population,
    EdgePopulationInfo,
};
