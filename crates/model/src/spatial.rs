//! Exact spatial pruning: a k-d tree over an edge type's sources, walked once per target, so a
//! probability or count expression costs O(edges) instead of O(pairs), with or without
//! `max_distance`.
//!
//! In: the sources' positions (a [`SourceTree`], shared by every edge type with the same source
//! selection) and, per walk, a function that bounds the expression over a tree node's pairs with
//! the target. Out: the tree nodes to visit, each with its bound, in a fixed order.
//!
//! Why a tree and bounds: Allen's V1 rules are gaussians in distance with no cut-off, so no pair
//! has probability exactly 0 and a radius search cannot help. But over a node whose box is far
//! from the target the expression's interval bound (`netbuild_expr::Interval`, fed the node's
//! `dx`/`dy`/`dz`/`d` ranges and the ranges of the `src.` columns inside it) is tiny. A walk
//! refines the nodes where many candidates are expected and stops at the others; the rule then
//! thins each stopped node at its bound `b` (candidates drawn with probability `b` by geometric
//! skipping, each kept with `p / b`), which keeps every pair with probability exactly `p`. A
//! node whose bound is 0 is skipped whole. The cost per target is the nodes visited plus the
//! candidates, about the edges times the bound's slack.
//!
//! Determinism: the tree is built from positions alone (ties broken by source order), so every
//! rank builds the same tree and walks it in the same order.

use crate::geometry::{axis_far, axis_gap, bounding_box};
use netbuild_expr::Interval;

/// Sources per leaf: small enough for tight bounds near the target, large enough that a leaf's
/// bound costs little next to its candidates. Since candidates are evaluated in batches (a node's
/// at once) and trees split only along the axes a rule reads, coarse trees win: 256/256 against
/// 64/32 on Allen's V1 (`scripts/v1_copy.py` copies, 1 rank, 2 threads, means of 2-3 runs):
/// 150 um 0.81 s vs 0.94 s, 300 um 7.3 s vs 8.0 s, v1core 16.5 s vs 17.5 s, v1like 6.0 s vs
/// 6.5 s; 128/128 and 512/256 were in between. For v1full (700 um, 2 ranks) V1's generation
/// took 76.6 s against 65.8 and 73.2 s in two runs of 64/32: within this machine's noise, at
/// worst a tenth slower (64/64, 128/128, 32/256, 64/256 and leaves of 256 for trees of up to
/// 4096 sources only were all 75-79 s there).
const LEAF: usize = 256;

/// A node is refined while more than this many candidates are expected from it: below, thinning
/// it whole costs less than bounding its children (see [`LEAF`] for the measurements).
const REFINE_ABOVE: f64 = 256.0;

/// One node of the tree: the box of its points and where they lie in tree order.
#[derive(Debug, Clone, Copy)]
pub struct TreeNode {
    /// Smallest corner of the points' bounding box.
    pub lo: [f64; 3],
    /// Largest corner of the points' bounding box.
    pub hi: [f64; 3],
    /// The node's points are `start..end` in tree order.
    pub start: u32,
    /// End (excluded) of the node's points in tree order.
    pub end: u32,
    /// The first child (the second is `child + 1`); 0 for a leaf.
    child: u32,
}

impl TreeNode {
    /// Number of points under the node.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the node holds no point.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The smallest and largest distance from `q` to the box, squared.
    pub fn distance2_range(&self, q: [f64; 3]) -> (f64, f64) {
        let (mut near, mut far) = (0.0, 0.0);
        for ((&q, &lo), &hi) in q.iter().zip(&self.lo).zip(&self.hi) {
            near += axis_gap(q, lo, hi);
            far += axis_far(q, lo, hi);
        }
        (near, far)
    }
}

/// The axes a tree may split on: those the walked expression (or `max_distance`) depends on.
///
/// Why: a split along an axis the expression ignores (depth, for Allen's V1 rules in `dx` and
/// `dz`) gives two children with the bound of their parent: the walk pays for their bounds and
/// thins them no tighter. A tree over the axes that matter has leaves that are narrow where the
/// expression changes, so it bounds tighter with fewer nodes. No axis at all: one leaf (the
/// bound does not change with position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SplitAxes(pub [bool; 3]);

impl SplitAxes {
    /// Every axis (an expression of `d`, or a `max_distance`).
    pub const ALL: SplitAxes = SplitAxes([true; 3]);
}

/// A k-d tree over source positions (median splits on the widest of its [`SplitAxes`]).
#[derive(Debug)]
pub struct SourceTree {
    nodes: Vec<TreeNode>,
    /// Tree order → position in the edge type's source list.
    order: Vec<u32>,
    /// The points in tree order: a node's candidates are read from one stretch of memory.
    points: Vec<[f64; 3]>,
    /// The source node ids in tree order, for the same reason: looking each up through `order`
    /// in the source list was a cache miss per candidate on Allen's V1.
    ids: Vec<u32>,
}

impl SourceTree {
    /// Builds the tree over the source nodes `ids` at `points` (both indexed by position in the
    /// source list; ids below 2^32), split along `axes` only.
    pub fn new(ids: &[u64], points: &[[f64; 3]], axes: SplitAxes) -> SourceTree {
        let n = points.len();
        assert_eq!(ids.len(), n, "one id per point");
        let mut order: Vec<u32> = (0..n as u32).collect();
        let empty = TreeNode {
            lo: [0.0; 3],
            hi: [0.0; 3],
            start: 0,
            end: 0,
            child: 0,
        };
        let mut nodes = vec![empty];
        let mut stack = vec![(0usize, 0usize, n)];
        while let Some((at, start, end)) = stack.pop() {
            let (lo, hi) = bounding_box(order[start..end].iter().map(|&i| points[i as usize]));
            let mut node = TreeNode {
                lo,
                hi,
                start: start as u32,
                end: end as u32,
                child: 0,
            };
            let axis = (0..3)
                .filter(|&a| axes.0[a])
                .max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b])));
            // Points that all coincide (no positions at all, say) stay one leaf: no split
            // could tighten their bound.
            if let Some(axis) = axis.filter(|&a| end - start > LEAF && hi[a] > lo[a]) {
                let mid = start + (end - start) / 2;
                order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                    points[a as usize][axis]
                        .total_cmp(&points[b as usize][axis])
                        .then(a.cmp(&b))
                });
                node.child = nodes.len() as u32;
                nodes.push(empty);
                nodes.push(empty);
                stack.push((node.child as usize + 1, mid, end));
                stack.push((node.child as usize, start, mid));
            }
            nodes[at] = node;
        }
        let points = order.iter().map(|&i| points[i as usize]).collect();
        let ids = order.iter().map(|&i| ids[i as usize] as u32).collect();
        SourceTree {
            nodes,
            order,
            points,
            ids,
        }
    }

    /// The nodes; node 0 is the root, and every child comes after its parent.
    pub fn nodes(&self) -> &[TreeNode] {
        &self.nodes
    }

    /// The source-list position of the `i`-th point in tree order.
    #[inline]
    pub fn source_at(&self, i: usize) -> usize {
        self.order[i] as usize
    }

    /// The position of the `i`-th point in tree order.
    #[inline]
    pub fn point(&self, i: usize) -> [f64; 3] {
        self.points[i]
    }

    /// The source node id of the `i`-th point in tree order.
    #[inline]
    pub fn id(&self, i: usize) -> u64 {
        u64::from(self.ids[i])
    }

    /// The source node ids, in tree order.
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.ids.iter().map(|&id| u64::from(id))
    }

    /// The range of `value(source position)` over each node's points (NaN anywhere in a node
    /// makes its range everything: bounds never narrow NaN).
    pub fn node_ranges(&self, value: impl Fn(usize) -> f64) -> Vec<Interval> {
        let mut ranges = vec![Interval::ALL; self.nodes.len()];
        // Children come after their parent: a reverse sweep sees both children first.
        for (i, node) in self.nodes.iter().enumerate().rev() {
            ranges[i] = if node.child == 0 {
                range_of((node.start..node.end).map(|k| value(self.source_at(k as usize))))
            } else {
                let c = node.child as usize;
                ranges[c].hull(ranges[c + 1])
            };
        }
        ranges
    }

    /// Walks the tree for one target. `bound(node index, node)` is an upper bound of the
    /// expression over the node's pairs with the target; a node is skipped when it is 0 or less,
    /// refined while more than [`REFINE_ABOVE`] candidates are expected from it, and otherwise
    /// handed to `visit(node, bound)` (bounds above 1 are clamped to 1). Nodes are handed over
    /// in depth-first order, the first child first.
    pub fn walk(
        &self,
        stack: &mut Vec<u32>,
        mut bound: impl FnMut(usize, &TreeNode) -> f64,
        mut visit: impl FnMut(&TreeNode, f64),
    ) {
        stack.clear();
        if self.order.is_empty() {
            return;
        }
        stack.push(0);
        while let Some(i) = stack.pop() {
            let node = &self.nodes[i as usize];
            let b = bound(i as usize, node);
            // NaN bounds mean "nothing is known": treat as 1 (evaluate every pair).
            let b = if b.is_nan() { 1.0 } else { b.min(1.0) };
            if b <= 0.0 {
                continue;
            }
            if node.child != 0 && node.len() as f64 * b > REFINE_ABOVE {
                stack.push(node.child + 1);
                stack.push(node.child);
            } else {
                visit(node, b);
            }
        }
    }
}

/// The interval of `values`; everything if one is NaN or there are none.
fn range_of(values: impl Iterator<Item = f64>) -> Interval {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        if v.is_nan() {
            return Interval::ALL;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        Interval::ALL
    } else {
        Interval::new(lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids of the points: their positions, shifted so that an id is never its position.
    fn ids(n: usize) -> Vec<u64> {
        (0..n as u64).map(|i| i + 1000).collect()
    }

    fn grid_points(n: usize) -> Vec<[f64; 3]> {
        (0..n)
            .map(|i| {
                let f = i as f64;
                [(f * 7.3) % 100.0, (f * 3.1) % 50.0, (f * 1.7) % 80.0]
            })
            .collect()
    }

    #[test]
    fn every_point_lies_in_its_leaf_box_once() {
        let pts = grid_points(1000);
        let tree = SourceTree::new(&ids(pts.len()), &pts, SplitAxes::ALL);
        let mut seen = vec![0; pts.len()];
        let mut stack = Vec::new();
        tree.walk(
            &mut stack,
            |_, _| 0.0001,
            |node, _| {
                for k in node.start..node.end {
                    let s = tree.source_at(k as usize);
                    assert_eq!(tree.id(k as usize), s as u64 + 1000);
                    assert_eq!(tree.point(k as usize), pts[s]);
                    seen[s] += 1;
                    for ((&x, &lo), &hi) in pts[s].iter().zip(&node.lo).zip(&node.hi) {
                        assert!(lo <= x && x <= hi);
                    }
                }
            },
        );
        assert!(seen.iter().all(|&c| c == 1), "each point visited once");
    }

    #[test]
    fn refines_to_leaves_where_the_bound_is_high_and_skips_zero() {
        let pts = grid_points(4096);
        let tree = SourceTree::new(&ids(pts.len()), &pts, SplitAxes::ALL);
        let mut stack = Vec::new();
        let (mut visited, mut largest) = (0usize, 0usize);
        tree.walk(
            &mut stack,
            |_, n| if n.lo[0] > 50.0 { 0.0 } else { 1.0 },
            |node, b| {
                assert_eq!(b, 1.0);
                visited += node.len();
                largest = largest.max(node.len());
            },
        );
        let low = pts.iter().filter(|p| p[0] <= 50.0).count();
        assert!(visited >= low && visited < pts.len(), "{visited} of {low}");
        assert!(largest <= LEAF);
    }

    #[test]
    fn node_ranges_hold_their_points() {
        let pts = grid_points(500);
        let tree = SourceTree::new(&ids(pts.len()), &pts, SplitAxes::ALL);
        let ranges = tree.node_ranges(|s| pts[s][1] * 2.0);
        for (node, r) in tree.nodes().iter().zip(&ranges) {
            for k in node.start..node.end {
                assert!(r.contains(pts[tree.source_at(k as usize)][1] * 2.0));
            }
        }
    }

    #[test]
    fn splits_only_along_the_axes_asked_for() {
        // Deep in y, narrow in x and z: a tree over all axes would split on y first.
        let pts: Vec<[f64; 3]> = grid_points(2000)
            .into_iter()
            .map(|[x, y, z]| [x * 0.1, y * 100.0, z * 0.1])
            .collect();
        for (axes, may_split_y) in [
            (SplitAxes([true, false, true]), false),
            (SplitAxes::ALL, true),
        ] {
            let tree = SourceTree::new(&ids(pts.len()), &pts, axes);
            let mut split_y = false;
            for node in tree.nodes().iter().filter(|n| n.child != 0) {
                let (a, b) = (
                    &tree.nodes()[node.child as usize],
                    &tree.nodes()[node.child as usize + 1],
                );
                // Children split along y have disjoint y ranges; along x or z, overlapping ones.
                split_y |= a.hi[1] <= b.lo[1] && a.hi[0] > b.lo[0] && a.hi[2] > b.lo[2];
            }
            assert_eq!(split_y, may_split_y, "{axes:?}");
            assert!(tree.nodes().len() > 1);
        }
        // No axis: one leaf, whatever the points.
        assert_eq!(
            SourceTree::new(&ids(pts.len()), &pts, SplitAxes([false; 3]))
                .nodes()
                .len(),
            1
        );
    }

    #[test]
    fn coincident_points_stay_one_leaf() {
        let tree = SourceTree::new(&ids(100), &vec![[0.0; 3]; 100], SplitAxes::ALL);
        assert_eq!(tree.nodes().len(), 1);
        assert_eq!(tree.nodes()[0].len(), 100);
    }
}
