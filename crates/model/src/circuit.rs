//! The builder API: what a circuit is made of, before anything is generated.
//!
//! In: calls like BMTK's `add_nodes` / `add_edges` / `add_properties` (the spec loader makes the
//! same calls). Out: a [`Circuit`], a plain description that every rank holds identically.
//!
//! ```
//! use netbuild_model::{
//!     all_nodes, generator, Circuit, GenKind, NodeValues, Positions, Rule, Scalar, Shape, Value,
//! };
//! let mut c = Circuit::new(42);
//! c.add_nodes("net", 100)
//!     .type_prop("pop_name", Scalar::Str("exc".into()))
//!     .prop("tau", NodeValues::Generator(generator(GenKind::Uniform { lo: 5.0, hi: 20.0 })))
//!     .positions(Positions {
//!         shape: Shape::Cylinder { radius: 100.0, y_lo: 0.0, y_hi: 50.0 },
//!         center: [0.0; 3],
//!         min_distance: Some(5.0),
//!     });
//! c.add_edges(all_nodes("net"), all_nodes("net"), Rule::Probability(Value::Const(0.1)))
//!     .type_prop("syn_weight", Scalar::Float(0.5));
//! // Custom rules are closures, as BMTK users write Python functions:
//! c.add_edges(all_nodes("net"), all_nodes("net"),
//!     Rule::custom(|p| if p.distance() < 10.0 { 2 } else { 0 }));
//! ```

use crate::import::ImportBlock;
use crate::pair::Pair;
use netbuild_types::{
    ColumnType, Dtype, FileEdges, Gap, GenKind, Generator, NodeValues, Nsyns, Positions, Scalar,
    Selector,
};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Every node of `network`; add filters with [`SelectorExt`].
pub fn all_nodes(network: &str) -> Selector {
    Selector {
        network: network.to_string(),
        filters: Vec::new(),
    }
}

/// Builder-style filters on a [`Selector`] (the spec writes them as `key = value` or
/// `key = [values]`).
pub trait SelectorExt {
    /// Keeps nodes whose `property` equals the string `value`.
    fn filters_eq(self, property: &str, value: &str) -> Selector;
    /// Keeps nodes whose `property` is one of `values`.
    fn filter_any(self, property: &str, values: Vec<Scalar>) -> Selector;
}

impl SelectorExt for Selector {
    fn filters_eq(self, property: &str, value: &str) -> Selector {
        self.filter_any(property, vec![Scalar::Str(value.to_string())])
    }
    fn filter_any(mut self, property: &str, values: Vec<Scalar>) -> Selector {
        self.filters.push((property.to_string(), values));
        self
    }
}

/// A generator without bounds or explicit dtype.
pub fn generator(kind: GenKind) -> Generator {
    Generator {
        kind,
        min: None,
        max: None,
        dtype: None,
    }
}

/// A BMTK-style connection function: the number of synapses between a pair (0 for none).
pub type ConnectionFn = Arc<dyn Fn(&Pair<'_>) -> u32 + Send + Sync>;
/// BMTK's `all_to_one` connection function: for one target and its candidate sources
/// (ascending node ids; within `max_distance`, without the target itself unless autapses are
/// allowed), the number of synapses from each source (0 for none), in the same order.
pub type TargetFn = Arc<dyn Fn(u64, &[u64]) -> Vec<u32> + Send + Sync>;
/// BMTK's `one_to_all` connection function: for one source and its candidate targets
/// (ascending node ids; within `max_distance`, without the source itself unless autapses are
/// allowed), the number of synapses to each target (0 for none), in the same order.
pub type SourceFn = Arc<dyn Fn(u64, &[u64]) -> Vec<u32> + Send + Sync>;
/// A per-edge property computed by user code, with the pair's own random stream.
pub type PropertyFn = Arc<dyn Fn(&Pair<'_>, &mut dyn rand::RngCore) -> f64 + Send + Sync>;

/// A number or a compiled expression (of the pair's properties and distance).
#[derive(Debug, Clone)]
pub enum Value {
    /// The same for every pair.
    Const(f64),
    /// Evaluated per pair.
    Expr(netbuild_expr::Expr),
}

/// How the sources of a target are chosen (SPEC.md, `rule`).
#[derive(Clone)]
pub enum Rule {
    /// Each candidate pair connects with this probability.
    Probability(Value),
    /// Each candidate pair gets this many synapses (SPEC.md says how fractions round).
    Count(Value),
    /// Each target gets this many sources, drawn without replacement.
    Indegree(u64),
    /// Each source gets this many targets, drawn without replacement.
    Outdegree(u64),
    /// This many pairs in all, drawn uniformly.
    Total(u64),
    /// Every candidate pair.
    AllToAll,
    /// Source i to target i.
    OneToOne,
    /// An explicit edge list; its property columns are read by [`EdgeValue::FileColumn`].
    File(Arc<FileEdges>),
    /// Evaluated on every candidate pair, like BMTK's `connection_rule` functions.
    Custom(ConnectionFn),
    /// Evaluated once per target with all its candidate sources (BMTK's `all_to_one` iterator).
    CustomPerTarget(TargetFn),
    /// Evaluated once per source with all its candidate targets (BMTK's `one_to_all` iterator).
    /// Targets are split over ranks, so every rank evaluates every source and keeps the targets
    /// of its own block: the function runs once per source on each rank.
    CustomPerSource(SourceFn),
}

impl Rule {
    /// A custom rule from a closure: the number of synapses of each candidate pair.
    pub fn custom(f: impl Fn(&Pair<'_>) -> u32 + Send + Sync + 'static) -> Rule {
        Rule::Custom(Arc::new(f))
    }
    /// A short name for logs and plans.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Probability(_) => "probability",
            Rule::Count(_) => "count",
            Rule::Indegree(_) => "indegree",
            Rule::Outdegree(_) => "outdegree",
            Rule::Total(_) => "total",
            Rule::AllToAll => "all_to_all",
            Rule::OneToOne => "one_to_one",
            Rule::File(_) => "file",
            Rule::Custom(_) => "custom",
            Rule::CustomPerTarget(_) => "custom_all_to_one",
            Rule::CustomPerSource(_) => "custom_one_to_all",
        }
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a per-edge property gets its value for each synapse.
#[derive(Clone)]
pub enum EdgeValue {
    /// An expression of the pair, evaluated per synapse.
    Expr(netbuild_expr::Expr),
    /// Drawn per synapse.
    Generator(Generator),
    /// Computed by user code per synapse.
    Custom(PropertyFn),
    /// Column k of the edge type's `Rule::File` rows ([`FileEdges::columns`]).
    FileColumn(usize),
}

impl fmt::Debug for EdgeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeValue::FileColumn(k) => write!(f, "file column {k}"),
            EdgeValue::Expr(_) => f.write_str("expr"),
            EdgeValue::Generator(g) => write!(f, "{g:?}"),
            EdgeValue::Custom(_) => f.write_str("custom"),
        }
    }
}

/// One per-edge property (`add_properties`): a column of the edges file's group.
#[derive(Debug, Clone)]
pub struct EdgeProperty {
    /// The column name.
    pub name: String,
    /// The stored type (`U32` for a string property: its values are codes into `strings`).
    pub dtype: Dtype,
    /// How each synapse gets its value.
    pub value: EdgeValue,
    /// `Some` for a string property: its values, in code order. Every value the property takes
    /// is a code `k` standing for `strings[k]`, written to the file as that string (a
    /// variable-length UTF-8 string, as h5py writes `h5py.string_dtype()`). The vocabulary is
    /// the same on every rank (it comes with the circuit), so codes mean the same everywhere.
    pub strings: Option<Vocabulary>,
}

impl EdgeProperty {
    /// How the edges file stores the property: numbers of its dtype, or strings.
    pub fn column_type(&self) -> ColumnType {
        match self.strings {
            Some(_) => ColumnType::Str,
            None => self.dtype.into(),
        }
    }
}

/// The strings of a string property, in code order (see [`EdgeProperty::strings`]).
pub type Vocabulary = Arc<[String]>;

/// Where each synapse sits on the target's morphology (`[edges.locations]`, BMTK's
/// `rand_syn_locations`): one location per synapse, drawn among the segments of `sections`
/// within `distance_range` of the soma, with a probability proportional to their length there.
#[derive(Debug, Clone, PartialEq)]
pub struct SynLocations {
    /// BMTK's section names (`soma`/`somatic`, `axon`/`axonal`, `dend`/`basal`,
    /// `apic`/`apical`).
    pub sections: Vec<String>,
    /// Micrometres from the soma: `[lo, hi]`.
    pub distance_range: [f64; 2],
    /// Where the targets' `morphology` files are.
    pub morphology_dir: PathBuf,
    /// BMTK's `dL`: segments of about this length; `None`: one segment per section.
    pub dl: Option<f64>,
    /// Also write the synapse's coordinates ([`COORD_COLUMNS`]), the cell moved to its node's
    /// `x`, `y`, `z` and rotated by its `rotation_angle_[xyz]axis`.
    pub return_coords: bool,
}

/// The columns `return_coords` adds after [`LOCATION_COLUMNS`].
pub const COORD_COLUMNS: [(&str, Dtype); 3] = [
    ("afferent_x", Dtype::F64),
    ("afferent_y", Dtype::F64),
    ("afferent_z", Dtype::F64),
];

/// The columns `[edges.locations]` writes, with BMTK's dtypes (`dtypes=[int, float, int,
/// float]` in BMTK's examples).
pub const LOCATION_COLUMNS: [(&str, Dtype); 4] = [
    ("afferent_section_id", Dtype::I64),
    ("afferent_section_pos", Dtype::F64),
    ("afferent_swc_id", Dtype::I64),
    ("afferent_swc_pos", Dtype::F64),
];

/// One `add_nodes` call: N nodes of one node type.
#[derive(Debug, Clone)]
pub struct NodeBlockDef {
    /// The network the nodes are added to.
    pub network: String,
    /// The number of nodes.
    pub n: u64,
    /// Node-type properties (one row of the node types CSV).
    pub type_props: Vec<(String, Scalar)>,
    /// Per-node properties (columns of the nodes file).
    pub node_props: Vec<(String, NodeValues)>,
    /// x, y, z drawn in a volume; then no property may be named x, y or z.
    pub positions: Option<Positions>,
}

/// One `add_edges` call: one edge type.
#[derive(Debug, Clone)]
pub struct EdgeTypeDef {
    /// Which nodes are sources.
    pub source: Selector,
    /// Which nodes are targets.
    pub target: Selector,
    /// How pairs are connected.
    pub rule: Rule,
    /// Pairs farther apart are never connected.
    pub max_distance: Option<f64>,
    /// Whether a node may connect to itself.
    pub autapses: bool,
    /// Synapses per connected pair (when the rule gives no count).
    pub nsyns: Nsyns,
    /// Edge-type properties (columns of the edge types CSV).
    pub type_props: Vec<(String, Scalar)>,
    /// Per-edge properties (columns of the edges file's group).
    pub edge_props: Vec<EdgeProperty>,
    /// `Some` for gap junctions.
    pub gap: Option<Gap>,
    /// Synapse locations on the targets' morphologies (after the per-edge properties).
    pub locations: Option<SynLocations>,
}

impl EdgeTypeDef {
    /// BMTK stores one row per connected pair with an `nsyns` column when an edge type has no
    /// per-edge property, and one row per synapse otherwise (synapse locations are per-edge
    /// properties).
    pub fn row_per_synapse(&self) -> bool {
        !self.edge_props.is_empty() || self.locations.is_some()
    }

    /// The columns of this edge type's group in the edges file: the per-edge properties, then
    /// the [`LOCATION_COLUMNS`] (and [`COORD_COLUMNS`]). A string property's column is
    /// [`ColumnType::Str`] (its values are held as codes until written).
    pub fn group_columns(&self) -> Vec<(String, ColumnType)> {
        if self.row_per_synapse() {
            let locations = self.locations.iter().flat_map(|l| {
                let coords = if l.return_coords {
                    &COORD_COLUMNS[..]
                } else {
                    &[]
                };
                LOCATION_COLUMNS.iter().chain(coords).copied()
            });
            self.edge_props
                .iter()
                .map(|p| (p.name.clone(), p.column_type()))
                .chain(locations.map(|(n, d)| (n.to_string(), d.into())))
                .collect()
        } else {
            vec![("nsyns".to_string(), Dtype::U32.into())]
        }
    }
}

/// A circuit description: networks of node blocks and edge types, and the seed of every draw.
#[derive(Debug, Clone, Default)]
pub struct Circuit {
    /// The seed of every random draw.
    pub seed: u64,
    /// `add_nodes` calls, in order.
    pub node_blocks: Vec<NodeBlockDef>,
    /// Existing node populations (`import_nodes`), networks of their own.
    pub imports: Vec<ImportBlock>,
    /// `add_edges` calls, in order.
    pub edge_types: Vec<EdgeTypeDef>,
}

impl Circuit {
    /// An empty circuit whose draws derive from `seed`.
    pub fn new(seed: u64) -> Circuit {
        Circuit {
            seed,
            ..Circuit::default()
        }
    }

    /// Adds `n` nodes of a new node type to `network` (created on first use).
    pub fn add_nodes(&mut self, network: &str, n: u64) -> NodesBuilder<'_> {
        self.node_blocks.push(NodeBlockDef {
            network: network.to_string(),
            n,
            type_props: Vec::new(),
            node_props: Vec::new(),
            positions: None,
        });
        NodesBuilder {
            block: self.node_blocks.last_mut().expect("just pushed"),
        }
    }

    /// Adds an existing node population (BMTK's `import_nodes`; open it with
    /// `netbuild_spec::open_import`) as network `import.network`, with its own node ids and
    /// node type ids. No `add_nodes` call may add to that network.
    pub fn import_nodes(&mut self, import: ImportBlock) {
        self.imports.push(import);
    }

    /// Adds an edge type from the `source` to the `target` selection.
    pub fn add_edges(
        &mut self,
        source: Selector,
        target: Selector,
        rule: Rule,
    ) -> EdgesBuilder<'_> {
        self.edge_types.push(EdgeTypeDef {
            source,
            target,
            rule,
            max_distance: None,
            autapses: false,
            nsyns: Nsyns::Fixed(1),
            type_props: Vec::new(),
            edge_props: Vec::new(),
            gap: None,
            locations: None,
        });
        EdgesBuilder {
            def: self.edge_types.last_mut().expect("just pushed"),
        }
    }

    /// Network names in order of first appearance.
    pub fn network_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for b in &self.node_blocks {
            if !names.contains(&b.network.as_str()) {
                names.push(&b.network);
            }
        }
        names
    }
}

/// Sets the properties of the node block just added.
pub struct NodesBuilder<'a> {
    block: &'a mut NodeBlockDef,
}

impl NodesBuilder<'_> {
    /// A node-type property (one row of the node types CSV).
    pub fn type_prop(self, name: &str, value: Scalar) -> Self {
        self.block.type_props.push((name.to_string(), value));
        self
    }
    /// A per-node property (a column of the nodes file).
    pub fn prop(self, name: &str, values: NodeValues) -> Self {
        self.block.node_props.push((name.to_string(), values));
        self
    }
    /// Draws x, y, z uniformly in a volume (BMTK's `positions_columinar` / `positions_cuboid`),
    /// instead of giving them as properties.
    pub fn positions(self, positions: Positions) -> Self {
        self.block.positions = Some(positions);
        self
    }
}

/// Sets the options of the edge type just added.
pub struct EdgesBuilder<'a> {
    def: &'a mut EdgeTypeDef,
}

impl EdgesBuilder<'_> {
    /// Pairs farther apart than `d` (micrometres) are never connected.
    pub fn max_distance(self, d: f64) -> Self {
        self.def.max_distance = Some(d);
        self
    }
    /// Whether a node may connect to itself (default: no).
    pub fn autapses(self, allowed: bool) -> Self {
        self.def.autapses = allowed;
        self
    }
    /// Synapses per connected pair, when the rule gives no count (default: 1).
    pub fn nsyns(self, nsyns: Nsyns) -> Self {
        self.def.nsyns = nsyns;
        self
    }
    /// An edge-type property (a column of the edge types CSV).
    pub fn type_prop(self, name: &str, value: Scalar) -> Self {
        self.def.type_props.push((name.to_string(), value));
        self
    }
    /// A per-edge property (`add_properties`).
    pub fn edge_prop(self, name: &str, dtype: Dtype, value: EdgeValue) -> Self {
        self.def.edge_props.push(EdgeProperty {
            name: name.to_string(),
            dtype,
            value,
            strings: None,
        });
        self
    }
    /// A per-edge string property: `value` gives each synapse a code into `strings` (see
    /// [`EdgeProperty::strings`]).
    pub fn string_prop(self, name: &str, strings: Vocabulary, value: EdgeValue) -> Self {
        self.def.edge_props.push(EdgeProperty {
            name: name.to_string(),
            dtype: Dtype::U32,
            value,
            strings: Some(strings),
        });
        self
    }
    /// Places every synapse on the target's morphology (`[edges.locations]`).
    pub fn locations(self, locations: SynLocations) -> Self {
        self.def.locations = Some(locations);
        self
    }
    /// Makes this a gap-junction edge type (`add_gap_junctions`).
    pub fn gap(self, gap: Gap) -> Self {
        self.def.gap = Some(gap);
        self
    }
}
