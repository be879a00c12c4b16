//! The small CSV files a spec may name (`csv = "..."` node columns, `file = "..."` edge lists).
//!
//! In: a path relative to the spec folder, and where the spec names it (for "cannot read" errors).
//! Out: the file as a [`Source`] (so its own errors get line:col in the CSV file) and an iterator
//! over its records: comma-separated fields, optional double quotes (`""` inside quotes is a quote),
//! spaces around fields ignored, blank lines skipped. Each field knows its byte offset.

use crate::located::Source;
use crate::values::R;
use std::ops::Range;
use std::path::Path;

/// Reads `rel` (relative to `dir`, the spec folder); a failure is an error at `at` in `spec`.
pub fn open(spec: &Source, at: &Range<usize>, dir: &Path, rel: &str, what: &str) -> R<Source> {
    let path = dir.join(rel);
    let bytes = std::fs::read(&path)
        .map_err(|e| spec.err(at, format!("cannot read {what} '{}': {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        spec.err(
            at,
            format!(
                "{what} '{}' is not UTF-8 text (at byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(Source::new(&path, text))
}

/// One field of a record and its byte offset in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub text: String,
    pub offset: usize,
}

/// The records of a CSV text, in order.
pub fn records(text: &str) -> Records<'_> {
    Records { text, pos: 0 }
}

pub struct Records<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for Records<'_> {
    /// A record, or (byte offset, message) for a malformed one; iteration stops after an error.
    type Item = Result<Vec<Field>, (usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text.as_bytes();
        // Skip blank lines.
        loop {
            let mut p = self.pos;
            while p < b.len() && matches!(b[p], b' ' | b'\t' | b'\r') {
                p += 1;
            }
            if p >= b.len() {
                self.pos = b.len();
                return None;
            }
            if b[p] == b'\n' {
                self.pos = p + 1;
                continue;
            }
            break;
        }
        let mut fields = Vec::new();
        let mut p = self.pos;
        loop {
            while p < b.len() && matches!(b[p], b' ' | b'\t') {
                p += 1;
            }
            let start = p;
            let mut text = String::new();
            if p < b.len() && b[p] == b'"' {
                p += 1;
                let mut closed = false;
                let mut chunk = p;
                while p < b.len() {
                    if b[p] == b'"' {
                        text.push_str(self.text.get(chunk..p).unwrap_or(""));
                        if p + 1 < b.len() && b[p + 1] == b'"' {
                            text.push('"');
                            p += 2;
                            chunk = p;
                            continue;
                        }
                        p += 1;
                        closed = true;
                        break;
                    }
                    p += 1;
                }
                if !closed {
                    self.pos = b.len();
                    return Some(Err((start, "unterminated quoted field".to_string())));
                }
                while p < b.len() && matches!(b[p], b' ' | b'\t' | b'\r') {
                    p += 1;
                }
                if p < b.len() && b[p] != b',' && b[p] != b'\n' {
                    self.pos = b.len();
                    return Some(Err((
                        p,
                        "expected ',' or the end of the line after a quoted field".to_string(),
                    )));
                }
            } else {
                while p < b.len() && b[p] != b',' && b[p] != b'\n' {
                    p += 1;
                }
                text = self.text.get(start..p).unwrap_or("").trim_end().to_string();
            }
            fields.push(Field {
                text,
                offset: start,
            });
            if p < b.len() && b[p] == b',' {
                p += 1;
                continue;
            }
            // End of line or of file.
            self.pos = (p + 1).min(b.len());
            return Some(Ok(fields));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<Vec<String>> {
        records(s)
            .map(|r| r.unwrap().into_iter().map(|f| f.text).collect())
            .collect()
    }

    #[test]
    fn parses_records() {
        assert_eq!(
            texts("a,b\n1, 2 \r\n\n\"x,\"\"y\"\"\" ,z\n,\n"),
            vec![
                vec!["a", "b"],
                vec!["1", "2"],
                vec!["x,\"y\"", "z"],
                vec!["", ""]
            ]
        );
        let r: Vec<_> = records("a,b\n1,2").map(|r| r.unwrap()).collect();
        assert_eq!(r[1][1].offset, 6);
        assert!(records("\"abc").next().unwrap().is_err());
        assert!(records("\"a\"b,c").next().unwrap().is_err());
        assert_eq!(records("").count(), 0);
    }
}
