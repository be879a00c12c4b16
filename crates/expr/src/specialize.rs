//! Specialization: an expression with some variables fixed (a target's `trg.` columns), many
//! times over on the same variables.
//!
//! In: a compiled program and which variable slots will be known. Out: a [`Specializer`] that
//! turns the known slots' values into a program where every subexpression reading only known
//! variables and constants is one constant.
//!
//! Why prepare once: a rule specializes each of its expressions once per target, and Allen's V1
//! rules have a dozen `cos(trg.tuning_angle * pi / 180)`-like subexpressions. Folding the
//! program op by op for every target (emitting, folding each op through the interpreter,
//! looking for squares again) cost more than walking the target's source tree. The shape of the
//! result does not depend on the values, so it is found once: the template (the program with
//! one hole per maximal known subexpression) and the subprograms that fill the holes. Each
//! specialization then runs the subprograms and copies the template.
//!
//! Values: a hole's constant is the interpreter's value of its subexpression (the same
//! operations, in the same order, as when the whole program runs), so the specialized program
//! gives every pair that agrees with the known values the same value bit for bit. Subexpressions
//! that draw random numbers are never folded (their draws belong to each pair).

use rand::rngs::mock::StepRng;

use crate::vm::{self, Op, StackSize};
use crate::Expr;

/// One maximal known subexpression: where its constant goes in the template (every place the
/// same subexpression appears: V1's rules repeat `cos(trg.tuning_angle * pi / 180)`) and the
/// program that computes it.
#[derive(Debug, Clone)]
struct Hole {
    at: Vec<usize>,
    program: Box<[Op]>,
    stack: StackSize,
}

/// An expression prepared for [`Specializer::specialize`] on a fixed set of known slots: for
/// pairs that share the known values (every pair of one target, say), the specialized
/// expression's [`Expr::eval`] gives the same values bit for bit, and [`Expr::bounds`] tighter
/// bounds, at less cost. Slots keep their numbers, so the same `vars` arrays serve both.
#[derive(Debug, Clone)]
pub struct Specializer {
    expr: Expr,
    template: Box<[Op]>,
    stack: StackSize,
    holes: Vec<Hole>,
}

/// What the postfix walk knows about the subexpression ending at an op.
#[derive(Clone, Copy)]
struct Sub {
    start: usize,
    /// Its last op (the op itself).
    end: usize,
    /// Reads only known variables and constants, and draws nothing.
    known: bool,
    /// Reads at least one variable (a subexpression of constants alone is folded already).
    reads: bool,
}

impl Specializer {
    /// Prepares `expr` for specializations where slot `i` is known when `known[i]` (slots
    /// beyond `known` are not).
    pub fn new(expr: &Expr, known: &[bool]) -> Specializer {
        let code = &expr.code;
        let mut stack: Vec<Sub> = Vec::new();
        // (start, end) of each maximal known subexpression that reads a variable.
        let mut roots: Vec<(usize, usize)> = Vec::new();
        let root = |a: &Sub| (a.known && a.reads).then_some((a.start, a.end));
        for (p, &op) in code.iter().enumerate() {
            let sub = match op {
                Op::Var(i) => {
                    let k = known.get(i as usize).copied().unwrap_or(false);
                    Sub {
                        start: p,
                        end: p,
                        known: k,
                        reads: k,
                    }
                }
                Op::Const(_) => Sub {
                    start: p,
                    end: p,
                    known: true,
                    reads: false,
                },
                _ => {
                    let args = stack.split_off(stack.len() - op.arity());
                    let known = !op.is_random() && args.iter().all(|a| a.known);
                    if !known {
                        // The operands that are known are as large as they get.
                        roots.extend(args.iter().filter_map(root));
                    }
                    Sub {
                        start: args.first().map_or(p, |a| a.start),
                        end: p,
                        known,
                        reads: args.iter().any(|a| a.reads),
                    }
                }
            };
            stack.push(sub);
        }
        roots.extend(stack.last().and_then(root));
        roots.sort_unstable();
        let mut template = Vec::with_capacity(code.len());
        let mut holes = Vec::with_capacity(roots.len());
        let mut p = 0;
        for (start, end) in roots {
            template.extend_from_slice(&code[p..start]);
            let program = &code[start..=end];
            // The same program gives the same value: computed once per specialization.
            match holes
                .iter_mut()
                .find(|h: &&mut Hole| *h.program == *program)
            {
                Some(h) => h.at.push(template.len()),
                None => holes.push(Hole {
                    at: vec![template.len()],
                    stack: StackSize::for_depth(vm::max_depth(program)),
                    program: program.into(),
                }),
            }
            template.push(Op::Const(f64::NAN));
            p = end + 1;
        }
        template.extend_from_slice(&code[p..]);
        Specializer {
            expr: expr.clone(),
            stack: StackSize::for_depth(vm::max_depth(&template)),
            template: template.into_boxed_slice(),
            holes,
        }
    }

    /// The expression with the known slots fixed to `values[slot]` (the values of the other
    /// slots are not read) and folded. Panics if `values` is shorter than the expression's
    /// variables.
    pub fn specialize(&self, values: &[f64]) -> Expr {
        assert!(values.len() >= self.expr.vars.len());
        let mut code = self.template.clone();
        for h in &self.holes {
            // Deterministic code never touches the rng; the mock satisfies the signature.
            let v = vm::eval(&h.program, h.stack, values, &mut StepRng::new(0, 0));
            for &at in &h.at {
                code[at] = Op::Const(v);
            }
        }
        Expr {
            source: self.expr.source.clone(),
            code,
            vars: self.expr.vars.clone(),
            stack: self.stack,
            draws: self.expr.draws,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const V1: &str = "0.0966261 * exp(-0.5 * (((50 * cos(trg.tuning_angle * pi / 180) - dx) \
        * cos(trg.tuning_angle * pi / 180) + (50 * sin(trg.tuning_angle * pi / 180) - dz) \
        * sin(trg.tuning_angle * pi / 180)) ^ 2 / 7168.44 + ((50 * sin(trg.tuning_angle * pi \
        / 180) - dz) * cos(trg.tuning_angle * pi / 180) - (50 * cos(trg.tuning_angle * pi / 180) \
        - dx) * sin(trg.tuning_angle * pi / 180)) ^ 2 / 36290.25)) * (1.333333 - 0.00740741 * \
        min(abs(src.tuning_angle - trg.tuning_angle) % 180, 180 - abs(src.tuning_angle - \
        trg.tuning_angle) % 180))";

    /// Slots known when the variables named `trg.*` are.
    fn trg_known(e: &Expr) -> Vec<bool> {
        e.variables()
            .iter()
            .map(|v| matches!(v.var, crate::Var::Trg(_)))
            .collect()
    }

    #[test]
    fn specialized_values_are_the_originals_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for src in [
            V1,
            "trg.a * dx + trg.b",
            "if(trg.a > 0.5, d, dx) * trg.a ^ 2",
            "exp(-(d * d) / (2 * trg.w * trg.w)) + uniform(0, trg.a)",
            "trg.a + trg.b",
            "dx * 2",
        ] {
            let e = Expr::parse(src).unwrap();
            let s = Specializer::new(&e, &trg_known(&e));
            for _ in 0..200 {
                let vars: Vec<f64> = (0..e.variables().len())
                    .map(|_| rng.gen_range(-400.0..400.0))
                    .collect();
                let spec = s.specialize(&vars);
                let seed = rng.gen();
                let a = e.eval(&vars, &mut ChaCha8Rng::seed_from_u64(seed));
                let b = spec.eval(&vars, &mut ChaCha8Rng::seed_from_u64(seed));
                assert_eq!(a.to_bits(), b.to_bits(), "{src} at {vars:?}");
            }
        }
    }

    #[test]
    fn known_subexpressions_become_one_constant_each() {
        let e = Expr::parse("trg.a * dx + cos(trg.a * pi) + uniform(0, trg.a)").unwrap();
        let spec = Specializer::new(&e, &trg_known(&e)).specialize(&[2.0, 3.0]);
        // trg.a, cos(trg.a * pi) and the draw's argument are constants; the draw stays.
        assert_eq!(
            &*spec.code,
            &[
                Op::Const(2.0),
                Op::Var(1),
                Op::Mul,
                Op::Const((2.0 * std::f64::consts::PI).cos()),
                Op::Add,
                Op::Const(0.0),
                Op::Const(2.0),
                Op::Uniform,
                Op::Add,
            ]
        );
        // Everything known: one constant.
        let e = Expr::parse("trg.a + trg.b * 2").unwrap();
        let spec = Specializer::new(&e, &[true, true]).specialize(&[1.0, 3.0]);
        assert_eq!(spec.constant(), Some(7.0));
        // Nothing known: the program as it was.
        let e = Expr::parse(V1).unwrap();
        let spec = Specializer::new(&e, &[]).specialize(&[0.0; 4]);
        assert_eq!(spec.code, e.code);
    }

    #[test]
    fn the_v1_rule_keeps_one_product_per_pair_variable() {
        let e = Expr::parse(V1).unwrap();
        let spec = Specializer::new(&e, &trg_known(&e)).specialize(&[0.0, 30.0, 0.0, 0.0]);
        let consts = spec
            .code
            .iter()
            .filter(|op| matches!(op, Op::Const(_)))
            .count();
        let vars = spec
            .code
            .iter()
            .filter(|op| matches!(op, Op::Var(_)))
            .count();
        // dx twice, dz twice, src.tuning_angle twice; no trg.tuning_angle left.
        assert_eq!(vars, 6);
        assert!(
            !spec.code.contains(&Op::Var(0)),
            "trg.tuning_angle is slot 0"
        );
        // The trigonometric subexpressions and the orientation term's trg.tuning_angle fold.
        assert_eq!((e.code.len(), spec.code.len()), (102, 54));
        assert_eq!(consts, 19);
    }
}
