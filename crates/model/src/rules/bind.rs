//! Expressions bound to node columns: each variable of an expression resolved once to a slot
//! (distance, a delta, or a shared numeric column), so evaluating a pair is a few loads and the
//! compiled expression, with no look-up by name.

use crate::columns::Columns;
use netbuild_expr::{Expr, Var};
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
}

impl BoundExpr {
    /// Binds `expr` for pairs of `src_net` to `trg_net`; a property neither network has is an
    /// error naming it.
    pub fn bind(
        expr: &Expr,
        columns: &mut Columns<'_>,
        src_net: usize,
        trg_net: usize,
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
        Ok(BoundExpr {
            expr: expr.clone(),
            slots,
        })
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
