//! String columns: an edge group's codes turned into the strings the file stores.
//!
//! In: a chunk of rows in file order (each row's edge type, each group's columns, a string
//! column holding `u32` codes) and the population's vocabularies
//! ([`EdgePopulation::strings_of`]). Out: the chunk's strings of each string column, in the
//! group's row order, for the writer thread.
//!
//! Why codes until here: the edge tables, their spill files and the messages to rank 0 carry 4
//! bytes per value whatever the string (and run-length encode a value constant over a target);
//! only the last step, on rank 0, needs the strings. Edge types sharing a group each read their
//! codes with their own vocabulary: a row's edge type says which.

use super::WriteError;
use crate::plan::EdgePopulation;
use netbuild_edges::{Column, RowChunk};
use netbuild_model::ColumnType;

/// The strings of one column of one group: (group, column, one string per row of the group in
/// the chunk).
pub(super) type StringColumn = (usize, usize, Vec<String>);

/// A code that its vocabulary does not hold: the build produced it, so it is a bug, reported
/// as an error rather than a panic on rank 0.
#[derive(Debug, thiserror::Error)]
#[error("edge type {edge_type}: column {column} of its group holds code {code}, its vocabulary has {len} strings (internal error)")]
pub struct BadCode {
    edge_type: usize,
    column: usize,
    code: u32,
    len: usize,
}

/// Fills `out` with the strings of every string column of `c` (reusing its buffers).
pub(super) fn decode(
    c: &RowChunk,
    pop: &EdgePopulation,
    out: &mut Vec<StringColumn>,
) -> Result<(), WriteError> {
    let mut k = 0;
    for (g, columns) in pop.groups.iter().enumerate() {
        for (j, _) in columns
            .iter()
            .enumerate()
            .filter(|(_, (_, t))| *t == ColumnType::Str)
        {
            if out.len() == k {
                out.push((g, j, Vec::new()));
            }
            let (og, oj, strings) = &mut out[k];
            (*og, *oj) = (g, j);
            strings.clear();
            let codes = match c.groups.get(g).and_then(|cols| cols.get(j)) {
                Some(Column::U32(codes)) => codes.as_slice(),
                _ => &[],
            };
            let rows = c
                .edge_type
                .iter()
                .filter(|&&e| pop.group_of_edge_type(e) == g);
            for (&e, &code) in rows.zip(codes) {
                let vocabulary = pop.strings_of(e, j).map_or(&[][..], |v| &v[..]);
                let s = vocabulary.get(code as usize).ok_or(BadCode {
                    edge_type: e,
                    column: j,
                    code,
                    len: vocabulary.len(),
                })?;
                strings.push(s.clone());
            }
            k += 1;
        }
    }
    out.truncate(k);
    Ok(())
}
