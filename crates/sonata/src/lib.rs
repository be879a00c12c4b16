//! Writes SONATA circuits: HDF5 nodes and edges files, the space-separated type tables,
//! `circuit_config.json`, `simulation_config.json` and `node_sets.json`. It knows nothing of specs or rules: it writes what it is given, in
//! the layout libsonata, BMTK (`bmtk.utils.sonata`) and NEST's `SonataNetwork` read.
//!
//! It also reads them back ([`read`]): the one place where netbuild's readers (`[[import]]`,
//! `file` rules, `validate`, `report`) find a circuit's files, split its type tables and read
//! its populations and attributes.

#![warn(missing_docs)]

mod column;
mod config;
mod csv;
mod deflate;
mod edges;
mod error;
mod h5;
mod index;
mod index_rows;
mod node_sets;
mod nodes;
pub mod read;

pub use column::{
    Column, ColumnData, ColumnSlice, ColumnType, Compression, Dtype, NumColumn, NumSlice,
    Provenance,
};
pub use config::{
    write_circuit_config, write_simulation_config, CircuitConfig, EdgesEntry, NodesEntry,
    RunParams, CIRCUIT_CONFIG, SIMULATION_CONFIG,
};
pub use csv::{write_edge_types, write_node_types, write_type_table, TypeTable, MISSING};
pub use deflate::shuffle;
pub use edges::{
    EdgeGroupLayout, EdgePopulationLayout, EdgeRows, EdgesWriter, IndexPart, ParallelEdgesWriter,
};
pub use error::SonataError;
pub use h5::{CHUNK_ALIGN_ROWS, SONATA_MAGIC, SONATA_VERSION};
pub use index::{IndexBuilder, IndexDirection, IndexInputError};
pub use node_sets::{write_node_sets, NodeSets, PopulationValues, SetValue, NODE_SETS};
pub use nodes::{write_nodes, NodeGroup, NodePopulation};
pub use read::circuit::{find_circuit, CircuitFiles, NetworkFile};
pub use read::type_table::{parse_type_table, read_type_table, TypesById};
pub use read::{
    copy_node_population, edge_populations, node_group_columns, node_population_names,
    read_node_column, read_node_index, read_node_population, root_string_attrs, EdgeColumn,
    EdgeFile, EdgePopulationInfo, EdgePopulationReader, NodeIndex,
};
