//! The walk of expression rules (`probability` and `count` expressions) through the source
//! tree: the bound each tree node is thinned at, and the work a walk costs.
//!
//! In: a bound expression at one target and a tree node. Out: the node's thinning bound
//! ([`PreparedEdgeType::walk_bound`]), the same for the connection walk and for the work sample,
//! so that the estimate follows the walk it estimates.

use super::bind::AtTarget;
use super::{Prepared, PreparedEdgeType};
use crate::spatial;

impl PreparedEdgeType<'_> {
    /// What the tree walk of a walked rule thins a node at, for the target of `e` (at `tp`):
    /// the probability's bound over the node's pairs; for a count, 1 where the bound reaches a
    /// count of 1 (from 0.5 on: every pair is evaluated there) and 0 elsewhere.
    pub(super) fn walk_bound(
        &self,
        e: &AtTarget<'_>,
        tp: [f64; 3],
        at: usize,
        node: &spatial::TreeNode,
    ) -> f64 {
        let b = e.upper_bound(tp, at, node, self.def.max_distance);
        match self.rule {
            Prepared::Count(..) => f64::from(u8::from(b >= 0.5)),
            _ => b,
        }
    }

    /// The mean work of a target of a rule walked through the source tree: bounds computed
    /// and candidates expected, over up to 32 targets spread over the selection. The walk needs
    /// no random draw for this, so it is the same on every rank.
    pub(super) fn sampled_walk_work(&self) -> f64 {
        let (Prepared::Probability(e, tree) | Prepared::Count(e, tree)) = &self.rule else {
            return 0.0;
        };
        let n = self.targets.len();
        let m = n.min(32);
        if m == 0 {
            return 0.0;
        }
        let per_row = 1.0 + self.props.len() as f64;
        let mut stack = Vec::new();
        let work = std::cell::Cell::new(0.0);
        for i in 0..m {
            let t = self.targets[i * n / m];
            let tp = self.trg_pos[t as usize];
            let e = e.at_target(t);
            tree.walk(
                &mut stack,
                |at, node| {
                    work.set(work.get() + 2.0);
                    self.walk_bound(&e, tp, at, node)
                },
                |node, b| work.set(work.get() + node.len() as f64 * b * per_row),
            );
        }
        work.get() / m as f64
    }
}
