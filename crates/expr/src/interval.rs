//! Interval evaluation: sound bounds of an expression's value over boxes of variable values.
//!
//! In: a compiled program and one [`Interval`] per variable. Out: an interval that contains every
//! value the interpreter (`vm.rs`) can produce for any assignment inside the boxes and any random
//! draws, NaN excepted.
//!
//! # Why: Bernoulli thinning
//!
//! A connection rule accepts each candidate pair with probability `p(pair)`. Rather than
//! evaluating `p` for every pair, it can take an upper bound `p_hi >= p(pair)` valid for a whole
//! block of pairs (from the variables' ranges over the block), draw candidates with probability
//! `p_hi` (cheaply, by geometric skipping), evaluate `p` only on those and keep each with
//! probability `p / p_hi`. A pair is then kept with probability `p_hi * (p / p_hi) = p`: exactly
//! the same distribution as testing every pair, *provided* `p <= p_hi` for every pair of the
//! block and every random draw inside `p`. If `p` ever exceeded `p_hi`, the pair would be kept
//! with probability `p_hi < p` and the result would be silently biased. So these bounds are built
//! to be sound first and tight second: every rule below over-approximates, and whatever cannot be
//! bounded soundly widens to infinity. (A rule should also clamp: a `p_hi` above 1 just means
//! "evaluate every pair"; a `p_hi` of 0 means no pair of the block can connect.)
//!
//! NaN is outside every bound: the bounds say nothing about pairs whose value is NaN. A rule that
//! reports a NaN probability as an error will not see the NaNs of pairs that thinning skipped.
//!
//! # How
//!
//! The program is run once over an abstract stack: each entry is an interval of the non-NaN
//! values the subexpression can take plus a flag "may be NaN". The flag matters because NaN does
//! not always propagate: comparisons with NaN are false, NaN is true as a condition, and
//! `pow(NaN, 0) == pow(1, NaN) == 1`; so a comparison or condition is only "decided" when neither
//! side may be NaN.
//!
//! Floating point: the bounds hold for the values the interpreter computes, rounding included,
//! not for the real-number formulas. For correctly rounded operations (`+ - * /`, `sqrt`, and
//! the exact ones: `abs floor ceil %` on its exact `fmod`) rounding is monotone, so computing the
//! end points with the same operation bounds every rounded result between them. For libm
//! functions (`exp log pow`), which are not guaranteed monotone, computed end points are widened
//! outwards by two ulps (libm errors are below one ulp). `sin` and `cos` give [-1, 1], `tan`
//! everything, `atan2` [-pi, pi] (widened by an ulp).
//!
//! Dependencies between operands are not tracked (the classic weakness of interval arithmetic:
//! `x - x` over [0, 1] gives [-1, 1]), except for squares: the compiler turns a product of two
//! identical deterministic operands (`d*d`, `(dx - 1)*(dx - 1)`, and `-dx*dx`, which parses as
//! `(-dx)*dx`) into one `Square` op (then `Neg`), and `x^n` / `pow(x, n)` with a constant integer
//! `n` is tight (to two ulps), so `dx*dx` over [-480, 480] is [0, 230400] and not
//! [-230400, 230400].
//!
//! Signed zeros: an interval holding 0 holds both `0.0` and `-0.0` (`1 / x` and `atan2` tell them
//! apart), so every rule accepts either zero wherever the interval includes 0.

use std::f64::consts::PI;

use rand::rngs::mock::StepRng;

use crate::vm::{self, py_mod, Op, StackSize};

/// A closed interval of f64: `lo <= hi`, either end may be infinite, neither is NaN.
///
/// An interval containing 0 contains both `0.0` and `-0.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The low end.
    pub lo: f64,
    /// The high end.
    pub hi: f64,
}

impl Interval {
    /// Every value, infinities included.
    pub const ALL: Interval = Interval {
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
    };

    /// The interval `[x, x]`; a NaN `x` gives [`Interval::ALL`] (NaN is never narrowed).
    pub fn point(x: f64) -> Interval {
        Interval::new(x, x)
    }

    /// The interval `[lo, hi]`. A NaN end widens to infinity on its side (`lo` to -inf, `hi` to
    /// +inf). Panics if `lo > hi`.
    pub fn new(lo: f64, hi: f64) -> Interval {
        let lo = if lo.is_nan() { f64::NEG_INFINITY } else { lo };
        let hi = if hi.is_nan() { f64::INFINITY } else { hi };
        assert!(lo <= hi, "Interval::new: lo {lo} > hi {hi}");
        Interval { lo, hi }
    }

    /// Whether `x` lies in the interval (never for NaN).
    pub fn contains(self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }

    /// The smallest interval containing both.
    pub fn hull(self, other: Interval) -> Interval {
        Interval {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    fn is_point(self) -> bool {
        self.lo == self.hi
    }

    fn has_zero(self) -> bool {
        self.lo <= 0.0 && 0.0 <= self.hi
    }

    fn is_zero(self) -> bool {
        self.lo == 0.0 && self.hi == 0.0
    }

    fn unbounded(self) -> bool {
        self.lo == f64::NEG_INFINITY || self.hi == f64::INFINITY
    }

    fn neg(self) -> Interval {
        Interval {
            lo: -self.hi,
            hi: -self.lo,
        }
    }

    /// Smallest and largest absolute value.
    fn abs_range(self) -> (f64, f64) {
        if self.lo >= 0.0 {
            (self.lo, self.hi)
        } else if self.hi <= 0.0 {
            (-self.hi, -self.lo)
        } else {
            (0.0, (-self.lo).max(self.hi))
        }
    }
}

/// The abstract value of a subexpression: every value it can take is NaN or lies in `iv`;
/// it can be NaN only if `nan`.
#[derive(Debug, Clone, Copy)]
struct Val {
    iv: Interval,
    nan: bool,
}

/// Builds an interval from computed end points: a NaN end widens to infinity. End points out of
/// order cannot come from the rules below; should one slip through, widen rather than panic.
fn mk(lo: f64, hi: f64) -> Interval {
    let lo = if lo.is_nan() { f64::NEG_INFINITY } else { lo };
    let hi = if hi.is_nan() { f64::INFINITY } else { hi };
    if lo <= hi {
        Interval { lo, hi }
    } else {
        debug_assert!(false, "interval rule produced [{lo}, {hi}]");
        Interval::ALL
    }
}

fn val(lo: f64, hi: f64, nan: bool) -> Val {
    Val {
        iv: mk(lo, hi),
        nan,
    }
}

const ANYTHING: Val = Val {
    iv: Interval::ALL,
    nan: true,
};

const BOOL: Val = Val {
    iv: Interval { lo: 0.0, hi: 1.0 },
    nan: false,
};

fn boolean(b: bool) -> Val {
    let x = if b { 1.0 } else { 0.0 };
    val(x, x, false)
}

/// Outward widening for results of libm functions (not guaranteed monotone; error < 1 ulp).
fn down(x: f64) -> f64 {
    x.next_down().next_down()
}

fn up(x: f64) -> f64 {
    x.next_up().next_up()
}

/// Largest value of `rand()`, which is below 1: the largest f64 below 1.
const RAND_MAX: f64 = 1.0 - f64::EPSILON / 2.0;

/// Integers beyond this are refused by `randint` (as in `vm.rs`).
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// Truth of a condition (a value is true when `!= 0`; NaN is true).
#[derive(Clone, Copy, PartialEq)]
enum Truth {
    True,
    False,
    Unknown,
}

fn truth(c: Val) -> Truth {
    if !c.iv.has_zero() {
        Truth::True
    } else if c.iv.is_zero() && !c.nan {
        Truth::False
    } else {
        Truth::Unknown
    }
}

/// Bounds of `code` (a well-formed program whose depth fits `stack`) with variable `i` in
/// `vars[i]`.
pub(crate) fn bounds(code: &[Op], stack: StackSize, vars: &[Interval]) -> Interval {
    // Rules bound an expression once per tree node they visit: programs of the two small
    // classes run on an array on the stack, with no allocation.
    match stack {
        StackSize::S8 => run(code, vars, &mut [ANYTHING; 8]),
        StackSize::S32 => run(code, vars, &mut [ANYTHING; 32]),
        StackSize::S128 | StackSize::Max => {
            run(code, vars, &mut vec![ANYTHING; vm::max_depth(code)])
        }
    }
}

fn run(code: &[Op], vars: &[Interval], st: &mut [Val]) -> Interval {
    let mut len = 0;
    for &op in code {
        let n = op.arity();
        let args = &st[len - n..len];
        let r = match op {
            Op::Const(c) => constant(c),
            Op::Var(i) => Val {
                iv: vars[i as usize],
                nan: false,
            },
            _ => match exact(op, args) {
                Some(r) => r,
                None => apply(op, args),
            },
        };
        len -= n;
        st[len] = r;
        len += 1;
    }
    debug_assert_eq!(len, 1, "malformed program");
    st[0].iv
}

fn constant(c: f64) -> Val {
    if c.is_nan() {
        ANYTHING
    } else {
        val(c, c, false)
    }
}

/// A deterministic op whose operands are all single values: run it (with both signs of a zero
/// operand, which the interval `[0, 0]` cannot tell apart).
fn exact(op: Op, args: &[Val]) -> Option<Val> {
    if op.is_random() || args.iter().any(|a| a.nan || !a.iv.is_point()) {
        return None;
    }
    let mut out: Option<Val> = None;
    let zeros = args.iter().filter(|a| a.iv.lo == 0.0).count();
    for signs in 0..1u32 << zeros {
        let mut program = [Op::Const(0.0); 4];
        let mut z = 0;
        for (slot, a) in program.iter_mut().zip(args) {
            let mut x = a.iv.lo;
            if x == 0.0 {
                x = if (signs >> z) & 1 == 1 { -0.0 } else { 0.0 };
                z += 1;
            }
            *slot = Op::Const(x);
        }
        program[args.len()] = op;
        let v = vm::eval(
            &program[..=args.len()],
            StackSize::S8,
            &[],
            &mut StepRng::new(0, 0),
        );
        let r = constant(v);
        out = Some(match out {
            None => r,
            Some(o) => Val {
                iv: o.iv.hull(r.iv),
                nan: o.nan || r.nan,
            },
        });
    }
    out
}

/// The interval rule of `op` on its operands.
fn apply(op: Op, args: &[Val]) -> Val {
    use Op::*;
    let a = args.first().copied().unwrap_or(ANYTHING);
    let b = args.get(1).copied().unwrap_or(ANYTHING);
    let (x, y) = (a.iv, b.iv);
    let nan_in = args.iter().any(|a| a.nan);
    match op {
        Const(_) | Var(_) => unreachable!("handled by the caller"),
        Neg => Val {
            iv: x.neg(),
            nan: a.nan,
        },
        Not => match truth(a) {
            Truth::True => boolean(false),
            Truth::False => boolean(true),
            Truth::Unknown => BOOL,
        },
        Exp => exp(a),
        Log => {
            let lo = if x.lo <= 0.0 {
                f64::NEG_INFINITY
            } else {
                down(x.lo.ln())
            };
            val(lo, up(x.hi.ln()), a.nan || x.lo < 0.0)
        }
        Sqrt => val(x.lo.max(0.0).sqrt(), x.hi.sqrt(), a.nan || x.lo < 0.0),
        Abs => {
            let (lo, hi) = x.abs_range();
            val(lo, hi, a.nan)
        }
        Square => {
            let (lo, hi) = x.abs_range();
            val(lo * lo, hi * hi, a.nan)
        }
        Sin | Cos => val(-1.0, 1.0, a.nan || x.unbounded()),
        Tan => ANYTHING,
        Floor => val(x.lo.floor(), x.hi.floor(), a.nan),
        Ceil => val(x.lo.ceil(), x.hi.ceil(), a.nan),
        Add => val(
            x.lo + y.lo,
            x.hi + y.hi,
            nan_in
                || (x.hi == f64::INFINITY && y.lo == f64::NEG_INFINITY)
                || (x.lo == f64::NEG_INFINITY && y.hi == f64::INFINITY),
        ),
        Sub => val(
            x.lo - y.hi,
            x.hi - y.lo,
            nan_in
                || (x.hi == f64::INFINITY && y.hi == f64::INFINITY)
                || (x.lo == f64::NEG_INFINITY && y.lo == f64::NEG_INFINITY),
        ),
        Mul => {
            let iv = corners(x, y, |p, q| p * q);
            let nan = nan_in || (x.has_zero() && y.unbounded()) || (y.has_zero() && x.unbounded());
            Val { iv, nan }
        }
        Div => div(a, b),
        Rem => rem(a, b),
        Pow => pow(a, b),
        Lt => compare(a, b, x.hi < y.lo, x.lo >= y.hi, false),
        Le => compare(a, b, x.hi <= y.lo, x.lo > y.hi, false),
        Gt => compare(a, b, x.lo > y.hi, x.hi <= y.lo, false),
        Ge => compare(a, b, x.lo >= y.hi, x.hi < y.lo, false),
        Eq => {
            let same = x.is_point() && y.is_point() && x.lo == y.lo;
            let apart = x.hi < y.lo || y.hi < x.lo;
            compare(a, b, same, apart, false)
        }
        Ne => {
            let same = x.is_point() && y.is_point() && x.lo == y.lo;
            let apart = x.hi < y.lo || y.hi < x.lo;
            compare(a, b, apart, same, true)
        }
        And => match (truth(a), truth(b)) {
            (Truth::False, _) | (_, Truth::False) => boolean(false),
            (Truth::True, Truth::True) => boolean(true),
            _ => BOOL,
        },
        Or => match (truth(a), truth(b)) {
            (Truth::True, _) | (_, Truth::True) => boolean(true),
            (Truth::False, Truth::False) => boolean(false),
            _ => BOOL,
        },
        Atan2 => {
            let pi = PI.next_up();
            val(-pi, pi, nan_in)
        }
        // NaN-propagating, monotone in both operands.
        Min => val(x.lo.min(y.lo), x.hi.min(y.hi), nan_in),
        Max => val(x.lo.max(y.lo), x.hi.max(y.hi), nan_in),
        If => {
            let (t, e) = (args[1], args[2]);
            match truth(a) {
                Truth::True => t,
                Truth::False => e,
                Truth::Unknown => Val {
                    iv: t.iv.hull(e.iv),
                    nan: t.nan || e.nan,
                },
            }
        }
        Rand => val(0.0, RAND_MAX, false),
        Uniform => uniform(a, b),
        Normal => {
            if y.is_zero() && !b.nan {
                // m + 0 * z == m: the standard normal draw is always finite.
                a
            } else {
                ANYTHING
            }
        }
        LogNormal => {
            if y.is_zero() && !b.nan {
                exp(a)
            } else {
                val(0.0, f64::INFINITY, true)
            }
        }
        RandInt => {
            // The draw lies in [ceil(a), floor(b)] within +-2^53, or is NaN.
            let lo = x.lo.ceil().max(-MAX_EXACT_INT);
            let hi = y.hi.floor().min(MAX_EXACT_INT);
            let nan = nan_in
                || x.hi.ceil() > y.lo.floor()
                || x.lo.ceil() < -MAX_EXACT_INT
                || y.hi.floor() > MAX_EXACT_INT;
            if lo <= hi {
                val(lo, hi, nan)
            } else {
                ANYTHING
            }
        }
    }
}

fn exp(a: Val) -> Val {
    val(down(a.iv.lo.exp()).max(0.0), up(a.iv.hi.exp()), a.nan)
}

/// Hull of `f` at the four corners, for `f` monotone in each operand (for any fixed value of the
/// other), such as `*` and `/` (off zero) and their rounded versions. A NaN corner (`0 * inf`,
/// `inf / inf`) counts as 0: the values next to it are bounded by the other corners, and 0 only
/// widens.
fn corners(x: Interval, y: Interval, f: impl Fn(f64, f64) -> f64) -> Interval {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    // A point operand has one end: two corners, not four (`x * c`, `x / c` are most products
    // and quotients of a bound; divisions are slow).
    let ends = |i: Interval| usize::from(!i.is_point()) + 1;
    for &p in &[x.lo, x.hi][..ends(x)] {
        for &q in &[y.lo, y.hi][..ends(y)] {
            let v = f(p, q);
            let v = if v.is_nan() { 0.0 } else { v };
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    mk(lo, hi)
}

/// Result of a comparison: `yes`/`no` say the comparison of the non-NaN values is decided;
/// `on_nan` is its value when an operand is NaN (false except for `!=`).
fn compare(a: Val, b: Val, yes: bool, no: bool, on_nan: bool) -> Val {
    let nan = a.nan || b.nan;
    if yes && (!nan || on_nan) {
        boolean(true)
    } else if no && (!nan || !on_nan) {
        boolean(false)
    } else {
        BOOL
    }
}

fn div(a: Val, b: Val) -> Val {
    let (x, y) = (a.iv, b.iv);
    let nan_in = a.nan || b.nan;
    if y.has_zero() {
        if x.is_zero() {
            // 0 / y is a zero, or NaN for y == 0.
            val(0.0, 0.0, true)
        } else {
            // x / +-0 is +-inf; near zero, anything.
            Val {
                iv: Interval::ALL,
                nan: nan_in || x.has_zero(),
            }
        }
    } else {
        Val {
            iv: corners(x, y, |p, q| p / q),
            nan: nan_in || (x.unbounded() && y.unbounded()),
        }
    }
}

/// `a % b` with the sign of `b` (`vm::py_mod`): between 0 and `b`, both included (rounding of
/// `fmod + b` can reach `b`), NaN for an infinite `a` or a zero `b`.
fn rem(a: Val, b: Val) -> Val {
    let (x, y) = (a.iv, b.iv);
    let nan = a.nan || b.nan || x.unbounded() || y.has_zero();
    let iv = if y.lo > 0.0 {
        rem_positive(x, y)
    } else if y.hi < 0.0 {
        // py_mod(a, b) == -py_mod(-a, -b), bit for bit.
        rem_positive(x.neg(), y.neg()).neg()
    } else {
        Interval {
            lo: y.lo.min(0.0),
            hi: y.hi.max(0.0),
        }
    };
    Val { iv, nan }
}

/// `py_mod(a, b)` for `a` in `x`, `b` in `y`, `y.lo > 0`.
fn rem_positive(x: Interval, y: Interval) -> Interval {
    if y.is_point() && y.lo.is_finite() {
        let p = y.lo;
        // Within one period the result is `a - k*p`: increasing, and computed monotonically
        // (fmod is exact, `m + p` rounds monotonically). The interval lies within one period
        // iff it is narrower than `p` and does not wrap around; a wrap makes the end results
        // decrease (non-strictly after rounding), so a strict increase rules it out.
        let (r_lo, r_hi) = (py_mod(x.lo, p), py_mod(x.hi, p));
        if x.hi - x.lo < p && r_lo < r_hi {
            return Interval { lo: r_lo, hi: r_hi };
        }
    }
    if x.lo >= 0.0 {
        if x.hi < y.lo {
            // 0 <= a < b: a % b == a.
            x
        } else {
            // fmod(a, b) <= min(a, b) for a >= 0.
            Interval {
                lo: 0.0,
                hi: x.hi.min(y.hi),
            }
        }
    } else {
        Interval { lo: 0.0, hi: y.hi }
    }
}

/// Whether `n` is an odd integer (integers beyond 2^53 are all even).
fn is_odd(n: f64) -> bool {
    n.abs() < MAX_EXACT_INT && n % 2.0 != 0.0 && n.fract() == 0.0
}

fn is_integer(n: f64) -> bool {
    n.is_finite() && n.fract() == 0.0
}

/// `powf` over a box, for a non-negative base (`x.lo >= 0`): monotone in each operand (in the
/// base: increasing for a positive exponent, decreasing for a negative one; in the exponent:
/// increasing for a base above 1, decreasing below), so bounded by the corners. Never NaN.
/// A base of -0.0 counts as +0.0.
fn pow_nonneg(x: Interval, y: Interval) -> Interval {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for p in [x.lo, x.hi] {
        // As +0: pow(-0, y) differs only for odd y (`-inf` for negative y, see the caller).
        let p = if p == 0.0 { 0.0 } else { p };
        for q in [y.lo, y.hi] {
            let v = p.powf(q);
            if v.is_nan() {
                // Cannot happen for a non-negative base; never narrow on it.
                return Interval::ALL;
            }
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    mk(down(lo).max(0.0), up(hi))
}

fn pow(a: Val, b: Val) -> Val {
    let (x, y) = (a.iv, b.iv);
    let mut r = pow_values(x, y);
    r.nan |= a.nan || b.nan;
    // pow(NaN, 0) == 1 and pow(1, NaN) == 1.
    if (a.nan && y.has_zero()) || (b.nan && x.contains(1.0)) {
        r.iv = r.iv.hull(Interval::point(1.0));
    }
    r
}

/// `powf` for non-NaN operands in `x` and `y`.
fn pow_values(x: Interval, y: Interval) -> Val {
    if y.is_point() && is_integer(y.lo) {
        let n = y.lo;
        let even = !is_odd(n);
        let (mig, mag) = x.abs_range();
        return if n == 0.0 {
            val(1.0, 1.0, false)
        } else if n > 0.0 && even {
            val(down(mig.powf(n)).max(0.0), up(mag.powf(n)), false)
        } else if n > 0.0 {
            // Odd: increasing.
            val(down(x.lo.powf(n)), up(x.hi.powf(n)), false)
        } else if even {
            // 1 / |x|^|n|: decreasing in |x|.
            val(down(mag.powf(n)).max(0.0), up(mig.powf(n)), false)
        } else if x.has_zero() {
            // Odd negative power: +-inf at +-0.
            val(f64::NEG_INFINITY, f64::INFINITY, false)
        } else {
            // Odd negative power off zero: decreasing on each side.
            val(down(x.hi.powf(n)), up(x.lo.powf(n)), false)
        };
    }
    if x.lo >= 0.0 {
        let mut iv = pow_nonneg(x, y);
        // -0.0 lies in an interval starting at 0, and pow(-0, n) == -inf for a negative odd n.
        if x.lo == 0.0 && has_negative_odd(y) {
            iv.lo = f64::NEG_INFINITY;
        }
        return Val { iv, nan: false };
    }
    // A negative base: NaN for a non-integer exponent, otherwise +-pow(|x|, y) (infinite
    // exponents included: pow(-2, inf) == inf, pow(-1, inf) == 1).
    let (mig, mag) = x.abs_range();
    let magnitude = pow_nonneg(Interval { lo: mig, hi: mag }, y);
    if y.is_point() {
        if y.lo.is_infinite() {
            // pow(x, +-inf) == pow(|x|, +-inf).
            return Val {
                iv: magnitude,
                nan: false,
            };
        }
        // A non-integer exponent: NaN for a finite negative base, and pow(-inf, y) ==
        // pow(inf, y) (IEEE 754: pow(-0, -y)).
        let mut iv = (x.hi >= 0.0).then(|| pow_nonneg(Interval { lo: 0.0, hi: x.hi }, y));
        if x.lo == f64::NEG_INFINITY {
            let at_inf = pow_nonneg(Interval::point(f64::INFINITY), y);
            iv = Some(iv.map_or(at_inf, |iv| iv.hull(at_inf)));
        }
        return match iv {
            Some(iv) => Val { iv, nan: true },
            None => ANYTHING,
        };
    }
    val(-magnitude.hi, magnitude.hi, true)
}

/// Whether `y` holds a negative odd integer.
fn has_negative_odd(y: Interval) -> bool {
    let lo = y.lo.ceil();
    let hi = y.hi.min(-1.0).floor();
    lo < hi || (lo == hi && is_odd(lo))
}

/// `uniform(a, b) = a + (b - a) * r` with `r` in [0, 1 - 2^-53].
fn uniform(a: Val, b: Val) -> Val {
    let (x, y) = (a.iv, b.iv);
    if a.nan || b.nan || x.unbounded() || y.unbounded() {
        return ANYTHING;
    }
    if x.is_point() && y.is_point() {
        // Rounded, the result is monotone in r: its ends are at r = 0 and r = RAND_MAX.
        let (p, q) = (x.lo, y.lo);
        let last = p + (q - p) * RAND_MAX;
        // An overflowing `b - a` is infinite, and `inf * 0` is NaN.
        return val(p.min(last), p.max(last), !(q - p).is_finite());
    }
    // The exact value lies between a and b; the three roundings move it by at most
    // 7 * 2^-53 * max|a, b| (plus underflow), far less than the slack.
    let m = x.lo.abs().max(x.hi.abs()).max(y.lo.abs()).max(y.hi.abs());
    if m > 1e300 {
        return ANYTHING;
    }
    let slack = m * f64::EPSILON * 16.0 + f64::MIN_POSITIVE;
    val(x.lo.min(y.lo) - slack, x.hi.max(y.hi) + slack, false)
}
