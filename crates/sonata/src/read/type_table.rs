//! Type tables (`*_node_types.csv`, `*_edge_types.csv`) as BMTK and netbuild write them, for
//! every reader: space-separated, header line first, `"`-quoted fields with doubled inner
//! quotes, `NULL` for a missing value (see [`crate::write_type_table`] for the writing side).
//!
//! In: the table's text (or its path). Out: its lines split into fields ([`lines`],
//! [`split_fields`]) for readers that check each line themselves (`validate`), a
//! [`TypeTable`] ([`parse_type_table`]), or one keyed by type id ([`TypesById`], `report`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::csv::{TypeTable, MISSING};
use crate::error::SonataError;

/// The lines of a type table that hold something, with their line numbers (from 1).
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
}

/// Splits one line on runs of spaces and tabs, keeping `"..."` fields (with `""` for a quote)
/// whole; an unquoted `NULL` is `None`. `Err` says what is wrong with the quoting.
pub fn split_fields(line: &str) -> Result<Vec<Option<String>>, String> {
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
            out.push(Some(f));
        } else {
            while let Some(ch) = chars.next_if(|&ch| ch != ' ' && ch != '\t') {
                f.push(ch);
            }
            out.push((f != MISSING).then_some(f));
        }
    }
    Ok(out)
}

/// Reads a type table (`*_node_types.csv`, `*_edge_types.csv`) as BMTK and netbuild write it:
/// whitespace-separated, header first, `"`-quoted fields with doubled inner quotes, `NULL` for
/// a missing value. Every row must hold an integer `id_column` and no more fields than the
/// header (a shorter row misses its last values).
pub fn read_type_table(path: &Path, id_column: &str) -> Result<TypeTable, SonataError> {
    let text = std::fs::read_to_string(path).map_err(|e| SonataError::io(path, e))?;
    parse_type_table(&text, id_column).map_err(|(line, m)| SonataError::invalid(path, line, m))
}

/// [`read_type_table`] on text; the error names the line.
pub fn parse_type_table(text: &str, id_column: &str) -> Result<TypeTable, (String, String)> {
    let mut lines = lines(text);
    let Some((at, header)) = lines.next() else {
        return Err(("line 1".into(), "empty file; expected a header line".into()));
    };
    let columns: Vec<String> = split_fields(header)
        .map_err(|m| (format!("line {at}"), m))?
        .into_iter()
        .map(|f| f.unwrap_or_else(|| MISSING.to_string()))
        .collect();
    let Some(id_at) = columns.iter().position(|c| c == id_column) else {
        return Err((format!("line {at}"), format!("no {id_column} column")));
    };
    let mut rows = Vec::new();
    for (i, line) in lines {
        let at = || format!("line {i}");
        let mut fields = split_fields(line).map_err(|m| (at(), m))?;
        if fields.len() > columns.len() {
            return Err((
                at(),
                format!("{} fields for {} columns", fields.len(), columns.len()),
            ));
        }
        fields.resize(columns.len(), None);
        let id_ok = fields[id_at]
            .as_deref()
            .is_some_and(|f| f.parse::<i64>().is_ok());
        if !id_ok {
            return Err((at(), format!("no integer {id_column}")));
        }
        rows.push(fields);
    }
    Ok(TypeTable { columns, rows })
}

/// A [`TypeTable`] with its rows found by type id: what readers that look values up by type
/// need (`report`). When an id is on several rows, the last one holds.
#[derive(Debug, Clone, Default)]
pub struct TypesById {
    table: TypeTable,
    /// type id -> row of `table`.
    rows: BTreeMap<i64, usize>,
}

impl TypesById {
    /// Reads the table at `path` ([`read_type_table`]), keyed by `id_column`.
    pub fn read(path: &Path, id_column: &str) -> Result<TypesById, SonataError> {
        Ok(TypesById::new(read_type_table(path, id_column)?, id_column))
    }

    /// `table` keyed by its column `id_column` (rows without an integer id are left out).
    pub fn new(table: TypeTable, id_column: &str) -> TypesById {
        let id_at = table
            .columns
            .iter()
            .position(|c| c == id_column)
            .unwrap_or(0);
        let rows = table
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((r.get(id_at)?.as_deref()?.parse::<i64>().ok()?, i)))
            .collect();
        TypesById { table, rows }
    }

    /// The column names, the id column included.
    pub fn columns(&self) -> &[String] {
        &self.table.columns
    }

    /// The type ids, ascending.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.rows.keys().copied()
    }

    /// The value of `column` for type `id`, if present and not `NULL`.
    pub fn get(&self, id: i64, column: &str) -> Option<&str> {
        let at = self.table.columns.iter().position(|c| c == column)?;
        let row = self.table.rows.get(*self.rows.get(&id)?)?;
        row.get(at)?.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_tables_as_bmtk_writes_them() {
        let t = parse_type_table(
            "node_type_id model_type pop_name \"odd name\"\n100 virtual \"a \"\"b\"\"\" NULL\n\n101 point_neuron\n",
            "node_type_id",
        )
        .unwrap();
        assert_eq!(
            t.columns,
            ["node_type_id", "model_type", "pop_name", "odd name"]
        );
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][2].as_deref(), Some("a \"b\""));
        assert_eq!(t.rows[0][3], None);
        assert_eq!(
            t.rows[1],
            [Some("101".into()), Some("point_neuron".into()), None, None]
        );
        let e = parse_type_table("node_type_id a\nx 1\n", "node_type_id").unwrap_err();
        assert_eq!(e.0, "line 2");
        assert!(parse_type_table("a b\n", "node_type_id").is_err());
        let e = parse_type_table("node_type_id a\n1 \"open\n", "node_type_id").unwrap_err();
        assert_eq!(e, ("line 2".into(), "unterminated quoted field".into()));
    }

    #[test]
    fn types_by_id_as_readers_look_them_up() {
        let text = "edge_type_id target_query source_query model_template note\n\
             101 \"pop_name=='a b'\" ei=='i' static_synapse \"\"\"x\"\"\"\n\
             100 * ei=='e' static_synapse NULL\n";
        let t = TypesById::new(
            parse_type_table(text, "edge_type_id").unwrap(),
            "edge_type_id",
        );
        assert_eq!(t.ids().collect::<Vec<_>>(), [100, 101]);
        assert_eq!(t.get(100, "source_query"), Some("ei=='e'"));
        assert_eq!(t.get(100, "note"), None);
        assert_eq!(t.get(101, "target_query"), Some("pop_name=='a b'"));
        assert_eq!(t.get(101, "note"), Some("\"x\""));
        assert_eq!(t.get(102, "note"), None);
        assert_eq!(t.columns()[0], "edge_type_id");
    }

    #[test]
    fn splits_quoted_fields() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            split_fields(r#"100 "a b" x  "say ""hi""" "" NULL "NULL""#).unwrap(),
            vec![
                some("100"),
                some("a b"),
                some("x"),
                some("say \"hi\""),
                some(""),
                None,
                some("NULL")
            ]
        );
        assert_eq!(
            split_fields(r#"1 "open"#).unwrap_err(),
            "unterminated quoted field"
        );
        assert_eq!(
            split_fields(r#"1 "a"b"#).unwrap_err(),
            "text right after a closing quote"
        );
        assert_eq!(
            lines("a\n\n  \nb\n").collect::<Vec<_>>(),
            [(1, "a"), (4, "b")]
        );
    }
}
