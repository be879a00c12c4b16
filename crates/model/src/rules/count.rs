//! The `count` rule (each candidate pair gets a number of synapses, 0 for none) and
//! `all_to_all` (every candidate pair), which is a constant count without its synapse number.
//!
//! In: a constant count (rounded, negative as 0), or an expression of the pair bound at prepare
//! time to the source tree. Out, at connect time: the target's sources, ascending, with their
//! synapse counts (0: the edge type's `nsyns` decides) into the scratch's connections. A count
//! expression is evaluated on the sources of the tree nodes whose bound reaches a count of 1
//! (see [`super::walk`]); its NaN counts are counted as issues, and counts above [`MAX_COUNT`]
//! are capped (and counted).

use super::bind::BoundExpr;
use super::{Prepared, PreparedEdgeType, Scratch, Target, MAX_COUNT};
use crate::circuit::Value;
use crate::error::ModelError;
use crate::issues::{pair_key, IssueKind};
use crate::spatial::{self, SourceTree};
use netbuild_expr::Expr;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The prepared rule: a constant rounded to a count, an expression bound by `bind_walked` (to
/// the source tree its walk goes through).
pub(super) fn prepare(
    c: &Value,
    bind_walked: impl FnOnce(&Expr) -> Result<(BoundExpr, Arc<SourceTree>), ModelError>,
) -> Result<Prepared, ModelError> {
    Ok(match c {
        Value::Const(c) => Prepared::ConstCount(c.round().max(0.0) as u32),
        Value::Expr(e) => {
            let (e, tree) = bind_walked(e)?;
            Prepared::Count(e, tree)
        }
    })
}

impl PreparedEdgeType<'_> {
    /// Every candidate source of the target, each with `count` synapses (0: `nsyns` decides).
    pub(super) fn connect_all(&self, count: u32, target: Target, scratch: &mut Scratch) {
        let sources = self.candidate_sources(target.id, target.pos, &mut scratch.candidates);
        scratch.conns.extend(sources.map(|s| (s, count)));
    }

    /// A count expression `e`, walked through the source tree `tree`.
    pub(super) fn connect_count(
        &self,
        e: &BoundExpr,
        tree: &SourceTree,
        target: Target,
        rng: &mut ChaCha8Rng,
        scratch: &mut Scratch,
    ) {
        let e = e.at_target(target.id);
        let bound = |at, node: &spatial::TreeNode| self.walk_bound(&e, target.pos, at, node);
        let s = scratch;
        tree.walk(&mut s.stack, bound, |node, _| {
            for k in node.start as usize..node.end as usize {
                let (source, sp) = (tree.id(k), tree.point(k));
                if self.left_out(source, sp, target) {
                    continue;
                }
                let c = e.eval(source, sp, target.pos, &mut s.vars, rng).round();
                let issue = if c.is_nan() {
                    Some(IssueKind::NanCount)
                } else if c > f64::from(MAX_COUNT) {
                    Some(IssueKind::CountCapped)
                } else {
                    None
                };
                if let Some(kind) = issue {
                    s.issues.note(self.index, kind, pair_key(source, target.id));
                }
                if c >= 1.0 {
                    s.conns.push((source, c.min(f64::from(MAX_COUNT)) as u32));
                }
            }
        });
        s.conns.sort_unstable_by_key(|c| c.0);
    }
}
