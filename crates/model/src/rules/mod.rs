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
//!
//! This module holds what every rule kind shares (selections, the grid, per-edge properties,
//! the rows' emission) and dispatches to the rule kinds, each in a file of its own with its
//! preparation and its connection: `probability`, `count` (and `all_to_all`), `degree`
//! (`indegree`, `outdegree`, `total`), `one_to_one`, `file`, `custom`; `walk` is the
//! source-tree walk the expression rules share.

mod bind;
mod count;
mod custom;
mod degree;
mod emit;
mod file;
mod locations;
mod one_to_one;
mod probability;
pub mod sample;
mod slots;
mod walk;

use crate::circuit::{EdgeTypeDef, EdgeValue, Rule, Value};
use crate::columns::Columns;
use crate::error::ModelError;
use crate::grid::Grid;
use crate::issues::Issues;
use crate::nodes::Network;
use crate::pair::Pair;
use crate::shared::{share, Shared};
use crate::sink::EdgeSink;
use crate::spatial::{SourceTree, SplitAxes};
use crate::stream::{stream, Domain, Purpose};
use bind::BoundExpr;
use netbuild_expr::Var;
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
    CustomPerTarget(crate::circuit::TargetFn),
    /// Evaluated in [`PreparedEdgeType::prepare_block`], into [`BlockState::counted`].
    CustomPerSource(crate::circuit::SourceFn),
}

enum PreparedProp {
    Expr(BoundExpr),
    Generator(netbuild_types::Generator),
    Custom(crate::circuit::PropertyFn),
    FileColumn(usize),
}

/// The target being connected: its node id, its position in the target selection, its
/// coordinates.
#[derive(Clone, Copy)]
struct Target {
    id: u64,
    slot: usize,
    pos: [f64; 3],
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
    /// The rows whose properties are evaluated together.
    rows: emit::RowBatch,
    /// What the targets connected with this scratch dropped or changed.
    pub issues: Issues,
}

/// Per-rank state for a block of targets (the `outdegree` rule's buckets, a per-source custom
/// rule's counts).
#[derive(Default)]
pub struct BlockState {
    /// First target position of the block.
    first: usize,
    /// Sources of each target position of the block, ascending.
    buckets: Vec<Vec<u64>>,
    /// For [`Rule::CustomPerSource`]: (source, synapses) of each target position of the block,
    /// sources ascending.
    counted: Vec<Vec<(u64, u32)>>,
}

impl BlockState {
    /// What `per_target` (one of the block's per-target lists) holds for `target`; none for a
    /// target outside the block.
    fn of<'b, T>(&self, per_target: &'b [T], target: Target) -> Option<&'b T> {
        target
            .slot
            .checked_sub(self.first)
            .and_then(|i| per_target.get(i))
    }
}

/// One edge type, ready to connect targets.
pub struct PreparedEdgeType<'c> {
    /// Index of the edge type in the circuit.
    pub index: usize,
    /// The edge type as the circuit describes it.
    pub def: &'c EdgeTypeDef,
    seed: u64,
    src_net: &'c Network,
    trg_net: &'c Network,
    /// Source and target are the same network and autapses are not allowed.
    exclude_self: bool,
    /// Selected source and target node ids, ascending (one copy per host).
    pub sources: Shared<u64>,
    /// Selected target node ids, ascending (one copy per host).
    pub targets: Shared<u64>,
    src_slot: Slots,
    trg_slot: Slots,
    src_pos: Shared<[f64; 3]>,
    trg_pos: Shared<[f64; 3]>,
    grid: Option<Grid>,
    rule: Prepared,
    /// For rules walked through the source tree: the estimated work of one target, from a
    /// sample of targets (see [`PreparedEdgeType::work`]), taken on the first request.
    walk_work: std::sync::OnceLock<f64>,
    props: Vec<PreparedProp>,
    /// Some expression of `props` reads the pair's positions.
    props_read_positions: bool,
    /// `props` are evaluated a batch of rows at a time (`emit::props_in_batches`).
    props_in_batches: bool,
    /// `[edges.locations]`: the targets' morphologies, ready to draw from.
    locations: Option<locations::PreparedLocations>,
    /// What preparing dropped (a file's self-connections): the same on every rank.
    pub issues: Issues,
}

fn select(net: &Network, filters: &[(String, Vec<netbuild_types::Scalar>)]) -> Vec<u64> {
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
                if !net.can_select(name) {
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
            let tree = columns.source_tree(si, &bind_sources, split_axes(e, def.max_distance));
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
            walk_work: std::sync::OnceLock::new(),
            props: Vec::new(),
            props_read_positions: false,
            props_in_batches: false,
            locations: None,
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
            Rule::Probability(p) => probability::prepare(p, |e| bind_walked(e, columns))?,
            Rule::Count(c) => count::prepare(c, |e| bind_walked(e, columns))?,
            Rule::Indegree(k) => me.prepare_indegree(*k).map_err(err)?,
            Rule::Outdegree(k) => me.prepare_outdegree(*k).map_err(err)?,
            Rule::Total(n) => me.prepare_total(*n).map_err(err)?,
            Rule::AllToAll => Prepared::AllToAll,
            Rule::OneToOne => me.prepare_one_to_one().map_err(err)?,
            Rule::File(rows) => Prepared::File(me.index_file(rows).map_err(err)?),
            Rule::Custom(f) => Prepared::Custom(f.clone()),
            Rule::CustomPerTarget(f) => Prepared::CustomPerTarget(f.clone()),
            Rule::CustomPerSource(f) => Prepared::CustomPerSource(f.clone()),
        };
        if let Some(l) = &def.locations {
            me.locations = Some(locations::prepare(l, trg_net, &me.targets, columns).map_err(err)?);
        }
        for p in &def.edge_props {
            me.props.push(match &p.value {
                EdgeValue::Expr(e) => PreparedProp::Expr(bind(e, columns)?),
                EdgeValue::Generator(g) => PreparedProp::Generator(g.clone()),
                EdgeValue::Custom(f) => PreparedProp::Custom(f.clone()),
                EdgeValue::FileColumn(k) => PreparedProp::FileColumn(*k),
            });
        }
        me.props_read_positions = me
            .props
            .iter()
            .any(|p| matches!(p, PreparedProp::Expr(e) if e.reads_positions()));
        me.props_in_batches = emit::props_in_batches(&me.props);
        Ok(me)
    }

    /// Whether node `t` of the target network is a target of this edge type.
    pub fn is_target(&self, t: u64) -> bool {
        self.trg_slot.contains(t)
    }

    /// The network the sources are in.
    pub fn source_network(&self) -> &'c Network {
        self.src_net
    }
    /// The network the targets are in.
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
            Prepared::Probability(..) | Prepared::Count(..) => return 1.0 + self.walk_work(),
            Prepared::ConstProbability(p) => visited * p,
            Prepared::Custom(_) | Prepared::CustomPerTarget(_) => visited,
            // Made in `prepare_block`; connecting a target only copies its share.
            Prepared::CustomPerSource(_) => s / (self.targets.len().max(1) as f64),
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
        // A synapse location costs about one property.
        let per_row = 1.0 + self.props.len() as f64 + f64::from(u8::from(self.locations.is_some()));
        1.0 + visit_cost + rows * per_row
    }

    /// The mean work of a target of a walked rule (0 for the others): sampled on the first
    /// call, which costs a few dozen walks; edge types can take theirs in parallel.
    pub fn walk_work(&self) -> f64 {
        *self.walk_work.get_or_init(|| self.sampled_walk_work())
    }

    /// Prepares a block of target node ids `range` (one rank's share). Errors only if a rule
    /// cannot be satisfied.
    pub fn prepare_block(&self, range: Range<u64>) -> BlockState {
        let first = self.targets.partition_point(|&t| t < range.start);
        let end = self.targets.partition_point(|&t| t < range.end);
        let buckets = match self.rule {
            Prepared::Outdegree(k) => self.outdegree_buckets(k, first..end),
            _ => Vec::new(),
        };
        let counted = match &self.rule {
            Prepared::CustomPerSource(f) => self.per_source_counts(f, first..end),
            _ => Vec::new(),
        };
        BlockState {
            first,
            buckets,
            counted,
        }
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
        let target = Target {
            id: t,
            slot: tslot as usize,
            pos: self.trg_pos[t as usize],
        };
        let mut rng = stream(self.seed, Domain::EdgeType(self.index), t, Purpose::Connect);
        scratch.conns.clear();
        scratch.file_rows.clear();
        let rng = &mut rng;
        match &self.rule {
            Prepared::ConstProbability(p) => {
                self.connect_const_probability(*p, target, rng, scratch)
            }
            Prepared::Probability(e, tree) => {
                self.connect_probability(e, tree, target, rng, scratch)
            }
            Prepared::Count(e, tree) => self.connect_count(e, tree, target, rng, scratch),
            // A constant count is all_to_all with that many synapses (0: no edge at all).
            Prepared::ConstCount(0) => return Ok(()),
            Prepared::ConstCount(c) => self.connect_all(*c, target, scratch),
            Prepared::AllToAll => self.connect_all(0, target, scratch),
            Prepared::Indegree(k) => self.connect_indegree(*k, target, rng, scratch),
            Prepared::Outdegree(_) => self.connect_outdegree(block, target, scratch),
            Prepared::Total(counts) => {
                self.connect_total(counts[target.slot], target, rng, scratch)
            }
            Prepared::OneToOne => self.connect_one_to_one(target, scratch),
            Prepared::File(index) => self.connect_file(
                index,
                target.slot,
                target.pos,
                &mut scratch.conns,
                &mut scratch.file_rows,
                &mut scratch.issues,
            ),
            Prepared::Custom(f) => self.connect_custom(f, target, scratch),
            Prepared::CustomPerTarget(f) => self.connect_custom_per_target(f, target, scratch),
            Prepared::CustomPerSource(_) => self.connect_custom_per_source(block, target, scratch),
        }
        let Scratch {
            conns,
            vars,
            props,
            file_rows,
            rows,
            issues,
            ..
        } = scratch;
        let scratch = emit::EmitScratch {
            file_rows,
            vars,
            props,
            rows,
            issues,
        };
        self.emit(t, conns, scratch, sink)
    }

    /// The sources target `t` (at `tp`) visits, ascending: those within `max_distance` (from the
    /// grid, into `candidates`) or all of them; never `t` itself when autapses are off.
    fn candidate_sources<'a>(
        &'a self,
        t: u64,
        tp: [f64; 3],
        candidates: &'a mut Vec<u32>,
    ) -> impl Iterator<Item = u64> + 'a {
        let from_grid = self.grid_candidates(tp, candidates);
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

    /// With a grid (`max_distance` on a rule that is not walked): fills `candidates` with the
    /// positions in `sources` of the sources within `max_distance` of `tp`, and says so; without
    /// one, every source is a candidate.
    fn grid_candidates(&self, tp: [f64; 3], candidates: &mut Vec<u32>) -> bool {
        match &self.grid {
            Some(g) => {
                g.within(tp, candidates);
                true
            }
            None => false,
        }
    }

    /// Whether source `s` (at `sp`) is left out for `target`: the target itself when autapses
    /// are off, or beyond `max_distance`.
    fn left_out(&self, s: u64, sp: [f64; 3], target: Target) -> bool {
        (self.exclude_self && s == target.id) || !within(self.def.max_distance, sp, target.pos)
    }

    /// Whether source `s` is within `max_distance` of a target at `tp` (always, without one).
    fn within_reach(&self, s: u64, tp: [f64; 3]) -> bool {
        within(self.def.max_distance, self.src_pos[s as usize], tp)
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
}

/// The axes a source tree for expression `e` should split on: those of its `dx`, `dy`, `dz`;
/// all three for `d` or a `max_distance`.
fn split_axes(e: &netbuild_expr::Expr, max_distance: Option<f64>) -> SplitAxes {
    if max_distance.is_some() {
        return SplitAxes::ALL;
    }
    let mut axes = [false; 3];
    for v in e.variables() {
        match v.var {
            Var::D => return SplitAxes::ALL,
            Var::Dx => axes[0] = true,
            Var::Dy => axes[1] = true,
            Var::Dz => axes[2] = true,
            Var::Src(_) | Var::Trg(_) => {}
        }
    }
    SplitAxes(axes)
}

/// Whether `a` and `b` are within `max_distance` of each other (always, without one).
fn within(max_distance: Option<f64>, a: [f64; 3], b: [f64; 3]) -> bool {
    max_distance.is_none_or(|r| distance(a, b) <= r)
}

fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}
