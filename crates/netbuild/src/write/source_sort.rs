//! `sort_edges_by = "source"`: rank 0 re-orders the target-ordered rows by source, out of core.
//!
//! In: every row of a population in target order (as rules make them) and the global rows per
//! source node. Out: the same rows in source order (ties keep target order), chunk by chunk.
//!
//! How: the source ids are cut into ranges ("buckets") whose rows fit the memory plan's
//! `source_sort` share; the first pass appends each row to its bucket's [`EdgeTypesTable`] (the
//! buckets' tables split the share, each spills past its part); the second pass reads one
//! bucket at a time, sorts it in memory (stable, by source) and hands it on. Two sequential
//! passes over the data, never a random access.

use super::buckets::NodeBuckets;
use super::{WriteContext, WriteError};
use crate::collate::Collated;
use crate::plan::EdgePopulation;
use netbuild_model::{EdgeRow, EdgeSink};
use netbuild_spill::{column::width, EdgeTypesTable, RowChunk, SpillPolicy, TableReader};

/// Pass 1: distributes rows into buckets of consecutive source ids. Returns the buckets in
/// source order and the rows per target node (for the target_to_source index).
pub(super) fn bucket(
    next: &mut dyn FnMut() -> Result<Option<RowChunk>, WriteError>,
    pop: &EdgePopulation,
    collated: &Collated,
    n_targets: u64,
    ctx: &WriteContext<'_>,
) -> Result<(Vec<TableReader>, Vec<u64>), WriteError> {
    let share = ctx.memory.source_sort;
    let group_bytes = pop
        .groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|(_, c)| width(crate::plan::table_dtype(*c)))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    // Core columns, the widest group row, and the sort's own index and group position.
    let row_bytes = (12 + group_bytes + 16) as u64;
    let buckets = NodeBuckets::cut(&collated.source_counts, (share / row_bytes).max(1));
    let layout = pop.table_layout();
    let policy = SpillPolicy {
        dir: ctx.spill_dir.to_path_buf(),
        budget: (share / buckets.len() as u64).max(1 << 20),
    };
    let mut tables: Vec<EdgeTypesTable> = (0..buckets.len())
        .map(|_| EdgeTypesTable::new(&layout, policy.clone()))
        .collect();
    let mut target_counts = vec![0u64; n_targets as usize];
    let mut props: Vec<f64> = Vec::new();
    while let Some(c) = next()? {
        let mut cursor = vec![0usize; c.groups.len()];
        for i in 0..c.len() {
            let et = c.edge_type[i];
            let g = pop.group_of_edge_type(et);
            let k = cursor[g];
            cursor[g] += 1;
            let cols = &c.groups[g];
            props.clear();
            let nsyns = if pop.is_nsyns_group(g) {
                cols[0].get_f64(k) as u32
            } else {
                props.extend(cols.iter().map(|col| col.get_f64(k)));
                1
            };
            let (source, target) = (c.source[i], c.target[i]);
            target_counts[target as usize] += 1;
            let b = buckets.of(u64::from(source));
            tables[b].push(EdgeRow {
                edge_type: et,
                source: u64::from(source),
                target: u64::from(target),
                nsyns,
                properties: &props,
            })?;
        }
    }
    let readers = tables
        .into_iter()
        .map(EdgeTypesTable::finish)
        .collect::<Result<_, _>>()?;
    Ok((readers, target_counts))
}

/// Pass 2: each bucket, sorted by source (stable), to `out`.
pub(super) fn drain_sorted(
    buckets: Vec<TableReader>,
    pop: &EdgePopulation,
    out: &mut dyn FnMut(RowChunk) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    for mut reader in buckets {
        let c = reader.next_rows(usize::MAX)?;
        if !c.is_empty() {
            out(sort_by_source(&c, |et| pop.group_of_edge_type(et)))?;
        }
    }
    Ok(())
}

/// The rows of `c` ordered by source; rows with the same source keep their order. Group columns
/// follow their rows.
fn sort_by_source(c: &RowChunk, group_of: impl Fn(usize) -> usize) -> RowChunk {
    let mut order: Vec<usize> = (0..c.len()).collect();
    order.sort_by_key(|&i| c.source[i]);
    // Each row's group, and its position among that group's rows in `c`.
    let mut cursor = vec![0usize; c.groups.len()];
    let place: Vec<(usize, usize)> = c
        .edge_type
        .iter()
        .map(|&et| {
            let g = group_of(et);
            cursor[g] += 1;
            (g, cursor[g] - 1)
        })
        .collect();
    let mut positions: Vec<Vec<usize>> = vec![Vec::new(); c.groups.len()];
    for &i in &order {
        let (g, k) = place[i];
        positions[g].push(k);
    }
    RowChunk {
        source: order.iter().map(|&i| c.source[i]).collect(),
        target: order.iter().map(|&i| c.target[i]).collect(),
        edge_type: order.iter().map(|&i| c.edge_type[i]).collect(),
        groups: c
            .groups
            .iter()
            .zip(&positions)
            .map(|(cols, pos)| cols.iter().map(|col| col.gather(pos)).collect())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netbuild_types::NumColumn;

    #[test]
    fn stable_sort_keeps_group_columns_with_their_rows() {
        // Edge type 0 → group 0 (one column), edge type 1 → group 1.
        let c = RowChunk {
            source: vec![3, 1, 3, 0, 1],
            target: vec![0, 0, 1, 1, 2],
            edge_type: vec![0, 1, 1, 0, 0],
            groups: vec![
                vec![NumColumn::U32(vec![10, 11, 12])],
                vec![NumColumn::F32(vec![0.5, 1.5])],
            ],
        };
        let s = sort_by_source(&c, |et| et);
        assert_eq!(s.source, vec![0, 1, 1, 3, 3]);
        assert_eq!(s.target, vec![1, 0, 2, 0, 1]);
        assert_eq!(s.edge_type, vec![0, 1, 0, 0, 1]);
        assert_eq!(s.groups[0], vec![NumColumn::U32(vec![11, 12, 10])]);
        assert_eq!(s.groups[1], vec![NumColumn::F32(vec![0.5, 1.5])]);
    }
}
