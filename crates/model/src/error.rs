//! Errors found while preparing a circuit for building: while drawing nodes (positions that do not
//! fit), or after nodes exist, before any edge.

/// A circuit that cannot be built as described. `edge_type` lets the caller point at the spec
/// block that said it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("edge type {edge_type}: {message}")]
    EdgeType { edge_type: usize, message: String },
    /// `block` is the index of the node block (`add_nodes` call) in the circuit.
    #[error("node block {block}: {message}")]
    NodeBlock { block: usize, message: String },
    #[error("network '{network}': {message}")]
    Network { network: String, message: String },
}
