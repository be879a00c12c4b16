//! Errors found while preparing a circuit for building: after nodes exist, before any edge.

/// A circuit that cannot be built as described. `edge_type` lets the caller point at the spec
/// block that said it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("edge type {edge_type}: {message}")]
    EdgeType { edge_type: usize, message: String },
    #[error("network '{network}': {message}")]
    Network { network: String, message: String },
}
