//! Lane-wise evaluation: one program over many pairs at once, for expressions that draw at most
//! once per pair.
//!
//! In: a program with at most one random op, the variables' values of `n` pairs (variable-major:
//! the value of variable `v` for pair `i` at `vars[v * n + i]`), a reusable stack, an rng. Out:
//! `n` values, each bit for bit the value [`crate::vm`] gives for that pair alone, when the pairs
//! are evaluated one after the other with that rng: the one random op draws lane by lane, in
//! the lanes' order, which is the order the pairs' evaluations would draw in. (With two random
//! ops a pair's draws interleave with the next pair's, which lanes cannot follow.)
//!
//! Why: a connection rule evaluates its probability for the candidates of a tree node together.
//! The scalar interpreter pays its dispatch (one `match` per instruction) for every pair; here
//! each instruction is dispatched once per batch and runs as a tight loop over the lanes, which
//! the compiler vectorizes where the operation allows (`+ - * /`, comparisons). The operations
//! themselves are the scalar interpreter's functions, in the same order, so no value changes.
//!
//! A constant or variable followed by a binary operation is read in place as its right operand
//! rather than copied onto the stack (most programs are `x * c`, `x - y` chains), and two of
//! them followed by a binary operation (`c - dx`) are one pass into a new block.

use crate::vm::{self, Op};

/// Runs `$body` with `$f` bound to the scalar function of the deterministic binary op `$op`
/// (the interpreter's own), each arm a closure of its own so the loops are specialized and
/// vectorized; `$none` when `$op` is not one.
macro_rules! with_binary {
    ($op:expr, |$f:ident| $body:expr, $none:expr) => {
        match $op {
            Op::Add => {
                let $f = |a: f64, b: f64| a + b;
                $body
            }
            Op::Sub => {
                let $f = |a: f64, b: f64| a - b;
                $body
            }
            Op::Mul => {
                let $f = |a: f64, b: f64| a * b;
                $body
            }
            Op::Div => {
                let $f = |a: f64, b: f64| a / b;
                $body
            }
            Op::Rem => {
                let $f = vm::py_mod;
                $body
            }
            Op::Pow => {
                let $f = f64::powf;
                $body
            }
            Op::Lt => {
                let $f = |a: f64, b: f64| vm::b2f(a < b);
                $body
            }
            Op::Le => {
                let $f = |a: f64, b: f64| vm::b2f(a <= b);
                $body
            }
            Op::Gt => {
                let $f = |a: f64, b: f64| vm::b2f(a > b);
                $body
            }
            Op::Ge => {
                let $f = |a: f64, b: f64| vm::b2f(a >= b);
                $body
            }
            Op::Eq => {
                let $f = |a: f64, b: f64| vm::b2f(a == b);
                $body
            }
            Op::Ne => {
                let $f = |a: f64, b: f64| vm::b2f(a != b);
                $body
            }
            Op::And => {
                let $f = |a: f64, b: f64| vm::b2f(vm::truth(a) && vm::truth(b));
                $body
            }
            Op::Or => {
                let $f = |a: f64, b: f64| vm::b2f(vm::truth(a) || vm::truth(b));
                $body
            }
            Op::Atan2 => {
                let $f = f64::atan2;
                $body
            }
            Op::Min => {
                let $f = vm::nan_min;
                $body
            }
            Op::Max => {
                let $f = vm::nan_max;
                $body
            }
            _ => $none,
        }
    };
}

/// As [`with_binary!`], for the unary ops.
macro_rules! with_unary {
    ($op:expr, |$f:ident| $body:expr, $none:expr) => {
        match $op {
            Op::Neg => {
                let $f = |a: f64| -a;
                $body
            }
            Op::Not => {
                let $f = |a: f64| vm::b2f(!vm::truth(a));
                $body
            }
            Op::Exp => {
                let $f = f64::exp;
                $body
            }
            Op::Log => {
                let $f = f64::ln;
                $body
            }
            Op::Sqrt => {
                let $f = f64::sqrt;
                $body
            }
            Op::Abs => {
                let $f = f64::abs;
                $body
            }
            Op::Sin => {
                let $f = f64::sin;
                $body
            }
            Op::Cos => {
                let $f = f64::cos;
                $body
            }
            Op::Tan => {
                let $f = f64::tan;
                $body
            }
            Op::Floor => {
                let $f = f64::floor;
                $body
            }
            Op::Ceil => {
                let $f = f64::ceil;
                $body
            }
            Op::Square => {
                let $f = |a: f64| a * a;
                $body
            }
            _ => $none,
        }
    };
}

/// Runs `$body` with `$f` bound to the draw of the random binary op `$op` from `$rng` (the
/// interpreter's own function); `$none` when `$op` is not one.
macro_rules! with_random {
    ($op:expr, $rng:expr, |$f:ident| $body:expr, $none:expr) => {
        match $op {
            Op::Uniform => {
                let $f = |a: f64, b: f64| vm::uniform($rng, a, b);
                $body
            }
            Op::Normal => {
                let $f = |a: f64, b: f64| vm::normal($rng, a, b);
                $body
            }
            Op::LogNormal => {
                let $f = |a: f64, b: f64| vm::lognormal($rng, a, b);
                $body
            }
            Op::RandInt => {
                let $f = |a: f64, b: f64| vm::randint($rng, a, b);
                $body
            }
            _ => $none,
        }
    };
}

/// Whether `op` is a deterministic binary op (one [`with_binary!`] knows).
fn is_binary(op: Op) -> bool {
    with_binary!(op, |_f| true, false)
}

#[inline(always)]
fn each(a: &mut [f64], f: impl Fn(f64) -> f64) {
    a.iter_mut().for_each(|x| *x = f(*x));
}

/// `a[i] = f(a[i], b[i])`, lane by lane in order (`f` may draw).
#[inline(always)]
fn each_with(a: &mut [f64], b: &[f64], mut f: impl FnMut(f64, f64) -> f64) {
    a.iter_mut().zip(b).for_each(|(x, &y)| *x = f(*x, y));
}

#[inline(always)]
fn each_const(a: &mut [f64], c: f64, mut f: impl FnMut(f64, f64) -> f64) {
    a.iter_mut().for_each(|x| *x = f(*x, c));
}

/// An operand read in place: a constant, or a variable's lanes.
#[derive(Clone, Copy)]
enum Leaf<'a> {
    Const(f64),
    Lanes(&'a [f64]),
}

impl Leaf<'_> {
    /// The operand's value in lane `i`.
    #[inline(always)]
    fn at(self, i: usize) -> f64 {
        match self {
            Leaf::Const(c) => c,
            Leaf::Lanes(l) => l[i],
        }
    }
}

/// `op` as a [`Leaf`], when it is a constant or a variable (of `n` lanes in `vars`).
fn leaf(op: Op, vars: &[f64], n: usize) -> Option<Leaf<'_>> {
    match op {
        Op::Const(c) => Some(Leaf::Const(c)),
        Op::Var(v) => Some(Leaf::Lanes(&vars[v as usize * n..(v as usize + 1) * n])),
        _ => None,
    }
}

/// `out[i] = f(a[i], b[i])` over the lanes, each operand a constant or lanes.
#[inline(always)]
fn leaves(out: &mut [f64], a: Leaf<'_>, b: Leaf<'_>, f: impl Fn(f64, f64) -> f64) {
    match (a, b) {
        (Leaf::Const(x), Leaf::Const(y)) => out.fill(f(x, y)),
        (Leaf::Const(x), Leaf::Lanes(y)) => {
            out.iter_mut().zip(y).for_each(|(o, &y)| *o = f(x, y));
        }
        (Leaf::Lanes(x), Leaf::Const(y)) => {
            out.iter_mut().zip(x).for_each(|(o, &x)| *o = f(x, y));
        }
        (Leaf::Lanes(x), Leaf::Lanes(y)) => {
            let xy = x.iter().zip(y);
            out.iter_mut()
                .zip(xy)
                .for_each(|(o, (&x, &y))| *o = f(x, y));
        }
    }
}

/// `out[i] = draw(a[i], b[i])`, lane by lane in order: one draw per lane, even when both
/// operands are constants.
#[inline(always)]
fn draw_leaves(out: &mut [f64], a: Leaf<'_>, b: Leaf<'_>, mut draw: impl FnMut(f64, f64) -> f64) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = draw(a.at(i), b.at(i));
    }
}

/// Evaluates `code` (at most one random op, which draws from `rng` lane by lane) for `n` lanes
/// into `out` (resized to `n`). `stack` is scratch space, kept by the caller to avoid
/// allocating per batch.
pub(crate) fn run<R: rand::Rng + ?Sized>(
    code: &[Op],
    vars: &[f64],
    n: usize,
    stack: &mut Vec<f64>,
    out: &mut Vec<f64>,
    rng: &mut R,
) {
    debug_assert!(code.iter().filter(|op| op.is_random()).count() <= 1);
    // Every lane block is written before it is read: the stack only grows, never zeroed (zeroing
    // it per batch was 3% of a V1 build's instructions).
    let need = vm::max_depth(code).max(1) * n;
    if stack.len() < need {
        stack.resize(need, 0.0);
    }
    let st = &mut stack[..need];
    let mut sp = 0usize; // values on the stack; the top is lane block sp - 1
    let mut pc = 0;
    while pc < code.len() {
        let op = code[pc];
        // Two constants or variables and the binary op that takes them (`c - dx`, `src.a - c`):
        // one pass into a new block, rather than a copy and then the op over it.
        if let (Some(a), Some(b), Some(&next)) = (
            leaf(op, vars, n),
            code.get(pc + 1).and_then(|&o| leaf(o, vars, n)),
            code.get(pc + 2),
        ) {
            if next.arity() == 2 {
                let out = &mut st[sp * n..(sp + 1) * n];
                with_binary!(
                    next,
                    |f| leaves(out, a, b, f),
                    with_random!(next, rng, |f| draw_leaves(out, a, b, f), unreachable!())
                );
                sp += 1;
                pc += 3;
                continue;
            }
        }
        // A constant or variable that is the right operand of the next op: read in place.
        if let (Op::Const(_) | Op::Var(_), Some(&next)) = (op, code.get(pc + 1)) {
            if sp > 0 && is_binary(next) {
                let a = &mut st[(sp - 1) * n..sp * n];
                match op {
                    Op::Const(c) => with_binary!(next, |f| each_const(a, c, f), unreachable!()),
                    Op::Var(v) => {
                        let b = &vars[v as usize * n..(v as usize + 1) * n];
                        with_binary!(next, |f| each_with(a, b, f), unreachable!())
                    }
                    _ => unreachable!("matched above"),
                }
                pc += 2;
                continue;
            }
        }
        match op {
            Op::Const(c) => {
                st[sp * n..(sp + 1) * n].fill(c);
                sp += 1;
            }
            Op::Var(i) => {
                let i = i as usize;
                st[sp * n..(sp + 1) * n].copy_from_slice(&vars[i * n..(i + 1) * n]);
                sp += 1;
            }
            Op::Rand => {
                st[sp * n..(sp + 1) * n]
                    .iter_mut()
                    .for_each(|x| *x = rng.gen::<f64>());
                sp += 1;
            }
            Op::If => {
                let (lo, hi) = st.split_at_mut((sp - 2) * n);
                let c = &mut lo[(sp - 3) * n..];
                let (a, b) = hi.split_at(n);
                for i in 0..n {
                    c[i] = if vm::truth(c[i]) { a[i] } else { b[i] };
                }
                sp -= 2;
            }
            _ if op.arity() == 1 => {
                let a = &mut st[(sp - 1) * n..sp * n];
                with_unary!(op, |f| each(a, f), unreachable!("no unary op {op:?}"))
            }
            _ => {
                let (lo, hi) = st.split_at_mut((sp - 1) * n);
                let (a, b) = (&mut lo[(sp - 2) * n..], &hi[..n]);
                with_binary!(
                    op,
                    |f| each_with(a, b, f),
                    with_random!(op, rng, |f| each_with(a, b, f), unreachable!("op {op:?}"))
                );
                sp -= 1;
            }
        }
        pc += 1;
    }
    debug_assert_eq!(sp, 1, "malformed program");
    out.clear();
    out.extend_from_slice(&st[..n]);
}

#[cfg(test)]
mod tests {
    use crate::Expr;
    use rand::{Rng, SeedableRng};

    /// `n` values in (-range, range), one in `odds` NaN, infinite or zero.
    fn lane_values(rng: &mut impl Rng, n: usize, odds: u32, range: f64) -> Vec<f64> {
        let one = |rng: &mut dyn rand::RngCore| match rng.gen_range(0..odds) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => 0.0,
            _ => rng.gen_range(-range..range),
        };
        (0..n).map(|_| one(rng)).collect()
    }

    /// Every lane is bit for bit the scalar interpreter's value, across ops, NaNs and infinities.
    #[test]
    fn lanes_equal_scalar_evaluation() {
        let exprs = [
            "0.3 * exp(-((-dx - 50 * cos(trg.a)) ^ 2 + (-dz - 50) ^ 2) / 321.5)",
            "if(d < 100, 1 - d / 100, 0.25) * (1.3 - 0.007 * min(abs(src.a - trg.a) % 180, 180 - abs(src.a - trg.a) % 180))",
            "max(dx, dz, 1) + sqrt(d) - log(d) * floor(dx) / ceil(dz) + atan2(dx, dz) + tan(dx) ^ 2",
            "(dx > 0 and dz <= 3) or not (d == 2) + (dx != dz) + (dx >= 1) + 7 % dx + pow(d, 0.5)",
            "src.a",
            "2.5",
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for text in exprs {
            let e = Expr::parse(text).unwrap();
            let nv = e.variables().len();
            for n in [1usize, 3, 64] {
                let vars = lane_values(&mut rng, nv * n, 20, 300.0);
                let (mut stack, mut out) = (Vec::new(), Vec::new());
                assert!(e.eval_lanes(&vars, n, &mut stack, &mut out));
                assert_eq!(out.len(), n);
                for (i, got) in out.iter().enumerate() {
                    let one: Vec<f64> = (0..nv).map(|v| vars[v * n + i]).collect();
                    let want = e.eval(&one, &mut rng);
                    assert_eq!(got.to_bits(), want.to_bits(), "{text}, lane {i} of {n}");
                }
            }
        }
    }

    #[test]
    fn random_expressions_are_refused() {
        let e = Expr::parse("0.5 * rand()").unwrap();
        let (mut stack, mut out) = (Vec::new(), Vec::new());
        assert!(!e.eval_lanes(&[], 4, &mut stack, &mut out));
    }

    /// With one random op, lanes draw in the pairs' order: every value, and the rng's state
    /// after, are the scalar interpreter's for the pairs evaluated one after the other.
    #[test]
    fn drawing_lanes_equal_scalar_evaluation_in_order() {
        let exprs = [
            "-1.0 * lognormal(0, 0.5)",
            "2.0 * lognormal(0, 0.3)",
            "lognormal(src.a, 0.5) * dx",
            "normal(dx, abs(src.a)) + 1",
            "uniform(dx, dx + 10) - src.a",
            "randint(1, 4)",
            "randint(dx, src.a) + 0.5",
            "if(dx > 0, rand(), dx) * 2",
            "rand()",
            "exp(-d * d / 200) * (0.5 + uniform(0, 1))",
            "normal(0, -1) + d",
            "src.a % 180",
        ];
        let mut values = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for text in exprs {
            let e = Expr::parse(text).unwrap();
            let nv = e.variables().len();
            for n in [1usize, 2, 7, 100] {
                let vars = lane_values(&mut values, nv * n, 30, 30.0);
                let seed = values.gen::<u64>();
                let mut lanes_rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                let mut scalar_rng = lanes_rng.clone();
                let (mut stack, mut out) = (Vec::new(), Vec::new());
                assert!(e.eval_lanes_drawing(&vars, n, &mut stack, &mut out, &mut lanes_rng));
                assert_eq!(out.len(), n);
                for (i, got) in out.iter().enumerate() {
                    let one: Vec<f64> = (0..nv).map(|v| vars[v * n + i]).collect();
                    let want = e.eval(&one, &mut scalar_rng);
                    assert_eq!(got.to_bits(), want.to_bits(), "{text}, lane {i} of {n}");
                }
                assert_eq!(lanes_rng.gen::<u64>(), scalar_rng.gen::<u64>(), "{text}");
            }
        }
    }

    #[test]
    fn two_draws_per_pair_are_refused() {
        let e = Expr::parse("rand() + normal(0, 1)").unwrap();
        assert_eq!(e.draw_sites(), 2);
        let (mut stack, mut out) = (Vec::new(), Vec::new());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let before = rng.clone();
        assert!(!e.eval_lanes_drawing(&[], 4, &mut stack, &mut out, &mut rng));
        assert_eq!(rng, before, "nothing drawn");
    }
}
