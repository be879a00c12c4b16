//! The `probability` rule: each candidate pair connects with probability p.
//!
//! In: a constant p, or an expression of the pair bound at prepare time to the source tree. Out,
//! at connect time: the target's sources, ascending, into the scratch's connections. A constant
//! draws Bernoulli positions over the candidates (all sources, or those within `max_distance`
//! from the grid); an expression is walked through the source tree and thinned at each node's
//! bound (see [`super::walk`]), so p is evaluated only on about p's bound of the pairs.

use super::bind::BoundExpr;
use super::{sample, within, Prepared, PreparedEdgeType, Scratch, Target};
use crate::circuit::Value;
use crate::error::ModelError;
use crate::issues::{pair_key, IssueKind};
use crate::spatial::SourceTree;
use netbuild_expr::Expr;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The prepared rule: a constant as is, an expression bound by `bind_walked` (to the source
/// tree its walk thins through).
pub(super) fn prepare(
    p: &Value,
    bind_walked: impl FnOnce(&Expr) -> Result<(BoundExpr, Arc<SourceTree>), ModelError>,
) -> Result<Prepared, ModelError> {
    Ok(match p {
        Value::Const(p) => Prepared::ConstProbability(*p),
        Value::Expr(e) => {
            let (e, tree) = bind_walked(e)?;
            Prepared::Probability(e, tree)
        }
    })
}

impl PreparedEdgeType<'_> {
    /// A constant probability `p`: Bernoulli positions over the target's candidate sources.
    pub(super) fn connect_const_probability(
        &self,
        p: f64,
        target: Target,
        rng: &mut ChaCha8Rng,
        scratch: &mut Scratch,
    ) {
        let Scratch {
            conns,
            positions,
            candidates,
            ..
        } = scratch;
        let (t, tp) = (target.id, target.pos);
        let from_grid = self.grid_candidates(tp, candidates);
        let n = if from_grid {
            candidates.len()
        } else {
            self.sources.len()
        };
        sample::bernoulli_positions(n, p, rng, positions);
        for &i in positions.iter() {
            let s = self.sources[if from_grid { candidates[i] as usize } else { i }];
            if !(self.exclude_self && s == t) {
                conns.push((s, 0));
            }
        }
    }

    /// A probability expression `e`, walked through the source tree `tree`.
    pub(super) fn connect_probability(
        &self,
        e: &BoundExpr,
        tree: &SourceTree,
        target: Target,
        rng: &mut ChaCha8Rng,
        scratch: &mut Scratch,
    ) {
        let Scratch {
            conns,
            positions,
            vars,
            stack,
            lanes,
            issues,
            ..
        } = scratch;
        let (t, tp) = (target.id, target.pos);
        let r = self.def.max_distance;
        let e = e.at_target(t);
        tree.walk(
            stack,
            |at, node| self.walk_bound(&e, tp, at, node),
            |node, b| {
                // Thinning: candidates drawn with the node's bound b, each kept with
                // p / b, so a pair is kept with probability p while p is evaluated on
                // about b of the node's pairs.
                sample::bernoulli_positions(node.len(), b, rng, positions);
                lanes.clear();
                for &i in positions.iter() {
                    let k = node.start as usize + i;
                    let (s, sp) = (self.sources[tree.source_at(k)], tree.point(k));
                    if !((self.exclude_self && s == t) || !within(r, sp, tp)) {
                        lanes.push(s, sp);
                    }
                }
                let mut keep = |s: u64, v: f64, rng: &mut ChaCha8Rng| {
                    if v.is_nan() {
                        let key = pair_key(s, t);
                        issues.note(self.index, IssueKind::NanProbability, key);
                    }
                    if rng.gen::<f64>() * b < v {
                        conns.push((s, 0));
                    }
                };
                // All candidates' values at once, then the draws in the same order as pair
                // by pair (an expression that draws interleaves its own draws).
                if let Some((sources, values)) = e.eval_lanes(lanes, tp) {
                    for (&s, &v) in sources.iter().zip(values) {
                        keep(s, v, rng);
                    }
                } else {
                    for (s, sp) in lanes.candidates() {
                        let v = e.eval(s, sp, tp, vars, rng);
                        keep(s, v, rng);
                    }
                }
            },
        );
        conns.sort_unstable_by_key(|c| c.0);
    }
}
