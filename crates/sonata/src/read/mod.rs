//! Reading SONATA circuits, for every reader of netbuild: `[[import]]` (a node population and
//! its type table), `file` rules (an edge population's rows and columns), `validate` and
//! `report` (which files a circuit has, their type tables, node columns, edge rows streamed
//! in blocks, the attributes that name populations and provenance).
//!
//! - [`circuit`]: a circuit folder's nodes and edges files, through `circuit_config.json`
//!   (manifest variables expanded) or by file names, with what is wrong in how they are listed.
//! - [`type_table`]: the space-separated type tables, line by line or whole.
//! - [`attr`]: string attributes and dtype names.
//! - `nodes`: node populations, whole (with their per-node columns) or their index and one
//!   column at a time; the edge populations of a file; a file's root attributes.
//! - [`edges`]: edge populations, their datasets read whole or by row range.
//!
//! This is the one place that opens a SONATA file to read it; only `validate`, which checks
//! possibly broken files object by object, reads HDF5 itself (its module docs say why).

pub mod attr;
pub mod circuit;
pub mod edges;
mod nodes;
pub mod type_table;

pub use edges::{EdgeColumn, EdgeFile, EdgePopulationReader};
pub use nodes::{
    copy_node_population, edge_populations, node_group_columns, node_population_names,
    read_node_column, read_node_index, read_node_population, root_string_attrs, EdgePopulationInfo,
    NodeIndex,
};
pub use type_table::TypesById;
