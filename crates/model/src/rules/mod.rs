//! Connection rules: for one edge type and one target, which sources connect, with how many
//! synapses and which per-edge property values; rows are pushed into an [`EdgeSink`].
//!
//! In: a circuit's edge type and its generated networks. [`PreparedEdgeType::prepare`] resolves
//! selections, binds expressions, builds the spatial grid and checks what can only be checked once
//! nodes exist (an in-degree above the sources). Out: rows, target by target, through
//! [`PreparedEdgeType::connect`]; and what was dropped or changed on the way, counted (never
//! silent): at prepare time in [`PreparedEdgeType::issues`], while connecting in
//! [`Scratch::issues`] (see [`crate::issues`]).
//!
//! Every random draw comes from a stream keyed by (seed, edge type, node, purpose): which rank
//! runs a target, and in which order, cannot change the rows.

mod bind;
mod file;
pub mod sample;
mod slots;

use crate::circuit::{EdgeTypeDef, EdgeValue, Nsyns, Rule, Value};
use crate::columns::Columns;
use crate::error::ModelError;
use crate::generator::{draw, Drawn};
use crate::grid::Grid;
use crate::issues::{pair_key, IssueKind, Issues};
use crate::nodes::Network;
use crate::pair::Pair;
use crate::shared::{share, Shared};
use crate::sink::{EdgeRow, EdgeSink};
use crate::spatial::{self, SourceTree};
use crate::stream::{stream, Domain, Purpose};
use bind::{AtTarget, BoundExpr};
use rand::Rng;
use rand_distr::{Binomial, Distribution};
use slots::Slots;
use std::ops::Range;
use std::sync::Arc;

const NONE: u32 = u32::MAX;

/// A `count` expression's value is capped here (the spec refuses counts that are always above
/// it): one pair never turns into an endless stream of synapse rows.
pub const MAX_COUNT: u32 = 65_535;

/// The rule with its expressions bound and its global draws made.
enum Prepared {
    ConstProbability(f64),
    /// Thinned through the source tree, node by node, at the expression's bound there.
    Probability(BoundExpr, Arc<SourceTree>),
    ConstCount(u32),
    /// Evaluated on the sources of the tree nodes whose bound rounds to a count of 1 or more.
    Count(BoundExpr, Arc<SourceTree>),
    Indegree(usize),
    Outdegree(usize),
    /// Synapses each target receives, by target position (drawn once, identically everywhere).
    Total(Vec<u64>),
    AllToAll,
    OneToOne,
    File(file::FileIndex),
    Custom(crate::circuit::ConnectionFn),
}

enum PreparedProp {
    Expr(BoundExpr),
    Generator(crate::circuit::Generator),
    Custom(crate::circuit::PropertyFn),
    FileColumn(usize),
}

/// Reusable per-thread buffers, so that `connect` allocates nothing in steady state.
#[derive(Default)]
pub struct Scratch {
    conns: Vec<(u64, u32)>,
    positions: Vec<usize>,
    candidates: Vec<u32>,
    vars: Vec<f64>,
    props: Vec<f64>,
    /// The source tree walk's stack.
    stack: Vec<u32>,
    /// The candidates of a tree node, evaluated together.
    lanes: bind::Lanes,
    /// For a file rule, the file row of each of `conns`.
    file_rows: Vec<u32>,
    /// What the targets connected with this scratch dropped or changed.
    pub issues: Issues,
}

/// Per-rank state for a block of targets (the `outdegree` rule's buckets).
#[derive(Default)]
pub struct BlockState {
    /// First target position of the block.
    first: usize,
    /// Sources of each target position of the block, ascending.
    buckets: Vec<Vec<u64>>,
}

/// One edge type, ready to connect targets.
pub struct PreparedEdgeType<'c> {
    pub index: usize,
    pub def: &'c EdgeTypeDef,
    seed: u64,
    src_net: &'c Network,
    trg_net: &'c Network,
    /// Source and target are the same network and autapses are not allowed.
    exclude_self: bool,
    /// Selected source and target node ids, ascending (one copy per host).
    pub sources: Shared<u64>,
    pub targets: Shared<u64>,
    src_slot: Slots,
    trg_slot: Slots,
    src_pos: Shared<[f64; 3]>,
    trg_pos: Shared<[f64; 3]>,
    grid: Option<Grid>,
    rule: Prepared,
    /// For rules walked through the source tree: the estimated work of one target, from a
    /// sample of targets (see [`PreparedEdgeType::work`]).
    walk_work: f64,
    props: Vec<PreparedProp>,
    /// What preparing dropped (a file's self-connections): the same on every rank.
    pub issues: Issues,
}

fn select(net: &Network, filters: &[(String, Vec<crate::circuit::Scalar>)]) -> Vec<u64> {
    let mut keep = vec![true; net.n as usize];
    for (name, values) in filters {
        for (k, m) in keep.iter_mut().zip(net.matches(name, values)) {
            *k &= m;
        }
    }
    keep.iter()
        .enumerate()
        .filter(|(_, &k)| k)
        .map(|(i, _)| i as u64)
        .collect()
}

impl<'c> PreparedEdgeType<'c> {
    /// Resolves edge type `index` of `def` against the generated networks.
    pub fn prepare(
        index: usize,
        def: &'c EdgeTypeDef,
        seed: u64,
        columns: &mut Columns<'c>,
    ) -> Result<Self, ModelError> {
        let err = |message: String| ModelError::EdgeType {
            edge_type: index,
            message,
        };
        let networks = columns.networks();
        let find = |name: &str| {
            networks
                .iter()
                .position(|n| n.name == name)
                .ok_or_else(|| err(format!("no network named '{name}'")))
        };
        let (si, ti) = (find(&def.source.network)?, find(&def.target.network)?);
        let (src_net, trg_net) = (&networks[si], &networks[ti]);
        for (sel, net) in [(&def.source, src_net), (&def.target, trg_net)] {
            for (name, _) in &sel.filters {
                if !net.has_property(name) {
                    return Err(err(format!(
                        "network '{}' has no property '{name}'",
                        net.name
                    )));
                }
            }
        }
        if src_net.n >= u64::from(NONE) || trg_net.n >= u64::from(NONE) {
            return Err(err(
                "networks of 2^32 nodes or more are not supported".into()
            ));
        }
        let host = columns.host();
        let sources = share(host, || select(src_net, &def.source.filters));
        let targets = share(host, || select(trg_net, &def.target.filters));
        let exclude_self = si == ti && !def.autapses;
        let src_pos = columns.positions(si);
        let trg_pos = columns.positions(ti);
        // Expression rules walk a source tree (which also applies `max_distance`); the others
        // find the sources within `max_distance` on a grid.
        let walked = matches!(
            def.rule,
            Rule::Probability(Value::Expr(_)) | Rule::Count(Value::Expr(_))
        );
        let grid = def
            .max_distance
            .filter(|_| !walked)
            .map(|r| Grid::on_host(sources.len(), |i| src_pos[sources[i] as usize], r, host));
        let bind_sources = sources.clone();
        let bind = |e: &netbuild_expr::Expr, columns: &mut Columns<'c>| {
            BoundExpr::bind(e, columns, si, ti, &bind_sources, None).map_err(err)
        };
        let bind_walked = |e: &netbuild_expr::Expr, columns: &mut Columns<'c>| {
            let tree = columns.source_tree(si, &bind_sources);
            BoundExpr::bind(e, columns, si, ti, &bind_sources, Some(&tree))
                .map(|b| (b, tree))
                .map_err(err)
        };
        let mut me = PreparedEdgeType {
            index,
            def,
            seed,
            src_net,
            trg_net,
            exclude_self,
            src_slot: Slots::new(src_net.n, &sources),
            trg_slot: Slots::new(trg_net.n, &targets),
            sources,
            targets,
            src_pos,
            trg_pos,
            grid,
            rule: Prepared::AllToAll,
            walk_work: 0.0,
            props: Vec::new(),
            issues: Issues::default(),
        };
        if def.max_distance.is_some()
            && matches!(
                def.rule,
                Rule::Indegree(_) | Rule::Outdegree(_) | Rule::Total(_)
            )
        {
            return Err(err(format!(
                "max_distance cannot be combined with the {} rule, which fixes the number of edges",
                def.rule.name()
            )));
        }
        me.rule = match &def.rule {
            Rule::Probability(Value::Const(p)) => Prepared::ConstProbability(*p),
            Rule::Probability(Value::Expr(e)) => {
                let (e, tree) = bind_walked(e, columns)?;
                Prepared::Probability(e, tree)
            }
            Rule::Count(Value::Const(c)) => Prepared::ConstCount(c.round().max(0.0) as u32),
            Rule::Count(Value::Expr(e)) => {
                let (e, tree) = bind_walked(e, columns)?;
                Prepared::Count(e, tree)
            }
            Rule::Indegree(k) => {
                let k = *k as usize;
                check_degree(
                    k,
                    "indegree",
                    "target",
                    "sources",
                    &me.targets,
                    &me.sources,
                    &me.src_slot,
                    me.exclude_self,
                )
                .map_err(err)?;
                Prepared::Indegree(k)
            }
            Rule::Outdegree(k) => {
                let k = *k as usize;
                check_degree(
                    k,
                    "outdegree",
                    "source",
                    "targets",
                    &me.sources,
                    &me.targets,
                    &me.trg_slot,
                    me.exclude_self,
                )
                .map_err(err)?;
                Prepared::Outdegree(k)
            }
            Rule::Total(n) => {
                if *n > 0 && me.targets.iter().all(|&t| me.available(t) == 0) {
                    return Err(err(format!(
                        "total = {n} but the selections have no pair to connect"
                    )));
                }
                Prepared::Total(me.total_counts(*n))
            }
            Rule::AllToAll => Prepared::AllToAll,
            Rule::OneToOne => {
                if me.sources.len() != me.targets.len() {
                    return Err(err(format!(
                        "one_to_one needs as many sources as targets, found {} sources and {} targets",
                        me.sources.len(),
                        me.targets.len()
                    )));
                }
                Prepared::OneToOne
            }
            Rule::File(rows) => Prepared::File(me.index_file(rows).map_err(err)?),
            Rule::Custom(f) => Prepared::Custom(f.clone()),
        };
        for p in &def.edge_props {
            me.props.push(match &p.value {
                EdgeValue::Expr(e) => PreparedProp::Expr(bind(e, columns)?),
                EdgeValue::Generator(g) => PreparedProp::Generator(g.clone()),
                EdgeValue::Custom(f) => PreparedProp::Custom(f.clone()),
                EdgeValue::FileColumn(k) => PreparedProp::FileColumn(*k),
            });
        }
        me.walk_work = me.sampled_walk_work();
        Ok(me)
    }

    /// Sources target `t` may connect to without an autapse.
    fn available(&self, t: u64) -> usize {
        let own = self.exclude_self && self.src_slot.contains(t);
        self.sources.len() - usize::from(own)
    }

    /// NEST's fixed_total_number: a multinomial split of `n` over targets, weighted by their
    /// possible pairs, drawn as a chain of binomials from one stream so every rank draws the same.
    fn total_counts(&self, n: u64) -> Vec<u64> {
        let mut rng = stream(self.seed, Domain::EdgeType(self.index), 0, Purpose::Total);
        let weights: Vec<f64> = self
            .targets
            .iter()
            .map(|&t| self.available(t) as f64)
            .collect();
        let mut left_weight: f64 = weights.iter().sum();
        let mut left = n;
        let mut counts = Vec::with_capacity(weights.len());
        for w in weights {
            let c = if left == 0 || w <= 0.0 {
                0
            } else if w >= left_weight {
                left
            } else {
                Binomial::new(left, (w / left_weight).clamp(0.0, 1.0))
                    .map(|b| b.sample(&mut rng))
                    .unwrap_or(0)
            };
            counts.push(c);
            left -= c;
            left_weight -= w;
        }
        counts
    }

    /// Whether node `t` of the target network is a target of this edge type.
    pub fn is_target(&self, t: u64) -> bool {
        self.trg_slot.contains(t)
    }

    pub fn source_network(&self) -> &'c Network {
        self.src_net
    }
    pub fn target_network(&self) -> &'c Network {
        self.trg_net
    }

    /// Estimated cost of connecting target `t` (pairs visited plus rows made), for splitting
    /// targets over ranks in blocks of equal work.
    pub fn work(&self, t: u64) -> f64 {
        if !self.is_target(t) {
            return 0.0;
        }
        let s = self.sources.len() as f64;
        let visited = match &self.grid {
            Some(g) => g.nearby_count(self.trg_pos[t as usize]) as f64,
            None => s,
        };
        let rows = match &self.rule {
            // Walked rules: the same estimate for every target (see `sampled_walk_work`).
            Prepared::Probability(..) | Prepared::Count(..) => return 1.0 + self.walk_work,
            Prepared::ConstProbability(p) => visited * p,
            Prepared::Custom(_) => visited,
            Prepared::ConstCount(_) | Prepared::AllToAll => visited,
            Prepared::Indegree(k) => *k as f64,
            Prepared::Outdegree(k) => *k as f64 * s / (self.targets.len().max(1) as f64),
            Prepared::Total(c) => c[self.trg_slot.get(t) as usize] as f64,
            Prepared::OneToOne => 1.0,
            Prepared::File(index) => index.rows_of(self.trg_slot.get(t) as usize) as f64,
        };
        let visit_cost = match &self.rule {
            Prepared::ConstProbability(_) | Prepared::Indegree(_) | Prepared::Total(_) => 0.0,
            _ => visited * 0.2,
        };
        1.0 + visit_cost + rows * (1.0 + self.props.len() as f64)
    }

    /// Prepares a block of target node ids `range` (one rank's share). Errors only if a rule
    /// cannot be satisfied.
    pub fn prepare_block(&self, range: Range<u64>) -> BlockState {
        let first = self.targets.partition_point(|&t| t < range.start);
        let end = self.targets.partition_point(|&t| t < range.end);
        let Prepared::Outdegree(k) = self.rule else {
            return BlockState {
                first,
                buckets: Vec::new(),
            };
        };
        let mut buckets = vec![Vec::new(); end - first];
        let mut picks = Vec::with_capacity(k);
        for &s in &self.sources {
            let own = if self.exclude_self {
                self.trg_slot.get(s)
            } else {
                NONE
            };
            let n = self.targets.len() - usize::from(own != NONE);
            let mut rng = stream(
                self.seed,
                Domain::EdgeType(self.index),
                s,
                Purpose::Outdegree,
            );
            sample::distinct_positions(n, k.min(n), &mut rng, &mut picks);
            for &p in &picks {
                let p = if own != NONE && p >= own as usize {
                    p + 1
                } else {
                    p
                };
                if (first..end).contains(&p) {
                    buckets[p - first].push(s);
                }
            }
        }
        BlockState { first, buckets }
    }

    /// Connects target node `t` (which must be a target of this edge type and inside the block
    /// of `block`): pushes its rows into `sink`, sources ascending.
    pub fn connect<S: EdgeSink>(
        &self,
        block: &BlockState,
        t: u64,
        scratch: &mut Scratch,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let tslot = self.trg_slot.get(t);
        if tslot == NONE {
            return Ok(());
        }
        let tpos = tslot as usize;
        let tp = self.trg_pos[t as usize];
        let mut rng = stream(self.seed, Domain::EdgeType(self.index), t, Purpose::Connect);
        let Scratch {
            conns,
            positions,
            candidates,
            vars,
            props,
            stack,
            lanes,
            file_rows,
            issues,
        } = scratch;
        conns.clear();
        file_rows.clear();
        let grid_candidates = |candidates: &mut Vec<u32>| -> Option<usize> {
            let g = self.grid.as_ref()?;
            g.within(tp, candidates);
            Some(candidates.len())
        };
        let source_at = |i: usize, from_grid: bool, candidates: &[u32]| -> usize {
            if from_grid {
                candidates[i] as usize
            } else {
                i
            }
        };
        match &self.rule {
            Prepared::ConstProbability(p) => {
                let from_grid = grid_candidates(candidates).is_some();
                let n = if from_grid {
                    candidates.len()
                } else {
                    self.sources.len()
                };
                sample::bernoulli_positions(n, *p, &mut rng, positions);
                for &i in positions.iter() {
                    let s = self.sources[source_at(i, from_grid, candidates)];
                    if !(self.exclude_self && s == t) {
                        conns.push((s, 0));
                    }
                }
            }
            Prepared::Probability(e, tree) => {
                let r = self.def.max_distance;
                let e = e.at_target(t);
                tree.walk(
                    stack,
                    |at, node| self.walk_bound(&e, tp, at, node),
                    |node, b| {
                        // Thinning: candidates drawn with the node's bound b, each kept with
                        // p / b, so a pair is kept with probability p while p is evaluated on
                        // about b of the node's pairs.
                        sample::bernoulli_positions(node.len(), b, &mut rng, positions);
                        lanes.clear();
                        for &i in positions.iter() {
                            let k = node.start as usize + i;
                            let (s, sp) = (self.sources[tree.source_at(k)], tree.point(k));
                            if !((self.exclude_self && s == t) || !within(r, sp, tp)) {
                                lanes.push(s, sp);
                            }
                        }
                        let mut keep = |s: u64, v: f64, rng: &mut rand_chacha::ChaCha8Rng| {
                            if v.is_nan() {
                                let key = pair_key(s, t);
                                issues.note(self.index, IssueKind::NanProbability, key);
                            }
                            if rng.gen::<f64>() * b < v {
                                conns.push((s, 0));
                            }
                        };
                        // All candidates' values at once, then the draws in the same order as
                        // pair by pair (an expression that draws interleaves its own draws).
                        if let Some((sources, values)) = e.eval_lanes(lanes, tp) {
                            for (&s, &v) in sources.iter().zip(values) {
                                keep(s, v, &mut rng);
                            }
                        } else {
                            for (s, sp) in lanes.candidates() {
                                let v = e.eval(s, sp, tp, vars, &mut rng);
                                keep(s, v, &mut rng);
                            }
                        }
                    },
                );
                conns.sort_unstable_by_key(|c| c.0);
            }
            Prepared::Count(e, tree) => {
                let r = self.def.max_distance;
                let e = e.at_target(t);
                let bound = |at, node: &spatial::TreeNode| self.walk_bound(&e, tp, at, node);
                tree.walk(stack, bound, |node, _| {
                    for k in node.start as usize..node.end as usize {
                        let (s, sp) = (self.sources[tree.source_at(k)], tree.point(k));
                        if (self.exclude_self && s == t) || !within(r, sp, tp) {
                            continue;
                        }
                        let c = e.eval(s, sp, tp, vars, &mut rng).round();
                        if c.is_nan() {
                            issues.note(self.index, IssueKind::NanCount, pair_key(s, t));
                        } else if c > f64::from(MAX_COUNT) {
                            issues.note(self.index, IssueKind::CountCapped, pair_key(s, t));
                        }
                        if c >= 1.0 {
                            conns.push((s, c.min(f64::from(MAX_COUNT)) as u32));
                        }
                    }
                });
                conns.sort_unstable_by_key(|c| c.0);
            }
            Prepared::ConstCount(_) | Prepared::AllToAll => {
                // A constant count is all_to_all with that many synapses (0: no edge at all).
                let c = match self.rule {
                    Prepared::ConstCount(0) => return Ok(()),
                    Prepared::ConstCount(c) => c,
                    _ => 0,
                };
                conns.extend(self.candidate_sources(t, tp, candidates).map(|s| (s, c)));
            }
            Prepared::Indegree(k) => {
                let own = if self.exclude_self {
                    self.src_slot.get(t)
                } else {
                    NONE
                };
                let n = self.sources.len() - usize::from(own != NONE);
                sample::distinct_positions(n, (*k).min(n), &mut rng, positions);
                for &p in positions.iter() {
                    let p = if own != NONE && p >= own as usize {
                        p + 1
                    } else {
                        p
                    };
                    conns.push((self.sources[p], 0));
                }
            }
            Prepared::Outdegree(_) => {
                if let Some(b) = tpos
                    .checked_sub(block.first)
                    .and_then(|i| block.buckets.get(i))
                {
                    conns.extend(b.iter().map(|&s| (s, 0)));
                }
            }
            Prepared::Total(counts) => {
                let own = if self.exclude_self {
                    self.src_slot.get(t)
                } else {
                    NONE
                };
                let n = self.sources.len() - usize::from(own != NONE);
                positions.clear();
                for _ in 0..counts[tpos] {
                    positions.push(rng.gen_range(0..n));
                }
                positions.sort_unstable();
                for &p in positions.iter() {
                    let p = if own != NONE && p >= own as usize {
                        p + 1
                    } else {
                        p
                    };
                    conns.push((self.sources[p], 0));
                }
            }
            Prepared::OneToOne => {
                let s = self.sources[tpos];
                let near = self.within_reach(s, tp);
                if near && !(self.exclude_self && s == t) {
                    conns.push((s, 0));
                }
            }
            Prepared::File(index) => {
                self.connect_file(index, tpos, tp, conns, file_rows, issues);
            }
            Prepared::Custom(f) => {
                for s in self.candidate_sources(t, tp, candidates) {
                    let c = f(&self.pair(s, t));
                    if c > 0 {
                        conns.push((s, c));
                    }
                }
            }
        }
        self.emit(t, conns, file_rows, vars, props, issues, sink)
    }

    /// The sources target `t` (at `tp`) visits, ascending: those within `max_distance` (from the
    /// grid, into `candidates`) or all of them; never `t` itself when autapses are off.
    fn candidate_sources<'a>(
        &'a self,
        t: u64,
        tp: [f64; 3],
        candidates: &'a mut Vec<u32>,
    ) -> impl Iterator<Item = u64> + 'a {
        let from_grid = match &self.grid {
            Some(g) => {
                g.within(tp, candidates);
                true
            }
            None => false,
        };
        let candidates: &'a [u32] = candidates;
        let n = if from_grid {
            candidates.len()
        } else {
            self.sources.len()
        };
        (0..n)
            .map(move |i| self.sources[if from_grid { candidates[i] as usize } else { i }])
            .filter(move |&s| !(self.exclude_self && s == t))
    }

    /// Whether source `s` is within `max_distance` of a target at `tp` (always, without one).
    fn within_reach(&self, s: u64, tp: [f64; 3]) -> bool {
        within(self.def.max_distance, self.src_pos[s as usize], tp)
    }

    /// What the tree walk of a walked rule thins a node at, for the target of `e` (at `tp`):
    /// the probability's bound over the node's pairs; for a count, 1 where the bound reaches a
    /// count of 1 (from 0.5 on: every pair is evaluated there) and 0 elsewhere.
    fn walk_bound(
        &self,
        e: &AtTarget<'_>,
        tp: [f64; 3],
        at: usize,
        node: &spatial::TreeNode,
    ) -> f64 {
        let b = e.upper_bound(tp, at, node, self.def.max_distance);
        match self.rule {
            Prepared::Count(..) => f64::from(u8::from(b >= 0.5)),
            _ => b,
        }
    }

    /// The mean work of a target of a rule walked through the source tree: bounds computed
    /// and candidates expected, over up to 32 targets spread over the selection. The walk needs
    /// no random draw for this, so it is the same on every rank.
    fn sampled_walk_work(&self) -> f64 {
        let (Prepared::Probability(e, tree) | Prepared::Count(e, tree)) = &self.rule else {
            return 0.0;
        };
        let n = self.targets.len();
        let m = n.min(32);
        if m == 0 {
            return 0.0;
        }
        let per_row = 1.0 + self.props.len() as f64;
        let mut stack = Vec::new();
        let work = std::cell::Cell::new(0.0);
        for i in 0..m {
            let t = self.targets[i * n / m];
            let tp = self.trg_pos[t as usize];
            let e = e.at_target(t);
            tree.walk(
                &mut stack,
                |at, node| {
                    work.set(work.get() + 2.0);
                    self.walk_bound(&e, tp, at, node)
                },
                |node, b| work.set(work.get() + node.len() as f64 * b * per_row),
            );
        }
        work.get() / m as f64
    }

    fn pair(&self, s: u64, t: u64) -> Pair<'c> {
        Pair {
            source: s,
            target: t,
            source_position: self.src_pos[s as usize],
            target_position: self.trg_pos[t as usize],
            source_network: self.src_net,
            target_network: self.trg_net,
        }
    }

    /// Draws nsyns and per-edge properties for the connections of `t` (with their file rows,
    /// for a file rule) and pushes the rows. Values that their dtype cannot hold are counted.
    #[allow(clippy::too_many_arguments)]
    fn emit<S: EdgeSink>(
        &self,
        t: u64,
        conns: &[(u64, u32)],
        file_rows: &[u32],
        vars: &mut Vec<f64>,
        props: &mut Vec<f64>,
        issues: &mut Issues,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        if conns.is_empty() {
            return Ok(());
        }
        let domain = Domain::EdgeType(self.index);
        let mut nsyns_rng = stream(self.seed, domain, t, Purpose::Nsyns);
        let mut prop_rng = stream(self.seed, domain, t, Purpose::EdgeProperty);
        let tp = self.trg_pos[t as usize];
        let per_synapse = self.def.row_per_synapse();
        for (c, &(s, count)) in conns.iter().enumerate() {
            let nsyns = if count > 0 {
                count
            } else {
                match self.def.nsyns {
                    Nsyns::Fixed(n) => n,
                    Nsyns::UniformInt(lo, hi) => nsyns_rng.gen_range(lo..=hi.max(lo)),
                }
            };
            if !per_synapse {
                sink.push(EdgeRow {
                    edge_type: self.index,
                    source: s,
                    target: t,
                    nsyns,
                    properties: &[],
                })?;
                continue;
            }
            let sp = self.src_pos[s as usize];
            for _ in 0..nsyns {
                props.clear();
                for (k, p) in self.props.iter().enumerate() {
                    let x = match p {
                        PreparedProp::Expr(e) => e.eval(s, t, sp, tp, vars, &mut prop_rng),
                        PreparedProp::Generator(g) => match draw(g, 0, 1, &mut prop_rng) {
                            Drawn::Num(x) => x,
                            Drawn::Str(_) => f64::NAN,
                        },
                        PreparedProp::Custom(f) => f(&self.pair(s, t), &mut prop_rng),
                        PreparedProp::FileColumn(j) => self.file_value(file_rows.get(c), *j),
                    };
                    self.check_value(k, x, s, t, issues);
                    props.push(x);
                }
                sink.push(EdgeRow {
                    edge_type: self.index,
                    source: s,
                    target: t,
                    nsyns: 1,
                    properties: props,
                })?;
            }
        }
        Ok(())
    }
}

impl PreparedEdgeType<'_> {
    /// Counts value `x` of property `k` for pair (`s`, `t`) if its dtype cannot hold it: NaN,
    /// infinite or beyond f32 (no simulator can use it), or an integer out of range (clamped).
    fn check_value(&self, k: usize, x: f64, s: u64, t: u64, issues: &mut Issues) {
        let dtype = self.def.edge_props[k].dtype;
        if x.is_finite() && dtype.holds(x) {
            return;
        }
        let kind = if x.is_finite() && dtype.is_integer() {
            IssueKind::Clamped(k)
        } else {
            IssueKind::NonFinite(k)
        };
        issues.note(self.index, kind, pair_key(s, t));
    }
}

/// A fixed degree `k` must fit the distinct partners of every node on the fixed side (`nodes`,
/// choosing among `partners`; one fewer when a node is itself a partner and autapses are off).
#[allow(clippy::too_many_arguments)]
fn check_degree(
    k: usize,
    rule: &str,
    node: &str,
    partner: &str,
    nodes: &[u64],
    partners: &[u64],
    partner_slot: &Slots,
    exclude_self: bool,
) -> Result<(), String> {
    let own = exclude_self && nodes.iter().any(|&n| partner_slot.contains(n));
    let worst = partners.len() - usize::from(own);
    if k > worst && !nodes.is_empty() {
        return Err(format!(
            "{rule} = {k} but a {node} can have only {worst} distinct {partner}"
        ));
    }
    Ok(())
}

/// Whether `a` and `b` are within `max_distance` of each other (always, without one).
fn within(max_distance: Option<f64>, a: [f64; 3], b: [f64; 3]) -> bool {
    max_distance.is_none_or(|r| distance(a, b) <= r)
}

fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}
