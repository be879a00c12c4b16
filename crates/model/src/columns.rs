//! Numeric node columns shared by every rule that reads them, looked up once per (network, name).

use crate::nodes::Network;
use crate::spatial::SourceTree;
use std::collections::HashMap;
use std::sync::Arc;

/// Node positions and numeric property columns of every network, built on first request.
pub struct Columns<'n> {
    networks: &'n [Network],
    cache: HashMap<(usize, String), Arc<Vec<f64>>>,
    positions: HashMap<usize, Arc<Vec<[f64; 3]>>>,
    /// Source trees by (network, selected node ids): edge types with the same sources share one.
    trees: HashMap<(usize, Vec<u64>), Arc<SourceTree>>,
}

impl<'n> Columns<'n> {
    pub fn new(networks: &'n [Network]) -> Self {
        Columns {
            networks,
            cache: HashMap::new(),
            positions: HashMap::new(),
            trees: HashMap::new(),
        }
    }

    pub fn networks(&self) -> &'n [Network] {
        self.networks
    }

    /// Property `name` of every node of network `net`, as numbers (see [`Network::numeric`]).
    pub fn numeric(&mut self, net: usize, name: &str) -> Arc<Vec<f64>> {
        let networks = self.networks;
        self.cache
            .entry((net, name.to_string()))
            .or_insert_with(|| Arc::new(networks[net].numeric(name)))
            .clone()
    }

    /// Positions (x, y, z) of every node of network `net`.
    pub fn positions(&mut self, net: usize) -> Arc<Vec<[f64; 3]>> {
        if let Some(p) = self.positions.get(&net) {
            return p.clone();
        }
        let [x, y, z] = ["x", "y", "z"].map(|c| self.numeric(net, c));
        let p: Arc<Vec<[f64; 3]>> = Arc::new((0..x.len()).map(|i| [x[i], y[i], z[i]]).collect());
        self.positions.insert(net, p.clone());
        p
    }

    /// The k-d tree over the positions of nodes `sources` (ascending ids) of network `net`,
    /// built once for every edge type with that source selection.
    pub fn source_tree(&mut self, net: usize, sources: &[u64]) -> Arc<SourceTree> {
        let key = (net, sources.to_vec());
        if let Some(t) = self.trees.get(&key) {
            return t.clone();
        }
        let pos = self.positions(net);
        let points: Vec<[f64; 3]> = sources.iter().map(|&s| pos[s as usize]).collect();
        let tree = Arc::new(SourceTree::new(&points));
        self.trees.insert(key, tree.clone());
        tree
    }
}
