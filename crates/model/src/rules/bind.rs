//! Expressions bound to node columns: each variable of an expression resolved once to a slot
//! (distance, a delta, or a shared numeric column), so evaluating a pair is a few loads and the
//! compiled expression, with no look-up by name.

use crate::columns::Columns;
use netbuild_expr::{Expr, Interval, Var};
use rand::Rng;
use std::sync::Arc;

#[derive(Debug, Clone)]
enum Slot {
    D,
    Dx,
    Dy,
    Dz,
    Src(Arc<Vec<f64>>),
    Trg(Arc<Vec<f64>>),
}

/// An expression with its variables bound to a (source network, target network) pair.
#[derive(Debug, Clone)]
pub struct BoundExpr {
    expr: Expr,
    slots: Vec<Slot>,
    /// For `src.NAME` slots: the range of the column over the selected sources.
    src_ranges: Vec<Interval>,
}

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

/// Where the sources of an edge type lie: the bounding box of their positions.
#[derive(Debug, Clone, Copy)]
pub struct SourceBox {
    pub lo: [f64; 3],
    pub hi: [f64; 3],
}

impl SourceBox {
    pub fn of(positions: impl Iterator<Item = [f64; 3]>) -> Self {
        let mut b = SourceBox {
            lo: [f64::INFINITY; 3],
            hi: [f64::NEG_INFINITY; 3],
        };
        for p in positions {
            for (a, x) in p.into_iter().enumerate() {
                b.lo[a] = b.lo[a].min(x);
                b.hi[a] = b.hi[a].max(x);
            }
        }
        b
    }
}

impl BoundExpr {
    /// Binds `expr` for pairs of `src_net` to `trg_net`; a property neither network has is an
    /// error naming it.
    pub fn bind(
        expr: &Expr,
        columns: &mut Columns<'_>,
        src_net: usize,
        trg_net: usize,
        sources: &[u64],
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
        let src_ranges = slots
            .iter()
            .map(|s| match s {
                Slot::Src(c) => range_of(sources.iter().map(|&i| c[i as usize])),
                _ => Interval::ALL,
            })
            .collect();
        Ok(BoundExpr {
            expr: expr.clone(),
            slots,
            src_ranges,
        })
    }

    /// An upper bound of the value over every source of the edge type (inside `sources`, within
    /// `max_distance` when given) for target `t` at `tp`: the thinning bound of Bernoulli rules.
    pub fn upper_bound(
        &self,
        t: u64,
        tp: [f64; 3],
        sources: &SourceBox,
        max_distance: Option<f64>,
    ) -> f64 {
        let r = max_distance.unwrap_or(f64::INFINITY);
        let delta = |a: usize| {
            let lo = (tp[a] - sources.hi[a]).max(-r);
            let hi = (tp[a] - sources.lo[a]).min(r);
            if lo <= hi {
                Interval::new(lo, hi)
            } else {
                Interval::ALL
            }
        };
        let vars: Vec<Interval> = self
            .slots
            .iter()
            .zip(&self.src_ranges)
            .map(|(slot, range)| match slot {
                Slot::D => {
                    let far = (0..3)
                        .map(|a| {
                            (tp[a] - sources.lo[a])
                                .abs()
                                .max((tp[a] - sources.hi[a]).abs())
                                .powi(2)
                        })
                        .sum::<f64>()
                        .sqrt();
                    if far.is_finite() {
                        Interval::new(0.0, far.min(r))
                    } else {
                        Interval::new(0.0, f64::INFINITY)
                    }
                }
                Slot::Dx => delta(0),
                Slot::Dy => delta(1),
                Slot::Dz => delta(2),
                Slot::Src(_) => *range,
                Slot::Trg(c) => Interval::point(c[t as usize]),
            })
            .collect();
        let b = self.expr.bounds(&vars);
        if b.hi.is_nan() {
            f64::INFINITY
        } else {
            b.hi
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
        vars.clear();
        for slot in &self.slots {
            vars.push(match slot {
                Slot::D => {
                    let d = [tp[0] - sp[0], tp[1] - sp[1], tp[2] - sp[2]];
                    (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
                }
                Slot::Dx => tp[0] - sp[0],
                Slot::Dy => tp[1] - sp[1],
                Slot::Dz => tp[2] - sp[2],
                Slot::Src(c) => c[s as usize],
                Slot::Trg(c) => c[t as usize],
            });
        }
        self.expr.eval(vars, rng)
    }
}
