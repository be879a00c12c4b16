//! Source-group × target-group connectivity: nodes grouped by the values of one node property
//! (`pop_name` by default), the distinct connected (source, target) pairs counted per pair of
//! groups, and from them the connection probability and mean in-degree of each cell — what a
//! modeller sets beside the table of a paper.
//!
//! In: the node populations and the property ([`grouping`]); per edge population, its
//! connections as `scan` meets them ([`PairCounter`], in the same single pass over the rows).
//! Out: [`Matrices`] (the expected side is filled by `expected`).
//!
//! Groups are per (node population, value): labelled by the value alone, or `population:value`
//! where the same value occurs in more than one population. A population that has no value of
//! the property on any node is one group named after the population (an input population
//! without `pop_name`, say); nodes without a value inside a population that has the property
//! form the group `population:(none)`.
//!
//! Cell (g, h): `pairs` = distinct (source in g, target in h) pairs connected by at least one
//! edge of any edge type; possible pairs = |g| |h|, or |g| (|g| - 1) on the diagonal (a node is
//! not paired with itself); connection probability = pairs / possible; mean in-degree = pairs /
//! |h| (connected sources of g per target of h).

use crate::circuit::{NodePop, Prop};
use crate::ReportError;
use std::collections::{BTreeMap, HashMap};

/// The group of a node outside every group (an id past the population's end).
pub const NO_GROUP: u32 = u32::MAX;

/// Groups of nodes by one property.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// The property, `None` when grouped by node population.
    pub property: Option<String>,
    /// The name of each group (the property's value, or the node population).
    pub labels: Vec<String>,
    /// The node population of each group.
    pub population: Vec<String>,
    /// Nodes per group.
    pub size: Vec<u64>,
    /// Per node population: the group of each node.
    pub of_node: HashMap<String, Vec<u32>>,
}

impl Grouping {
    /// The number of groups.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there is no group.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The groups of node population `pop`, in order.
    pub fn groups_of<'a>(&'a self, pop: &'a str) -> impl Iterator<Item = usize> + 'a {
        (0..self.len()).filter(move |&g| self.population[g] == pop)
    }

    /// Possible (source, target) pairs of cell (g, h): no node with itself.
    pub fn possible(&self, g: usize, h: usize) -> u64 {
        if g == h {
            self.size[g] * self.size[g].saturating_sub(1)
        } else {
            self.size[g] * self.size[h]
        }
    }
}

/// Whether any node of any population has a value of `property`.
pub fn has_property(
    nodes: &BTreeMap<String, NodePop>,
    property: &str,
) -> Result<bool, ReportError> {
    for pop in nodes.values() {
        if pop.prop(property)?.iter().any(|p| *p != Prop::Missing) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A property value as a group label: `4` rather than `4.0`.
fn label(p: &Prop) -> Option<String> {
    match p {
        Prop::Str(s) => Some(s.clone()),
        Prop::Num(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{}", *x as i64)),
        Prop::Num(x) => Some(x.to_string()),
        Prop::Missing => None,
    }
}

/// Groups the nodes of `order` (node population names, in the order their groups are listed)
/// by `property`, or by population when `None`.
pub fn grouping(
    nodes: &BTreeMap<String, NodePop>,
    order: &[String],
    property: Option<&str>,
) -> Result<Grouping, ReportError> {
    // (population, value) per group; a `None` value is "no value".
    let mut keys: Vec<(String, Option<String>, bool)> = Vec::new();
    let mut size: Vec<u64> = Vec::new();
    let mut of_node = HashMap::new();
    for name in order {
        let Some(pop) = nodes.get(name) else { continue };
        let values = match property {
            Some(p) => Some(pop.prop(p)?),
            None => None,
        };
        let has_any = values
            .as_ref()
            .is_some_and(|v| v.iter().any(|p| *p != Prop::Missing));
        let mut local: HashMap<Option<String>, u32> = HashMap::new();
        let mut groups = Vec::with_capacity(pop.n);
        for i in 0..pop.n {
            let value = match &values {
                Some(v) if has_any => label(&v[i]),
                _ => None,
            };
            let g = *local.entry(value.clone()).or_insert_with(|| {
                keys.push((name.clone(), value, has_any));
                size.push(0);
                (keys.len() - 1) as u32
            });
            size[g as usize] += 1;
            groups.push(g);
        }
        of_node.insert(name.clone(), groups);
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (_, v, _) in &keys {
        if let Some(v) = v {
            *seen.entry(v.as_str()).or_default() += 1;
        }
    }
    let labels = keys
        .iter()
        .map(|(pop, v, has_any)| match (v, has_any) {
            (Some(v), _) if seen[v.as_str()] > 1 => format!("{pop}:{v}"),
            (Some(v), _) => v.clone(),
            (None, true) => format!("{pop}:(none)"),
            (None, false) => pop.clone(),
        })
        .collect();
    Ok(Grouping {
        property: property.map(str::to_string),
        labels,
        population: keys.into_iter().map(|k| k.0).collect(),
        size,
        of_node,
    })
}

/// One way of counting distinct pairs: the connections of one `key` node (a target, or a
/// source) are collected while they come, and deduplicated when the key changes. Exact when
/// the rows are sorted by that side (each key comes in one run).
#[derive(Debug, Default)]
struct Side {
    on: bool,
    started: bool,
    /// Every key came in one run so far.
    monotone: bool,
    key: u64,
    others: Vec<u64>,
    counts: Vec<u64>,
}

impl Side {
    fn new(cells: usize) -> Side {
        Side {
            on: true,
            monotone: true,
            counts: vec![0; cells],
            ..Side::default()
        }
    }

    fn add(&mut self, key: u64, other: u64, cell: impl Fn(u64, u64) -> Option<usize>) {
        if !self.on {
            return;
        }
        if !self.started || key != self.key {
            self.flush(&cell);
            if self.started && key < self.key {
                self.monotone = false;
            }
            self.started = true;
            self.key = key;
        }
        self.others.push(other);
    }

    fn flush(&mut self, cell: impl Fn(u64, u64) -> Option<usize>) {
        self.others.sort_unstable();
        self.others.dedup();
        for &o in &self.others {
            if let Some(c) = cell(self.key, o) {
                self.counts[c] += 1;
            }
        }
        self.others.clear();
    }
}

/// Counts the distinct connected pairs per cell of one edge population, fed each connection
/// (source, target) in row order. Memory: the cell counts and one node's connections.
///
/// Rows sorted by target (netbuild's default) or by source (`sort_edges_by = "source"`) are
/// counted exactly; both orders are followed until the rows show which one holds. Rows in
/// neither order are counted per run of one target, so a pair met in two runs counts twice.
pub struct PairCounter<'a> {
    source_group: &'a [u32],
    target_group: &'a [u32],
    width: usize,
    by_target: Side,
    by_source: Side,
}

/// The distinct connected pairs of an edge population per cell.
#[derive(Debug, Clone, PartialEq)]
pub struct PairCounts {
    /// Row-major: [source group × groups + target group].
    pub counts: Vec<u64>,
    /// Whether the rows were sorted by target or source (else an upper bound).
    pub exact: bool,
}

impl<'a> PairCounter<'a> {
    /// `source_group` and `target_group`: the group of each node of the edge population's
    /// source and target populations; `groups`: how many groups there are.
    pub fn new(source_group: &'a [u32], target_group: &'a [u32], groups: usize) -> Self {
        PairCounter {
            source_group,
            target_group,
            width: groups,
            by_target: Side::new(groups * groups),
            by_source: Side::new(groups * groups),
        }
    }

    fn cell(
        source_group: &[u32],
        target_group: &[u32],
        width: usize,
        s: u64,
        t: u64,
    ) -> Option<usize> {
        let g = *source_group.get(s as usize)?;
        let h = *target_group.get(t as usize)?;
        (g != NO_GROUP && h != NO_GROUP).then(|| g as usize * width + h as usize)
    }

    /// One connection.
    pub fn add(&mut self, source: u64, target: u64) {
        let (sg, tg, w) = (self.source_group, self.target_group, self.width);
        self.by_target
            .add(target, source, |t, s| Self::cell(sg, tg, w, s, t));
        self.by_source
            .add(source, target, |s, t| Self::cell(sg, tg, w, s, t));
        // Once one order is known not to hold and the other still may, follow only the other.
        if self.by_target.on && self.by_source.on {
            if !self.by_target.monotone && self.by_source.monotone {
                self.by_target.on = false;
            } else if !self.by_source.monotone && self.by_target.monotone {
                self.by_source.on = false;
            }
        }
    }

    /// The counts, once every edge row has been added.
    pub fn finish(mut self) -> PairCounts {
        let (sg, tg, w) = (self.source_group, self.target_group, self.width);
        self.by_target.flush(|t, s| Self::cell(sg, tg, w, s, t));
        self.by_source.flush(|s, t| Self::cell(sg, tg, w, s, t));
        let exact_side = [&self.by_target, &self.by_source]
            .into_iter()
            .find(|s| s.on && s.monotone);
        match exact_side {
            Some(s) => PairCounts {
                counts: s.counts.clone(),
                exact: true,
            },
            None => {
                let s = if self.by_target.on {
                    self.by_target
                } else {
                    self.by_source
                };
                PairCounts {
                    counts: s.counts,
                    exact: false,
                }
            }
        }
    }
}

/// The matrices of a circuit.
#[derive(Debug, Clone)]
pub struct Matrices {
    /// The groups of the rows and columns.
    pub grouping: Grouping,
    /// Source groups (rows) and target groups (columns) shown: those of the node populations
    /// that are the source, or the target, of some edge population.
    pub rows: Vec<usize>,
    /// See `rows`.
    pub cols: Vec<usize>,
    /// Distinct connected pairs per cell, row-major over all groups.
    pub pairs: Vec<u64>,
    /// Whether an edge population joins the node populations of the cell.
    pub covered: Vec<bool>,
    /// Whether every edge population's pairs are exact (rows sorted by target or source).
    pub exact: bool,
    /// Expected connections per cell from the rules (`expected`), if the spec was given.
    pub expected: Option<Vec<f64>>,
}

impl Matrices {
    /// Empty matrices over `grouping` for edge populations joining these (source, target)
    /// node populations.
    pub fn new(grouping: Grouping, joined: &[(String, String)]) -> Matrices {
        let n = grouping.len();
        let mut covered = vec![false; n * n];
        let mut rows = vec![false; n];
        let mut cols = vec![false; n];
        for (s, t) in joined {
            for g in grouping.groups_of(s) {
                rows[g] = true;
                for h in grouping.groups_of(t) {
                    cols[h] = true;
                    covered[g * n + h] = true;
                }
            }
        }
        Matrices {
            rows: (0..n).filter(|&g| rows[g]).collect(),
            cols: (0..n).filter(|&h| cols[h]).collect(),
            pairs: vec![0; n * n],
            covered,
            exact: true,
            expected: None,
            grouping,
        }
    }

    /// Adds one edge population's pairs.
    pub fn add(&mut self, counts: &PairCounts) {
        for (a, b) in self.pairs.iter_mut().zip(&counts.counts) {
            *a += b;
        }
        self.exact &= counts.exact;
    }

    fn at(&self, g: usize, h: usize) -> usize {
        g * self.grouping.len() + h
    }

    /// Measured connection probability of cell (g, h); `None` where no edge population joins
    /// the groups or no pair is possible.
    pub fn probability(&self, g: usize, h: usize) -> Option<f64> {
        let possible = self.grouping.possible(g, h);
        (self.covered[self.at(g, h)] && possible > 0)
            .then(|| self.pairs[self.at(g, h)] as f64 / possible as f64)
    }

    /// Measured mean in-degree of cell (g, h): connected sources in g per target in h.
    pub fn in_degree(&self, g: usize, h: usize) -> Option<f64> {
        let n = self.grouping.size[h];
        (self.covered[self.at(g, h)] && n > 0).then(|| self.pairs[self.at(g, h)] as f64 / n as f64)
    }

    /// Expected connections of cell (g, h).
    pub fn expected_connections(&self, g: usize, h: usize) -> Option<f64> {
        Some(self.expected.as_ref()?[self.at(g, h)])
    }

    /// The rules' expected connection probability from group `g` to group `h`: expected
    /// connections over possible pairs; `None` without the spec or where no rule covers them.
    pub fn expected_probability(&self, g: usize, h: usize) -> Option<f64> {
        let possible = self.grouping.possible(g, h);
        let e = self.expected_connections(g, h)?;
        (self.covered[self.at(g, h)] && possible > 0).then(|| e / possible as f64)
    }

    /// The rules' expected in-degree of group `h`'s nodes from group `g`; `None` as for
    /// [`Matrices::expected_probability`].
    pub fn expected_in_degree(&self, g: usize, h: usize) -> Option<f64> {
        let n = self.grouping.size[h];
        let e = self.expected_connections(g, h)?;
        (self.covered[self.at(g, h)] && n > 0).then(|| e / n as f64)
    }

    /// Distinct connected (source, target) pairs from group `g` to group `h`.
    pub fn pairs(&self, g: usize, h: usize) -> u64 {
        self.pairs[self.at(g, h)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_pairs_in_target_order() {
        // Nodes 0, 1 in group 0; 2, 3 in group 1 (one population).
        let groups = [0u32, 0, 1, 1];
        let mut c = PairCounter::new(&groups, &groups, 2);
        // Target 1: source 0 by two edge types (one pair), source 2. Target 2: sources 0, 1, 0.
        for (s, t) in [(0, 1), (2, 1), (0, 1), (0, 2), (1, 2), (0, 2), (3, 3)] {
            c.add(s, t);
        }
        let p = c.finish();
        assert!(p.exact);
        // (g0 -> g0): (0,1); (g1 -> g0): (2,1); (g0 -> g1): (0,2), (1,2); (g1 -> g1): (3,3).
        assert_eq!(p.counts, vec![1, 2, 1, 1]);
    }

    #[test]
    fn distinct_pairs_in_source_order_and_unsorted() {
        let groups = [0u32, 1, 1];
        let mut c = PairCounter::new(&groups, &groups, 2);
        for (s, t) in [(0, 2), (0, 1), (0, 2), (1, 0), (2, 0), (2, 1)] {
            c.add(s, t);
        }
        let p = c.finish();
        assert!(p.exact);
        assert_eq!(p.counts, vec![0, 2, 2, 1]);

        // Neither order: (0, 1) comes in two runs of target 1 and counts twice.
        let mut c = PairCounter::new(&groups, &groups, 2);
        for (s, t) in [(0, 1), (2, 0), (1, 0), (0, 1)] {
            c.add(s, t);
        }
        let p = c.finish();
        assert!(!p.exact);
        assert_eq!(p.counts, vec![0, 2, 2, 0]);
    }

    #[test]
    fn nodes_past_the_population_are_not_counted() {
        let groups = [0u32, NO_GROUP];
        let mut c = PairCounter::new(&groups, &groups, 1);
        for (s, t) in [(0, 0), (1, 0), (7, 0), (0, 1)] {
            c.add(s, t);
        }
        assert_eq!(c.finish().counts, vec![1]);
    }
}
