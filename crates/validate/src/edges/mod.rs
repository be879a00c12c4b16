//! Edges files: `/edges/<pop>/{source_node_id, target_node_id, edge_type_id, edge_group_id,
//! edge_group_index}`, the groups `/edges/<pop>/<g>` and the indices
//! `/edges/<pop>/indices/{source_to_target, target_to_source}`.
//!
//! In: one edges file of the circuit, its edge type ids, the node populations with their
//! sizes. Out: findings in the [`Sink`] and each population's edge count. Each population's
//! rows are streamed once, in blocks ([`Pass`]: ids in range, sort order, group references,
//! type ids), then each index is checked against what that pass learnt (`index`).

mod index;

use std::collections::{BTreeMap, HashSet};

use hdf5::Group;

use crate::group_refs::GroupRefs;
use crate::h5util::{self, mix, show, IntDs, NEG};
use crate::{Sink, BLOCK};
use netbuild_sonata::read::attr::string_attr;
use netbuild_sonata::NetworkFile;

/// Checks the populations of one edges file; returns (population, edge count) for each.
pub(crate) fn check_file(
    entry: &NetworkFile,
    types: Option<&HashSet<i64>>,
    known: &BTreeMap<String, u64>,
    sink: &mut Sink,
) -> Vec<(String, u64)> {
    let label = entry.label.as_str();
    let mut out = Vec::new();
    for (pop, ppath, g) in h5util::populations(entry, "edges", sink).list {
        if let Some(n) = check_population(&g, &ppath, label, types, known, sink) {
            out.push((pop, n));
        }
    }
    out
}

/// The node population named by the `node_population` attribute of an id column, with its size.
fn node_population(
    d: &IntDs,
    label: &str,
    known: &BTreeMap<String, u64>,
    sink: &mut Sink,
) -> Option<(String, u64)> {
    match string_attr(&d.ds, "node_population") {
        Err(e) => {
            sink.error(label, &d.full, format!("attribute node_population: {e}"));
            None
        }
        Ok(None) => {
            sink.error(
                label,
                &d.full,
                "no node_population attribute (the node population its ids belong to)",
            );
            None
        }
        Ok(Some(name)) => match known.get(&name) {
            Some(&n) => Some((name, n)),
            None => {
                let list: Vec<&str> = known.keys().map(String::as_str).collect();
                sink.error(
                    label,
                    &d.full,
                    format!(
                        "node_population '{name}' is no node population of the circuit (known: {})",
                        list.join(", ")
                    ),
                );
                None
            }
        },
    }
}

/// What the streaming pass learns about one side (source or target) for its index.
struct Side {
    which: &'static str,
    pop: String,
    n_nodes: u64,
    counts: Vec<u64>,
    hash: u64,
    /// False when some id was out of range: the index check is then skipped.
    ids_ok: bool,
}

impl Side {
    fn new(which: &'static str, pop: Option<(String, u64)>) -> Option<Side> {
        let (pop, n_nodes) = pop?;
        Some(Side {
            which,
            pop,
            n_nodes,
            counts: vec![0; n_nodes as usize],
            hash: 0,
            ids_ok: true,
        })
    }

    /// One block of this side's ids, from edge `lo`: each inside the node population (said
    /// otherwise, and the index check skipped), counted per node and summed into the checksum.
    fn check_ids(&mut self, col: &[u64], lo: u64, full: &str, label: &str, sink: &mut Sink) {
        for (k, &v) in col.iter().enumerate() {
            let e = lo + k as u64;
            if v >= self.n_nodes {
                sink.error(
                    label,
                    full,
                    format!(
                        "edge {e}: {} id {} is not a node of '{}', which has {} nodes",
                        self.which,
                        show(v),
                        self.pop,
                        self.n_nodes
                    ),
                );
                self.ids_ok = false;
                continue;
            }
            self.counts[v as usize] += 1;
            self.hash = self.hash.wrapping_add(mix(e, v));
        }
    }
}

/// The columns of one edge population; `None` when missing or unreadable (said already).
struct Columns {
    src: Option<IntDs>,
    trg: Option<IntDs>,
    type_id: Option<IntDs>,
    group_id: Option<IntDs>,
    group_index: Option<IntDs>,
}

fn check_population(
    g: &Group,
    ppath: &str,
    label: &str,
    types: Option<&HashSet<i64>>,
    known: &BTreeMap<String, u64>,
    sink: &mut Sink,
) -> Option<u64> {
    let mut column = |name| h5util::int_dataset(g, ppath, name, 0, true, label, sink);
    let cols = Columns {
        src: column("source_node_id"),
        trg: column("target_node_id"),
        type_id: column("edge_type_id"),
        group_id: column("edge_group_id"),
        group_index: column("edge_group_index"),
    };
    let src_pop = cols
        .src
        .as_ref()
        .and_then(|d| node_population(d, label, known, sink));
    let trg_pop = cols
        .trg
        .as_ref()
        .and_then(|d| node_population(d, label, known, sink));

    let columns = [
        &cols.src,
        &cols.trg,
        &cols.type_id,
        &cols.group_id,
        &cols.group_index,
    ];
    let (n, lengths_ok) = h5util::same_rows(&columns, label, sink)?;
    if !lengths_ok {
        return Some(n);
    }

    let rows = h5util::group_row_counts(g, ppath, label, sink);
    if rows.is_empty() && n > 0 {
        sink.error(label, ppath, "no edge group (expected at least /0)");
    }
    let mut pass = Pass {
        sides: [Side::new("source", src_pop), Side::new("target", trg_pop)],
        refs: GroupRefs::new(rows),
        sorted: [true, true],
        prev: [0, 0],
    };
    let mut lo = 0u64;
    while lo < n {
        let hi = (lo + BLOCK as u64).min(n);
        pass.block(&cols, (lo, hi), n, types, label, ppath, sink);
        lo = hi;
    }
    let Pass {
        sides,
        refs,
        sorted,
        ..
    } = pass;
    refs.finish("edge", label, ppath, sink);

    let order = match (sorted[1], sorted[0]) {
        (true, true) => "sorted by target and by source",
        (true, false) => "sorted by target",
        (false, true) => "sorted by source",
        (false, false) => "sorted neither by target nor by source (allowed)",
    };
    sink.note(label, ppath, format!("{n} edges, rows {order}"));
    check_indices(g, ppath, [&cols.src, &cols.trg], &sides, n, label, sink);
    Some(n)
}

/// What the streaming pass over one population's rows keeps from block to block; index 0 is
/// the source side, 1 the target side.
struct Pass {
    sides: [Option<Side>; 2],
    refs: GroupRefs,
    /// Whether the rows are sorted by this side's ids so far.
    sorted: [bool; 2],
    /// The last id of this side seen.
    prev: [u64; 2],
}

impl Pass {
    /// Rows `lo..hi` of the `n`: ids inside their node populations (counted per node and
    /// summed into the side's checksum), the sort order, the group references, the type ids.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        cols: &Columns,
        (lo, hi): (u64, u64),
        n: u64,
        types: Option<&HashSet<i64>>,
        label: &str,
        ppath: &str,
        sink: &mut Sink,
    ) {
        let read = |d: &Option<IntDs>, sink: &mut Sink| h5util::read_rows(d, lo, hi, label, sink);
        let ids = [&cols.src, &cols.trg];
        let blocks = ids.map(|ds| read(ds, sink));
        for (c, (ds, block)) in ids.into_iter().zip(blocks).enumerate() {
            let Some(col) = block else {
                self.sorted[c] = false;
                continue;
            };
            if let (Some(side), Some(ds)) = (&mut self.sides[c], ds) {
                side.check_ids(&col, lo, &ds.full, label, sink);
            }
            for &v in &col {
                if v < self.prev[c] {
                    self.sorted[c] = false;
                }
                self.prev[c] = v;
            }
        }

        let gids = read(&cols.group_id, sink);
        let gidx = read(&cols.group_index, sink);
        if let (Some(gids), Some(gidx)) = (&gids, &gidx) {
            self.refs
                .check("edge", lo, gids, gidx, n, label, ppath, sink);
        }
        if let (Some(tids), Some(types)) = (read(&cols.type_id, sink), types) {
            for (k, &t) in tids.iter().enumerate() {
                if t == NEG || !types.contains(&(t as i64)) {
                    sink.error(
                        label,
                        &format!("{ppath}/edge_type_id"),
                        format!(
                            "edge {}: edge_type_id {} is not in the edge types table",
                            lo + k as u64,
                            show(t)
                        ),
                    );
                }
            }
        }
    }
}

/// Checks both indices of a population, when it has them, against the pass's sides.
fn check_indices(
    g: &Group,
    ppath: &str,
    ids: [&Option<IntDs>; 2],
    sides: &[Option<Side>; 2],
    n: u64,
    label: &str,
    sink: &mut Sink,
) {
    if !g.link_exists("indices") {
        sink.note(
            label,
            &format!("{ppath}/indices"),
            "absent (optional in SONATA)",
        );
        return;
    }
    let Ok(ig) = g.group("indices") else {
        sink.error(label, &format!("{ppath}/indices"), "not a group");
        return;
    };
    let ipath = format!("{ppath}/indices");
    for (dir, c) in [("source_to_target", 0usize), ("target_to_source", 1)] {
        let (Some(col), Some(side)) = (ids[c], &sides[c]) else {
            // Reported already: the ids cannot be checked against this index.
            continue;
        };
        if !side.ids_ok {
            sink.note(
                label,
                &format!("{ipath}/{dir}"),
                format!("not checked: {} has ids out of range", col.full),
            );
            continue;
        }
        index::check_index(
            &ig,
            &format!("{ipath}/{dir}"),
            dir,
            col,
            side,
            n,
            label,
            sink,
        );
    }
}
