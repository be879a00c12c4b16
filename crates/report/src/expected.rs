//! The rules' side of the group matrices: each edge type's expected connections, from
//! netbuild's estimator (`netbuild::estimate`, what `netbuild-mpi check` prints: exact where
//! the rule fixes the count, else the build's own rule code run on a sample of targets), spread
//! over the cells of the group matrix.
//!
//! In: the spec, the node populations of the circuit folder and their [`Grouping`]. Out: the
//! expected connections per cell ([`per_cell`]).
//!
//! The spread: an edge type's connections go to the (source group, target group) cells its
//! source and target selections cover, in proportion to what the rule gives each cell when it
//! treats the pairs of the edge type alike: for `indegree`, every target its K connections,
//! shared over the source groups by their candidate sources; for `outdegree` the same from the
//! sources; for every other rule, the candidate pairs of the cell (|sources of g| × |targets of
//! h|, less the node-with-itself pairs where autapses are excluded). That is exact in
//! expectation for constant probabilities and counts, `indegree`, `outdegree`, `total` and
//! `all_to_all`; for a rule of distance or of node properties it spreads the edge type's total
//! evenly over its pairs, which differs from the measured cells where the groups of one edge
//! type differ in position or properties (then the per-type distance profiles tell more); for
//! `one_to_one` and `file` it is a rough guide. (The estimator gives totals per edge type;
//! splitting its sample per group would need it to report per-target tallies.)
//!
//! Cost: nodes are put in classes (same group and same value of every property a selector
//! reads), one pass over each population; then each edge type costs classes + cells, not nodes.

use crate::circuit::{prop_matches, NodePop, Prop};
use crate::matrix::Grouping;
use crate::ReportError;
use netbuild_spec::{Rule, Selector, Spec};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One edge type's expected connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeExpectation {
    /// Index of the edge block in the spec.
    pub index: usize,
    pub connections: f64,
    /// Fixed by the rule or counted with every target (else sampled or p × pairs).
    pub exact: bool,
}

/// Runs netbuild's estimator on the spec, as `check` does (networks generated, edge types
/// prepared, one rank).
pub fn per_type(spec: &Spec) -> Result<Vec<TypeExpectation>, ReportError> {
    let (circuit, options) = netbuild::circuit_from_spec(spec);
    let networks = netbuild::model::generate_networks(&circuit)
        .map_err(|e| ReportError::Rules(e.to_string()))?;
    let setup = netbuild::plan::setup::prepare_edges(&circuit, &networks)
        .map_err(|e| ReportError::Rules(e.to_string()))?;
    let estimate = netbuild::estimate::estimate(&circuit, &networks, &setup, &options, 1);
    Ok(estimate
        .edge_types
        .iter()
        .map(|e| TypeExpectation {
            index: e.index,
            connections: e.connections,
            exact: e.method.exact(),
        })
        .collect())
}

/// Nodes of one population alike in group and in every property the spec's selectors read.
struct Classes {
    props: Vec<String>,
    /// Per class: its group and the value of each of `props`.
    group: Vec<u32>,
    values: Vec<Vec<Prop>>,
    count: Vec<u64>,
}

/// A property value as a hash key.
#[derive(Hash, PartialEq, Eq)]
enum Key<'a> {
    Num(u64),
    Str(&'a str),
    Missing,
}

fn key(p: &Prop) -> Key<'_> {
    match p {
        Prop::Num(x) => Key::Num(x.to_bits()),
        Prop::Str(s) => Key::Str(s),
        Prop::Missing => Key::Missing,
    }
}

fn classes(pop: &NodePop, props: Vec<String>, groups: &[u32]) -> Result<Classes, ReportError> {
    let columns = props
        .iter()
        .map(|p| pop.prop(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Each column's values as small ids, then a class per distinct (group, ids).
    let ids: Vec<Vec<u32>> = columns
        .iter()
        .map(|col| {
            let mut seen: HashMap<Key, u32> = HashMap::new();
            col.iter()
                .map(|v| {
                    let n = seen.len() as u32;
                    *seen.entry(key(v)).or_insert(n)
                })
                .collect()
        })
        .collect();
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut out = Classes {
        props,
        group: Vec::new(),
        values: Vec::new(),
        count: Vec::new(),
    };
    let mut buf = Vec::with_capacity(ids.len() + 1);
    for (i, &g) in groups.iter().enumerate().take(pop.n) {
        buf.clear();
        buf.push(g);
        buf.extend(ids.iter().map(|col| col[i]));
        let c = match index.get(buf.as_slice()) {
            Some(&c) => c,
            None => {
                out.group.push(g);
                out.values
                    .push(columns.iter().map(|col| col[i].clone()).collect());
                out.count.push(0);
                index.insert(buf.clone(), out.count.len() - 1);
                out.count.len() - 1
            }
        };
        out.count[c] += 1;
    }
    Ok(out)
}

impl Classes {
    /// Whether the nodes of class `c` are selected by `sel`.
    fn selected(&self, c: usize, sel: &Selector) -> bool {
        sel.filters.iter().all(|(name, accepted)| {
            let value = self
                .props
                .iter()
                .position(|p| p == name)
                .map_or(&Prop::Missing, |j| &self.values[c][j]);
            accepted.iter().any(|a| prop_matches(value, a))
        })
    }
}

/// How a rule shares an edge type's connections among the cells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Spread {
    /// In proportion to the candidate pairs.
    Pairs,
    /// Each target the same number, shared over its candidate sources.
    PerTarget,
    /// Each source the same number, shared over its candidate targets.
    PerSource,
}

impl Spread {
    /// (source group, target group, weight) of every cell with selected nodes on both sides.
    /// `sources`, `targets`: selected nodes per group; `both`: per group, the nodes selected on
    /// both sides that may not connect to themselves (0 when autapses are allowed).
    fn weights(self, sources: &[u64], targets: &[u64], both: &[u64]) -> Vec<(usize, usize, f64)> {
        let (ns, nt): (u64, u64) = (sources.iter().sum(), targets.iter().sum());
        let same = |g: usize, h: usize| u64::from(g == h);
        // Per node of group `k` on the `per` side: the share of group `g` of the `other`
        // side, whose candidates are all `n_other` of it, less the node itself when it is one
        // of `both`.
        let share = |per: &[u64], other: &[u64], n_other: u64, k: usize, g: usize| {
            let plain = (per[k] - both[k]) as f64 * other[g] as f64 / n_other as f64;
            let selfless = if both[k] > 0 && n_other > 1 {
                both[k] as f64 * (other[g] - same(g, k)) as f64 / (n_other - 1) as f64
            } else {
                0.0
            };
            plain + selfless
        };
        let mut out = Vec::new();
        for g in (0..sources.len()).filter(|&g| sources[g] > 0) {
            for h in (0..targets.len()).filter(|&h| targets[h] > 0) {
                let w = match self {
                    Spread::Pairs => (sources[g] * targets[h] - same(g, h) * both[g]) as f64,
                    Spread::PerTarget => share(targets, sources, ns, h, g),
                    Spread::PerSource => share(sources, targets, nt, g, h),
                };
                out.push((g, h, w));
            }
        }
        out
    }
}

/// Expected connections per cell (row-major over `grouping`'s groups) of the edge types in
/// `types`.
pub fn per_cell(
    spec: &Spec,
    types: &[TypeExpectation],
    nodes: &BTreeMap<String, NodePop>,
    grouping: &Grouping,
) -> Result<Vec<f64>, ReportError> {
    let n = grouping.len();
    let mut out = vec![0.0; n * n];
    // The properties each network's selectors read.
    let mut props: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for b in &spec.edges {
        for sel in [&b.source, &b.target] {
            let set = props.entry(sel.network.as_str()).or_default();
            set.extend(sel.filters.iter().map(|(k, _)| k.clone()));
        }
    }
    let mut by_network: HashMap<&str, Classes> = HashMap::new();
    for (net, set) in props {
        let (Some(pop), Some(groups)) = (nodes.get(net), grouping.of_node.get(net)) else {
            continue;
        };
        by_network.insert(net, classes(pop, set.into_iter().collect(), groups)?);
    }
    for t in types {
        let Some(block) = spec.edges.get(t.index) else {
            continue;
        };
        let (Some(sc), Some(tc)) = (
            by_network.get(block.source.network.as_str()),
            by_network.get(block.target.network.as_str()),
        ) else {
            continue;
        };
        let same = block.source.network == block.target.network;
        let mut sources = vec![0u64; n];
        let mut targets = vec![0u64; n];
        let mut both = vec![0u64; n];
        for c in 0..sc.count.len() {
            let s = sc.selected(c, &block.source);
            let g = sc.group[c] as usize;
            if s {
                sources[g] += sc.count[c];
            }
            if same && !block.autapses && s && sc.selected(c, &block.target) {
                both[g] += sc.count[c];
            }
        }
        for c in 0..tc.count.len() {
            if tc.selected(c, &block.target) {
                targets[tc.group[c] as usize] += tc.count[c];
            }
        }
        let spread = match block.rule {
            Rule::Indegree(_) => Spread::PerTarget,
            Rule::Outdegree(_) => Spread::PerSource,
            _ => Spread::Pairs,
        };
        let weights = spread.weights(&sources, &targets, &both);
        let total: f64 = weights.iter().map(|w| w.2).sum();
        if total <= 0.0 {
            continue;
        }
        for (g, h, w) in weights {
            out[g * n + h] += t.connections * w / total;
        }
    }
    Ok(out)
}
