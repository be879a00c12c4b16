//! Rust source as the shape checks read it: comments, strings and char literals blanked, then
//! functions found with the lines they span.
//!
//! In: a source file's text. Out: the same text with every byte of a comment (line, block,
//! nested block, doc), a string (plain, byte, raw with any number of `#`, C) or a char literal
//! replaced by a space, newlines kept so that line numbers do not move; and, from that, each
//! `fn` with a body and its length in lines. Lifetimes and labels (`'a`) are kept: a quote is a
//! char literal only when it closes one char later or starts an escape.

/// `src` with comments, strings and char literals blanked (newlines kept).
pub fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, chars: &[char]| {
        out.extend(chars.iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < c.len() {
        let end = if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            c[i..]
                .iter()
                .position(|&ch| ch == '\n')
                .map_or(c.len(), |n| i + n)
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            block_comment_end(&c, i)
        } else if c[i] == '"' {
            string_end(&c, i + 1)
        } else if c[i] == '\'' {
            match char_literal_end(&c, i) {
                Some(end) => end,
                None => {
                    out.push('\'');
                    i += 1;
                    continue;
                }
            }
        } else if is_ident_start(c[i]) {
            let start = i;
            while i < c.len() && is_ident(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            match raw_string_end(&c, i, &word) {
                Some(end) => {
                    blank(&mut out, &c[start..end]);
                    i = end;
                }
                None => out.push_str(&word),
            }
            continue;
        } else {
            out.push(c[i]);
            i += 1;
            continue;
        };
        blank(&mut out, &c[i..end]);
        i = end;
    }
    out
}

pub fn is_ident_start(ch: char) -> bool {
    ch.is_alphabetic() || ch == '_'
}

pub fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// The index after the `*/` closing the (nested) block comment opened at `i`.
fn block_comment_end(c: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    c.len()
}

/// The index after the `"` closing a string whose text starts at `i` (escapes honoured).
fn string_end(c: &[char], mut i: usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    c.len()
}

/// The index after a char literal opened at `i`, or `None` for a lifetime or a label.
fn char_literal_end(c: &[char], i: usize) -> Option<usize> {
    if c.get(i + 1) == Some(&'\\') {
        // The escaped char is at i + 2 (a quote itself in '\''); the closing quote follows it.
        let close = c.get(i + 3..)?.iter().position(|&ch| ch == '\'')?;
        Some(i + 3 + close + 1)
    } else if c.get(i + 2) == Some(&'\'') {
        Some(i + 3)
    } else {
        None
    }
}

/// After the word `r`, `br` or `cr` ending at `i`: the end of the raw string it opens, if any
/// (`r#ident`, a raw identifier, opens none).
fn raw_string_end(c: &[char], i: usize, word: &str) -> Option<usize> {
    if !matches!(word, "r" | "br" | "cr") {
        return None;
    }
    let hashes = c[i..].iter().take_while(|&&ch| ch == '#').count();
    if c.get(i + hashes) != Some(&'"') {
        return None;
    }
    let mut j = i + hashes + 1;
    while j < c.len() {
        if c[j] == '"'
            && c[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&ch| ch == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// A function with a body: its name, the line of its `fn` (1-based) and its length in lines,
/// from that line to the line of its closing brace.
#[derive(Debug, PartialEq)]
pub struct FnSpan {
    pub name: String,
    pub line: usize,
    pub lines: usize,
}

/// Every `fn name` with a body in `code` (the output of [`code_only`]), nested ones included.
/// A declaration without a body (`fn f();` in a trait) and a pointer type (`fn(u8)`) are skipped.
pub fn functions(code: &str) -> Vec<FnSpan> {
    let c: Vec<char> = code.chars().collect();
    let line_at = |pos: usize| 1 + c[..pos].iter().filter(|&&ch| ch == '\n').count();
    let mut found = Vec::new();
    for i in 0..c.len().saturating_sub(2) {
        let word_start = i == 0 || !is_ident(c[i - 1]);
        if !(word_start && c[i] == 'f' && c[i + 1] == 'n' && !is_ident(c[i + 2])) {
            continue;
        }
        let mut j = i + 2;
        while j < c.len() && c[j].is_whitespace() {
            j += 1;
        }
        if j == c.len() || !is_ident_start(c[j]) {
            continue;
        }
        if c[j] == 'r' && c.get(j + 1) == Some(&'#') {
            j += 2; // a raw identifier: fn r#try
        }
        let name_end = (j..c.len()).find(|&k| !is_ident(c[k])).unwrap_or(c.len());
        let name: String = c[j..name_end].iter().collect();
        let Some(open) = body_open(&c, name_end) else {
            continue;
        };
        let Some(close) = matching_brace(&c, open) else {
            continue;
        };
        let line = line_at(i);
        found.push(FnSpan {
            name,
            line,
            lines: line_at(close) - line + 1,
        });
    }
    found
}

/// The `{` opening a function's body after its signature (from `i`), or `None` at a `;` first.
fn body_open(c: &[char], i: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, &ch) in c.iter().enumerate().skip(i) {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '{' if depth == 0 => return Some(k),
            ';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The index of the `}` closing the `{` at `open`.
pub fn matching_brace(c: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &ch) in c.iter().enumerate().skip(open) {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(src: &str) -> Vec<(String, usize, usize)> {
        functions(&code_only(src))
            .into_iter()
            .map(|f| (f.name, f.line, f.lines))
            .collect()
    }

    #[test]
    fn braces_in_strings_chars_and_comments_do_not_count() {
        let src = r####"fn a() {
    let s = "}}}";
    let t = r#"{ "quoted" }"#;
    let u = br##"}"#"##;
    let c = '}';
    let d = ['\'','}', '\\', '{'];
    let e = '\u{7d}';
    // } a comment
    /* } a /* nested } */ block */
    /// }
    let l: &'static str = "\"}";
}
fn b<'a>(x: &'a str) -> &'a str {
    'outer: loop { break 'outer; }
    x
}
"####;
        assert_eq!(
            spans(src),
            vec![("a".to_string(), 1, 12), ("b".to_string(), 13, 4)]
        );
    }

    #[test]
    fn declarations_pointers_and_nested_functions() {
        let src = "trait T {\n    fn f(&self, x: [u8; 2]);\n    fn g(&self) -> u8 {\n        1\n    }\n}\n\
                   fn h(f: fn(u8) -> u8) -> u8 {\n    fn inner() {}\n    f(2)\n}\n\
                   fn r#try() where u8: Copy {\n}\n";
        assert_eq!(
            spans(src),
            vec![
                ("g".to_string(), 3, 3),
                ("h".to_string(), 7, 4),
                ("inner".to_string(), 8, 1),
                ("try".to_string(), 11, 2),
            ]
        );
    }

    #[test]
    fn blanking_keeps_lines_and_raw_identifiers() {
        let src = "let r#type = 1; // x\nlet s = \"a\nb\";\n";
        let code = code_only(src);
        assert_eq!(code.lines().count(), src.lines().count());
        assert!(code.starts_with("let r#type = 1;"));
        assert_eq!(code.lines().nth(1).map(str::trim), Some("let s ="));
        assert!(!code.contains('x'));
    }
}
