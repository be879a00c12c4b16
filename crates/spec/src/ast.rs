//! The checked spec: what `spec.toml` says, typed, with every path resolved and every expression
//! compiled. Everything here has passed the checks of SPEC.md; building from it cannot fail on input.

use netbuild_expr::Expr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where something was written: file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: Arc<PathBuf>,
    pub line: usize,
    pub col: usize,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

#[derive(Debug, Clone)]
pub struct Spec {
    /// The spec file itself.
    pub path: PathBuf,
    pub build: BuildSection,
    pub nodes: Vec<NodeBlock>,
    /// `[[import]]` blocks, in file order, their populations read.
    pub imports: Vec<crate::ImportBlock>,
    /// `[[edges]]` blocks then `[[gap_junctions]]` blocks, each in file order.
    pub edges: Vec<EdgeBlock>,
    /// Things that build but are probably not what was meant (an expression reading `d` on a
    /// network without positions), in file order; `load` returns them for the caller to print.
    pub warnings: Vec<crate::SpecError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BuildSection {
    pub seed: u64,
    /// Resolved against the spec file's folder.
    pub output_dir: PathBuf,
    pub compression: Compression,
    pub sort_edges_by: SortBy,
    /// Bytes per rank; `None` = a share of RAM, decided at run time.
    pub memory_budget: Option<u64>,
    /// `None` = the system temp dir.
    pub spill_dir: Option<PathBuf>,
    pub writer: Writer,
}

/// Who writes the edges files of a multi-rank build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Parallel HDF5 when there are several ranks and rows are sorted by target, else rank 0.
    Auto,
    /// Rank 0 alone, the other ranks sending it their rows as MPI messages.
    Rank0,
    /// Every rank writes its own rows into the shared file through parallel HDF5 (MPI-IO).
    Parallel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// gzip level 1..=9 (`"gzip"` is level 4).
    Gzip(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Target,
    Source,
}

/// A TOML scalar, as node-type and edge-type properties and selectors use them.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// One `[[nodes]]` block: one `add_nodes(N, ...)` call, one node type.
#[derive(Debug, Clone)]
pub struct NodeBlock {
    pub network: String,
    pub n: u64,
    /// Scalar keys other than `network` and `N`, in file order: node-type properties.
    pub type_props: Vec<(String, Scalar)>,
    /// Per-node properties, in file order.
    pub node_props: Vec<(String, NodeValues)>,
    /// `positions`: x, y, z drawn in a volume (then none of them is in `type_props`/`node_props`).
    pub positions: Option<Positions>,
    /// The `positions` key, for errors found while drawing (the volume cannot hold the nodes).
    pub positions_loc: Option<Loc>,
    pub loc: Loc,
}

/// `positions = { cylinder = ..., center = ..., min_distance = ... }`: a block's x, y, z drawn
/// uniformly in a volume, as BMTK's `positions_columinar` / `positions_cuboid` / `CellLocations`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Positions {
    pub shape: Shape,
    /// Added to every drawn point (the shape is given around the origin).
    pub center: [f64; 3],
    /// No two nodes of the block closer than this (micrometres).
    pub min_distance: Option<f64>,
}

/// The volume of [`Positions`], before `center` is added. Checked: sizes >= 0, lo <= hi.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// The disc x^2 + z^2 <= radius^2 times y in [y_lo, y_hi] (BMTK `positions_columinar`).
    Cylinder { radius: f64, y_lo: f64, y_hi: f64 },
    /// x in [lo[0], hi[0]], y in [lo[1], hi[1]], z in [lo[2], hi[2]] (BMTK `positions_cuboid`).
    Box { lo: [f64; 3], hi: [f64; 3] },
    /// The ball x^2 + y^2 + z^2 <= radius^2.
    Sphere { radius: f64 },
}

/// The largest [`Positions::fill_fraction`] accepted: what dart throwing (nodes placed one by one
/// at random points, each kept only where no earlier node is within `min_distance`, as BMTK's
/// `CellLocations`) reaches in practice. In theory random sequential addition jams at 0.3841 in
/// 3-D, but its last nodes need ever more tries; with the sampler's 10,000 tries per node it
/// stalls at 0.30-0.32 of the grown volume (measured from 2,000 to 200,000 nodes in a cylinder).
/// A spec above this is refused at load time instead of failing after minutes of work.
pub const MAX_FILL: f64 = 0.30;

impl Shape {
    /// The volume of the shape grown by `r` in every direction (Steiner's formula for convex
    /// bodies: V + S r + M r^2 + 4/3 pi r^3), so that flat or thin shapes still have room.
    pub fn grown_volume(&self, r: f64) -> f64 {
        use std::f64::consts::PI;
        let ball = 4.0 / 3.0 * PI * r.powi(3);
        match *self {
            Shape::Cylinder { radius, y_lo, y_hi } => {
                let h = y_hi - y_lo;
                PI * radius * radius * h
                    + (2.0 * PI * radius * radius + 2.0 * PI * radius * h) * r
                    + PI * (h + PI * radius) * r * r
                    + ball
            }
            Shape::Box { lo, hi } => {
                let [a, b, c] = [0, 1, 2].map(|i| hi[i] - lo[i]);
                a * b * c + 2.0 * (a * b + b * c + c * a) * r + PI * (a + b + c) * r * r + ball
            }
            Shape::Sphere { radius } => 4.0 / 3.0 * PI * (radius + r).powi(3),
        }
    }
}

impl Positions {
    /// The fraction of the room `n` nodes `min_distance` apart take: their balls of diameter
    /// `min_distance` over the shape grown by half of it (where those balls lie). 0 without
    /// `min_distance`. Above [`MAX_FILL`] the nodes cannot be placed at random.
    pub fn fill_fraction(&self, n: u64) -> f64 {
        match self.min_distance {
            Some(d) if d > 0.0 && n > 1 => {
                let ball = std::f64::consts::PI / 6.0 * d.powi(3);
                n as f64 * ball / self.shape.grown_volume(d / 2.0)
            }
            _ => 0.0,
        }
    }
}

#[derive(Debug, Clone)]
pub enum NodeValues {
    /// A literal array of length N (checked); all elements of one kind (ints may mix with floats,
    /// then all are Float).
    Array(Vec<Scalar>),
    Generator(Generator),
}

/// A random or deterministic column generator (`{ uniform = [lo, hi] }` and friends).
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    pub kind: GenKind,
    /// Redraw until inside (truncated distribution). Checked: the range can be hit.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Explicit `dtype`, if any.
    pub dtype: Option<Dtype>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GenKind {
    Uniform {
        lo: f64,
        hi: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Both ends included.
    UniformInt {
        lo: i64,
        hi: i64,
    },
    /// N values, both ends included, as numpy.linspace.
    Linspace {
        start: f64,
        stop: f64,
    },
    /// Uniform over the values.
    Choice(Vec<Scalar>),
    /// Loaded at check time: the column's N values, parsed as numbers where they all parse.
    Csv(Vec<Scalar>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
    I32,
    I64,
    U32,
    U64,
}

impl Dtype {
    pub fn is_integer(self) -> bool {
        !matches!(self, Dtype::F32 | Dtype::F64)
    }

    /// Whether the finite number `x` is within the range of `self` (integers: after dropping
    /// the fraction, as a cast does). Outside it, a cast clamps an integer and makes an f32
    /// infinite.
    pub fn holds(self, x: f64) -> bool {
        // Integer bounds as exact powers of two: the upper ones are excluded.
        let two = |k: i32| 2f64.powi(k);
        let x = if self.is_integer() { x.trunc() } else { x };
        match self {
            Dtype::F64 => x.is_finite(),
            Dtype::F32 => (x as f32).is_finite(),
            Dtype::I32 => x >= -two(31) && x < two(31),
            Dtype::U32 => x >= 0.0 && x < two(32),
            Dtype::I64 => x >= -two(63) && x < two(63),
            Dtype::U64 => x >= 0.0 && x < two(64),
        }
    }
}

/// One `[[edges]]` or `[[gap_junctions]]` block: one edge type.
#[derive(Debug, Clone)]
pub struct EdgeBlock {
    pub source: Selector,
    pub target: Selector,
    pub rule: Rule,
    pub max_distance: Option<f64>,
    pub autapses: bool,
    pub nsyns: Nsyns,
    /// Scalar keys that are not reserved: edge-type properties (columns of the edge_types CSV).
    pub type_props: Vec<(String, Scalar)>,
    /// `[edges.properties]`, in file order.
    pub edge_props: Vec<EdgeProp>,
    /// `Some` for a `[[gap_junctions]]` block.
    pub gap: Option<Gap>,
    /// The block's header.
    pub loc: Loc,
    /// The `rule` key, for errors found once nodes exist (e.g. in-degree above the sources).
    pub rule_loc: Loc,
}

/// A node selector: a network and filters on node properties (all must hold).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub network: String,
    /// (property, accepted values): a scalar in the spec is a one-element list.
    pub filters: Vec<(String, Vec<Scalar>)>,
}

#[derive(Debug, Clone)]
pub enum Rule {
    Probability(Value),
    Count(Value),
    Indegree(u64),
    Outdegree(u64),
    Total(u64),
    AllToAll,
    OneToOne,
    /// An explicit edge list (a CSV file, loaded and checked; or a SONATA edges file, which
    /// netbuild reads before building).
    File(FileEdges),
}

/// The rows of a `file` rule, in file order, with their per-edge property columns.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEdges {
    /// The file as the spec names it, for messages (`edges.csv:6`).
    pub name: String,
    /// The file itself (the spec folder joined with `name`).
    pub path: PathBuf,
    /// `Some` for a SONATA edges file: the population named by `population` (`""` if the spec
    /// names none: the file's only one). Its rows are empty until netbuild reads the file.
    pub population: Option<String>,
    pub rows: Vec<FileEdge>,
    /// Per-edge property columns (every column beyond `source_node_id,target_node_id[,nsyns]`),
    /// in file order: (name, dtype from the rule's `dtypes` table, else f64).
    pub columns: Vec<(String, Dtype)>,
    /// Their values, row by row: row i's are `values[i * columns.len()..][..columns.len()]`.
    /// Every value is finite and fits its column's dtype.
    pub values: Vec<f64>,
    /// `dtypes` given in the rule, for a SONATA file whose columns are only known once read.
    pub dtypes: Vec<(String, Dtype)>,
}

impl FileEdges {
    /// An edge list without property columns, as the builder API gives one (`name` for
    /// messages).
    pub fn new(name: &str, rows: Vec<FileEdge>) -> FileEdges {
        FileEdges {
            name: name.to_string(),
            path: PathBuf::from(name),
            population: None,
            rows,
            columns: Vec::new(),
            values: Vec::new(),
            dtypes: Vec::new(),
        }
    }

    /// The property values of row `i`.
    pub fn row_values(&self, i: usize) -> &[f64] {
        let k = self.columns.len();
        self.values.get(i * k..(i + 1) * k).unwrap_or(&[])
    }

    /// Where row `i` is, for messages: `edges.csv:6` (a CSV line) or `edges.h5 row 5`.
    pub fn place(&self, line: u64) -> String {
        match self.population {
            None => format!("{}:{line}", self.name),
            Some(_) => format!("{} row {line}", self.name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileEdge {
    pub source: u64,
    pub target: u64,
    pub nsyns: Option<u32>,
    /// Where the row is: its 1-based line in a CSV file, its 0-based row in a SONATA file.
    pub line: u64,
}

/// A number or a compiled expression.
#[derive(Debug, Clone)]
pub enum Value {
    Const(f64),
    Expr(Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nsyns {
    Fixed(u32),
    /// Both ends included.
    UniformInt(u32, u32),
}

#[derive(Debug, Clone)]
pub struct EdgeProp {
    pub name: String,
    pub dtype: Dtype,
    pub value: EdgeValue,
    /// Where its value is written (for errors about the values it computes).
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub enum EdgeValue {
    Expr(Expr),
    Generator(Generator),
    /// Column k of the `file` rule's [`FileEdges::columns`].
    FileColumn(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gap {
    /// megaohm
    Resistance(f64),
    /// microsiemens
    Conductance(f64),
}
