//! Typed reading of located TOML values, with errors that say what was expected.
//!
//! In: [`Node`]s and [`Table`]s of the located tree, and a phrase naming what is being read
//! (`"N"`, `"seed in [build]"`). Out: plain Rust values or [`Scalar`]s, or a [`SpecError`] at the
//! value such as `expected an integer >= 0 for N, found the integer -5`. Also: key checks (unknown
//! keys with a suggestion, missing required keys) and `dtype` names.

use crate::located::{Entry, Kind, Node, Source, Table};
use crate::suggest;
use crate::{Dtype, Scalar, SpecError};

pub type R<T> = Result<T, SpecError>;

/// What a value is, for "found ..." in messages.
pub fn found(n: &Node) -> String {
    match &n.kind {
        Kind::Str(s) => {
            let shown: String = s.chars().take(40).collect();
            let more = if shown.len() < s.len() { "..." } else { "" };
            format!("a string {shown:?}{more}")
        }
        Kind::Int(i) => format!("the integer {i}"),
        Kind::Float(f) => format!("the float {f}"),
        Kind::Bool(b) => format!("the boolean {b}"),
        Kind::Datetime => "a date-time".to_string(),
        Kind::Array(_) => "an array".to_string(),
        Kind::Table(_) => "a table".to_string(),
    }
}

/// `expected {expected} for {what}, found ...` at `n`.
pub fn expected(src: &Source, n: &Node, expected: &str, what: &str) -> SpecError {
    src.err(
        &n.span,
        format!("expected {expected} for {what}, found {}", found(n)),
    )
}

pub fn string<'a>(src: &Source, n: &'a Node, what: &str) -> R<&'a str> {
    match &n.kind {
        Kind::Str(s) => Ok(s),
        _ => Err(expected(src, n, "a string", what)),
    }
}

pub fn nonempty_string<'a>(src: &Source, n: &'a Node, what: &str) -> R<&'a str> {
    match &n.kind {
        Kind::Str(s) if !s.is_empty() => Ok(s),
        _ => Err(expected(src, n, "a non-empty string", what)),
    }
}

pub fn int(src: &Source, n: &Node, what: &str) -> R<i64> {
    match n.kind {
        Kind::Int(i) => Ok(i),
        _ => Err(expected(src, n, "an integer", what)),
    }
}

/// An integer `>= min` (min >= 0).
pub fn uint_at_least(src: &Source, n: &Node, min: u64, what: &str) -> R<u64> {
    match n.kind {
        Kind::Int(i) if i >= 0 && i as u64 >= min => Ok(i as u64),
        _ => Err(expected(src, n, &format!("an integer >= {min}"), what)),
    }
}

pub fn uint(src: &Source, n: &Node, what: &str) -> R<u64> {
    uint_at_least(src, n, 0, what)
}

/// An integer or a float, finite.
pub fn number(src: &Source, n: &Node, what: &str) -> R<f64> {
    match n.kind {
        Kind::Int(i) => Ok(i as f64),
        Kind::Float(f) if f.is_finite() => Ok(f),
        _ => Err(expected(src, n, "a finite number", what)),
    }
}

pub fn boolean(src: &Source, n: &Node, what: &str) -> R<bool> {
    match n.kind {
        Kind::Bool(b) => Ok(b),
        _ => Err(expected(src, n, "true or false", what)),
    }
}

pub fn table<'a>(src: &Source, n: &'a Node, what: &str) -> R<&'a Table> {
    match &n.kind {
        Kind::Table(t) => Ok(t),
        _ => Err(expected(src, n, "a table", what)),
    }
}

pub fn array<'a>(src: &Source, n: &'a Node, what: &str) -> R<&'a [Node]> {
    match &n.kind {
        Kind::Array(a) => Ok(a),
        _ => Err(expected(src, n, "an array", what)),
    }
}

/// A string, integer, float or boolean.
pub fn scalar(src: &Source, n: &Node, what: &str) -> R<Scalar> {
    match &n.kind {
        Kind::Str(s) => Ok(Scalar::Str(s.clone())),
        Kind::Int(i) => Ok(Scalar::Int(*i)),
        Kind::Float(f) => Ok(Scalar::Float(*f)),
        Kind::Bool(b) => Ok(Scalar::Bool(*b)),
        _ => Err(expected(src, n, "a string, number or boolean", what)),
    }
}

/// Whether `n` is a string, number or boolean.
pub fn is_scalar(n: &Node) -> bool {
    matches!(
        n.kind,
        Kind::Str(_) | Kind::Int(_) | Kind::Float(_) | Kind::Bool(_)
    )
}

fn kind_word(s: &Scalar) -> &'static str {
    match s {
        Scalar::Str(_) => "strings",
        Scalar::Int(_) | Scalar::Float(_) => "numbers",
        Scalar::Bool(_) => "booleans",
    }
}

/// Array elements all of one kind: strings, booleans, or numbers (integers, or floats once any
/// element is a float).
pub fn homogeneous(src: &Source, elems: &[Node], what: &str) -> R<Vec<Scalar>> {
    let mut out = Vec::with_capacity(elems.len());
    for e in elems {
        let s = scalar(src, e, &format!("an element of {what}"))?;
        if let Some(first) = out.first() {
            if kind_word(first) != kind_word(&s) {
                return Err(src.err(
                    &e.span,
                    format!(
                        "expected {} in {what} (all elements of one kind, like the first), found {}",
                        kind_word(first),
                        found(e)
                    ),
                ));
            }
        }
        out.push(s);
    }
    if out.iter().any(|s| matches!(s, Scalar::Float(_))) {
        for s in out.iter_mut() {
            if let Scalar::Int(i) = *s {
                *s = Scalar::Float(i as f64);
            }
        }
    }
    Ok(out)
}

/// Fails on the first key of `t` not in `allowed`, suggesting the nearest allowed one.
pub fn check_keys(src: &Source, t: &Table, allowed: &[&str], context: &str) -> R<()> {
    for e in &t.entries {
        if !allowed.contains(&e.key.as_str()) {
            return Err(unknown_key(src, e, allowed, context));
        }
    }
    Ok(())
}

pub fn unknown_key(src: &Source, e: &Entry, known: &[&str], context: &str) -> SpecError {
    let hint = suggest::did_you_mean(&e.key, known.iter().copied());
    let hint = if hint.is_empty() {
        format!(" (expected one of: {})", known.join(", "))
    } else {
        hint
    };
    src.err(
        &e.key_span,
        format!("unknown key '{}' in {context}{hint}", e.key),
    )
}

/// The entry `key` of `t`; when missing, an error at `at` (or at a key of `t` that looks like a
/// misspelling of `key`).
pub fn require<'a>(
    src: &Source,
    t: &'a Table,
    key: &str,
    context: &str,
    at: &std::ops::Range<usize>,
) -> R<&'a Entry> {
    if let Some(e) = t.get(key) {
        return Ok(e);
    }
    let near = t
        .entries
        .iter()
        .find(|e| suggest::nearest(&e.key, [key]).is_some());
    Err(match near {
        Some(e) => src.err(
            &e.key_span,
            format!(
                "missing required key '{key}' in {context}; did you mean '{key}' instead of '{}'?",
                e.key
            ),
        ),
        None => src.err(at, format!("missing required key '{key}' in {context}")),
    })
}

pub const DTYPES: [&str; 6] = ["f32", "f64", "i32", "i64", "u32", "u64"];

pub fn dtype(src: &Source, n: &Node) -> R<Dtype> {
    let s = match &n.kind {
        Kind::Str(s) => s.as_str(),
        _ => {
            return Err(expected(
                src,
                n,
                "one of f32, f64, i32, i64, u32, u64",
                "dtype",
            ))
        }
    };
    Ok(match s {
        "f32" => Dtype::F32,
        "f64" => Dtype::F64,
        "i32" => Dtype::I32,
        "i64" => Dtype::I64,
        "u32" => Dtype::U32,
        "u64" => Dtype::U64,
        _ => {
            let alias = match s {
                "float32" | "float" => "f32",
                "float64" | "double" => "f64",
                "int32" | "int" => "i32",
                "int64" => "i64",
                "uint32" => "u32",
                "uint64" => "u64",
                _ => "",
            };
            let hint = if alias.is_empty() {
                suggest::did_you_mean(s, DTYPES)
            } else {
                format!("; did you mean '{alias}'?")
            };
            return Err(src.err(
                &n.span,
                format!(
                    "expected one of f32, f64, i32, i64, u32, u64 for dtype, found {}{hint}",
                    found(n)
                ),
            ));
        }
    })
}

/// A name that can be a SONATA property: an HDF5 dataset name and a CSV column header.
pub fn check_property_name(src: &Source, e: &Entry, what: &str) -> R<()> {
    let k = &e.key;
    let bad = k.is_empty()
        || k == "."
        || k == ".."
        || k.chars()
            .any(|c| c == '/' || c == '"' || c == ',' || c.is_whitespace() || c.is_control());
    if bad {
        return Err(src.err(
            &e.key_span,
            format!(
                "invalid {what} name {k:?}: it must be non-empty and have no '/', ',', quote, space or control character"
            ),
        ));
    }
    Ok(())
}
