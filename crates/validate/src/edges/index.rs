//! One edge index (`indices/source_to_target` or `indices/target_to_source`) checked against
//! the id column it indexes: the datasets there (`node_id_to_ranges`, or only the singular
//! `node_id_to_range`, and `range_to_edge_id`), each node's rows of ranges inside the table
//! and shared by no other node, every edge listed exactly once and under its own node, the
//! singular alias equal to the plural.
//!
//! In: the `indices` group, the id column, what the pass over the rows learnt of that column
//! (its [`Side`]: edges per node and an order-free checksum of (edge, node) pairs). Out:
//! findings in the [`Sink`]. Held: one per-node counter, one bitmap of the edges, the nodes'
//! ranges; the id column is re-read only to name misfiled edges.

use hdf5::Group;

use super::Side;
use crate::h5util::{self, mix, show, Bitmap, IntDs, NEG};
use crate::{Sink, BLOCK};

/// Edges per chunk when re-reading an id column to name misfiled index entries.
const DIAGNOSE_CHUNK: u64 = 1 << 24;
/// Stop naming misfiled entries after this many.
const DIAGNOSE_MAX: usize = 100;

/// (first range row, end range row, node) of a node with ranges, sorted by first row.
type Owner = (u64, u64, u64);

/// Checks one index (`source_to_target` or `target_to_source`): every edge listed exactly once,
/// under its own node; the singular alias equal to the plural.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_index(
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
    let Some((n2r, has_singular)) = node_ranges(&ig, ipath, label, sink) else {
        return;
    };
    let Some(r2e) = h5util::int_dataset(&ig, ipath, "range_to_edge_id", 2, true, label, sink)
    else {
        return;
    };
    let index = Index {
        n2r,
        r2e,
        col,
        side,
        n_edges,
        label,
    };
    let n_nodes = side.n_nodes;
    if index.n2r.rows != n_nodes {
        sink.error(
            label,
            &index.n2r.full,
            format!(
                "{} rows, expected one per node of '{}' ({n_nodes})",
                index.n2r.rows, side.pop
            ),
        );
    }
    let Some(owners) = index.owners(sink) else {
        return;
    };
    let Some(hash) = index.check_listing(&owners, sink) else {
        return;
    };
    if hash != side.hash && !index.name_misfiled(&owners, sink) {
        return;
    }
    if has_singular && index.n2r.full.ends_with("/node_id_to_ranges") {
        index.check_alias(&ig, ipath, sink);
    }
}

/// The index's `node_id_to_ranges` (or, said as an error, the singular `node_id_to_range`
/// when it alone exists), and whether the singular exists.
fn node_ranges(ig: &Group, ipath: &str, label: &str, sink: &mut Sink) -> Option<(IntDs, bool)> {
    let plural = h5util::int_dataset(ig, ipath, "node_id_to_ranges", 2, false, label, sink);
    let has_singular = ig.link_exists("node_id_to_range");
    let n2r = match plural {
        Some(p) => p,
        None if ig.link_exists("node_id_to_ranges") => return None, // reported (dtype or shape)
        None if has_singular => {
            sink.error(
                label,
                &format!("{ipath}/node_id_to_ranges"),
                "missing: only the singular node_id_to_range exists, and libsonata reads the plural",
            );
            h5util::int_dataset(ig, ipath, "node_id_to_range", 2, true, label, sink)?
        }
        None => {
            sink.error(label, &format!("{ipath}/node_id_to_ranges"), "missing");
            return None;
        }
    };
    Some((n2r, has_singular))
}

/// One index under check: its two datasets, the id column it indexes and what the pass over
/// the rows learnt of that column.
struct Index<'a> {
    n2r: IntDs,
    r2e: IntDs,
    col: &'a IntDs,
    side: &'a Side,
    n_edges: u64,
    label: &'a str,
}

impl Index<'_> {
    /// Each node's rows of `range_to_edge_id`, read from `node_id_to_ranges`: inside the
    /// table, for a node of the population, shared with no other node (a row claimed twice
    /// stays with the first node). `None` when the dataset cannot be read (said).
    fn owners(&self, sink: &mut Sink) -> Option<Vec<Owner>> {
        let (n2r, label, n_nodes) = (&self.n2r, self.label, self.side.n_nodes);
        let r_rows = self.r2e.rows;
        let mut owners: Vec<Owner> = Vec::new();
        let mut lo = 0u64;
        while lo < n2r.rows {
            let hi = (lo + BLOCK as u64).min(n2r.rows);
            let v = match n2r.read2(lo, hi) {
                Ok(v) => v,
                Err(e) => {
                    sink.error(label, &n2r.full, format!("unreadable rows {lo}..{hi}: {e}"));
                    return None;
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
                            self.side.pop
                        ),
                    );
                }
            }
            lo = hi;
        }
        owners.sort_unstable();
        let mut kept: Vec<Owner> = Vec::with_capacity(owners.len());
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
        Some(kept)
    }

    /// Streams `range_to_edge_id` in row order: every range inside the edges, no edge listed
    /// twice, each node listing as many edges as have it in the id column, every edge listed.
    /// Returns the checksum of the listed (edge, node) pairs; `None` when unreadable (said).
    fn check_listing(&self, owners: &[Owner], sink: &mut Sink) -> Option<u64> {
        let (r2e, label, n_edges, side) = (&self.r2e, self.label, self.n_edges, self.side);
        let mut listed = vec![0u64; side.n_nodes as usize];
        let mut seen = Bitmap::new(n_edges);
        let mut hash = 0u64;
        let mut unowned = 0u64;
        let ok = for_each_range(r2e, owners, label, sink, |r, node, a, b, sink| {
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
            return None;
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
                    &self.n2r.full,
                    format!(
                        "node {node}: the index lists {l} edges, but {c} edges have it as {}",
                        side.which
                    ),
                );
            }
        }
        let covered = seen.count_ones();
        if covered < n_edges {
            let named: Vec<String> = seen
                .first_clear(5)
                .into_iter()
                .map(|e| {
                    let v = self
                        .col
                        .read(e, e + 1)
                        .ok()
                        .and_then(|v| v.first().copied());
                    match v {
                        Some(v) => format!("edge {e} ({} {})", side.which, show(v)),
                        None => format!("edge {e}"),
                    }
                })
                .collect();
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
        Some(hash)
    }

    /// The checksums differ, so some edge is listed under a node that is not its own: re-reads
    /// the id column in chunks to name (at most [`DIAGNOSE_MAX`] of) them. False when the id
    /// column cannot be read (said): the checks stop there.
    fn name_misfiled(&self, owners: &[Owner], sink: &mut Sink) -> bool {
        let (r2e, col, label, n_edges) = (&self.r2e, self.col, self.label, self.n_edges);
        let mut found = 0usize;
        let mut clo = 0u64;
        while clo < n_edges && found < DIAGNOSE_MAX {
            let chi = (clo + DIAGNOSE_CHUNK).min(n_edges);
            let Ok(ids) = col.read(clo, chi) else {
                sink.error(label, &col.full, format!("unreadable rows {clo}..{chi}"));
                return false;
            };
            for_each_range(r2e, owners, label, sink, |_r, node, a, b, sink| {
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
                                self.side.which,
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
        true
    }

    /// The singular alias `node_id_to_range`, present beside the plural, must equal it.
    fn check_alias(&self, ig: &Group, ipath: &str, sink: &mut Sink) {
        let (n2r, label) = (&self.n2r, self.label);
        let spath = format!("{ipath}/node_id_to_range");
        let Some(sing) = h5util::int_dataset(ig, ipath, "node_id_to_range", 2, true, label, sink)
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
