//! Errors found while preparing a circuit for building: while drawing nodes (positions that do not
//! fit), or after nodes exist, before any edge.

/// A circuit that cannot be built as described. `edge_type` lets the caller point at the spec
/// block that said it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// An edge type that cannot be connected as described (an in-degree above the sources).
    #[error("edge type {edge_type}: {message}")]
    EdgeType {
        /// Index of the edge type (`add_edges` call) in the circuit.
        edge_type: usize,
        /// What is wrong.
        message: String,
    },
    /// A node block that cannot be generated (a volume that cannot hold its nodes).
    #[error("node block {block}: {message}")]
    NodeBlock {
        /// Index of the node block (`add_nodes` call) in the circuit.
        block: usize,
        /// What is wrong.
        message: String,
    },
    /// A network that cannot be built (its blocks disagree).
    #[error("network '{network}': {message}")]
    Network {
        /// The network's name.
        network: String,
        /// What is wrong.
        message: String,
    },
}
