//! The expression language of netbuild specs (SPEC.md, "Expressions").
//!
//! In: the source text of one expression, e.g. `"0.3 * exp(-d*d / (2 * 150 * 150))"`.
//! Out: an [`Expr`], compiled once at load time, that is evaluated for every (source, target)
//! pair from a slice of variable values and a random number generator.
//!
//! Pipeline: `lexer` (text to tokens) -> `parser` (tokens to postfix code, names resolved,
//! arities checked, nesting limited) -> `compile` (constant folding, variable slots, stack size)
//! -> `vm` (the interpreter, and the exact semantics of every operation: `%` as Python,
//! all arguments always evaluated left to right, the random distributions).
//!
//! The language: numbers (`3`, `0.5`, `.5`, `1e-4`); `+ - * / % ^` (`^` is power,
//! right-associative, binds tighter than unary minus: `-2^2 == -4`); comparisons
//! `< <= > >= == !=` (not chainable); `and or not`; parentheses; `if(c, a, b)`; the functions
//! `exp log sqrt abs sin cos tan atan2 min max floor ceil pow` (`min`/`max` take two or more
//! arguments); the constant `pi`; the variables `d dx dy dz src.NAME trg.NAME`; the random draws
//! `rand() uniform(a, b) normal(m, s) lognormal(m, s) randint(a, b)`. Booleans are 1 and 0.
//!
//! [`Expr::bounds`] (module `interval`) gives sound bounds of the value over intervals of the
//! variables, for Bernoulli thinning in connection rules.

#![warn(missing_docs)]

use std::fmt;
use std::ops::Range;

mod batch;
mod compile;
mod interval;
mod lexer;
mod names;
mod parser;
mod specialize;
mod vm;

pub use interval::Interval;
pub use parser::{MAX_DEPTH, MAX_LEN};
pub use specialize::Specializer;

/// A variable an expression reads. The caller decides what each one is worth for a pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Var {
    /// `d`: euclidean distance between source and target.
    D,
    /// `dx`: target minus source, along x.
    Dx,
    /// `dy`: along y.
    Dy,
    /// `dz`: along z.
    Dz,
    /// `src.NAME`: a property of the source node.
    Src(String),
    /// `trg.NAME`: a property of the target node.
    Trg(String),
}

impl fmt::Display for Var {
    /// As written in an expression: `d`, `dx`, `src.NAME`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Var::D => f.write_str("d"),
            Var::Dx => f.write_str("dx"),
            Var::Dy => f.write_str("dy"),
            Var::Dz => f.write_str("dz"),
            Var::Src(name) => write!(f, "src.{name}"),
            Var::Trg(name) => write!(f, "trg.{name}"),
        }
    }
}

/// One distinct variable of an expression with where it first appears (byte range in the source).
#[derive(Debug, Clone, PartialEq)]
pub struct VarRef {
    /// The variable.
    pub var: Var,
    /// Where it first appears.
    pub span: Range<usize>,
}

/// Why an expression was refused. `span` is a byte range in the expression's source text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What is wrong and what was expected.
    pub message: String,
    /// The part of the source text at fault.
    pub span: Range<usize>,
}

impl ExprError {
    /// 1-based line and column (in characters) of the start of `span` in `src`, the text that
    /// was parsed. For messages; a span past the end of `src` is clamped to it.
    pub fn line_col(&self, src: &str) -> (usize, usize) {
        let mut at = self.span.start.min(src.len());
        while !src.is_char_boundary(at) {
            at -= 1;
        }
        let before = &src[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Expr {
    // Shared: a rule specializes its expression once per target (`Specializer`).
    source: std::sync::Arc<str>,
    code: Box<[vm::Op]>,
    vars: std::sync::Arc<[VarRef]>,
    stack: vm::StackSize,
    /// How many random functions the code calls ([`Expr::draw_sites`]).
    draws: u32,
}

impl Expr {
    /// Parses and compiles `src`. Errors: syntax, unknown function or variable name, wrong arity,
    /// too long or too deeply nested input (so that nothing can exhaust memory or the stack).
    pub fn parse(src: &str) -> Result<Expr, ExprError> {
        let compiled = parser::parse(src)?;
        let draws = compiled.code.iter().filter(|op| op.is_random()).count() as u32;
        Ok(Expr {
            source: src.into(),
            code: compiled.code,
            vars: compiled.vars.into(),
            stack: compiled.stack,
            draws,
        })
    }

    /// The distinct variables this expression reads, in order of first appearance.
    /// `eval`'s `vars[i]` is the value of `variables()[i]`.
    pub fn variables(&self) -> &[VarRef] {
        &self.vars
    }

    /// Evaluates for one pair. Random draws (`rand()`, `uniform`, `normal`, `lognormal`, `randint`)
    /// come from `rng`, in a fixed order (left to right), so the same rng state gives the same value.
    ///
    /// Every argument is evaluated, including both branches of `if` and both sides of `and`/`or`,
    /// so each evaluation makes the same draws in the same order whatever the values.
    /// Never allocates. Panics if `vars` is shorter than [`Expr::variables`].
    #[inline]
    pub fn eval<R: rand::Rng + ?Sized>(&self, vars: &[f64], rng: &mut R) -> f64 {
        assert!(
            vars.len() >= self.vars.len(),
            "Expr::eval: {} variable values given, {} needed",
            vars.len(),
            self.vars.len()
        );
        vm::eval(&self.code, self.stack, vars, rng)
    }

    /// Evaluates for `n` pairs at once, each value bit for bit what [`Expr::eval`] gives for
    /// that pair: `vars` holds the variables' values variable-major (variable `v` of pair `i` at
    /// `vars[v * n + i]`), the values go to `out` (resized to `n`), `stack` is scratch space to
    /// keep between calls. Returns false, and evaluates nothing, when the expression draws
    /// random numbers (their order is defined pair by pair: use [`Expr::eval`]).
    /// Panics if `vars` holds fewer than `n` values per variable.
    pub fn eval_lanes(
        &self,
        vars: &[f64],
        n: usize,
        stack: &mut Vec<f64>,
        out: &mut Vec<f64>,
    ) -> bool {
        // Nothing random: the rng is never asked.
        self.draws == 0
            && self.eval_lanes_drawing(
                vars,
                n,
                stack,
                out,
                &mut rand::rngs::mock::StepRng::new(0, 0),
            )
    }

    /// As [`Expr::eval_lanes`], for an expression that draws at most once per pair
    /// ([`Expr::draw_sites`] <= 1): the values, and the state `rng` is left in, are bit for bit
    /// those of [`Expr::eval`] called for pair 0, 1, ... in turn with `rng`. Returns false,
    /// and evaluates and draws nothing, when the expression draws more than once per pair
    /// (pair by pair, its draws interleave: use [`Expr::eval`]).
    pub fn eval_lanes_drawing<R: rand::Rng + ?Sized>(
        &self,
        vars: &[f64],
        n: usize,
        stack: &mut Vec<f64>,
        out: &mut Vec<f64>,
        rng: &mut R,
    ) -> bool {
        if self.draw_sites() > 1 {
            return false;
        }
        assert!(
            vars.len() >= self.vars.len() * n,
            "Expr::eval_lanes: {} values given, {} needed",
            vars.len(),
            self.vars.len() * n
        );
        if n == 0 {
            out.clear();
        } else {
            batch::run(&self.code, vars, n, stack, out, rng);
        }
        true
    }

    /// How many random functions one evaluation calls (each draws once per evaluation).
    pub fn draw_sites(&self) -> usize {
        self.draws as usize
    }

    /// The value, when the expression reads no variable and draws nothing (folded at compile time).
    pub fn constant(&self) -> Option<f64> {
        match *self.code {
            [vm::Op::Const(c)] => Some(c),
            _ => None,
        }
    }

    /// Whether evaluation draws random numbers.
    pub fn is_random(&self) -> bool {
        self.draws > 0
    }

    /// Bounds of the value when each variable `i` lies in `vars[i]` (same order as
    /// [`Expr::variables`]): for every assignment inside the intervals and every random draw,
    /// [`Expr::eval`] returns a value inside the result, or NaN. Never `None`: what cannot be
    /// bounded soundly is unbounded (infinite ends, up to [`Interval::ALL`]).
    ///
    /// Sound first, tight second. The intended use is Bernoulli thinning in connection rules:
    /// with `p_hi >= p` for every pair of a block, drawing candidates with probability `p_hi`
    /// and keeping each with probability `p / p_hi` keeps every pair with probability exactly
    /// `p`; a bound that were ever too low would bias the result silently. See the module
    /// `interval.rs` for the rules (floating point rounding included).
    ///
    /// Tight where it matters for such rules: constants, monotone functions, `min`/`max`, `%` by
    /// a constant, decided comparisons and `if`s, and squares (`d*d`, `(dx - 1)*(dx - 1)`,
    /// `x^2`, `pow(x, 2)` are never negative). Loose where operands depend on each other
    /// (`x - x` over [0, 1] gives [-1, 1]), for `sin`/`cos` ([-1, 1]), `tan` and `normal`
    /// (unbounded). Libm results (`exp`, `log`, `pow`) are widened by two ulps.
    ///
    /// Not per-pair: interprets the program once over intervals, allocating a small stack.
    /// Panics if `vars` is shorter than [`Expr::variables`] or an interval has `lo > hi`
    /// (NaN ends count as infinite).
    pub fn bounds(&self, vars: &[Interval]) -> Interval {
        assert!(
            vars.len() >= self.vars.len(),
            "Expr::bounds: {} variable intervals given, {} needed",
            vars.len(),
            self.vars.len()
        );
        // NaN ends widen to infinity (`Interval::new`); most expressions read a few variables,
        // which fit an array on the stack.
        let sane = |v: &Interval| Interval::new(v.lo, v.hi);
        let n = self.vars.len();
        if n <= 8 {
            let mut small = [Interval::ALL; 8];
            for (s, v) in small.iter_mut().zip(&vars[..n]) {
                *s = sane(v);
            }
            interval::bounds(&self.code, self.stack, &small[..n])
        } else {
            let vars: Vec<Interval> = vars[..n].iter().map(sane).collect();
            interval::bounds(&self.code, self.stack, &vars)
        }
    }

    /// The source text the expression was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Expr {
    /// The source text, as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
