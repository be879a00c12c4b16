//! TOML with byte spans, and byte offsets turned into 1-based line:column.
//!
//! In: the text of a spec file and its path. Out: a [`Source`] (text, file, folder, line index)
//! and a tree of [`Node`]s in which every key and value knows its byte range in the text, and every
//! table keeps its keys in file order. A TOML syntax error comes out as a located [`SpecError`].
//! The rest of the crate reads only this tree, never `toml_edit` directly.

use crate::{Loc, SpecError};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml_edit::{ImDocument, Item, Value};

/// A text with a file name and a line index, for turning byte offsets into [`Loc`]s.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: Arc<PathBuf>,
    pub text: String,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(file: &Path, text: String) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            file: Arc::new(file.to_path_buf()),
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of byte `offset`; past the end means the end.
    pub fn loc(&self, offset: usize) -> Loc {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Loc {
            file: self.file.clone(),
            line,
            col,
        }
    }

    /// An error at byte `offset`.
    pub fn err_at(&self, offset: usize, message: impl Into<String>) -> SpecError {
        SpecError {
            loc: self.loc(offset),
            message: message.into(),
        }
    }

    /// An error at the start of `span`.
    pub fn err(&self, span: &Range<usize>, message: impl Into<String>) -> SpecError {
        self.err_at(span.start, message)
    }
}

/// A value with the byte range of its source text (for a string: quotes included).
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime,
    Array(Vec<Node>),
    Table(Table),
}

/// A table (standard, inline, or one element of an array of tables), keys in file order.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

impl Node {
    pub fn as_table(&self) -> Option<&Table> {
        match &self.kind {
            Kind::Table(t) => Some(t),
            _ => None,
        }
    }
}

/// Parses `source` into the root table.
pub fn parse(source: &Source) -> Result<Table, SpecError> {
    let doc = ImDocument::parse(source.text.as_str()).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        source.err_at(offset, format!("invalid TOML: {message}"))
    })?;
    Ok(convert_table(doc.as_table(), 0..0).0)
}

/// Converts a standard table; returns it with its span (the header, or `fallback`).
fn convert_table(t: &toml_edit::Table, fallback: Range<usize>) -> (Table, Range<usize>) {
    let mut entries = Vec::new();
    for (k, item) in t.iter() {
        let key_span = t.key(k).and_then(|k| k.span()).unwrap_or(fallback.clone());
        if let Some(value) = convert_item(item, key_span.clone()) {
            entries.push(Entry {
                key: k.to_string(),
                key_span,
                value,
            });
        }
    }
    (Table { entries }, t.span().unwrap_or(fallback))
}

fn convert_item(item: &Item, key_span: Range<usize>) -> Option<Node> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(convert_value(v, key_span)),
        Item::Table(t) => {
            let (table, span) = convert_table(t, key_span);
            Some(Node {
                span,
                kind: Kind::Table(table),
            })
        }
        Item::ArrayOfTables(a) => {
            let elems = a
                .iter()
                .map(|t| {
                    let (table, span) = convert_table(t, key_span.clone());
                    Node {
                        span,
                        kind: Kind::Table(table),
                    }
                })
                .collect();
            Some(Node {
                span: a.span().unwrap_or(key_span),
                kind: Kind::Array(elems),
            })
        }
    }
}

fn convert_value(v: &Value, fallback: Range<usize>) -> Node {
    let span = v.span().unwrap_or(fallback.clone());
    let kind = match v {
        Value::String(s) => Kind::Str(s.value().clone()),
        Value::Integer(i) => Kind::Int(*i.value()),
        Value::Float(f) => Kind::Float(*f.value()),
        Value::Boolean(b) => Kind::Bool(*b.value()),
        Value::Datetime(_) => Kind::Datetime,
        Value::Array(a) => Kind::Array(a.iter().map(|e| convert_value(e, span.clone())).collect()),
        Value::InlineTable(t) => {
            let mut entries = Vec::new();
            for (k, value) in t.iter() {
                let key_span = t.key(k).and_then(|k| k.span()).unwrap_or(span.clone());
                entries.push(Entry {
                    key: k.to_string(),
                    key_span: key_span.clone(),
                    value: convert_value(value, key_span),
                });
            }
            Kind::Table(Table { entries })
        }
    };
    Node { span, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let s = Source::new(Path::new("a.toml"), "ab\nc\u{e9}d\n".to_string());
        let l = s.loc(0);
        assert_eq!((l.line, l.col), (1, 1));
        let l = s.loc(3);
        assert_eq!((l.line, l.col), (2, 1));
        // 'd' comes after a two-byte character: column 3.
        let l = s.loc(6);
        assert_eq!((l.line, l.col), (2, 3));
        let l = s.loc(5); // inside the two-byte char: rounds down
        assert_eq!((l.line, l.col), (2, 2));
        let l = s.loc(1000);
        assert_eq!((l.line, l.col), (3, 1));
    }

    #[test]
    fn spans_of_array_of_tables() {
        let s = Source::new(
            Path::new("a.toml"),
            "[[nodes]]\nN = 1\n\n[[nodes]]\nx = { a = \"q\" }\n".to_string(),
        );
        let root = parse(&s).unwrap();
        let nodes = &root.get("nodes").unwrap().value;
        let Kind::Array(blocks) = &nodes.kind else {
            panic!()
        };
        let l = s.loc(blocks[1].span.start);
        assert_eq!((l.line, l.col), (4, 1));
        let x = blocks[1].as_table().unwrap().get("x").unwrap();
        assert_eq!(s.loc(x.key_span.start).col, 1);
        assert_eq!(s.loc(x.value.span.start).col, 5);
        let a = x.value.as_table().unwrap().get("a").unwrap();
        assert_eq!(s.loc(a.value.span.start).col, 11);
    }
}
