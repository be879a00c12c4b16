//! The names the language knows: built-in functions (with arity and opcode), variables and
//! constants, and "did you mean" suggestions for names that are not among them.

use crate::vm::Op;

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arity {
    Exactly(usize),
    /// At least this many; folded pairwise (`min(a, b, c)` = `min(min(a, b), c)`).
    AtLeast(usize),
}

pub(crate) struct Function {
    pub name: &'static str,
    pub arity: Arity,
    pub op: Op,
}

const fn f(name: &'static str, n: usize, op: Op) -> Function {
    Function {
        name,
        arity: Arity::Exactly(n),
        op,
    }
}

pub(crate) const FUNCTIONS: &[Function] = &[
    f("if", 3, Op::If),
    f("exp", 1, Op::Exp),
    f("log", 1, Op::Log),
    f("sqrt", 1, Op::Sqrt),
    f("abs", 1, Op::Abs),
    f("sin", 1, Op::Sin),
    f("cos", 1, Op::Cos),
    f("tan", 1, Op::Tan),
    f("atan2", 2, Op::Atan2),
    Function {
        name: "min",
        arity: Arity::AtLeast(2),
        op: Op::Min,
    },
    Function {
        name: "max",
        arity: Arity::AtLeast(2),
        op: Op::Max,
    },
    f("floor", 1, Op::Floor),
    f("ceil", 1, Op::Ceil),
    f("pow", 2, Op::Pow),
    f("rand", 0, Op::Rand),
    f("uniform", 2, Op::Uniform),
    f("normal", 2, Op::Normal),
    f("lognormal", 2, Op::LogNormal),
    f("randint", 2, Op::RandInt),
];

/// Bare names that are values: the geometric variables and the constant `pi`.
/// (`src.NAME` and `trg.NAME` are handled by the parser.)
pub(crate) const VALUE_NAMES: &[&str] = &["d", "dx", "dy", "dz", "pi", "src", "trg"];

/// Words of the grammar; they cannot be used as names.
pub(crate) const KEYWORDS: &[&str] = &["and", "or", "not"];

pub(crate) fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    // One edit for short names, about one per three characters for longer ones: `expp` -> `exp`,
    // `nromal` -> `normal`, but `foo` suggests nothing rather than a random 3-letter function.
    let limit = (name.len() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, c), c))
        .filter(|&(dist, _)| dist <= limit)
        .min_by_key(|&(dist, _)| dist)
        .map(|(_, c)| c)
}

/// `", did you mean `x`?"` or nothing.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match suggest(name, candidates) {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}
