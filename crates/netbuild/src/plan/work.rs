//! The estimated work of every target of one edges population, computed once and shared by the
//! plan (blocks per rank), the generation (runs per thread, and which edge types connect each
//! target), rank 0's progress reporter and `check`'s estimate.
//!
//! In: the population's prepared edge types (in its order) and the target network's size. Out:
//! a [`TargetWork`]: for each target, the edge types that target it and the sum of their
//! [`PreparedEdgeType::work`]; for each edge type, its work over all its targets
//! ([`type_work_per_block`]: over blocks of targets).
//!
//! Why: a population can have hundreds of edge types (Allen's V1: 361 on one population of
//! 200,000 nodes), each selecting a small part of the targets. Asking every edge type about every
//! target costs types × nodes (74 million calls for V1) in each pass that needs the work; here
//! each edge type walks only its own `targets` once, so the cost is the sum of its targets,
//! and the memory one number per target (plus the lists of edge types, see [`TargetWork`]).
//!
//! The numbers are the very ones the passes used to compute: a target's work sums its edge types'
//! in the population's order (a type that does not target it added 0, which changes nothing),
//! and per-type sums run over targets in ascending order; so the blocks per rank are unchanged.
//!
//! The ranks of one host hold the work per target once ([`TargetWork::new_on`]): the host's
//! first rank computes it, the others map it (one number per target, as the node columns).

use netbuild_model::shared::share_many;
use netbuild_model::{Host, PreparedEdgeType, Private, Shared};
use rayon::prelude::*;
use std::ops::Range;

/// The work of a target beyond its edge types' (so that targets without any still weigh a
/// little when the targets are split into blocks).
pub const TARGET_WORK: f64 = 0.01;

/// Edge types whose work is computed at once (in parallel) before it is added to the targets'.
const WORK_CHUNK: usize = 16;

/// The edge types of each target and the work of each target, for one population.
///
/// Which edge types target a node is held as segments of consecutive targets with the same
/// edge types, each list stored once: edge types select targets by node properties, so in a
/// model like V1 all the targets of one node block share a list, and a population of 361 edge
/// types over 200,000 targets holds a few hundred segments. (At worst, every target's list
/// differs from its neighbours': then the lists hold one entry per target of each edge type.)
#[derive(Debug, Clone, PartialEq)]
pub struct TargetWork {
    /// First target of each segment, ascending; the first is 0.
    seg_start: Vec<u64>,
    /// The list (index in `lists`) of each segment.
    seg_list: Vec<u32>,
    /// Distinct lists of edge types (positions in the population's list, ascending).
    lists: Vec<Vec<u32>>,
    /// Each target's work: its edge types' summed in the population's order (without
    /// [`TARGET_WORK`]).
    total: Shared<f64>,
    /// Each edge type's work over all its targets, summed in ascending target order.
    type_total: Shared<f64>,
    /// (target, edge type) pairs: the sum of the edge types' target counts.
    entries: usize,
}

impl TargetWork {
    /// The work of `edge_types` (one population's, in its order) over targets `0..n_targets`.
    pub fn new(edge_types: &[&PreparedEdgeType<'_>], n_targets: u64) -> TargetWork {
        Self::new_on(edge_types, n_targets, &Private)
    }

    /// [`TargetWork::new`], computed by the computing rank of `host` and held once by its ranks
    /// (*collective over the host*).
    pub fn new_on(
        edge_types: &[&PreparedEdgeType<'_>],
        n_targets: u64,
        host: &dyn Host,
    ) -> TargetWork {
        let [total, type_total] = share_many(host, || work_of(edge_types, n_targets));
        let (seg_start, seg_list, lists) = segments(edge_types, n_targets);
        TargetWork {
            seg_start,
            seg_list,
            lists,
            total,
            type_total,
            entries: edge_types.iter().map(|e| e.targets.len()).sum(),
        }
    }

    /// The number of targets (the target network's nodes).
    pub fn n_targets(&self) -> u64 {
        self.total.len() as u64
    }

    /// The (target, edge type) pairs: the sum of the edge types' target counts.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// The segments of targets with the same edge types, and the distinct lists they use.
    pub fn shape(&self) -> (usize, usize) {
        (self.seg_start.len(), self.lists.len())
    }

    /// The edge types (positions in the population's list, ascending) that target `t`.
    #[inline]
    pub fn types_of(&self, t: u64) -> &[u32] {
        let seg = self.seg_start.partition_point(|&s| s <= t);
        match seg.checked_sub(1) {
            Some(seg) => &self.lists[self.seg_list[seg] as usize],
            None => &[],
        }
    }

    /// The work of target `t` over all its edge types.
    #[inline]
    pub fn of(&self, t: u64) -> f64 {
        self.total[t as usize]
    }

    /// The weight of target `t` when targets are split into blocks: its work plus
    /// [`TARGET_WORK`].
    #[inline]
    pub fn weight(&self, t: u64) -> f64 {
        self.of(t) + TARGET_WORK
    }

    /// Each edge type's work over all its targets, in the population's order.
    pub fn type_totals(&self) -> &[f64] {
        &self.type_total
    }
}

/// Each target's work (its edge types' summed in `edge_types` order) and each edge type's work
/// over all its targets.
fn work_of(edge_types: &[&PreparedEdgeType<'_>], n_targets: u64) -> [Vec<f64>; 2] {
    let mut total = vec![0.0f64; n_targets as usize];
    let mut type_total = Vec::with_capacity(edge_types.len());
    // The costly part (grids count neighbours) runs in parallel, a chunk of edge types at a
    // time (so their work lists stay small). Added in the population's order of types.
    for chunk in edge_types.chunks(WORK_CHUNK) {
        let per_type: Vec<Vec<f64>> = chunk
            .par_iter()
            .map(|e| e.targets.iter().map(|&t| e.work(t)).collect())
            .collect();
        for (e, w) in chunk.iter().zip(&per_type) {
            for (&t, &x) in e.targets.iter().zip(w) {
                total[t as usize] += x;
            }
            type_total.push(sum(w.iter().copied()));
        }
    }
    [total, type_total]
}

/// Each of `edge_types`' work over each of `blocks` (ascending, disjoint), summed in ascending
/// target order: `[type][block]`. Walks each edge type's own targets.
pub fn type_work_per_block(
    edge_types: &[&PreparedEdgeType<'_>],
    blocks: &[Range<u64>],
) -> Vec<Vec<f64>> {
    edge_types
        .par_iter()
        .map(|e| {
            blocks
                .iter()
                .map(|b| {
                    let lo = e.targets.partition_point(|&t| t < b.start);
                    let hi = e.targets.partition_point(|&t| t < b.end);
                    sum(e.targets[lo..hi].iter().map(|&t| e.work(t)))
                })
                .collect()
        })
        .collect()
}

/// The sum of `xs` from +0.0, as the passes that asked every edge type about every target
/// found it (`Iterator::sum` of nothing is -0.0).
fn sum(xs: impl Iterator<Item = f64>) -> f64 {
    xs.fold(0.0, |a, x| a + x)
}

/// Segments of targets `0..n_targets` with the same edge types: (first target of each, its
/// list, the distinct lists). Sweeps the starts and ends of each edge type's runs of
/// consecutive targets, so the cost is the runs plus the lists' lengths, never types × targets.
fn segments(
    edge_types: &[&PreparedEdgeType<'_>],
    n_targets: u64,
) -> (Vec<u64>, Vec<u32>, Vec<Vec<u32>>) {
    // (target, edge type, whether it starts (true) or ends there).
    let mut events: Vec<(u64, u32, bool)> = Vec::new();
    for (l, e) in edge_types.iter().enumerate() {
        let mut i = 0;
        while i < e.targets.len() {
            let first = e.targets[i];
            let mut end = first + 1;
            i += 1;
            while i < e.targets.len() && e.targets[i] == end {
                end += 1;
                i += 1;
            }
            events.push((first, l as u32, true));
            events.push((end, l as u32, false));
        }
    }
    events.sort_unstable();
    let mut active = std::collections::BTreeSet::new();
    let mut interned: std::collections::HashMap<Vec<u32>, u32> = Default::default();
    let (mut seg_start, mut seg_list, mut lists) = (vec![0u64], vec![0u32], vec![Vec::new()]);
    interned.insert(Vec::new(), 0);
    let mut k = 0;
    while k < events.len() {
        let at = events[k].0;
        while k < events.len() && events[k].0 == at {
            let (_, l, starts) = events[k];
            if starts {
                active.insert(l);
            } else {
                active.remove(&l);
            }
            k += 1;
        }
        if at >= n_targets {
            break;
        }
        let list: Vec<u32> = active.iter().copied().collect();
        let id = *interned.entry(list).or_insert_with_key(|list| {
            lists.push(list.clone());
            (lists.len() - 1) as u32
        });
        if seg_list.last() == Some(&id) {
            continue;
        }
        if seg_start.last() == Some(&at) {
            // Targets from 0 start a run: the empty first segment gives way.
            *seg_list.last_mut().expect("one segment at least") = id;
        } else {
            seg_start.push(at);
            seg_list.push(id);
        }
    }
    (seg_start, seg_list, lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use netbuild_model::{all_nodes, generate_networks, Circuit, Columns, Rule, Scalar, Value};

    /// The shared numbers are exactly what asking every edge type about every target gives.
    #[test]
    fn same_numbers_as_asking_every_type() {
        let mut c = Circuit::new(7);
        c.add_nodes("a", 60)
            .type_prop("ei", Scalar::Str("e".into()));
        c.add_nodes("a", 40)
            .type_prop("ei", Scalar::Str("i".into()));
        let e_only = netbuild_model::Selector {
            network: "a".into(),
            filters: vec![("ei".into(), vec![Scalar::Str("e".into())])],
        };
        let i_only = netbuild_model::Selector {
            network: "a".into(),
            filters: vec![("ei".into(), vec![Scalar::Str("i".into())])],
        };
        c.add_edges(all_nodes("a"), e_only, Rule::Probability(Value::Const(0.1)));
        c.add_edges(all_nodes("a"), i_only, Rule::Indegree(3));
        c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll);
        let nets = generate_networks(&c).unwrap();
        let mut cols = Columns::new(&nets);
        let prepared: Vec<PreparedEdgeType<'_>> = (0..3)
            .map(|i| PreparedEdgeType::prepare(i, &c.edge_types[i], 7, &mut cols).unwrap())
            .collect();
        let types: Vec<&PreparedEdgeType<'_>> = prepared.iter().collect();
        let tw = TargetWork::new(&types, 100);
        assert_eq!(tw.n_targets(), 100);
        for t in 0..100u64 {
            let by_type: f64 = types.iter().map(|e| e.work(t)).sum();
            assert_eq!(tw.of(t).to_bits(), by_type.to_bits(), "target {t}");
            let targeting: Vec<u32> = (0..3u32)
                .filter(|&l| types[l as usize].is_target(t))
                .collect();
            assert_eq!(tw.types_of(t), targeting.as_slice(), "target {t}");
            assert_eq!(tw.types_of(t).len(), 2);
        }
        for (l, e) in types.iter().enumerate() {
            let total: f64 = (0..100).map(|t| e.work(t)).sum();
            assert_eq!(tw.type_totals()[l].to_bits(), total.to_bits());
        }
        let blocks = [0..30, 30..75, 75..100];
        let per_block = type_work_per_block(&types, &blocks);
        for (l, e) in types.iter().enumerate() {
            for (b, block) in blocks.iter().enumerate() {
                let w: f64 = block.clone().map(|t| e.work(t)).sum();
                assert_eq!(per_block[l][b].to_bits(), w.to_bits());
            }
        }
        // Two node blocks, each with its own edge types: two segments, each list stored once.
        assert_eq!(tw.shape(), (2, 3));
        assert_eq!(tw.entries(), 60 + 40 + 100);
    }
}
