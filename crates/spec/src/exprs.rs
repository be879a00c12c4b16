//! Expressions in a spec: compiled with `netbuild-expr`, located, and checked against the networks.
//!
//! In: a located TOML string (rule `probability`/`count`, a per-edge property), the source and
//! target networks of its edge block. Out: a compiled [`Expr`], or an error at the exact line and
//! column inside the string: a syntax error, or `src.NAME` / `trg.NAME` naming a property that no
//! block of that network defines (or that holds strings). Also [`value`] for "a number or an
//! expression" settings, which folds constant expressions into [`Value::Const`].

use crate::located::{Kind, Node, Source};
use crate::nodes::{NetInfo, Networks};
use crate::suggest;
use crate::values::{self, R};
use crate::Value;
use netbuild_expr::{Expr, Var};

/// The two ends of an edge block, both known networks.
pub struct Ends<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub nets: &'a Networks,
}

/// Compiles the string node `n` (whose decoded text is `text`) for `what`.
pub fn compile(src: &Source, n: &Node, text: &str, ends: &Ends, what: &str) -> R<Expr> {
    let expr = Expr::parse(text).map_err(|e| {
        src.err_at(
            file_offset(src, n, e.span.start),
            format!("invalid expression for {what}: {}", e.message),
        )
    })?;
    for v in expr.variables() {
        let (side, prefix, net) = match &v.var {
            Var::Src(name) => ("source", "src", (ends.source, name)),
            Var::Trg(name) => ("target", "trg", (ends.target, name)),
            _ => continue,
        };
        let (network, name) = net;
        let at = file_offset(src, n, v.span.start);
        let Some(info) = ends.nets.get(network) else {
            continue;
        };
        check_var(src, at, info, side, prefix, network, name)?;
    }
    Ok(expr)
}

fn check_var(
    src: &Source,
    at: usize,
    info: &NetInfo,
    side: &str,
    prefix: &str,
    network: &str,
    name: &str,
) -> R<()> {
    if !info.readable(name) {
        let candidates = info
            .prop_names()
            .chain(crate::nodes::POSITIONS)
            .filter(|p| info.string_def(p).is_none() && info.rows_def(p).is_none());
        let hint = suggest::did_you_mean(name, candidates);
        return Err(src.err_at(
            at,
            format!(
                "unknown property '{name}' in {prefix}.{name}: no [[nodes]] block of {side} network '{network}' defines it{hint}"
            ),
        ));
    }
    if let Some(def) = info.string_def(name) {
        let l = src.loc(def.start);
        return Err(src.err_at(
            at,
            format!(
                "{prefix}.{name} reads a string property (network '{network}', line {}); expressions compute with numbers",
                l.line
            ),
        ));
    }
    if let Some(def) = info.rows_def(name) {
        let l = src.loc(def.start);
        let hint = if name == "positions" {
            format!("; {prefix}.x, {prefix}.y and {prefix}.z read its columns")
        } else {
            String::new()
        };
        return Err(src.err_at(
            at,
            format!(
                "{prefix}.{name} reads a property of several values per node (network '{network}', line {}); expressions compute with single numbers{hint}",
                l.line
            ),
        ));
    }
    Ok(())
}

/// A number or an expression string; `check` vets a constant value (message: what was expected).
pub fn value(
    src: &Source,
    n: &Node,
    ends: &Ends,
    what: &str,
    expected: &str,
    check: impl Fn(f64) -> bool,
) -> R<Value> {
    let constant = match &n.kind {
        Kind::Int(_) | Kind::Float(_) => values::number(src, n, what)?,
        Kind::Str(s) => {
            let e = compile(src, n, s, ends, what)?;
            match e.constant() {
                Some(c) => c,
                None => return Ok(Value::Expr(e)),
            }
        }
        _ => {
            return Err(values::expected(
                src,
                n,
                &format!("{expected} or an expression string"),
                what,
            ))
        }
    };
    if !constant.is_finite() || !check(constant) {
        return Err(src.err(
            &n.span,
            format!("expected {expected} for {what}, found {constant}"),
        ));
    }
    Ok(Value::Const(constant))
}

/// The byte offset in the file of byte `k` of the decoded string written at `n.span`.
/// Exact for literal strings and for basic strings with escapes; clamped to the string.
pub fn file_offset(src: &Source, n: &Node, k: usize) -> usize {
    let start = n.span.start;
    let Some(raw) = src.text.get(n.span.clone()) else {
        return start;
    };
    let (open, basic) = if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else if raw.starts_with('\'') {
        (1, false)
    } else {
        return start;
    };
    let mut p = open;
    // A multi-line string drops a newline right after its opening quotes.
    if open == 3 {
        let rest = raw.get(p..).unwrap_or("");
        if rest.starts_with("\r\n") {
            p += 2;
        } else if rest.starts_with('\n') {
            p += 1;
        }
    }
    let bytes = raw.as_bytes();
    let mut decoded = 0;
    while decoded < k && p < raw.len() {
        if basic && bytes[p] == b'\\' {
            let next = bytes.get(p + 1).copied();
            match next {
                Some(b'u') | Some(b'U') => {
                    let digits = if next == Some(b'u') { 4 } else { 8 };
                    let code = raw
                        .get(p + 2..p + 2 + digits)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32);
                    decoded += code.map_or(1, char::len_utf8);
                    p += 2 + digits;
                }
                Some(b' ') | Some(b'\t') | Some(b'\r') | Some(b'\n') => {
                    // Line-ending backslash: the whitespace up to the next text is dropped.
                    p += 1;
                    while p < raw.len() && matches!(bytes[p], b' ' | b'\t' | b'\r' | b'\n') {
                        p += 1;
                    }
                }
                _ => {
                    decoded += 1;
                    p += 2;
                }
            }
        } else {
            let len = raw
                .get(p..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8);
            decoded += len;
            p += len;
        }
    }
    start + p.min(raw.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn offset_in(text: &str, k: usize) -> usize {
        let src = Source::new(Path::new("t.toml"), text.to_string());
        let n = Node {
            span: 4..text.len(),
            kind: Kind::Str(String::new()),
        };
        file_offset(&src, &n, k)
    }

    #[test]
    fn offsets_map_through_quotes_and_escapes() {
        // p = "abc"
        assert_eq!(offset_in("p = \"abc\"", 0), 5);
        assert_eq!(offset_in("p = \"abc\"", 2), 7);
        assert_eq!(offset_in("p = 'abc'", 2), 7);
        // "\tb": decoded 't' tab is one byte, 'b' at decoded 1 is raw 7.
        assert_eq!(offset_in("p = \"\\tb\"", 1), 7);
        // "\u00e9x": decoded é is 2 bytes; x at decoded 2 is raw 11.
        assert_eq!(offset_in("p = \"\\u00e9x\"", 2), 11);
        // """\nab""": a is at raw 8.
        assert_eq!(offset_in("p = \"\"\"\nab\"\"\"", 0), 8);
        assert_eq!(offset_in("p = \"ab\"", 100), 8);
    }
}
