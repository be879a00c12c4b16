//! What a build would make, without making it (`netbuild-mpi check`): per edge type the
//! candidate pairs, connections, synapses and rows; per file the bytes to write; per rank the
//! memory of the edge table against the budget.
//!
//! In: a circuit's generated networks and prepared edge types ([`crate::plan::setup`], as a build
//! prepares them), the build options and a rank count. Out: an [`Estimate`].
//!
//! How each edge type is counted ([`Method`]):
//! - **exact** where the rule fixes the connections: `indegree` (K × targets), `outdegree`
//!   (K × sources), `total` (N), `all_to_all` and a constant `count` (pairs minus autapses);
//!   `one_to_one`, `file`, and any rule whose whole work is small, by connecting every target
//!   with the build's own rule code and keyed streams: the very rows the build will make.
//!   Synapses are exact when `nsyns` is fixed, else connections × the mean of `nsyns`.
//! - **expected** for a constant probability without `max_distance`: p × pairs.
//! - **sampled** otherwise (expressions, closures, a distance cut): a deterministic stratified
//!   sample of targets is connected with the build's own code ([`crate::estimate::sample`]) and the
//!   counts scaled. The sample is sized to about [`SAMPLE_WORK`] units of estimated work (a few
//!   100,000 candidate pairs, at least [`MIN_SAMPLE_TARGETS`] targets); its standard error is
//!   reported.
//!
//! Rows are synapses for edge types with per-edge properties (a row per synapse), else
//! connections (a row per pair with `nsyns`).
//!
//! The estimate is data only: the binary renders it (`check`'s text table and JSON).
//!
//! Beside it: [`sample`], the sampler (also behind the progress line's expected totals), and
//! [`projection`], the build's time and memory on many ranks projected from an estimate.

pub mod projection;
pub mod sample;

use crate::estimate::sample::{by_connecting, Coverage, Sampling, Tally};
use crate::estimate::sample::{ENUMERATE_WORK, MIN_SAMPLE_TARGETS, SAMPLE_WORK};
use crate::plan::setup::EdgeSetup;
use crate::plan::work::type_work_per_block;
use crate::plan::{split_targets, table_dtype, EdgePopulation};
use crate::run::memory::MemoryPlan;
use crate::run::options::{BuildOptions, SortBy};
use crate::write::edge_type_id;
use netbuild_model::{
    Circuit, ColumnType, Network, Nsyns, PreparedEdgeType, Rule, Selector, Value, Values,
};
use netbuild_spill::column::width;

/// Bytes per row of the core datasets of an edges file: source and target ids (u64),
/// edge_type_id (i64), edge_group_id (u32), edge_group_index (u64).
pub const CORE_BYTES_PER_ROW: u64 = 36;
/// Bytes per row of the core columns of the in-memory edge table (source, target, edge type).
pub const TABLE_BYTES_PER_ROW: u64 = 12;
/// Bytes per range of an index (`node_id_to_ranges`, `range_to_edge_id`: two u64 each).
pub const INDEX_BYTES_PER_RANGE: u64 = 16;

/// How an edge type's numbers were found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Fixed by the rule.
    Rule,
    /// Every target connected with the build's own code.
    Enumerated,
    /// p × pairs.
    Expected,
    /// `targets` of `of` targets connected and scaled; `rel_se` is the relative standard error
    /// of the rows.
    Sampled {
        /// Targets connected.
        targets: u64,
        /// Targets of the edge type.
        of: u64,
        /// Relative standard error of the rows.
        rel_se: f64,
    },
}

impl Method {
    /// Whether the connections are the build's exactly.
    pub fn exact(&self) -> bool {
        matches!(self, Method::Rule | Method::Enumerated)
    }
}

impl From<Coverage> for Method {
    fn from(c: Coverage) -> Method {
        match c {
            Coverage::All => Method::Enumerated,
            Coverage::Sample {
                targets,
                of,
                rel_se,
            } => Method::Sampled {
                targets,
                of,
                rel_se,
            },
        }
    }
}

/// One edge type.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeTypeEstimate {
    /// Index in the circuit.
    pub index: usize,
    /// `edge_type_id` in the files.
    pub id: i64,
    /// The edges population (file) it belongs to.
    pub population: String,
    /// The edge type's source and target selectors, as the circuit has them.
    pub source: Selector,
    /// See `source`.
    pub target: Selector,
    /// The rule's name (`probability`, `indegree`, ...).
    pub rule: &'static str,
    /// Candidate pairs: sources × targets, less autapses where excluded (before `max_distance`).
    pub pairs: u64,
    /// Connected (source, target) pairs.
    pub connections: f64,
    /// Synapses (the sum of nsyns).
    pub synapses: f64,
    /// Rows in the edges file.
    pub rows: f64,
    /// Whether each synapse is a row of its own (else a row per connection, with `nsyns`).
    pub row_per_synapse: bool,
    /// How the connections were counted.
    pub method: Method,
    /// Whether `synapses` is the build's exactly.
    pub synapses_exact: bool,
    /// Bytes per row in the edge table (core plus its group's columns).
    pub table_bytes_per_row: u64,
    /// Bytes per row of its group's columns in the file.
    pub group_bytes_per_row: u64,
}

impl EdgeTypeEstimate {
    /// Whether `rows` is the build's exactly.
    pub fn rows_exact(&self) -> bool {
        if self.row_per_synapse {
            self.synapses_exact
        } else {
            self.method.exact()
        }
    }
}

/// One edges file.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationEstimate {
    /// The population's name (`<src>_to_<trg>`).
    pub name: String,
    /// The edges file's name.
    pub file: String,
    /// Indices into [`Estimate::edge_types`].
    pub edge_types: Vec<usize>,
    /// Rows in the file.
    pub rows: f64,
    /// Synapses in the file.
    pub synapses: f64,
    /// Whether `rows` is the build's exactly.
    pub exact: bool,
    /// Bytes of the edges file (uncompressed).
    pub file_bytes: f64,
    /// Rows and edge table bytes of each rank.
    pub rank_rows: Vec<f64>,
    /// See `rank_rows`.
    pub rank_table_bytes: Vec<f64>,
}

impl PopulationEstimate {
    /// The largest rank's share: (rank, table bytes).
    pub fn largest_share(&self) -> (usize, f64) {
        self.rank_table_bytes
            .iter()
            .copied()
            .enumerate()
            .fold((0, 0.0), |a, (r, b)| if b > a.1 { (r, b) } else { a })
    }
}

/// One nodes file.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkEstimate {
    /// The network's name.
    pub name: String,
    /// Its nodes.
    pub nodes: u64,
    /// The nodes file's name.
    pub file: String,
    /// Bytes of the nodes file.
    pub file_bytes: f64,
}

/// What a build on `ranks` ranks would make.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Ranks the build would run on.
    pub ranks: usize,
    /// The circuit's seed.
    pub seed: u64,
    /// Every network (nodes file).
    pub networks: Vec<NetworkEstimate>,
    /// Every edge type.
    pub edge_types: Vec<EdgeTypeEstimate>,
    /// Every edges population (file).
    pub populations: Vec<PopulationEstimate>,
    /// The memory plan of a rank: its budget, where it came from, and the edge table's share.
    pub memory: MemoryPlan,
}

impl Estimate {
    /// Rows of all edges files.
    pub fn rows(&self) -> f64 {
        self.populations.iter().map(|p| p.rows).sum()
    }
    /// Synapses of all edges files.
    pub fn synapses(&self) -> f64 {
        self.populations.iter().map(|p| p.synapses).sum()
    }
    /// Bytes of all files.
    pub fn file_bytes(&self) -> f64 {
        self.networks.iter().map(|n| n.file_bytes).sum::<f64>()
            + self.populations.iter().map(|p| p.file_bytes).sum::<f64>()
    }
    /// The largest edge table of any rank: (population index, rank, bytes).
    pub fn largest_share(&self) -> Option<(usize, usize, f64)> {
        self.populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (r, b) = p.largest_share();
                (i, r, b)
            })
            .fold(None, |a: Option<(usize, usize, f64)>, x| match a {
                Some(a) if a.2 >= x.2 => Some(a),
                _ => Some(x),
            })
    }
    /// Whether an edge table of `table_bytes` goes past its share of the memory plan and spills
    /// to disk.
    pub fn spills(&self, table_bytes: f64) -> bool {
        table_bytes > self.memory.edge_table as f64
    }
    /// Whether some rank's edge table will go past its share and spill to disk.
    pub fn will_spill(&self) -> bool {
        self.largest_share().is_some_and(|(_, _, b)| self.spills(b))
    }
}

/// Estimates what building `circuit` (networks and edge types prepared in `setup`) with
/// `options` on `ranks` ranks makes.
pub fn estimate(
    circuit: &Circuit,
    networks: &[Network],
    setup: &EdgeSetup<'_>,
    options: &BuildOptions,
    ranks: usize,
) -> Estimate {
    let ranks = ranks.max(1);
    let sampling = check_sampling(circuit.edge_types.len());
    let mut edge_types: Vec<EdgeTypeEstimate> = Vec::new();
    let mut populations = Vec::new();
    for (pop, work) in setup.populations.iter().zip(&setup.work) {
        let types = setup.types_of(pop);
        let first = edge_types.len();
        for (l, e) in types.iter().enumerate() {
            let group = &pop.groups[pop.group_of[l]];
            let table: u64 = group
                .iter()
                .map(|(_, c)| width(table_dtype(*c)) as u64)
                .sum();
            let file: u64 = group.iter().map(|(_, c)| file_bytes(*c)).sum();
            let total_work = work.type_totals()[l];
            edge_types.push(edge_type(e, pop, [table, file], sampling, total_work));
        }
        let mine = &edge_types[first..];
        let blocks = split_targets(work, ranks);
        populations.push(population(
            pop,
            &type_work_per_block(&types, &blocks),
            mine,
            first,
            networks,
            options.sort_edges_by,
            ranks,
        ));
    }
    Estimate {
        ranks,
        seed: circuit.seed,
        networks: networks
            .iter()
            .map(
                |n| match circuit.imports.iter().find(|i| i.network == n.name) {
                    Some(imp) => imported_network(imp, n),
                    None => network(n),
                },
            )
            .collect(),
        edge_types,
        populations,
        // All ranks on this host unless the front end knows better (`--ranks-per-host`).
        memory: options.memory_plan(options.ranks_on_machine.unwrap_or(ranks).min(ranks)),
    }
}

/// An imported network: the size of the file it copies, or nothing written (`copy = false`).
fn imported_network(imp: &netbuild_model::ImportBlock, n: &Network) -> NetworkEstimate {
    let (file, file_bytes) = if imp.copy {
        let bytes = std::fs::metadata(&imp.nodes_file).map_or(0, |m| m.len());
        let [h5, _] = crate::output::names::nodes_files(&n.name);
        (h5, bytes as f64)
    } else {
        (imp.nodes_file.display().to_string(), 0.0)
    };
    NetworkEstimate {
        name: n.name.clone(),
        nodes: n.n,
        file,
        file_bytes,
    }
}

fn network(n: &Network) -> NetworkEstimate {
    // node_type_id (i64), node_id (u64), node_group_id (u32), node_group_index (u64).
    let mut bytes = 28.0 * n.n as f64;
    for b in &n.blocks {
        for c in &b.columns {
            bytes += match &c.values {
                Values::Num { data, dtype } | Values::Rows { data, dtype, .. } => {
                    (data.len() * width(*dtype)) as f64
                }
                Values::Str(s) => s.iter().map(|x| x.len() as f64 + 16.0).sum(),
            };
        }
    }
    NetworkEstimate {
        name: n.name.clone(),
        nodes: n.n,
        file: crate::output::names::nodes_files(&n.name)[0].clone(),
        file_bytes: bytes,
    }
}

/// Sources × targets, less the pairs of a node with itself where autapses are excluded.
fn pairs(e: &PreparedEdgeType<'_>) -> u64 {
    let all = e.sources.len() as u64 * e.targets.len() as u64;
    let same = std::ptr::eq(e.source_network(), e.target_network());
    if !same || e.def.autapses {
        return all;
    }
    // Both ascending: count the nodes in both.
    let (mut i, mut j, mut both) = (0, 0, 0u64);
    while i < e.sources.len() && j < e.targets.len() {
        match e.sources[i].cmp(&e.targets[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    all - both
}

fn nsyns_mean(n: &Nsyns) -> (f64, bool) {
    match *n {
        Nsyns::Fixed(k) => (f64::from(k), true),
        Nsyns::UniformInt(lo, hi) if hi <= lo => (f64::from(lo), true),
        Nsyns::UniformInt(lo, hi) => ((f64::from(lo) + f64::from(hi)) / 2.0, false),
    }
}

/// The work of `check`'s samples over all edge types: past [`SAMPLE_WORK`] each, edge types
/// share it (Allen's V1 has 372 of them, whose errors average out over the total).
pub const CHECK_TOTAL_WORK: f64 = 4.0e7;

/// `check`'s sample for a circuit of `n_types` edge types: a few 100,000 pairs per edge type
/// (fewer when there are very many), standard errors well under 1% of the total.
fn check_sampling(n_types: usize) -> Sampling {
    Sampling {
        work: SAMPLE_WORK.min(CHECK_TOTAL_WORK / n_types.max(1) as f64),
        min_targets: MIN_SAMPLE_TARGETS,
        enumerate_below: ENUMERATE_WORK,
    }
}

/// Bytes of one value of a column of type `c` in the edges file: a number's width; for a
/// string, HDF5's variable-length reference in the dataset (16 bytes) and the string's object in
/// the global heap (a 16-byte header, the bytes padded to 8): about 40 for a short name
/// (measured: 2.25M short strings take 72 MB more than as f64).
fn file_bytes(c: ColumnType) -> u64 {
    match c {
        ColumnType::Num(d) => width(d) as u64,
        ColumnType::Str => 40,
    }
}

/// `total_work`: the work of all of `e`'s targets. `group_bytes`: bytes of its group's values
/// per row in the edge table and in the file.
fn edge_type(
    e: &PreparedEdgeType<'_>,
    pop: &EdgePopulation,
    group_bytes: [u64; 2],
    sampling: Sampling,
    total_work: f64,
) -> EdgeTypeEstimate {
    let def = e.def;
    let pairs = pairs(e);
    let (mean, fixed) = nsyns_mean(&def.nsyns);
    let per_synapse = def.row_per_synapse();
    let by_rule = |connections: f64, method: Method| {
        let c = connections;
        let tally = Tally {
            connections: c,
            synapses: c * mean,
            rows: if per_synapse { c * mean } else { c },
        };
        (tally, method, fixed && method.exact())
    };
    let near = def.max_distance.is_some();
    let (tally, method, synapses_exact) = match &def.rule {
        Rule::Indegree(k) => by_rule(*k as f64 * e.targets.len() as f64, Method::Rule),
        Rule::Outdegree(k) => by_rule(*k as f64 * e.sources.len() as f64, Method::Rule),
        Rule::Total(n) => by_rule(*n as f64, Method::Rule),
        Rule::AllToAll if !near => by_rule(pairs as f64, Method::Rule),
        Rule::Count(Value::Const(c)) if !near => {
            let c = c.round().max(0.0);
            let conns = if c >= 1.0 { pairs as f64 } else { 0.0 };
            let tally = Tally {
                connections: conns,
                synapses: conns * c,
                rows: if per_synapse { conns * c } else { conns },
            };
            (tally, Method::Rule, true)
        }
        Rule::Probability(Value::Const(p)) if !near => {
            by_rule(p.clamp(0.0, 1.0) * pairs as f64, Method::Expected)
        }
        Rule::OneToOne | Rule::File(_) => {
            let (t, c) = by_connecting(e, true, sampling, total_work);
            (t, c.into(), true)
        }
        _ => {
            let (t, c) = by_connecting(e, false, sampling, total_work);
            let m = Method::from(c);
            (t, m, m.exact())
        }
    };
    EdgeTypeEstimate {
        index: e.index,
        id: edge_type_id(e.index),
        population: pop.name.clone(),
        source: def.source.clone(),
        target: def.target.clone(),
        rule: def.rule.name(),
        pairs,
        connections: tally.connections,
        synapses: tally.synapses,
        rows: tally.rows,
        row_per_synapse: per_synapse,
        method,
        synapses_exact,
        table_bytes_per_row: TABLE_BYTES_PER_ROW + group_bytes[0],
        group_bytes_per_row: group_bytes[1],
    }
}

/// `block_work`: each edge type's work in each rank's block of targets.
fn population(
    pop: &EdgePopulation,
    block_work: &[Vec<f64>],
    estimates: &[EdgeTypeEstimate],
    first: usize,
    networks: &[Network],
    sort_by: SortBy,
    ranks: usize,
) -> PopulationEstimate {
    let n_targets = networks[pop.target].n;
    let n_sources = networks[pop.source].n;
    // Each edge type's rows go to the ranks in proportion to its work in their blocks.
    let mut rank_rows = vec![0.0; ranks];
    let mut rank_table_bytes = vec![0.0; ranks];
    for (work, est) in block_work.iter().zip(estimates) {
        let total: f64 = work.iter().sum();
        for (r, w) in work.iter().enumerate() {
            let share = if total > 0.0 { w / total } else { 0.0 };
            rank_rows[r] += est.rows * share;
            rank_table_bytes[r] += est.rows * share * est.table_bytes_per_row as f64;
        }
    }
    let rows: f64 = estimates.iter().map(|e| e.rows).sum();
    let synapses: f64 = estimates.iter().map(|e| e.synapses).sum();
    // Index ranges: the sorted side has one range per node with edges; on the other side the
    // rows of one pair are consecutive, the pairs of one node mostly not: a range per pair.
    let pair_ranges: f64 = estimates.iter().map(|e| e.connections.min(e.rows)).sum();
    let sorted_nodes = match sort_by {
        SortBy::Source => n_sources,
        _ => n_targets,
    } as f64;
    let ranges = sorted_nodes.min(rows) + pair_ranges;
    let group_bytes: f64 = estimates
        .iter()
        .map(|e| e.rows * e.group_bytes_per_row as f64)
        .sum();
    let file_bytes = rows * CORE_BYTES_PER_ROW as f64
        + group_bytes
        + INDEX_BYTES_PER_RANGE as f64 * ((n_sources + n_targets) as f64 + ranges);
    PopulationEstimate {
        name: pop.name.clone(),
        file: crate::output::names::edges_files(&pop.file_stem)[0].clone(),
        edge_types: (first..first + estimates.len()).collect(),
        rows,
        synapses,
        exact: estimates.iter().all(EdgeTypeEstimate::rows_exact),
        file_bytes,
        rank_rows,
        rank_table_bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::setup::prepare_edges;
    use netbuild_model::{all_nodes, generate_networks, Scalar, SelectorExt};

    fn circuit() -> Circuit {
        let mut c = Circuit::new(3);
        c.add_nodes("a", 300)
            .type_prop("ei", Scalar::Str("e".into()));
        c.add_nodes("a", 100)
            .type_prop("ei", Scalar::Str("i".into()));
        c.add_nodes("b", 50);
        c.add_edges(
            all_nodes("a"),
            all_nodes("a"),
            Rule::Probability(Value::Const(0.1)),
        );
        c.add_edges(all_nodes("b"), all_nodes("a"), Rule::Indegree(3));
        c.add_edges(
            all_nodes("a").filters_eq("ei", "e"),
            all_nodes("a"),
            Rule::AllToAll,
        );
        c.add_edges(
            all_nodes("a"),
            all_nodes("a"),
            Rule::custom(|p| u32::from(p.source % 7 == 0)),
        );
        c
    }

    #[test]
    fn exact_rules_and_pairs() {
        let c = circuit();
        let nets = generate_networks(&c).unwrap();
        let setup = prepare_edges(&c, &nets).unwrap();
        let est = estimate(&c, &nets, &setup, &BuildOptions::new("x"), 2);
        let by_index = |i: usize| est.edge_types.iter().find(|e| e.index == i).unwrap();
        assert_eq!(by_index(0).pairs, 400 * 400 - 400);
        assert_eq!(by_index(0).method, Method::Expected);
        assert!((by_index(0).rows - 0.1 * 159_600.0).abs() < 1e-6);
        assert_eq!(by_index(1).rows, 3.0 * 400.0);
        assert_eq!(by_index(2).rows, (300 * 400 - 300) as f64);
        // A small custom rule is connected whole: the build's count exactly.
        assert_eq!(by_index(3).method, Method::Enumerated);
        let sources_div7 = (0..400).filter(|s| s % 7 == 0).count() as f64;
        assert_eq!(by_index(3).rows, sources_div7 * 400.0 - sources_div7);
        assert_eq!(est.populations.len(), 2);
        let p = &est.populations[0];
        assert!((p.rank_rows.iter().sum::<f64>() - p.rows).abs() < 1e-6);
        assert_eq!(p.rank_rows.len(), 2);
        assert_eq!(p.name, "a_to_a");
        assert_eq!(est.ranks, 2);
    }
}
