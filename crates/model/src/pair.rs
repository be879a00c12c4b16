//! A (source, target) pair as custom rules and custom properties see it.

use crate::nodes::Network;

/// A candidate or connected pair. Property look-ups by name are convenient, not fast: a rule
/// written in the spec's expression language binds its columns once instead.
#[derive(Debug, Clone, Copy)]
pub struct Pair<'a> {
    /// Source node id (within its network).
    pub source: u64,
    /// Target node id (within its network).
    pub target: u64,
    /// Source x, y, z.
    pub source_position: [f64; 3],
    /// Target x, y, z.
    pub target_position: [f64; 3],
    pub(crate) source_network: &'a Network,
    pub(crate) target_network: &'a Network,
}

impl Pair<'_> {
    /// Euclidean distance between the two positions.
    pub fn distance(&self) -> f64 {
        let d = self.delta();
        (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
    }
    /// Target position minus source position.
    pub fn delta(&self) -> [f64; 3] {
        [0, 1, 2].map(|a| self.target_position[a] - self.source_position[a])
    }
    /// A numeric property of the source node (node-type or per-node; x, y, z also from its
    /// `positions`): see [`Network::number_at`].
    pub fn source_property(&self, name: &str) -> Option<f64> {
        self.source_network.number_at(name, self.source)
    }
    /// A numeric property of the target node, as [`Pair::source_property`].
    pub fn target_property(&self, name: &str) -> Option<f64> {
        self.target_network.number_at(name, self.target)
    }
}
