//! Both SONATA indices of a population, gathered while its rows stream past in edge order.
//!
//! In: each row's source and target, in edge id order; the global rows per source node (from
//! the collator). Out: the (node, edge id) pairs, node-major, that the writer turns into
//! `node_id_to_ranges` / `range_to_edge_id`.
//!
//! The side the rows are sorted by needs only a first edge and a count per node. The other side
//! is a counting sort: each node's slot range is known in advance from the counts, and edge ids
//! arrive ascending, so each node's list comes out sorted without sorting. It costs 4 bytes per
//! edge (8 beyond 2^32 edges).

/// Edge ids grouped by node, filled by a counting sort.
#[derive(Debug)]
pub struct ByNode {
    /// `offsets[n]..offsets[n+1]`: node n's slots.
    offsets: Vec<u64>,
    fill: Vec<u64>,
    ids: EdgeIds,
}

#[derive(Debug)]
enum EdgeIds {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl ByNode {
    /// For nodes with `counts[n]` edges each.
    pub fn new(counts: &[u64]) -> Self {
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        let mut acc = 0u64;
        offsets.push(0);
        for &c in counts {
            acc += c;
            offsets.push(acc);
        }
        let ids = if acc <= u64::from(u32::MAX) {
            EdgeIds::Narrow(vec![0; acc as usize])
        } else {
            EdgeIds::Wide(vec![0; acc as usize])
        };
        let fill = offsets[..counts.len()].to_vec();
        ByNode { offsets, fill, ids }
    }

    /// Records that edge `edge` (ids must come ascending) belongs to `node`.
    #[inline]
    pub fn push(&mut self, node: u64, edge: u64) {
        let slot = &mut self.fill[node as usize];
        match &mut self.ids {
            EdgeIds::Narrow(v) => v[*slot as usize] = edge as u32,
            EdgeIds::Wide(v) => v[*slot as usize] = edge,
        }
        *slot += 1;
    }

    /// (node, edge) pairs, node-major, edges ascending within a node.
    pub fn pairs(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..self.offsets.len().saturating_sub(1)).flat_map(move |n| {
            let (a, b) = (self.offsets[n] as usize, self.offsets[n + 1] as usize);
            (a..b).map(move |i| {
                let e = match &self.ids {
                    EdgeIds::Narrow(v) => u64::from(v[i]),
                    EdgeIds::Wide(v) => v[i],
                };
                (n as u64, e)
            })
        })
    }
}

/// The index of the side rows are sorted by: one run of edges per node.
#[derive(Debug)]
pub struct Sorted {
    first: Vec<u64>,
    count: Vec<u64>,
}

impl Sorted {
    pub fn new(n_nodes: u64) -> Self {
        Sorted {
            first: vec![0; n_nodes as usize],
            count: vec![0; n_nodes as usize],
        }
    }

    #[inline]
    pub fn push(&mut self, node: u64, edge: u64) {
        let n = node as usize;
        if self.count[n] == 0 {
            self.first[n] = edge;
        }
        self.count[n] += 1;
    }

    pub fn pairs(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..self.first.len()).flat_map(move |n| {
            (self.first[n]..self.first[n] + self.count[n]).map(move |e| (n as u64, e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_sort_groups_edges_by_node() {
        let sources = [2u64, 0, 2, 1, 0, 2];
        let mut counts = vec![0u64; 4];
        for &s in &sources {
            counts[s as usize] += 1;
        }
        let mut by = ByNode::new(&counts);
        for (e, &s) in sources.iter().enumerate() {
            by.push(s, e as u64);
        }
        let got: Vec<_> = by.pairs().collect();
        assert_eq!(got, vec![(0, 1), (0, 4), (1, 3), (2, 0), (2, 2), (2, 5)]);
    }

    #[test]
    fn sorted_side_is_runs() {
        let targets = [0u64, 0, 2, 2, 2, 3];
        let mut s = Sorted::new(5);
        for (e, &t) in targets.iter().enumerate() {
            s.push(t, e as u64);
        }
        let got: Vec<_> = s.pairs().collect();
        assert_eq!(got, vec![(0, 0), (0, 1), (2, 2), (2, 3), (2, 4), (3, 5)]);
    }
}
