//! Expressions bound to node columns: each variable of an expression resolved once to a slot
//! (distance, a delta, or a shared numeric column), so evaluating a pair is a few loads and the
//! compiled expression, with no look-up by name.

use crate::columns::Columns;
use crate::shared::Shared;
use crate::spatial::{SourceTree, TreeNode};
use netbuild_expr::{Expr, Interval, Specializer, Var};
use rand::Rng;
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Debug, Clone)]
enum Slot {
    D,
    Dx,
    Dy,
    Dz,
    Src(Shared<f64>),
    Trg(Shared<f64>),
}

/// An expression with its variables bound to a (source network, target network) pair.
#[derive(Debug, Clone)]
pub struct BoundExpr {
    expr: Expr,
    slots: Vec<Slot>,
    /// For `src.NAME` slots, when bound over a [`SourceTree`]: the column's range over each
    /// tree node (empty for other slots).
    node_ranges: Vec<Vec<Interval>>,
    /// For `src.NAME` slots, when bound over a [`SourceTree`]: the column's values in tree order,
    /// which [`AtTarget::eval_lanes`] reads for candidates of a tree node (none for other slots).
    tree_values: Vec<Option<Arc<[f64]>>>,
    /// With `trg.` slots: the expression prepared to be specialized on them, target by target.
    specializer: Option<Specializer>,
}

impl BoundExpr {
    /// Binds `expr` for pairs of `src_net` to `trg_net`; a property neither network has is an
    /// error naming it. With `tree` (over the edge type's `sources`), the ranges of the `src.`
    /// columns inside each tree node are computed for [`BoundExpr::upper_bound`].
    pub fn bind(
        expr: &Expr,
        columns: &mut Columns<'_>,
        src_net: usize,
        trg_net: usize,
        sources: &[u64],
        tree: Option<&Arc<SourceTree>>,
    ) -> Result<Self, String> {
        let mut slots = Vec::with_capacity(expr.variables().len());
        for v in expr.variables() {
            slots.push(match &v.var {
                Var::D => Slot::D,
                Var::Dx => Slot::Dx,
                Var::Dy => Slot::Dy,
                Var::Dz => Slot::Dz,
                Var::Src(name) => {
                    if !columns.networks()[src_net].has_property(name) {
                        return Err(format!("the source network has no property '{name}'"));
                    }
                    Slot::Src(columns.numeric(src_net, name))
                }
                Var::Trg(name) => {
                    if !columns.networks()[trg_net].has_property(name) {
                        return Err(format!("the target network has no property '{name}'"));
                    }
                    Slot::Trg(columns.numeric(trg_net, name))
                }
            });
        }
        let node_ranges = slots
            .iter()
            .map(|s| match (s, tree) {
                (Slot::Src(c), Some(tree)) => tree.node_ranges(|i| c[sources[i] as usize]),
                _ => Vec::new(),
            })
            .collect();
        let tree_values = expr
            .variables()
            .iter()
            .map(|v| match (&v.var, tree) {
                (Var::Src(name), Some(tree)) => Some(columns.tree_column(src_net, name, tree)),
                _ => None,
            })
            .collect();
        let trg: Vec<bool> = slots.iter().map(|s| matches!(s, Slot::Trg(_))).collect();
        let specializer = trg.contains(&true).then(|| Specializer::new(expr, &trg));
        Ok(BoundExpr {
            expr: expr.clone(),
            slots,
            node_ranges,
            tree_values,
            specializer,
        })
    }

    /// How many random draws one evaluation makes ([`Expr::draw_sites`]).
    pub fn draw_sites(&self) -> usize {
        self.expr.draw_sites()
    }

    /// Whether the value depends on where the pair's nodes are (`d`, `dx`, `dy`, `dz`).
    pub fn reads_positions(&self) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(s, Slot::D | Slot::Dx | Slot::Dy | Slot::Dz))
    }

    /// The expression for the pairs of target `t`: its `trg.` columns fixed to `t`'s values
    /// and folded (`cos(trg.tuning_angle * pi / 180)` is computed once per target, not per
    /// pair, and bounds see it as the number it is).
    pub fn at_target(&self, t: u64) -> AtTarget<'_> {
        let expr = match &self.specializer {
            Some(spec) => {
                // Only the `trg.` slots are read.
                let value = |s: &Slot| match s {
                    Slot::Trg(c) => c[t as usize],
                    _ => 0.0,
                };
                let mut small = [0.0; 8];
                Cow::Owned(if self.slots.len() <= small.len() {
                    for (v, s) in small.iter_mut().zip(&self.slots) {
                        *v = value(s);
                    }
                    spec.specialize(&small[..self.slots.len()])
                } else {
                    spec.specialize(&self.slots.iter().map(value).collect::<Vec<_>>())
                })
            }
            None => Cow::Borrowed(&self.expr),
        };
        AtTarget {
            bound: self,
            expr,
            t,
        }
    }

    /// The value for the pair (s, t) at positions (sp, tp). `vars` is scratch space.
    #[inline]
    pub fn eval<R: Rng + ?Sized>(
        &self,
        s: u64,
        t: u64,
        sp: [f64; 3],
        tp: [f64; 3],
        vars: &mut Vec<f64>,
        rng: &mut R,
    ) -> f64 {
        self.fill_vars(s, t, sp, tp, vars);
        self.expr.eval(vars, rng)
    }

    /// The values for the pairs (`sources[i]`, t) at (`positions[i]`, tp) into `out`, each bit
    /// for bit what [`BoundExpr::eval`] gives for them one after the other with `rng`, and the
    /// same draws: false, and nothing evaluated or drawn, when the expression draws more than
    /// once per pair. `positions` may be empty when the expression reads none
    /// ([`BoundExpr::reads_positions`]). `scratch` is (vars, stack), kept between calls.
    pub fn eval_rows<R: Rng + ?Sized>(
        &self,
        t: u64,
        tp: [f64; 3],
        sources: &[u64],
        positions: &[[f64; 3]],
        (vars, stack, out): (&mut Vec<f64>, &mut Vec<f64>, &mut Vec<f64>),
        rng: &mut R,
    ) -> bool {
        let n = sources.len();
        vars.clear();
        for slot in &self.slots {
            match slot {
                Slot::Src(c) => vars.extend(sources.iter().map(|&s| c[s as usize])),
                Slot::Trg(c) => vars.resize(vars.len() + n, c[t as usize]),
                _ => vars.extend(positions[..n].iter().map(|&sp| slot.value(0, t, sp, tp))),
            }
        }
        self.expr.eval_lanes_drawing(vars, n, stack, out, rng)
    }

    /// The variables' values for the pair (s, t) at (sp, tp), into `vars`.
    #[inline]
    fn fill_vars(&self, s: u64, t: u64, sp: [f64; 3], tp: [f64; 3], vars: &mut Vec<f64>) {
        vars.clear();
        vars.extend(self.slots.iter().map(|slot| slot.value(s, t, sp, tp)));
    }
}

impl Slot {
    /// The slot's value for the pair (s, t) at positions (sp, tp).
    #[inline]
    fn value(&self, s: u64, t: u64, sp: [f64; 3], tp: [f64; 3]) -> f64 {
        match self {
            Slot::D => {
                let d = [tp[0] - sp[0], tp[1] - sp[1], tp[2] - sp[2]];
                (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
            }
            Slot::Dx => tp[0] - sp[0],
            Slot::Dy => tp[1] - sp[1],
            Slot::Dz => tp[2] - sp[2],
            Slot::Src(c) => c[s as usize],
            Slot::Trg(c) => c[t as usize],
        }
    }
}

/// The candidate sources of one target gathered for [`AtTarget::eval_lanes`], with its scratch
/// space (kept between targets: evaluating allocates nothing once it has grown).
#[derive(Debug, Default)]
pub struct Lanes {
    sources: Vec<u64>,
    positions: Vec<[f64; 3]>,
    /// Each candidate's place in the source tree's order.
    at: Vec<u32>,
    vars: Vec<f64>,
    stack: Vec<f64>,
    out: Vec<f64>,
}

impl Lanes {
    /// Forgets the candidates.
    pub fn clear(&mut self) {
        self.sources.clear();
        self.positions.clear();
        self.at.clear();
    }

    /// Adds source `s` at position `sp`, the `k`-th point of the source tree the expression
    /// was bound with, as a candidate.
    pub fn push(&mut self, k: usize, s: u64, sp: [f64; 3]) {
        self.sources.push(s);
        self.positions.push(sp);
        self.at.push(k as u32);
    }

    /// Room for `n` more candidates.
    pub fn reserve(&mut self, n: usize) {
        self.sources.reserve(n);
        self.positions.reserve(n);
        self.at.reserve(n);
    }

    /// Keeps the candidates for which `keep(source, position)` holds, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(u64, [f64; 3]) -> bool) {
        let mut kept = 0;
        for i in 0..self.sources.len() {
            if keep(self.sources[i], self.positions[i]) {
                self.sources[kept] = self.sources[i];
                self.positions[kept] = self.positions[i];
                self.at[kept] = self.at[i];
                kept += 1;
            }
        }
        self.sources.truncate(kept);
        self.positions.truncate(kept);
        self.at.truncate(kept);
    }

    /// Removes source `s` from the candidates, keeping the others' order. A tree holds each
    /// source once, so one candidate at most is `s`.
    pub fn remove_source(&mut self, s: u64) {
        if let Some(i) = self.sources.iter().position(|&x| x == s) {
            self.sources.remove(i);
            self.positions.remove(i);
            self.at.remove(i);
        }
    }

    /// The candidates, in the order they were pushed.
    pub fn candidates(&self) -> impl Iterator<Item = (u64, [f64; 3])> + '_ {
        self.sources
            .iter()
            .copied()
            .zip(self.positions.iter().copied())
    }
}

/// A [`BoundExpr`] for the pairs of one target ([`BoundExpr::at_target`]).
pub struct AtTarget<'a> {
    bound: &'a BoundExpr,
    expr: Cow<'a, Expr>,
    t: u64,
}

impl AtTarget<'_> {
    /// An upper bound of the value over the pairs of the target (at `tp`) with the sources of
    /// tree node `node` (index `at`), those within `max_distance` when given; 0 when no source
    /// of the node is within it. The expression must have been bound with the tree.
    pub fn upper_bound(
        &self,
        tp: [f64; 3],
        at: usize,
        node: &TreeNode,
        max_distance: Option<f64>,
    ) -> f64 {
        let r = max_distance.unwrap_or(f64::INFINITY);
        let (near2, far2) = node.distance2_range(tp);
        let (near, far) = (near2.sqrt(), far2.sqrt());
        if near > r {
            return 0.0;
        }
        let delta = |a: usize| {
            let lo = (tp[a] - node.hi[a]).max(-r);
            let hi = (tp[a] - node.lo[a]).min(r);
            if lo <= hi {
                Interval::new(lo, hi)
            } else {
                Interval::ALL
            }
        };
        let var = |(slot, ranges): (&Slot, &Vec<Interval>)| match slot {
            Slot::D => Interval::new(near, far.min(r)),
            Slot::Dx => delta(0),
            Slot::Dy => delta(1),
            Slot::Dz => delta(2),
            Slot::Src(_) => ranges.get(at).copied().unwrap_or(Interval::ALL),
            // Folded into the expression: any interval will do.
            Slot::Trg(_) => Interval::ALL,
        };
        // Called once per tree node visited: no allocation for the usual few variables.
        let slots = self.bound.slots.iter().zip(&self.bound.node_ranges);
        let mut small = [Interval::ALL; 8];
        let b = if self.bound.slots.len() <= small.len() {
            for (v, x) in small.iter_mut().zip(slots) {
                *v = var(x);
            }
            self.expr.bounds(&small[..self.bound.slots.len()])
        } else {
            self.expr.bounds(&slots.map(var).collect::<Vec<_>>())
        };
        if b.hi.is_nan() {
            f64::INFINITY
        } else {
            b.hi
        }
    }

    /// The sources in `lanes` and the values for their pairs with the target (at `tp`), in
    /// their order, each bit for bit [`AtTarget::eval`]'s; `None` when the expression draws random
    /// numbers, whose order is defined pair by pair (then call [`AtTarget::eval`] for each).
    pub fn eval_lanes<'l>(
        &self,
        lanes: &'l mut Lanes,
        tp: [f64; 3],
    ) -> Option<(&'l [u64], &'l [f64])> {
        let n = lanes.sources.len();
        let Lanes {
            sources,
            positions,
            at,
            vars,
            stack,
            out,
        } = lanes;
        if self.expr.is_random() {
            return None;
        }
        vars.clear();
        // Slot by slot, each a loop of its own over the lanes (the same values as
        // `Slot::value`, which `eval` reads).
        let bound = self.bound;
        for (slot, tree_values) in bound.slots.iter().zip(&bound.tree_values) {
            let delta = |a: usize| positions.iter().map(move |sp| tp[a] - sp[a]);
            match (slot, tree_values) {
                (Slot::Dx, _) => vars.extend(delta(0)),
                (Slot::Dy, _) => vars.extend(delta(1)),
                (Slot::Dz, _) => vars.extend(delta(2)),
                (Slot::Src(_), Some(v)) => vars.extend(at.iter().map(|&k| v[k as usize])),
                // One value for every lane (and not read once the expression is specialized).
                (Slot::Trg(c), _) => vars.resize(vars.len() + n, c[self.t as usize]),
                _ => {
                    let pairs = sources.iter().zip(positions.iter());
                    vars.extend(pairs.map(|(&s, &sp)| slot.value(s, self.t, sp, tp)));
                }
            }
        }
        self.expr.eval_lanes(vars, n, stack, out);
        Some((sources, out))
    }

    /// The value for the pair (s, target) at positions (sp, tp), as [`BoundExpr::eval`].
    #[inline]
    pub fn eval<R: Rng + ?Sized>(
        &self,
        s: u64,
        sp: [f64; 3],
        tp: [f64; 3],
        vars: &mut Vec<f64>,
        rng: &mut R,
    ) -> f64 {
        self.bound.fill_vars(s, self.t, sp, tp, vars);
        self.expr.eval(vars, rng)
    }
}
