//! Node ids cut into consecutive ranges ("buckets") whose edges fit a memory budget: how the
//! write path goes out of core, for the source sort and for a spilled index alike.
//!
//! In: each node's edge count and the edges a bucket may hold. Out: the buckets, in node order;
//! which bucket a node falls in; each bucket's node range.

use std::ops::Range;

/// Consecutive ranges of node ids, each with at most `per_bucket` edges (a node with more is a
/// bucket of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NodeBuckets {
    /// First node of each bucket, ascending, from 0; bucket b holds `starts[b]..starts[b+1]`.
    starts: Vec<u64>,
    /// Nodes in all.
    n_nodes: u64,
}

impl NodeBuckets {
    /// Buckets for nodes with `counts[n]` edges each.
    pub(super) fn cut(counts: &[u64], per_bucket: u64) -> NodeBuckets {
        let mut starts = vec![0u64];
        let mut acc = 0u64;
        for (n, &c) in counts.iter().enumerate() {
            if acc > 0 && acc + c > per_bucket {
                starts.push(n as u64);
                acc = 0;
            }
            acc += c;
        }
        NodeBuckets {
            starts,
            n_nodes: counts.len() as u64,
        }
    }

    /// How many buckets (at least 1).
    pub(super) fn len(&self) -> usize {
        self.starts.len()
    }

    /// The bucket of `node`.
    #[inline]
    pub(super) fn of(&self, node: u64) -> usize {
        self.starts.partition_point(|&s| s <= node) - 1
    }

    /// Each bucket's nodes, in order.
    pub(super) fn ranges(&self) -> impl Iterator<Item = Range<u64>> + '_ {
        let ends = self.starts.iter().skip(1).copied().chain([self.n_nodes]);
        self.starts.iter().zip(ends).map(|(&lo, hi)| lo..hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_at_most_their_share_and_cover_every_node() {
        let b = NodeBuckets::cut(&[2, 2, 1, 5, 0, 1, 1], 4);
        assert_eq!(b.ranges().collect::<Vec<_>>(), vec![0..2, 2..3, 3..4, 4..7]);
        assert_eq!(b.len(), 4);
        assert_eq!(
            (b.of(0), b.of(1), b.of(2), b.of(3), b.of(6)),
            (0, 0, 1, 2, 3)
        );
        let one = NodeBuckets::cut(&[], 4);
        assert_eq!(one.ranges().collect::<Vec<_>>(), vec![0..0]);
    }
}
