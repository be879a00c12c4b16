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
    pub loc: Loc,
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
