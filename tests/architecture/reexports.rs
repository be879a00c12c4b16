//! What a file re-exports, so that the import graph can follow a path through a re-export to
//! the file that defines the item.
//!
//! In: a file's text without comments and strings (`lexer::code_only`). Out: every item it
//! re-exports by a `use` declaration with any visibility (`pub use`, `pub(crate) use`, ...), as
//! (the name it is known by here, the path as written): groups `a::{B, c::D}` are expanded,
//! `B as C` is known as `C`, `a::b::{self}` as `b`. Globs (`a::*`) name no item and are left out;
//! so are private `use` declarations, which re-export nothing.

use crate::lexer::{is_ident, is_ident_start};

/// (name here, path as written) of each item the file re-exports.
pub fn reexports(code: &str) -> Vec<(String, Vec<String>)> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if let Some((word, end)) = ident_at(&c, i) {
            if word == "use" && visible_before(&c, i) {
                i = use_tree(&c, end, Vec::new(), &mut out);
                continue;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The identifier that starts at `i` (not in the middle of a longer one), and where it ends.
fn ident_at(c: &[char], i: usize) -> Option<(String, usize)> {
    if !is_ident_start(c[i]) || (i > 0 && is_ident(c[i - 1])) {
        return None;
    }
    let mut end = i;
    while end < c.len() && is_ident(c[end]) {
        end += 1;
    }
    Some((c[i..end].iter().collect(), end))
}

/// Whether the `use` at `at` has a visibility: `pub` or `pub(...)` just before it.
fn visible_before(c: &[char], at: usize) -> bool {
    let before: String = c[at.saturating_sub(40)..at].iter().collect();
    let mut before = before.trim_end();
    if let Some(open) = before.strip_suffix(')').and_then(|b| b.rfind('(')) {
        before = before[..open].trim_end();
    }
    before.ends_with("pub") && !before[..before.len() - 3].ends_with(|ch: char| is_ident(ch))
}

fn skip_ws(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i].is_whitespace() {
        i += 1;
    }
    i
}

/// Reads the use tree at `i` under `prefix` into `out`; returns where it ends.
fn use_tree(
    c: &[char],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) -> usize {
    loop {
        i = skip_ws(c, i);
        match c.get(i) {
            Some('{') => {
                i += 1;
                loop {
                    i = skip_ws(c, i);
                    match c.get(i) {
                        Some('}') => return i + 1,
                        Some(',') => i += 1,
                        Some(_) => {
                            let end = use_tree(c, i, prefix.clone(), out);
                            if end == i {
                                return i; // malformed: stop here
                            }
                            i = end;
                        }
                        None => return i,
                    }
                }
            }
            Some('*') => return i + 1,
            Some(_) => {
                let Some((word, end)) = ident_at(c, i) else {
                    return i;
                };
                prefix.push(word);
                i = skip_ws(c, end);
                if c.get(i) == Some(&':') && c.get(i + 1) == Some(&':') {
                    i += 2;
                    continue;
                }
                if prefix.last().is_some_and(|s| s == "self") {
                    prefix.pop();
                }
                let mut name = prefix.last().cloned().unwrap_or_default();
                if let Some(("as", after)) = ident_at(c, i).as_ref().map(|(w, e)| (w.as_str(), *e))
                {
                    let at = skip_ws(c, after);
                    match ident_at(c, at) {
                        Some((alias, end)) => {
                            name = alias;
                            i = end;
                        }
                        None => return at,
                    }
                }
                if !prefix.is_empty() && name != "_" {
                    out.push((name, prefix));
                }
                return i;
            }
            None => return i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::code_only;

    fn found(src: &str) -> Vec<String> {
        reexports(&code_only(src))
            .into_iter()
            .map(|(name, path)| format!("{name}={}", path.join("::")))
            .collect()
    }

    #[test]
    fn groups_renames_and_visibilities_are_read() {
        let src = "pub use a::{B, c::D as E, f::{self}};\npub(crate) use crate::g::H;\n\
                   pub(in crate::x) use super::I;\n";
        assert_eq!(
            found(src),
            [
                "B=a::B",
                "E=a::c::D",
                "f=a::f",
                "H=crate::g::H",
                "I=super::I"
            ]
        );
    }

    #[test]
    fn private_uses_globs_and_underscores_are_not_reexports() {
        let src = "use a::B;\npub use c::*;\npub use d::E as _;\nfn repub() {}\nuse f::G;\n\
                   // pub use h::I;\n";
        assert!(found(src).is_empty(), "{:?}", found(src));
    }
}
