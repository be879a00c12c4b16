//! One rank's share of one edges population: its block of targets run through every edge type
//! of the population, in the order the file wants (target ascending, then edge type).
//!
//! In: prepared edge types and a block of target ids. Out: a filled [`EdgeTypesTable`] and the
//! per-source counts the collator needs.

use netbuild_edges::{EdgeTypesTable, TableError};
use netbuild_model::{EdgeRow, EdgeSink, PreparedEdgeType, Scratch};
use std::ops::Range;

/// Counts rows per source node on their way into the table.
struct Counting<'a> {
    table: &'a mut EdgeTypesTable,
    source_counts: &'a mut Vec<u64>,
}

impl EdgeSink for Counting<'_> {
    type Error = TableError;
    #[inline]
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), TableError> {
        if let Some(c) = self.source_counts.get_mut(row.source as usize) {
            *c += 1;
        }
        self.table.push(row)
    }
}

/// Connects every target of `block` for each of `edge_types` into `table`; returns the rows per
/// source node (the source network has `n_sources` nodes).
pub fn generate_block(
    edge_types: &[&PreparedEdgeType<'_>],
    block: Range<u64>,
    n_sources: u64,
    table: &mut EdgeTypesTable,
    mut progress: impl FnMut(u64),
) -> Result<Vec<u64>, TableError> {
    let states: Vec<_> = edge_types
        .iter()
        .map(|e| e.prepare_block(block.clone()))
        .collect();
    let mut source_counts = vec![0u64; n_sources as usize];
    let mut sink = Counting {
        table,
        source_counts: &mut source_counts,
    };
    let mut scratch = Scratch::default();
    for t in block {
        for (e, state) in edge_types.iter().zip(&states) {
            if e.is_target(t) {
                e.connect(state, t, &mut scratch, &mut sink)?;
            }
        }
        progress(t);
    }
    Ok(source_counts)
}
