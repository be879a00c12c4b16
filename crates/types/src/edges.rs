//! What describes edges besides their rule: synapses per connection ([`Nsyns`]), gap junctions
//! ([`Gap`]) and explicit edge lists ([`FileEdges`]).

use crate::Dtype;
use std::path::PathBuf;

/// Synapses per connected pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nsyns {
    /// Always this many.
    Fixed(u32),
    /// Uniform between the two, both ends included.
    UniformInt(u32, u32),
}

/// What a gap junction edge type says of its junctions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gap {
    /// megaohm (written as the edge type's `resistance`)
    Resistance(f64),
    /// microsiemens (written as the edge type's `conductance`)
    Conductance(f64),
    /// BMTK's record: the conductance is the edge type's own `syn_weight` (microsiemens, what
    /// BioNet gives the junction), and nothing else is written. What BMTK's
    /// `add_gap_junctions(resistance=r)` stores (`syn_weight = 1/r`), so the Python front's.
    SynWeight,
}

/// The rows of a `file` rule, in file order, with their per-edge property columns.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEdges {
    /// The file as the spec names it, for messages (`edges.csv:6`).
    pub name: String,
    /// The file itself (the spec folder joined with `name`).
    pub path: PathBuf,
    /// `Some` for a SONATA edges file: the population named by `population` (`""` if the spec
    /// names none: the file's only one). Its rows are empty until the spec loader reads the
    /// file, after every other check.
    pub population: Option<String>,
    /// The edges, in file order.
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

/// One row of a `file` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileEdge {
    /// Source node id.
    pub source: u64,
    /// Target node id.
    pub target: u64,
    /// The row's `nsyns`, if the file has that column.
    pub nsyns: Option<u32>,
    /// Where the row is: its 1-based line in a CSV file, its 0-based row in a SONATA file.
    pub line: u64,
}
