//! The compiled form and its interpreter: a flat postfix program ([`Op`]s) over an f64 stack.
//!
//! In: a program, the variable values, an rng. Out: one f64.
//!
//! Why postfix bytecode rather than a tree: the program is one contiguous slice (cache friendly,
//! no pointer chasing), the interpreter is a single loop with no recursion, and the parser can emit
//! it directly in source order, so that even a 30000-term sum never recurses (see `parser.rs`).
//! The stack lives in a fixed-size array on the Rust stack, sized from the program's maximum depth
//! (see [`StackSize`]), so an evaluation never allocates.
//!
//! Semantics that differ between languages, chosen to match Python/numpy (BMTK users' habits):
//! - `a % b` has the sign of `b` (numpy `np.mod`): `-1 % 3 == 2`, `1 % -3 == -2`, `x % 0` is NaN.
//! - Comparisons and `and`/`or`/`not` give 1.0 or 0.0; a value is true when `!= 0` (NaN is true).
//! - `min`/`max` propagate NaN (numpy `minimum`/`maximum`), so a NaN never disappears silently.
//! - Every argument of every operation is evaluated, left to right (no short-circuit in `if`,
//!   `and`, `or`): the number and order of random draws is then the same for every evaluation,
//!   whatever the values.
//! - Random draws: `rand()` is uniform on [0, 1); `uniform(a, b)` is `a + (b - a) * rand()` (as
//!   numpy); `normal(m, s)` is `m + s * z` with z from `rand_distr::StandardNormal`; `lognormal(m, s)`
//!   is `exp(normal(m, s))` (m, s of the underlying normal, as numpy); `randint(a, b)` is uniform
//!   over the integers in [a, b], both ends included. Invalid parameters (`s < 0`, no integer in
//!   [a, b]) give NaN; the draw still happens, so the order of later draws does not depend on it.

use rand::Rng;
use rand_distr::StandardNormal;

/// One instruction. Operands are popped from the stack (the last pushed is the last argument);
/// the result is pushed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    Const(f64),
    /// Push `vars[i]`.
    Var(u32),
    // Unary.
    Neg,
    Not,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sin,
    Cos,
    Tan,
    Floor,
    Ceil,
    /// `a * a`, emitted by the compiler for a product of two identical deterministic operands
    /// (`d*d`, `(dx+1)*(dx+1)`): the same value bit for bit, one evaluation of the operand
    /// fewer, and interval bounds that know both factors are equal (see `interval.rs`).
    Square,
    // Binary.
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Atan2,
    Min,
    Max,
    // Ternary: `if(c, a, b)`.
    If,
    // Random draws.
    Rand,
    Uniform,
    Normal,
    LogNormal,
    RandInt,
}

impl Op {
    /// How many values the instruction pops.
    pub fn arity(self) -> usize {
        use Op::*;
        match self {
            Const(_) | Var(_) | Rand => 0,
            Neg | Not | Exp | Log | Sqrt | Abs | Sin | Cos | Tan | Floor | Ceil | Square => 1,
            If => 3,
            _ => 2,
        }
    }

    pub fn is_random(self) -> bool {
        matches!(
            self,
            Op::Rand | Op::Uniform | Op::Normal | Op::LogNormal | Op::RandInt
        )
    }
}

/// Largest stack a program may need; the parser's nesting limit keeps real programs far below
/// (each nesting level holds at most two pending values), this is the backstop.
pub(crate) const MAX_STACK: usize = 1024;

/// Size class of the evaluation stack. The array is zeroed on every evaluation, so a typical
/// expression should not pay for 8 KiB of it: pick the smallest class that fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StackSize {
    S8,
    S32,
    S128,
    Max,
}

impl StackSize {
    pub fn for_depth(depth: usize) -> StackSize {
        match depth {
            0..=8 => StackSize::S8,
            9..=32 => StackSize::S32,
            33..=128 => StackSize::S128,
            _ => StackSize::Max,
        }
    }
}

/// The maximum stack depth `code` reaches (assumes a well-formed program).
pub(crate) fn max_depth(code: &[Op]) -> usize {
    let mut depth = 0usize;
    let mut max = 0;
    for op in code {
        depth = depth + 1 - op.arity();
        max = max.max(depth);
    }
    max
}

/// Evaluates a well-formed program (as built by the compiler) whose depth fits `size`.
#[inline]
pub(crate) fn eval<R: Rng + ?Sized>(
    code: &[Op],
    size: StackSize,
    vars: &[f64],
    rng: &mut R,
) -> f64 {
    match size {
        StackSize::S8 => run::<R, 8>(code, vars, rng),
        StackSize::S32 => run::<R, 32>(code, vars, rng),
        StackSize::S128 => run::<R, 128>(code, vars, rng),
        StackSize::Max => run::<R, MAX_STACK>(code, vars, rng),
    }
}

pub(crate) fn truth(x: f64) -> bool {
    x != 0.0
}

pub(crate) fn b2f(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// Python/numpy float modulo: the result has the sign of `b`. Built on `fmod` (Rust's `%`), as
/// numpy does, which is exact, unlike `a - floor(a / b) * b` for large quotients.
pub(crate) fn py_mod(a: f64, b: f64) -> f64 {
    let m = fmod(a, b);
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        // fmod gives ±0 (or NaN); numpy gives a zero with the sign of the divisor.
        if m.is_nan() {
            m
        } else {
            0.0f64.copysign(b)
        }
    }
}

/// `a % b` (C's `fmod`: exact, with the sign of `a`), with the quotients 0 and 1 done inline.
///
/// Why: Rust's `%` on floats is a call to a software `fmod` that costs as much as an `exp`, and
/// Allen's V1 rules take `abs(angle difference) % 180` of every candidate pair, whose quotient is
/// 0 or 1. Same value bit for bit: below `|b|` fmod returns `a` itself; from `|b|` to below
/// `2|b|` it returns `|a| - |b|` with the sign of `a`, a difference that is exact (Sterbenz:
/// `|b| <= |a| <= 2|b|`). Anything else (NaN, infinities, a zero divisor, larger quotients) goes
/// to `%`.
#[inline]
pub(crate) fn fmod(a: f64, b: f64) -> f64 {
    let (x, y) = (a.abs(), b.abs());
    if x < y {
        return a;
    }
    if y <= x {
        let r = x - y;
        if r < y {
            return r.copysign(a);
        }
    }
    a % b
}

pub(crate) fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

pub(crate) fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// `uniform(a, b)`: one draw.
#[inline(always)]
pub(crate) fn uniform<R: Rng + ?Sized>(rng: &mut R, a: f64, b: f64) -> f64 {
    a + (b - a) * rng.gen::<f64>()
}

/// `lognormal(m, s)`: one draw.
#[inline(always)]
pub(crate) fn lognormal<R: Rng + ?Sized>(rng: &mut R, m: f64, s: f64) -> f64 {
    normal(rng, m, s).exp()
}

/// `normal(m, s)`: one draw.
#[inline(always)]
pub(crate) fn normal<R: Rng + ?Sized>(rng: &mut R, m: f64, s: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    if s >= 0.0 {
        m + s * z
    } else {
        f64::NAN
    }
}

/// Integers beyond this are not all representable as f64, so `randint` refuses them.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

/// `randint(a, b)`: one draw.
pub(crate) fn randint<R: Rng + ?Sized>(rng: &mut R, a: f64, b: f64) -> f64 {
    let (lo, hi) = (a.ceil(), b.floor());
    if lo <= hi && lo >= -MAX_EXACT_INT && hi <= MAX_EXACT_INT {
        // Exact (rejection sampling), unlike `floor(rand() * n)`.
        rng.gen_range(lo as i64..=hi as i64) as f64
    } else {
        // Still draw, so that the draws after this one do not shift.
        let _: u64 = rng.gen();
        f64::NAN
    }
}

fn run<R: Rng + ?Sized, const N: usize>(code: &[Op], vars: &[f64], rng: &mut R) -> f64 {
    let mut st = [0.0f64; N];
    // Number of values on the stack; the top is st[sp - 1].
    let mut sp = 0usize;
    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            st[sp] = v;
            sp += 1;
        }};
    }
    macro_rules! unary {
        (|$a:ident| $e:expr) => {{
            let $a = st[sp - 1];
            st[sp - 1] = $e;
        }};
    }
    macro_rules! binary {
        (|$a:ident, $b:ident| $e:expr) => {{
            sp -= 1;
            let $a = st[sp - 1];
            let $b = st[sp];
            st[sp - 1] = $e;
        }};
    }
    for &op in code {
        match op {
            Op::Const(c) => push!(c),
            Op::Var(i) => push!(vars[i as usize]),
            Op::Neg => unary!(|a| -a),
            Op::Not => unary!(|a| b2f(!truth(a))),
            Op::Exp => unary!(|a| a.exp()),
            Op::Log => unary!(|a| a.ln()),
            Op::Sqrt => unary!(|a| a.sqrt()),
            Op::Abs => unary!(|a| a.abs()),
            Op::Sin => unary!(|a| a.sin()),
            Op::Cos => unary!(|a| a.cos()),
            Op::Tan => unary!(|a| a.tan()),
            Op::Floor => unary!(|a| a.floor()),
            Op::Ceil => unary!(|a| a.ceil()),
            Op::Square => unary!(|a| a * a),
            Op::Add => binary!(|a, b| a + b),
            Op::Sub => binary!(|a, b| a - b),
            Op::Mul => binary!(|a, b| a * b),
            Op::Div => binary!(|a, b| a / b),
            Op::Rem => binary!(|a, b| py_mod(a, b)),
            Op::Pow => binary!(|a, b| a.powf(b)),
            Op::Lt => binary!(|a, b| b2f(a < b)),
            Op::Le => binary!(|a, b| b2f(a <= b)),
            Op::Gt => binary!(|a, b| b2f(a > b)),
            Op::Ge => binary!(|a, b| b2f(a >= b)),
            Op::Eq => binary!(|a, b| b2f(a == b)),
            Op::Ne => binary!(|a, b| b2f(a != b)),
            Op::And => binary!(|a, b| b2f(truth(a) && truth(b))),
            Op::Or => binary!(|a, b| b2f(truth(a) || truth(b))),
            Op::Atan2 => binary!(|a, b| a.atan2(b)),
            Op::Min => binary!(|a, b| nan_min(a, b)),
            Op::Max => binary!(|a, b| nan_max(a, b)),
            Op::If => {
                sp -= 2;
                let (c, a, b) = (st[sp - 1], st[sp], st[sp + 1]);
                st[sp - 1] = if truth(c) { a } else { b };
            }
            Op::Rand => push!(rng.gen::<f64>()),
            Op::Uniform => binary!(|a, b| uniform(rng, a, b)),
            Op::Normal => binary!(|m, s| normal(rng, m, s)),
            Op::LogNormal => binary!(|m, s| lognormal(rng, m, s)),
            Op::RandInt => binary!(|a, b| randint(rng, a, b)),
        }
    }
    debug_assert_eq!(sp, 1, "malformed program");
    st[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_mod_matches_python() {
        // Values from CPython's float `%`.
        for (a, b, want) in [
            (7.0, 3.0, 1.0),
            (-7.0, 3.0, 2.0),
            (7.0, -3.0, -2.0),
            (-7.0, -3.0, -1.0),
            (-0.5, 2.0, 1.5),
            (5.5, -2.0, -0.5),
            (1e-20, 1.0, 1e-20),
            (-1e-20, 1.0, 1.0),
        ] {
            assert_eq!(py_mod(a, b), want, "{a} % {b}");
        }
        assert!(py_mod(1.0, 0.0).is_nan());
        assert!(py_mod(f64::INFINITY, 2.0).is_nan());
    }

    /// The inline quotients of `fmod` are `%` bit for bit, signs of zeros included.
    #[test]
    fn fmod_is_rusts_rem() {
        let specials = [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
            1.0,
            180.0,
            360.0,
            1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
        ];
        let mut values: Vec<f64> = specials.iter().flat_map(|&v| [v, -v]).collect();
        let mut x = 0.1234567f64;
        for _ in 0..60 {
            // Pseudo-random values around the divisors above, and their neighbours.
            x = (x * 3.987654 + 0.31).fract();
            for scale in [1.0, 180.0, 360.0, 1e-310, 1e300] {
                let v = x * 2.5 * scale;
                values.extend([v, -v, v.next_up(), v.next_down()]);
            }
        }
        for &a in &values {
            for &b in &values {
                let (got, want) = (fmod(a, b), a % b);
                assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{a:e} % {b:e}: {got:e}, want {want:e}"
                );
            }
        }
    }

    #[test]
    fn max_depth_counts_pending_values() {
        use Op::*;
        assert_eq!(max_depth(&[Const(1.0)]), 1);
        assert_eq!(max_depth(&[Const(1.0), Const(2.0), Const(3.0), If]), 3);
        assert_eq!(max_depth(&[Rand, Var(0), Add, Neg]), 2);
    }
}
