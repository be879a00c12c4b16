//! Type tables: space-separated, a header line, the id column first (BMTK's and netbuild's
//! `*_node_types.csv` / `*_edge_types.csv`).

use std::collections::HashSet;
use std::path::Path;

use crate::Sink;

/// Splits one line on runs of spaces/tabs, keeping `"..."` fields (with `""` for a quote) whole.
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while matches!(chars.peek(), Some(' ' | '\t')) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let mut f = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        f.push('"');
                    }
                    Some('"') => break,
                    Some(ch) => f.push(ch),
                    None => return Err("unterminated quoted field".into()),
                }
            }
            if !matches!(chars.peek(), None | Some(' ' | '\t')) {
                return Err("text right after a closing quote".into());
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch == ' ' || ch == '\t' {
                    break;
                }
                f.push(ch);
                chars.next();
            }
        }
        out.push(f);
    }
    Ok(out)
}

/// The type ids of the table at `path`, or `None` when it cannot be used (a finding says why).
pub(crate) fn read_type_ids(
    path: &Path,
    label: &str,
    id_column: &str,
    sink: &mut Sink,
) -> Option<HashSet<i64>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            sink.error(label, "", format!("cannot read: {e}"));
            return None;
        }
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        sink.error(
            label,
            "line 1",
            format!("empty: expected a header line starting with {id_column}"),
        );
        return None;
    };
    let header = match fields(header) {
        Ok(h) => h,
        Err(e) => {
            sink.error(label, "line 1", e);
            return None;
        }
    };
    if header.first().map(String::as_str) != Some(id_column) {
        sink.error(
            label,
            "line 1",
            format!(
                "the first column must be {id_column}, found {:?} (space-separated header expected)",
                header.first().map(String::as_str).unwrap_or("")
            ),
        );
        return None;
    }
    let mut ids = HashSet::new();
    for (i, line) in lines {
        let at = format!("line {}", i + 1);
        let f = match fields(line) {
            Ok(f) => f,
            Err(e) => {
                sink.error(label, &at, e);
                continue;
            }
        };
        if f.len() != header.len() {
            sink.error(
                label,
                &at,
                format!("{} fields, the header has {}", f.len(), header.len()),
            );
        }
        match f[0].parse::<i64>() {
            Ok(id) => {
                if !ids.insert(id) {
                    sink.error(label, &at, format!("{id_column} {id} appears twice"));
                }
            }
            Err(_) => sink.error(
                label,
                &at,
                format!("{id_column} {:?} is not an integer", f[0]),
            ),
        }
    }
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::fields;

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(
            fields(r#"100 "a b" x  "say ""hi""" """#).unwrap(),
            vec!["100", "a b", "x", "say \"hi\"", ""]
        );
        assert!(fields(r#"1 "open"#).is_err());
    }
}
