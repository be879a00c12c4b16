//! The names of the files netbuild writes into an output folder: one definition for the writers,
//! the circuit config, the estimate and the output folder's check of what a build would replace.
//!
//! In: a network's name or an edge population's file stem. Out: file names relative to the
//! output folder.

use netbuild_sonata as sonata;

/// A network's nodes file and node types table: `<net>_nodes.h5`, `<net>_node_types.csv`.
pub fn nodes_files(network: &str) -> [String; 2] {
    [
        format!("{network}_nodes.h5"),
        format!("{network}_node_types.csv"),
    ]
}

/// An edge population's edges file and edge types table: `<stem>_edges.h5`,
/// `<stem>_edge_types.csv`.
pub fn edges_files(stem: &str) -> [String; 2] {
    [format!("{stem}_edges.h5"), format!("{stem}_edge_types.csv")]
}

/// The folder's config files, written by every build: `circuit_config.json`,
/// `simulation_config.json`, `node_sets.json`.
pub const CONFIGS: [&str; 3] = [
    sonata::CIRCUIT_CONFIG,
    sonata::SIMULATION_CONFIG,
    sonata::NODE_SETS,
];
