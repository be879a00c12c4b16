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

use super::error::{BadCode, WriteError};
use crate::plan::EdgePopulation;
use netbuild_model::ColumnType;
use netbuild_spill::RowChunk;
use netbuild_types::NumColumn;

/// The strings of one column of one group: (group, column, one string per row of the group in
/// the chunk).
pub(super) type StringColumn = (usize, usize, Vec<String>);

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
                Some(NumColumn::U32(codes)) => codes.as_slice(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::edge_populations;
    use netbuild_model::{all_nodes, generate_networks, Circuit, Dtype, EdgeValue, Rule};
    use std::sync::Arc;

    fn code() -> EdgeValue {
        EdgeValue::Custom(Arc::new(|_, _| 0.0))
    }

    /// Edge types 0 and 2 share a group (a string and an f32 column) with their own strings;
    /// edge type 1 stores the same name as numbers, in a group of its own.
    fn population() -> EdgePopulation {
        let mut c = Circuit::new(1);
        c.add_nodes("a", 10);
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll)
            .string_prop("receptor", words(&["AMPA", "NMDA"]), code())
            .edge_prop("w", Dtype::F32, code());
        c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll)
            .edge_prop("receptor", Dtype::U32, code())
            .edge_prop("w", Dtype::F32, code());
        c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll)
            .string_prop("receptor", words(&["GABA_A", "GABA_B", "é"]), code())
            .edge_prop("w", Dtype::F32, code());
        let nets = generate_networks(&c).unwrap();
        edge_populations(&c, &nets).remove(0)
    }

    fn chunk(edge_type: Vec<usize>, codes: Vec<u32>, other: Vec<u32>) -> RowChunk {
        let n = edge_type.len();
        let w = |k: usize| NumColumn::F32(vec![0.5; k]);
        RowChunk {
            source: vec![0; n],
            target: vec![0; n],
            edge_type,
            groups: vec![
                vec![NumColumn::U32(codes.clone()), w(codes.len())],
                vec![NumColumn::U32(other.clone()), w(other.len())],
            ],
        }
    }

    #[test]
    fn a_shared_group_reads_each_row_with_its_edge_types_strings() {
        let pop = population();
        assert_eq!(pop.group_of, vec![0, 1, 0]);
        assert!(pop.has_strings());
        assert_eq!(pop.groups[0][0], ("receptor".into(), ColumnType::Str));
        assert_eq!(
            pop.groups[1][0],
            ("receptor".into(), ColumnType::Num(Dtype::U32))
        );
        // The table holds the string column as u32 codes.
        assert_eq!(pop.table_layout().groups[0], vec![Dtype::U32, Dtype::F32]);

        let c = chunk(vec![0, 2, 1, 2, 0, 1], vec![1, 2, 0, 0], vec![7, 8]);
        let mut out = Vec::new();
        decode(&c, &pop, &mut out).unwrap();
        let want: Vec<String> = ["NMDA", "é", "GABA_A", "AMPA"].map(String::from).into();
        assert_eq!(out, vec![(0, 0, want)]);
        // Buffers are reused chunk after chunk; a chunk without rows of the group is empty.
        decode(&chunk(vec![1], vec![], vec![3]), &pop, &mut out).unwrap();
        assert_eq!(out, vec![(0, 0, Vec::new())]);
    }

    #[test]
    fn a_code_outside_the_vocabulary_is_an_error() {
        let pop = population();
        let mut out = Vec::new();
        let e = decode(&chunk(vec![0, 2], vec![0, 3], vec![]), &pop, &mut out).unwrap_err();
        assert!(
            e.to_string().contains("edge type 2") && e.to_string().contains("code 3"),
            "{e}"
        );
    }
}
