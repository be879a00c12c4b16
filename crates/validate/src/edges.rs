//! Edges files: `/edges/<pop>/{source_node_id, target_node_id, edge_type_id, edge_group_id,
//! edge_group_index}`, the groups `/edges/<pop>/<g>` and the indices
//! `/edges/<pop>/indices/{source_to_target, target_to_source}`.

use std::collections::{BTreeMap, HashSet};

use hdf5::Group;

use crate::group_refs::GroupRefs;
use crate::h5util::{self, mix, show, Bitmap, IntDs, NEG};
use crate::{Sink, BLOCK};
use netbuild_sonata::read::attr::string_attr;
use netbuild_sonata::NetworkFile;

/// Edges per chunk when re-reading an id column to name misfiled index entries.
const DIAGNOSE_CHUNK: u64 = 1 << 24;
/// Stop naming misfiled entries after this many.
const DIAGNOSE_MAX: usize = 100;

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
}

fn check_population(
    g: &Group,
    ppath: &str,
    label: &str,
    types: Option<&HashSet<i64>>,
    known: &BTreeMap<String, u64>,
    sink: &mut Sink,
) -> Option<u64> {
    let src = h5util::int_dataset(g, ppath, "source_node_id", 0, true, label, sink);
    let trg = h5util::int_dataset(g, ppath, "target_node_id", 0, true, label, sink);
    let type_id = h5util::int_dataset(g, ppath, "edge_type_id", 0, true, label, sink);
    let group_id = h5util::int_dataset(g, ppath, "edge_group_id", 0, true, label, sink);
    let group_index = h5util::int_dataset(g, ppath, "edge_group_index", 0, true, label, sink);
    let src_pop = src
        .as_ref()
        .and_then(|d| node_population(d, label, known, sink));
    let trg_pop = trg
        .as_ref()
        .and_then(|d| node_population(d, label, known, sink));

    let columns = [&src, &trg, &type_id, &group_id, &group_index];
    let (n, lengths_ok) = h5util::same_rows(&columns, label, sink)?;
    if !lengths_ok {
        return Some(n);
    }

    let rows = h5util::group_row_counts(g, ppath, label, sink);
    if rows.is_empty() && n > 0 {
        sink.error(label, ppath, "no edge group (expected at least /0)");
    }
    let mut refs = GroupRefs::new(rows);

    let mut sides = [Side::new("source", src_pop), Side::new("target", trg_pop)];
    let (mut by_src, mut by_trg) = (true, true);
    let (mut prev_s, mut prev_t) = (0u64, 0u64);

    let mut lo = 0u64;
    while lo < n {
        let hi = (lo + BLOCK as u64).min(n);
        let read = |d: &Option<IntDs>, sink: &mut Sink| h5util::read_rows(d, lo, hi, label, sink);
        let cols = [read(&src, sink), read(&trg, sink)];
        for (c, col) in cols.iter().enumerate() {
            let Some(col) = col else { continue };
            let ds = if c == 0 { &src } else { &trg };
            let full = &ds.as_ref().unwrap().full;
            if let Some(side) = &mut sides[c] {
                for (k, &v) in col.iter().enumerate() {
                    let e = lo + k as u64;
                    if v >= side.n_nodes {
                        sink.error(
                            label,
                            full,
                            format!(
                                "edge {e}: {} id {} is not a node of '{}', which has {} nodes",
                                side.which,
                                show(v),
                                side.pop,
                                side.n_nodes
                            ),
                        );
                        side.ids_ok = false;
                        continue;
                    }
                    side.counts[v as usize] += 1;
                    side.hash = side.hash.wrapping_add(mix(e, v));
                }
            }
            let (sorted, prev) = if c == 0 {
                (&mut by_src, &mut prev_s)
            } else {
                (&mut by_trg, &mut prev_t)
            };
            for &v in col {
                if v < *prev {
                    *sorted = false;
                }
                *prev = v;
            }
        }
        if cols[0].is_none() {
            by_src = false;
        }
        if cols[1].is_none() {
            by_trg = false;
        }

        let gids = read(&group_id, sink);
        let gidx = read(&group_index, sink);
        if let (Some(gids), Some(gidx)) = (&gids, &gidx) {
            refs.check("edge", lo, gids, gidx, n, label, ppath, sink);
        }
        if let (Some(tids), Some(types)) = (read(&type_id, sink), types) {
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
        lo = hi;
    }
    refs.finish("edge", label, ppath, sink);

    let order = match (by_trg, by_src) {
        (true, true) => "sorted by target and by source",
        (true, false) => "sorted by target",
        (false, true) => "sorted by source",
        (false, false) => "sorted neither by target nor by source (allowed)",
    };
    sink.note(label, ppath, format!("{n} edges, rows {order}"));

    // Indices.
    if !g.link_exists("indices") {
        sink.note(
            label,
            &format!("{ppath}/indices"),
            "absent (optional in SONATA)",
        );
        return Some(n);
    }
    let Ok(ig) = g.group("indices") else {
        sink.error(label, &format!("{ppath}/indices"), "not a group");
        return Some(n);
    };
    let ipath = format!("{ppath}/indices");
    for (dir, c) in [("source_to_target", 0usize), ("target_to_source", 1)] {
        let col = if c == 0 { &src } else { &trg };
        let (Some(col), Some(side)) = (col, &sides[c]) else {
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
        check_index(
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
    Some(n)
}

/// Checks one index (`source_to_target` or `target_to_source`): every edge listed exactly once,
/// under its own node; the singular alias equal to the plural.
#[allow(clippy::too_many_arguments)]
fn check_index(
    indices: &Group,
    ipath: &str,
    dir: &str,
    col: &IntDs,
    side: &Side,
    n_edges: u64,
    label: &str,
    sink: &mut Sink,
) {
    let Ok(ig) = indices.group(dir) else {
        sink.error(label, ipath, "missing (the other index exists)");
        return;
    };
    let plural = h5util::int_dataset(&ig, ipath, "node_id_to_ranges", 2, false, label, sink);
    let has_singular = ig.link_exists("node_id_to_range");
    let n2r = match plural {
        Some(p) => p,
        None if ig.link_exists("node_id_to_ranges") => return, // reported (dtype or shape)
        None if has_singular => {
            sink.error(
                label,
                &format!("{ipath}/node_id_to_ranges"),
                "missing: only the singular node_id_to_range exists, and libsonata reads the plural",
            );
            match h5util::int_dataset(&ig, ipath, "node_id_to_range", 2, true, label, sink) {
                Some(s) => s,
                None => return,
            }
        }
        None => {
            sink.error(label, &format!("{ipath}/node_id_to_ranges"), "missing");
            return;
        }
    };
    let Some(r2e) = h5util::int_dataset(&ig, ipath, "range_to_edge_id", 2, true, label, sink)
    else {
        return;
    };
    let n_nodes = side.n_nodes;
    if n2r.rows != n_nodes {
        sink.error(
            label,
            &n2r.full,
            format!(
                "{} rows, expected one per node of '{}' ({n_nodes})",
                n2r.rows, side.pop
            ),
        );
    }
    let r_rows = r2e.rows;

    // (first range row, end range row, node) of every node with ranges, sorted by first row.
    let mut owners: Vec<(u64, u64, u64)> = Vec::new();
    let mut lo = 0u64;
    while lo < n2r.rows {
        let hi = (lo + BLOCK as u64).min(n2r.rows);
        let v = match n2r.read2(lo, hi) {
            Ok(v) => v,
            Err(e) => {
                sink.error(label, &n2r.full, format!("unreadable rows {lo}..{hi}: {e}"));
                return;
            }
        };
        for (k, p) in v.chunks_exact(2).enumerate() {
            let node = lo + k as u64;
            let (s, e) = (p[0], p[1]);
            if s == NEG || e == NEG || s > e || e > r_rows {
                sink.error(
                    label,
                    &n2r.full,
                    format!(
                        "node {node}: rows [{}, {}) are not a range of range_to_edge_id's {r_rows} rows",
                        show(s),
                        show(e)
                    ),
                );
                continue;
            }
            if s < e && node < n_nodes {
                owners.push((s, e, node));
            } else if s < e {
                sink.error(
                    label,
                    &n2r.full,
                    format!(
                        "row {node} has ranges but '{}' has {n_nodes} nodes",
                        side.pop
                    ),
                );
            }
        }
        lo = hi;
    }
    owners.sort_unstable();
    let mut kept: Vec<(u64, u64, u64)> = Vec::with_capacity(owners.len());
    for o in owners {
        if let Some(last) = kept.last() {
            if o.0 < last.1 {
                sink.error(
                    label,
                    &n2r.full,
                    format!(
                        "nodes {} and {} share rows {}..{} of range_to_edge_id",
                        last.2,
                        o.2,
                        o.0,
                        last.1.min(o.1)
                    ),
                );
                continue;
            }
        }
        kept.push(o);
    }
    let owners = kept;

    // Stream range_to_edge_id in row order.
    let mut listed = vec![0u64; n_nodes as usize];
    let mut seen = Bitmap::new(n_edges);
    let mut hash = 0u64;
    let mut unowned = 0u64;
    let ok = for_each_range(&r2e, &owners, label, sink, |r, node, a, b, sink| {
        let Some(node) = node else {
            unowned += 1;
            return;
        };
        if a == NEG || b == NEG || a > b || b > n_edges {
            sink.error(
                label,
                &r2e.full,
                format!(
                    "row {r} (node {node}): edges [{}, {}) are not a range of the {n_edges} edges",
                    show(a),
                    show(b)
                ),
            );
            return;
        }
        listed[node as usize] += b - a;
        for e in a..b {
            if seen.test_and_set(e) {
                sink.error(
                    label,
                    &r2e.full,
                    format!("edge {e} is listed twice (again under node {node}, row {r})"),
                );
            }
            hash = hash.wrapping_add(mix(e, node));
        }
    });
    if !ok {
        return;
    }
    if unowned > 0 {
        sink.note(
            label,
            &r2e.full,
            format!("{unowned} rows belong to no node's ranges (unused)"),
        );
    }
    for (node, (&l, &c)) in listed.iter().zip(&side.counts).enumerate() {
        if l != c {
            sink.error(
                label,
                &n2r.full,
                format!(
                    "node {node}: the index lists {l} edges, but {c} edges have it as {}",
                    side.which
                ),
            );
        }
    }
    let covered = seen.count_ones();
    if covered < n_edges {
        let missing = seen.first_clear(5);
        let mut named = Vec::new();
        for e in missing {
            let v = col.read(e, e + 1).ok().and_then(|v| v.first().copied());
            named.push(match v {
                Some(v) => format!("edge {e} ({} {})", side.which, show(v)),
                None => format!("edge {e}"),
            });
        }
        sink.error(
            label,
            &r2e.full,
            format!(
                "{} of the {n_edges} edges are listed under no node, e.g. {}",
                n_edges - covered,
                named.join(", ")
            ),
        );
    }
    drop(seen);
    drop(listed);

    if hash != side.hash {
        // Some edge is listed under a node that is not its own: name them.
        let mut found = 0usize;
        let mut clo = 0u64;
        while clo < n_edges && found < DIAGNOSE_MAX {
            let chi = (clo + DIAGNOSE_CHUNK).min(n_edges);
            let Ok(ids) = col.read(clo, chi) else {
                sink.error(label, &col.full, format!("unreadable rows {clo}..{chi}"));
                return;
            };
            for_each_range(&r2e, &owners, label, sink, |_r, node, a, b, sink| {
                let Some(node) = node else { return };
                if a == NEG || b == NEG || a > b || b > n_edges {
                    return;
                }
                for e in a.max(clo)..b.min(chi) {
                    let v = ids[(e - clo) as usize];
                    if v != node && found < DIAGNOSE_MAX {
                        found += 1;
                        sink.error(
                            label,
                            &r2e.full,
                            format!(
                                "edge {e} listed under node {node} but its {} is {}",
                                side.which,
                                show(v)
                            ),
                        );
                    }
                }
            });
            clo = chi;
        }
        if found == 0 {
            sink.error(
                label,
                &r2e.full,
                "the (edge, node) pairs of the index differ from those of the id column",
            );
        }
    }

    // The singular alias, when present beside the plural, must equal it.
    if has_singular && n2r.full.ends_with("/node_id_to_ranges") {
        let spath = format!("{ipath}/node_id_to_range");
        let Some(sing) = h5util::int_dataset(&ig, ipath, "node_id_to_range", 2, true, label, sink)
        else {
            return;
        };
        if sing.rows != n2r.rows {
            sink.error(
                label,
                &spath,
                format!(
                    "{} rows, but node_id_to_ranges has {}: the alias must equal it",
                    sing.rows, n2r.rows
                ),
            );
            return;
        }
        let mut lo = 0u64;
        while lo < n2r.rows {
            let hi = (lo + BLOCK as u64).min(n2r.rows);
            match (n2r.read2(lo, hi), sing.read2(lo, hi)) {
                (Ok(a), Ok(b)) => {
                    if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
                        let row = lo + (i / 2) as u64;
                        let j = i - i % 2;
                        sink.error(
                            label,
                            &spath,
                            format!(
                                "differs from node_id_to_ranges at node {row}: [{}, {}] instead of [{}, {}]",
                                show(b[j]),
                                show(b[j + 1]),
                                show(a[j]),
                                show(a[j + 1])
                            ),
                        );
                        return;
                    }
                }
                _ => {
                    sink.error(label, &spath, "unreadable");
                    return;
                }
            }
            lo = hi;
        }
    }
}

/// Streams `range_to_edge_id`, calling `f(row, owner node, first edge, end edge)` per row.
/// Returns false when the dataset could not be read (a finding says so).
fn for_each_range(
    r2e: &IntDs,
    owners: &[(u64, u64, u64)],
    label: &str,
    sink: &mut Sink,
    mut f: impl FnMut(u64, Option<u64>, u64, u64, &mut Sink),
) -> bool {
    let mut p = 0usize;
    let mut lo = 0u64;
    while lo < r2e.rows {
        let hi = (lo + BLOCK as u64).min(r2e.rows);
        let v = match r2e.read2(lo, hi) {
            Ok(v) => v,
            Err(e) => {
                sink.error(label, &r2e.full, format!("unreadable rows {lo}..{hi}: {e}"));
                return false;
            }
        };
        for (k, pair) in v.chunks_exact(2).enumerate() {
            let r = lo + k as u64;
            while p < owners.len() && owners[p].1 <= r {
                p += 1;
            }
            let node = (p < owners.len() && owners[p].0 <= r).then(|| owners[p].2);
            f(r, node, pair[0], pair[1], sink);
        }
        lo = hi;
    }
    true
}
