//! Code generation: the parser calls an [`Emitter`] in postfix order; out comes a finished
//! program ([`Compiled`]): the ops, the distinct variables, the stack size class.
//!
//! Constant folding happens as code is emitted: when every argument of a deterministic operation
//! is a single `Const`, the arguments and the operation are replaced by one `Const`, computed by
//! the interpreter itself (so folded and unfolded code can never disagree). Applied bottom-up as
//! the parser goes, this folds every subtree without variables or random draws.

use std::ops::Range;

use rand::rngs::mock::StepRng;

use crate::vm::{self, Op, StackSize};
use crate::{ExprError, Var, VarRef};

pub(crate) struct Compiled {
    pub code: Box<[Op]>,
    pub vars: Vec<VarRef>,
    pub stack: StackSize,
}

/// A product of one operand `x` with itself (see `Emitter::square`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Product {
    /// `x * x`
    X,
    /// `(-x) * x`
    NegX,
    /// `x * (-x)`
    XNeg,
}

#[derive(Default)]
pub(crate) struct Emitter {
    code: Vec<Op>,
    vars: Vec<VarRef>,
}

impl Emitter {
    /// Where the next emitted subexpression starts; the parser records it to tell `apply` where
    /// an operation's first argument begins.
    pub fn here(&self) -> usize {
        self.code.len()
    }

    pub fn constant(&mut self, value: f64) {
        self.code.push(Op::Const(value));
    }

    /// Emits a read of `var`; the first appearance of each distinct variable gets the next slot.
    pub fn variable(&mut self, var: Var, span: Range<usize>) {
        let slot = match self.vars.iter().position(|v| v.var == var) {
            Some(i) => i,
            None => {
                self.vars.push(VarRef { var, span });
                self.vars.len() - 1
            }
        };
        // At most one variable per source byte, and the source is length-limited: fits in u32.
        self.code.push(Op::Var(slot as u32));
    }

    /// Emits `op`, whose `op.arity()` arguments were emitted from `first_arg` on.
    pub fn apply(&mut self, op: Op, first_arg: usize) {
        // `x ^ 2` is `x * x`: one correctly rounded product instead of a libm `pow`, and the
        // tight `Square` bound.
        if op == Op::Pow
            && self.code.last() == Some(&Op::Const(2.0))
            && self.code.len() - first_arg >= 2
        {
            self.code.pop();
            self.apply(Op::Square, first_arg);
            return;
        }
        if op == Op::Mul {
            if let Some((second, product)) = self.square(first_arg) {
                // Keep the first copy of the operand, without its `Neg` if it has one.
                self.code.truncate(second);
                if product == Product::NegX {
                    self.code.pop();
                }
                self.apply(Op::Square, first_arg);
                if product != Product::X {
                    self.apply(Op::Neg, first_arg);
                }
                return;
            }
        }
        let args = &self.code[first_arg..];
        debug_assert!(args.len() >= op.arity());
        let foldable = !op.is_random()
            && args.len() == op.arity()
            && args.iter().all(|a| matches!(a, Op::Const(_)));
        if foldable {
            self.code.push(op);
            let program = &self.code[first_arg..];
            // Non-random ops never touch the rng; the mock just satisfies the signature.
            let value = vm::eval(program, StackSize::S8, &[], &mut StepRng::new(0, 0));
            self.code.truncate(first_arg);
            self.code.push(Op::Const(value));
        } else {
            self.code.push(op);
        }
    }

    /// When the two operands of a product from `first_arg` on are one deterministic
    /// subexpression `x`, as `x * x`, `-x * x` or `x * -x`: where the second operand begins and
    /// which form it is. Identical code without random draws computes identical values (every
    /// op is a pure function of its operands and the variables), so `x * x` and `Square(x)`
    /// agree bit for bit, and so do `(-x) * x`, `x * (-x)` and `-Square(x)` (rounding to nearest
    /// is symmetric; the signs of zeros and NaNs agree too). Constants compare by bits (`0.0`
    /// and `-0.0` differ in `1 / x`).
    ///
    /// Cost: a walk back over the second operand; a flat chain `a * b * c ...` has one-op right
    /// operands, and only nesting (limited to `MAX_DEPTH`) can make an op part of several.
    fn square(&self, first_arg: usize) -> Option<(usize, Product)> {
        let code = &self.code[first_arg..];
        // Walk back from the end until exactly one complete subexpression has been covered.
        let mut need = 1usize;
        let mut second = code.len();
        while need > 0 {
            second = second.checked_sub(1)?;
            need = need - 1 + code[second].arity();
        }
        let (a, b) = code.split_at(second);
        let same = |x: &Op, y: &Op| match (x, y) {
            (Op::Const(x), Op::Const(y)) => x.to_bits() == y.to_bits(),
            _ => x == y,
        };
        let identical = |a: &[Op], b: &[Op]| {
            a.len() == b.len()
                && a.iter().zip(b).all(|(x, y)| same(x, y))
                && !a.iter().any(|op| op.is_random())
        };
        let product = match (a.split_last(), b.split_last()) {
            _ if identical(a, b) => Product::X,
            (Some((Op::Neg, x)), _) if identical(x, b) => Product::NegX,
            (_, Some((Op::Neg, x))) if identical(a, x) => Product::XNeg,
            _ => return None,
        };
        Some((first_arg + second, product))
    }

    pub fn finish(self, span: Range<usize>) -> Result<Compiled, ExprError> {
        let depth = vm::max_depth(&self.code);
        if depth > vm::MAX_STACK {
            // Unreachable with the parser's nesting limit; kept so that no program can overflow.
            return Err(ExprError {
                message: "expression too complex".into(),
                span,
            });
        }
        Ok(Compiled {
            code: self.code.into_boxed_slice(),
            vars: self.vars,
            stack: StackSize::for_depth(depth),
        })
    }
}
