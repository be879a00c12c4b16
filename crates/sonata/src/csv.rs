//! Type tables (`<net>_node_types.csv`, `<src>_<trg>_edge_types.csv`): space-separated, header
//! line first, as BMTK writes them (Python's `csv.writer(delimiter=' ')` with `NULL` for a
//! missing value) and as BMTK (`pd.read_csv(sep=' ')`) and NEST (`sep=r"\s+"`) read them.
//!
//! Quoting follows Python's `QUOTE_MINIMAL` with `"` as the quote character and doubled
//! inner quotes; besides a space, `"` and line breaks, a tab or an empty string is quoted too,
//! so that whitespace-splitting readers keep the columns aligned.

use std::io::Write;
use std::path::Path;

use crate::error::SonataError;

/// The marker BMTK writes for a property a type does not have.
pub const MISSING: &str = "NULL";

/// A table of types: column names (the id column first) and rows of optional values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeTable {
    /// Column names, the id column first.
    pub columns: Vec<String>,
    /// One row per type, a value per column (`None` is written as [`MISSING`]).
    pub rows: Vec<Vec<Option<String>>>,
}

/// Writes `<net>_node_types.csv`; the first column must be `node_type_id`.
pub fn write_node_types(path: &Path, table: &TypeTable) -> Result<(), SonataError> {
    check_id_column(path, table, "node_type_id")?;
    write_type_table(path, table)
}

/// Writes `<src>_<trg>_edge_types.csv`; the first column must be `edge_type_id`.
pub fn write_edge_types(path: &Path, table: &TypeTable) -> Result<(), SonataError> {
    check_id_column(path, table, "edge_type_id")?;
    write_type_table(path, table)
}

fn check_id_column(path: &Path, table: &TypeTable, id: &str) -> Result<(), SonataError> {
    if table.columns.first().map(String::as_str) != Some(id) {
        return Err(SonataError::invalid(
            path,
            "header",
            format!(
                "the first column must be {id:?}, found {:?}",
                table.columns.first()
            ),
        ));
    }
    Ok(())
}

/// Writes any type table (no check of the id column).
pub fn write_type_table(path: &Path, table: &TypeTable) -> Result<(), SonataError> {
    let mut out = String::new();
    push_line(&mut out, table.columns.iter().map(|c| Some(c.as_str())));
    for (i, row) in table.rows.iter().enumerate() {
        if row.len() != table.columns.len() {
            return Err(SonataError::invalid(
                path,
                format!("row {}", i + 1),
                format!("{} values for {} columns", row.len(), table.columns.len()),
            ));
        }
        push_line(&mut out, row.iter().map(|v| v.as_deref()));
    }
    let mut f = std::fs::File::create(path).map_err(|e| SonataError::io(path, e))?;
    f.write_all(out.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| SonataError::io(path, e))
}

fn push_line<'a>(out: &mut String, values: impl Iterator<Item = Option<&'a str>>) {
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_field(out, v.unwrap_or(MISSING));
    }
    out.push('\n');
}

/// Appends one field, quoted when needed.
pub(crate) fn push_field(out: &mut String, v: &str) {
    let needs = v.is_empty() || v.contains([' ', '\t', '"', '\n', '\r']);
    if !needs {
        out.push_str(v);
        return;
    }
    out.push('"');
    for c in v.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(v: &str) -> String {
        let mut s = String::new();
        push_field(&mut s, v);
        s
    }

    #[test]
    fn quoting() {
        assert_eq!(field("iaf_psc_alpha"), "iaf_psc_alpha");
        assert_eq!(field("nest:iaf_psc_alpha"), "nest:iaf_psc_alpha");
        assert_eq!(field("a b"), "\"a b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field(""), "\"\"");
        assert_eq!(field("a\tb"), "\"a\tb\"");
        assert_eq!(field("[1, 2]"), "\"[1, 2]\"");
    }
}
