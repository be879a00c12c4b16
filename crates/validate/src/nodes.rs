//! Nodes files: `/nodes/<pop>/{node_type_id, node_group_id, node_group_index[, node_id]}` and
//! the groups `/nodes/<pop>/<g>`.

use std::collections::HashSet;

use hdf5::Group;

use crate::group_refs::GroupRefs;
use crate::h5util::{self, show, IntDs};
use crate::{Sink, BLOCK};
use netbuild_sonata::NetworkFile;

/// Checks the populations of one nodes file; returns (population, node count) for each
/// population whose size could be read.
pub(crate) fn check_file(
    entry: &NetworkFile,
    types: Option<&HashSet<i64>>,
    sink: &mut Sink,
) -> Vec<(String, u64)> {
    let label = entry.label.as_str();
    let mut out = Vec::new();
    for (pop, ppath, g) in h5util::populations(entry, "nodes", sink).list {
        if let Some(n) = check_population(&g, &ppath, label, types, sink) {
            out.push((pop, n));
        }
    }
    out
}

fn check_population(
    g: &Group,
    ppath: &str,
    label: &str,
    types: Option<&HashSet<i64>>,
    sink: &mut Sink,
) -> Option<u64> {
    let type_id = h5util::int_dataset(g, ppath, "node_type_id", 0, true, label, sink);
    let group_id = h5util::int_dataset(g, ppath, "node_group_id", 0, true, label, sink);
    let group_index = h5util::int_dataset(g, ppath, "node_group_index", 0, true, label, sink);
    let node_id = h5util::int_dataset(g, ppath, "node_id", 0, false, label, sink);

    let columns = [&type_id, &group_id, &group_index, &node_id];
    let (n, lengths_ok) = h5util::same_rows(&columns, label, sink)?;
    if !lengths_ok {
        return Some(n);
    }

    let rows = h5util::group_row_counts(g, ppath, label, sink);
    if rows.is_empty() {
        sink.error(label, ppath, "no node group (expected at least /0)");
    }
    let mut refs = GroupRefs::new(rows);

    let mut lo = 0u64;
    while lo < n {
        let hi = (lo + BLOCK as u64).min(n);
        let read = |d: &Option<IntDs>, sink: &mut Sink| h5util::read_rows(d, lo, hi, label, sink);
        let tids = read(&type_id, sink);
        let gids = read(&group_id, sink);
        let gidx = read(&group_index, sink);
        let nids = read(&node_id, sink);
        if let (Some(gids), Some(gidx)) = (&gids, &gidx) {
            refs.check("node", lo, gids, gidx, n, label, ppath, sink);
        }
        if let (Some(tids), Some(types)) = (&tids, types) {
            for (k, &t) in tids.iter().enumerate() {
                if t == h5util::NEG || !types.contains(&(t as i64)) {
                    sink.error(
                        label,
                        &format!("{ppath}/node_type_id"),
                        format!(
                            "node {}: node_type_id {} is not in the node types table",
                            lo + k as u64,
                            show(t)
                        ),
                    );
                }
            }
        }
        if let Some(nids) = &nids {
            if let Some(k) = nids
                .iter()
                .enumerate()
                .position(|(k, &v)| v != lo + k as u64)
            {
                sink.note(
                    label,
                    &format!("{ppath}/node_id"),
                    format!(
                        "row {} holds {}: readers take the row number as the node id",
                        lo + k as u64,
                        show(nids[k])
                    ),
                );
            }
        }
        lo = hi;
    }
    refs.finish("node", label, ppath, sink);
    Some(n)
}
