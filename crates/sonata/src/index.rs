//! SONATA edge indices, built in one streaming pass.
//!
//! From `(node_id, edge_id)` pairs sorted by node id then edge id, consecutive edge ids of one
//! node make one range. `node_id_to_ranges[node] = [first range, end range)` (rows of
//! `range_to_edge_id`), `[0, 0]` for a node without edges; `range_to_edge_id[r] = [first edge,
//! end edge)`. This is what libsonata reads (it ignores empty node ranges) and what BMTK reads
//! under the singular name `node_id_to_range`.

/// Which index of an edge population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexDirection {
    /// `indices/source_to_target`: by source node id.
    SourceToTarget,
    /// `indices/target_to_source`: by target node id.
    TargetToSource,
}

impl IndexDirection {
    /// The HDF5 group name under `indices/`.
    pub fn group_name(self) -> &'static str {
        match self {
            IndexDirection::SourceToTarget => "source_to_target",
            IndexDirection::TargetToSource => "target_to_source",
        }
    }

    pub(crate) fn slot(self) -> usize {
        match self {
            IndexDirection::SourceToTarget => 0,
            IndexDirection::TargetToSource => 1,
        }
    }
}

/// Why a pair was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexInputError {
    /// A node id past the side's population.
    NodeOutOfRange {
        /// The node id.
        node: u64,
        /// Nodes of the population.
        n_nodes: u64,
    },
    /// An edge id past the population's edges.
    EdgeOutOfRange {
        /// The edge id.
        edge: u64,
        /// Edges of the population.
        n_edges: u64,
    },
    /// A pair (or run) that comes before the one pushed last.
    NotSorted {
        /// The (node, edge) pushed last.
        prev: (u64, u64),
        /// The (node, edge) that came after it.
        next: (u64, u64),
    },
}

impl std::fmt::Display for IndexInputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexInputError::NodeOutOfRange { node, n_nodes } => {
                write!(f, "node id {node} >= node count {n_nodes}")
            }
            IndexInputError::EdgeOutOfRange { edge, n_edges } => {
                write!(f, "edge id {edge} >= edge count {n_edges}")
            }
            IndexInputError::NotSorted { prev, next } => write!(
                f,
                "(node, edge) pairs not strictly increasing: {prev:?} then {next:?}"
            ),
        }
    }
}

/// Streaming builder: push pairs in order, drain finished rows as they accumulate.
///
/// `node_rows` and `ranges` hold flattened `[begin, end]` rows not yet drained; node rows are
/// emitted in node id order, starting at node 0 (or the part's first node), and `finish` pads
/// up to `n_nodes` (the part's end).
#[derive(Debug)]
pub struct IndexBuilder {
    first_node: u64,
    n_nodes: u64,
    n_edges: u64,
    /// Next node id whose row has not been emitted.
    next_node: u64,
    /// The node being accumulated, with its first range number.
    cur: Option<(u64, u64)>,
    /// Open range of the current node: [start, end).
    open: Option<(u64, u64)>,
    prev: Option<(u64, u64)>,
    /// Ranges emitted so far (drained or not).
    n_ranges: u64,
    /// `node_id_to_ranges` rows not yet drained, flat (`[first range, end range]` per node).
    pub node_rows: Vec<u64>,
    /// `range_to_edge_id` rows not yet drained, flat (`[first edge, end edge]` per range).
    pub ranges: Vec<u64>,
}

impl IndexBuilder {
    /// For a whole index: `n_nodes` nodes on this side, `n_edges` edges.
    pub fn new(n_nodes: u64, n_edges: u64) -> Self {
        Self::for_part(0..n_nodes, 0, n_edges)
    }

    /// For one process's part of an index written by several: the node rows of `nodes` only,
    /// its ranges numbered from `first_range` (the ranges of the parts before it).
    pub fn for_part(nodes: std::ops::Range<u64>, first_range: u64, n_edges: u64) -> Self {
        IndexBuilder {
            first_node: nodes.start,
            n_nodes: nodes.end,
            n_edges,
            next_node: nodes.start,
            cur: None,
            open: None,
            prev: None,
            n_ranges: first_range,
            node_rows: Vec::new(),
            ranges: Vec::new(),
        }
    }

    /// Ranges emitted so far (the rows of `range_to_edge_id`).
    pub fn n_ranges(&self) -> u64 {
        self.n_ranges
    }

    /// Node rows emitted so far (drained or not).
    pub fn n_node_rows(&self) -> u64 {
        self.next_node
    }

    /// Records that edge `edge` belongs to `node`; pairs must come sorted by node, then edge.
    pub fn push(&mut self, node: u64, edge: u64) -> Result<(), IndexInputError> {
        self.push_run(node, edge..edge + 1)
    }

    /// Records that edges `edges` (consecutive ids) belong to `node`; an empty run is ignored.
    /// Runs must come sorted by node, then edge, and not overlap.
    pub fn push_run(
        &mut self,
        node: u64,
        edges: std::ops::Range<u64>,
    ) -> Result<(), IndexInputError> {
        if edges.is_empty() {
            return Ok(());
        }
        if node >= self.n_nodes || node < self.first_node {
            return Err(IndexInputError::NodeOutOfRange {
                node,
                n_nodes: self.n_nodes,
            });
        }
        if edges.end > self.n_edges {
            return Err(IndexInputError::EdgeOutOfRange {
                edge: edges.end - 1,
                n_edges: self.n_edges,
            });
        }
        if let Some(prev) = self.prev {
            if (node, edges.start) <= prev {
                return Err(IndexInputError::NotSorted {
                    prev,
                    next: (node, edges.start),
                });
            }
        }
        self.prev = Some((node, edges.end - 1));

        match self.cur {
            Some((cur_node, _)) if cur_node == node => match self.open {
                Some((s, e)) if e == edges.start => self.open = Some((s, edges.end)),
                _ => {
                    self.close_range();
                    self.open = Some((edges.start, edges.end));
                }
            },
            _ => {
                self.close_node();
                self.pad_to(node);
                self.cur = Some((node, self.n_ranges));
                self.open = Some((edges.start, edges.end));
            }
        }
        Ok(())
    }

    fn close_range(&mut self) {
        if let Some((s, e)) = self.open.take() {
            self.ranges.extend_from_slice(&[s, e]);
            self.n_ranges += 1;
        }
    }

    fn close_node(&mut self) {
        self.close_range();
        if let Some((node, first)) = self.cur.take() {
            self.node_rows.extend_from_slice(&[first, self.n_ranges]);
            self.next_node = node + 1;
        }
    }

    /// Emits `[0, 0]` for nodes without edges, up to (excluding) `node`.
    fn pad_to(&mut self, node: u64) {
        while self.next_node < node {
            self.node_rows.extend_from_slice(&[0, 0]);
            self.next_node += 1;
        }
    }

    /// Closes the last node and pads the node rows to `n_nodes`.
    pub fn finish(&mut self) {
        self.close_node();
        self.pad_to(self.n_nodes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(n_nodes: u64, n_edges: u64, pairs: &[(u64, u64)]) -> (Vec<u64>, Vec<u64>) {
        let mut b = IndexBuilder::new(n_nodes, n_edges);
        for &(n, e) in pairs {
            b.push(n, e).unwrap();
        }
        b.finish();
        (b.node_rows, b.ranges)
    }

    #[test]
    fn hand_computed() {
        // node 0: edges 0,1,2 (one range) and 5 (second range); node 1: none;
        // node 2: edge 3,4; node 3: none (padding).
        let (nodes, ranges) = build(4, 6, &[(0, 0), (0, 1), (0, 2), (0, 5), (2, 3), (2, 4)]);
        assert_eq!(nodes, vec![0, 2, 0, 0, 2, 3, 0, 0]);
        assert_eq!(ranges, vec![0, 3, 5, 6, 3, 5]);
    }

    #[test]
    fn runs_give_what_their_pairs_give() {
        let pairs = [(0, 0), (0, 1), (0, 2), (0, 5), (2, 3), (2, 4)];
        let mut b = IndexBuilder::new(4, 6);
        for (n, r) in [(0, 0..2), (0, 2..3), (0, 4..4), (0, 5..6), (2, 3..5)] {
            b.push_run(n, r).unwrap();
        }
        b.finish();
        assert_eq!((b.node_rows, b.ranges), build(4, 6, &pairs));
        let mut b = IndexBuilder::new(4, 6);
        b.push_run(1, 2..5).unwrap();
        assert!(matches!(
            b.push_run(1, 4..6),
            Err(IndexInputError::NotSorted { .. })
        ));
        assert!(matches!(
            b.push_run(3, 5..7),
            Err(IndexInputError::EdgeOutOfRange { edge: 6, .. })
        ));
    }

    #[test]
    fn parts_concatenate_to_the_whole() {
        let pairs = [(0, 0), (0, 1), (0, 5), (2, 3), (2, 4), (3, 2)];
        let whole = build(5, 6, &pairs);
        // Part one: nodes 0..2 (ranges 0..2); part two: nodes 2..5.
        let mut a = IndexBuilder::for_part(0..2, 0, 6);
        for &(n, e) in &pairs[..3] {
            a.push(n, e).unwrap();
        }
        a.finish();
        let mut b = IndexBuilder::for_part(2..5, a.n_ranges(), 6);
        for &(n, e) in &pairs[3..] {
            b.push(n, e).unwrap();
        }
        assert!(matches!(
            b.push(1, 5),
            Err(IndexInputError::NodeOutOfRange { .. })
        ));
        b.finish();
        let nodes: Vec<u64> = a.node_rows.iter().chain(&b.node_rows).copied().collect();
        let ranges: Vec<u64> = a.ranges.iter().chain(&b.ranges).copied().collect();
        assert_eq!((nodes, ranges), whole);
    }

    #[test]
    fn empty() {
        let (nodes, ranges) = build(3, 0, &[]);
        assert_eq!(nodes, vec![0; 6]);
        assert!(ranges.is_empty());
        let (nodes, ranges) = build(0, 0, &[]);
        assert!(nodes.is_empty() && ranges.is_empty());
    }

    #[test]
    fn refuses_bad_input() {
        let mut b = IndexBuilder::new(2, 2);
        assert!(matches!(
            b.push(2, 0),
            Err(IndexInputError::NodeOutOfRange { .. })
        ));
        assert!(matches!(
            b.push(0, 2),
            Err(IndexInputError::EdgeOutOfRange { .. })
        ));
        b.push(1, 0).unwrap();
        assert!(matches!(
            b.push(0, 1),
            Err(IndexInputError::NotSorted { .. })
        ));
        assert!(matches!(
            b.push(1, 0),
            Err(IndexInputError::NotSorted { .. })
        ));
    }
}
