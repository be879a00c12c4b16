//! `netbuild-mpi validate DIR`: checks a SONATA circuit folder, netbuild's or anyone's.
//!
//! What is found ([`netbuild_sonata::find_circuit`], as every reader of netbuild finds it):
//! with `circuit_config.json`, the files it names (manifest `$VAR`s and `${configdir}`
//! substituted, relative paths from the config's folder) and the populations it lists with
//! their `type`; without one, every `*_nodes.h5` / `*_edges.h5` of the folder with the
//! `*_node_types.csv` / `*_edge_types.csv` beside it.
//!
//! What is checked, per file: the root attributes `magic` (0x0A7A) and `version`; the required
//! datasets and their dtypes (integers, 1-D; indices 2-D of width 2); equal lengths; node and
//! edge ids inside their populations (`node_population` attribute of the id columns naming a
//! known node population); group ids naming existing groups, group indices inside the group's
//! rows, and every group row referenced exactly once; type ids present in the type tables;
//! both edge indices (`node_id_to_ranges` / `range_to_edge_id`, and the singular alias
//! `node_id_to_range` equal to the plural when present) listing every edge exactly once, under
//! its own node. The sort order of the edge rows (by target, by source, or neither) is reported
//! as a note: SONATA allows any order.
//!
//! Memory: edges files are streamed in blocks of [`BLOCK`] rows. What is held for a population
//! of E edges between populations of S and T nodes: two per-node counters (8 (S + T) bytes),
//! one bitmap of E bits per group and per index, and one index's `node_id_to_ranges`
//! (16 nodes bytes). Edges listed under the wrong node are detected through an order-free
//! checksum of (edge, node) pairs; only then is the id column re-read in chunks to name them.
//!
//! What goes through netbuild's one SONATA reader (`netbuild_sonata::read`) and what stays raw
//! HDF5 (`h5util`), and why. Through the reader: finding the files ([`netbuild_sonata::find_circuit`]),
//! splitting the type tables' lines (`read::type_table`), string attributes and dtype names
//! (`read::attr`): there validate asks what every reader asks. Raw: the HDF5 objects
//! themselves. The reader serves files that are good enough to use: it converts what it reads
//! to the type asked (an int8 or a float column of ids reads as u64), takes a missing dataset
//! as a missing property, and stops at the first thing wrong. Validate is for files that may
//! be broken and must say how, in every object: the stored dtype and shape of each dataset
//! (`uint64` ids, a 2-D index of width 2), each missing dataset, attribute and group, every
//! problem rather than the first (at most `MAX_PER_OBJECT` per object), and a failure to
//! read as a finding, not an error. A reader that checked as much would make every reader pay
//! for it; one that validated through a converting reader would pass files libsonata refuses.

#![warn(missing_docs)]

mod config;
mod csv;
mod edges;
mod group_refs;
mod h5util;
mod nodes;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use netbuild_sonata::read::circuit::label;
pub use netbuild_sonata::CIRCUIT_CONFIG;

/// Rows read per block when streaming a dataset.
pub const BLOCK: usize = 1 << 20;

/// At most this many findings per (file, object); the rest are counted in one more finding.
const MAX_PER_OBJECT: usize = 10;

/// One thing wrong (or worth noting) in the circuit: the file (relative to the folder), the
/// object inside it (an HDF5 path, a JSON pointer, a csv line), and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, relative to the circuit folder when inside it.
    pub file: String,
    /// The object inside the file (an HDF5 path, a JSON pointer, `line N`); empty for the
    /// file as a whole.
    pub object: String,
    /// What is wrong, or worth knowing.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.object.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.object, self.message)
        }
    }
}

/// The outcome of [`validate`].
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// What is wrong: the circuit is not valid when this is not empty.
    pub findings: Vec<Finding>,
    /// What is allowed but worth knowing (sort order, missing optional parts).
    pub notes: Vec<Finding>,
    /// Node and edge populations checked.
    pub populations: usize,
    /// Nodes checked, over all node populations.
    pub nodes: u64,
    /// Edges checked, over all edge populations.
    pub edges: u64,
}

impl Report {
    /// Whether the circuit is valid: no findings (notes are allowed).
    pub fn is_ok(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Collects findings and notes, capping repeats per (file, object).
#[derive(Default)]
pub(crate) struct Sink {
    findings: Vec<Finding>,
    notes: Vec<Finding>,
    counts: HashMap<(String, String), usize>,
}

impl Sink {
    pub(crate) fn error(&mut self, file: &str, object: &str, message: impl Into<String>) {
        let key = (file.to_string(), object.to_string());
        let c = self.counts.entry(key).or_insert(0);
        *c += 1;
        if *c <= MAX_PER_OBJECT {
            self.findings.push(Finding {
                file: file.to_string(),
                object: object.to_string(),
                message: message.into(),
            });
        }
    }

    pub(crate) fn note(&mut self, file: &str, object: &str, message: impl Into<String>) {
        self.notes.push(Finding {
            file: file.to_string(),
            object: object.to_string(),
            message: message.into(),
        });
    }

    fn finish(mut self) -> (Vec<Finding>, Vec<Finding>) {
        let mut extra: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (k, &c) in &self.counts {
            if c > MAX_PER_OBJECT {
                extra.insert(k.clone(), c - MAX_PER_OBJECT);
            }
        }
        for ((file, object), n) in extra {
            self.findings.push(Finding {
                file,
                object,
                message: format!("... and {n} more findings like these"),
            });
        }
        (self.findings, self.notes)
    }
}

/// Checks the circuit folder `dir`.
pub fn validate(dir: &Path) -> Report {
    hdf5::silence_errors(true);
    let mut sink = Sink::default();
    let mut report = Report::default();
    let circuit = config::discover(dir, &mut sink);

    // Node populations first: edges need their sizes.
    let mut known: BTreeMap<String, u64> = BTreeMap::new();
    for entry in &circuit.nodes {
        let types = entry
            .types
            .as_ref()
            .and_then(|p| csv::read_type_ids(p, &label(dir, p), "node_type_id", &mut sink));
        for (pop, n) in nodes::check_file(entry, types.as_ref(), &mut sink) {
            if known.insert(pop.clone(), n).is_some() {
                sink.error(
                    &entry.label,
                    &format!("/nodes/{pop}"),
                    "node population defined by two files",
                );
            }
            report.populations += 1;
            report.nodes += n;
        }
    }
    for entry in &circuit.edges {
        let types = entry
            .types
            .as_ref()
            .and_then(|p| csv::read_type_ids(p, &label(dir, p), "edge_type_id", &mut sink));
        for (_pop, e) in edges::check_file(entry, types.as_ref(), &known, &mut sink) {
            report.populations += 1;
            report.edges += e;
        }
    }
    let (findings, notes) = sink.finish();
    report.findings = findings;
    report.notes = notes;
    report
}
