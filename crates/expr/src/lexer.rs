//! Lexer: source text in, a list of [`Token`]s with byte spans out (ending with one `Eof` token).
//!
//! Names (`exp`, `src`, `and`, ...) come out as plain [`Tok::Ident`]; the parser decides what they
//! mean, so that unknown names can be reported with a suggestion in one place.

use std::ops::Range;

use crate::ExprError;

/// What a token is. Numbers are already converted; identifiers borrow from the source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tok<'a> {
    Num(f64),
    Ident(&'a str),
    Dot,
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    pub start: usize,
    pub end: usize,
}

impl Token<'_> {
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }
}

fn err(message: impl Into<String>, span: Range<usize>) -> ExprError {
    ExprError {
        message: message.into(),
        span,
    }
}

/// Splits `src` into tokens. The last token is always `Eof` (an empty span at the end).
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        // Two-character operators first, then one-character ones.
        let two = if i + 1 < bytes.len() {
            [c, bytes[i + 1]]
        } else {
            [c, 0]
        };
        let simple = match two {
            [b'<', b'='] => Some((Tok::Le, 2)),
            [b'>', b'='] => Some((Tok::Ge, 2)),
            [b'=', b'='] => Some((Tok::EqEq, 2)),
            [b'!', b'='] => Some((Tok::Ne, 2)),
            // Common habits from other languages: refuse them with the spelling we want, rather
            // than letting them through with a different meaning or a puzzling message.
            [b'*', b'*'] => {
                return Err(err(
                    "`**` is not an operator; write `^` for a power",
                    i..i + 2,
                ))
            }
            [b'&', b'&'] => return Err(err("`&&` is not an operator; write `and`", i..i + 2)),
            [b'|', b'|'] => return Err(err("`||` is not an operator; write `or`", i..i + 2)),
            [b'(', _] => Some((Tok::LParen, 1)),
            [b')', _] => Some((Tok::RParen, 1)),
            [b',', _] => Some((Tok::Comma, 1)),
            [b'+', _] => Some((Tok::Plus, 1)),
            [b'-', _] => Some((Tok::Minus, 1)),
            [b'*', _] => Some((Tok::Star, 1)),
            [b'/', _] => Some((Tok::Slash, 1)),
            [b'%', _] => Some((Tok::Percent, 1)),
            [b'^', _] => Some((Tok::Caret, 1)),
            [b'<', _] => Some((Tok::Lt, 1)),
            [b'>', _] => Some((Tok::Gt, 1)),
            [b'=', _] => {
                return Err(err(
                    "`=` is not an operator; write `==` to compare",
                    i..i + 1,
                ))
            }
            [b'!', _] => return Err(err("`!` is not an operator; write `not`", i..i + 1)),
            // `.5` is a number; any other `.` separates `src`/`trg` from a property name.
            [b'.', d] if !d.is_ascii_digit() => Some((Tok::Dot, 1)),
            _ => None,
        };
        if let Some((tok, len)) = simple {
            out.push(Token {
                tok,
                start,
                end: start + len,
            });
            i += len;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == b'.' {
            let (value, end) = number(src, start)?;
            out.push(Token {
                tok: Tok::Num(value),
                start,
                end,
            });
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(&src[start..i]),
                start,
                end: i,
            });
        } else {
            // `start` is on a char boundary (everything before was ASCII), so this is safe.
            let ch = src[start..].chars().next().unwrap_or('?');
            return Err(err(
                format!("unexpected character `{ch}`"),
                start..start + ch.len_utf8(),
            ));
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        start: src.len(),
        end: src.len(),
    });
    Ok(out)
}

/// Reads `digits [. digits] [e [+-] digits]` (or `. digits ...`) starting at `start`.
fn number(src: &str, start: usize) -> Result<(f64, usize), ExprError> {
    let b = src.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    if i < b.len() && b[i] == b'.' {
        i = digits(i + 1);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let k = digits(j);
        if k == j {
            return Err(err(
                "malformed number: the exponent has no digits",
                start..k,
            ));
        }
        i = k;
    }
    // A letter or `_` glued to a number (`2d`, `1.5x`) is almost surely a missing `*`.
    if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
        let mut k = i;
        while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
            k += 1;
        }
        return Err(err(
            format!("malformed number `{}` (a missing `*`?)", &src[start..k]),
            start..k,
        ));
    }
    let text = &src[start..i];
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((v, i)),
        Ok(_) => Err(err(format!("number `{text}` is too large"), start..i)),
        Err(_) => Err(err(format!("malformed number `{text}`"), start..i)),
    }
}
