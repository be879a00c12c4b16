//! The `probability` rule: each candidate pair connects with probability p.
//!
//! In: a constant p, or an expression of the pair bound at prepare time to the source tree. Out,
//! at connect time: the target's sources, ascending, into the scratch's connections. A constant
//! draws Bernoulli positions over the candidates (all sources, or those within `max_distance`
//! from the grid); an expression is walked through the source tree and thinned at each node's
//! bound (see [`super::walk`]), so p is evaluated only on about p's bound of the pairs.

use super::bind::BoundExpr;
use super::{sample, Prepared, PreparedEdgeType, Scratch, Target};
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
        let s = scratch;
        let from_grid = self.grid_candidates(target.pos, &mut s.candidates);
        let n = if from_grid {
            s.candidates.len()
        } else {
            self.sources.len()
        };
        sample::bernoulli_positions(n, p, rng, &mut s.positions);
        for &i in &s.positions {
            let source = self.sources[if from_grid {
                s.candidates[i] as usize
            } else {
                i
            }];
            if !(self.exclude_self && source == target.id) {
                s.conns.push((source, 0));
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
        let e = e.at_target(target.id);
        let s = scratch;
        tree.walk(
            &mut s.stack,
            |at, node| self.walk_bound(&e, target.pos, at, node),
            |node, b| {
                // Thinning: candidates drawn with the node's bound b, each kept with
                // p / b, so a pair is kept with probability p while p is evaluated on
                // about b of the node's pairs.
                sample::bernoulli_positions(node.len(), b, rng, &mut s.positions);
                // First every candidate, in a loop of loads alone (the points are far apart
                // in memory: their cache misses overlap), then those left out.
                s.lanes.clear();
                s.lanes.reserve(s.positions.len());
                for &i in &s.positions {
                    let k = node.start as usize + i;
                    s.lanes.push(k, tree.id(k), tree.point(k));
                }
                if self.def.max_distance.is_some() {
                    s.lanes
                        .retain(|source, sp| !self.left_out(source, sp, target));
                } else if self.exclude_self {
                    // Only the target itself is left out: one scan of the ids rather than a
                    // test per candidate (2.6% of Allen's V1 at 150 um).
                    s.lanes.remove_source(target.id);
                }
                let mut keep = |source: u64, v: f64, rng: &mut ChaCha8Rng| {
                    if v.is_nan() {
                        let key = pair_key(source, target.id);
                        s.issues.note(self.index, IssueKind::NanProbability, key);
                    }
                    if rng.gen::<f64>() * b < v {
                        s.conns.push((source, 0));
                    }
                };
                // All candidates' values at once, then the draws in the same order as pair
                // by pair (an expression that draws interleaves its own draws).
                if let Some((sources, values)) = e.eval_lanes(&mut s.lanes, target.pos) {
                    for (&source, &v) in sources.iter().zip(values) {
                        keep(source, v, rng);
                    }
                } else {
                    for (source, sp) in s.lanes.candidates() {
                        let v = e.eval(source, sp, target.pos, &mut s.vars, rng);
                        keep(source, v, rng);
                    }
                }
            },
        );
        s.conns.sort_unstable_by_key(|c| c.0);
    }
}
