//! Type tables: space-separated, a header line, the id column first (BMTK's and netbuild's
//! `*_node_types.csv` / `*_edge_types.csv`), split into lines and fields by netbuild's one
//! type-table reader ([`netbuild_sonata::read::type_table`]); every line is checked, each
//! thing wrong a finding.

use std::collections::HashSet;
use std::path::Path;

use netbuild_sonata::read::type_table::{lines, split_fields};
use netbuild_sonata::MISSING;

use crate::Sink;

/// A field as read, `NULL` for a missing value (as it stands in the file).
fn shown(f: &Option<String>) -> &str {
    f.as_deref().unwrap_or(MISSING)
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
    let mut lines = lines(&text);
    let Some((_, header)) = lines.next() else {
        sink.error(
            label,
            "line 1",
            format!("empty: expected a header line starting with {id_column}"),
        );
        return None;
    };
    let header = match split_fields(header) {
        Ok(h) => h,
        Err(e) => {
            sink.error(label, "line 1", e);
            return None;
        }
    };
    if header.first().map(shown) != Some(id_column) {
        let first = header.first().map_or("", shown);
        sink.error(
            label,
            "line 1",
            format!(
                "the first column must be {id_column}, found {first:?} (space-separated header expected)"
            ),
        );
        return None;
    }
    let mut ids = HashSet::new();
    for (i, line) in lines {
        let at = format!("line {i}");
        let f = match split_fields(line) {
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
        let id = f.first().map_or(MISSING, shown);
        match id.parse::<i64>() {
            Ok(id) => {
                if !ids.insert(id) {
                    sink.error(label, &at, format!("{id_column} {id} appears twice"));
                }
            }
            Err(_) => sink.error(label, &at, format!("{id_column} {id:?} is not an integer")),
        }
    }
    Some(ids)
}
