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

#[cfg(test)]
mod tests {
    use crate::parser::parse;
    use crate::vm::{Op, StackSize};

    #[test]
    fn constant_subtrees_fold_to_one_op() {
        // d * (2*3 + exp(0)) -> [Var 0, Const 7, Mul]
        let c = parse("d * (2*3 + exp(0))").unwrap();
        assert_eq!(&*c.code, &[Op::Var(0), Op::Const(7.0), Op::Mul]);
        // Random draws are never folded, even with constant arguments.
        let c = parse("uniform(1, 2) + 1 * 2").unwrap();
        assert_eq!(
            &*c.code,
            &[
                Op::Const(1.0),
                Op::Const(2.0),
                Op::Uniform,
                Op::Const(2.0),
                Op::Add
            ]
        );
    }

    #[test]
    fn stack_size_class_follows_depth() {
        assert_eq!(parse("d + dx * dy").unwrap().stack, StackSize::S8);
        let deep = format!("{}d{}", "(d + ".repeat(40), ")".repeat(40));
        assert_eq!(parse(&deep).unwrap().stack, StackSize::S128);
        // Flat chains and variadic min stay shallow.
        let flat = vec!["d"; 1000].join(" * ");
        assert_eq!(parse(&flat).unwrap().stack, StackSize::S8);
        let min = format!("min({})", vec!["d"; 1000].join(", "));
        assert_eq!(parse(&min).unwrap().stack, StackSize::S8);
    }
}
