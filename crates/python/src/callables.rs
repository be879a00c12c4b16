//! The connections and property values the script's Python functions gave, replayed by the
//! build without calling Python.
//!
//! In: per edge type with a Python function, a [`Table`] made by the Python layer before the
//! build (`netbuild/_workers.py`: the functions evaluated in worker processes): its connected
//! targets (ascending), each target's sources (ascending) with their synapse counts, and one
//! value per synapse for each Python property, in the order the build emits synapses (targets,
//! then sources, then the synapses of a pair); a string property's values are codes into the
//! vocabulary that comes with them (the same on every rank: made from every rank's values).
//! Out: the circuit's placeholder rules and property values replaced by closures reading the
//! tables ([`attach`]).
//!
//! A property closure is called per synapse with only the pair: it finds its value through a
//! per-thread cursor that the edge type's rule closure sets when the build asks for a target's
//! connections (the build emits a target's synapses right after, on the same thread). Each call
//! checks that the pair is the one the cursor expects.

use netbuild::model::{Dtype, EdgeValue, Pair, Rule, Vocabulary};
use netbuild::Circuit;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::cell::RefCell;
use std::sync::Arc;

/// One edge type's connections and Python property values, as the Python layer gives them:
/// `(edge type index, targets u64, offsets u64, sources u32, counts u32, [(property index,
/// values f64, vocabulary)])`, arrays as native-endian bytes; the vocabulary is `None` for a
/// numeric property, the strings (sorted) for a string one, whose values are then codes.
pub type RawTable<'py> = (
    usize,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Vec<(usize, Bound<'py, PyBytes>, Option<Vec<String>>)>,
);

/// One edge type's precomputed connections: target `targets[i]` connects to
/// `sources[offsets[i]..offsets[i + 1]]` with as many synapses as `counts` says.
struct Table {
    index: usize,
    targets: Vec<u64>,
    offsets: Vec<usize>,
    sources: Vec<u32>,
    counts: Vec<u32>,
    /// The first synapse of each target (`targets.len() + 1` entries).
    first_synapse: Vec<usize>,
}

/// The values of one Python property column: (property index, one value per synapse, the
/// vocabulary of a string property).
type Column = (usize, Vec<f64>, Option<Vocabulary>);

/// Where the current thread is in a target's synapses, per Python property of its edge type.
struct Cursor {
    edge_type: usize,
    table: Arc<Table>,
    /// The row of the target being emitted.
    row: usize,
    /// Per property (in the order of the edge type's Python columns): (connection, synapse of
    /// that connection, synapse index in the values).
    at: Vec<(usize, u32, usize)>,
}

thread_local! {
    static CURSOR: RefCell<Option<Cursor>> = const { RefCell::new(None) };
}

fn bytes_to<const N: usize, T>(b: &Bound<'_, PyBytes>, from: fn([u8; N]) -> T) -> Vec<T> {
    b.as_bytes()
        .chunks_exact(N)
        .map(|c| from(c.try_into().expect("chunks of N bytes")))
        .collect()
}

impl Table {
    /// The table and its property columns, checked for consistency.
    fn read(raw: &RawTable<'_>) -> PyResult<(Table, Vec<Column>)> {
        let (index, targets, offsets, sources, counts, columns) = raw;
        let targets = bytes_to(targets, u64::from_ne_bytes);
        let offsets: Vec<usize> = bytes_to(offsets, u64::from_ne_bytes)
            .into_iter()
            .map(|o| o as usize)
            .collect();
        let sources = bytes_to(sources, u32::from_ne_bytes);
        let counts = bytes_to(counts, u32::from_ne_bytes);
        let bad = |what: &str| {
            PyValueError::new_err(format!("edge type {index}: inconsistent table ({what})"))
        };
        if offsets.len() != targets.len() + 1
            || offsets.first() != Some(&0)
            || offsets.last() != Some(&sources.len())
            || offsets.windows(2).any(|w| w[0] > w[1])
        {
            return Err(bad("offsets"));
        }
        if counts.len() != sources.len() || targets.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("targets, sources or counts"));
        }
        let mut first_synapse = Vec::with_capacity(offsets.len());
        first_synapse.push(0usize);
        for w in offsets.windows(2) {
            let n: usize = counts[w[0]..w[1]].iter().map(|&c| c as usize).sum();
            first_synapse.push(first_synapse.last().copied().unwrap_or(0) + n);
        }
        let synapses = first_synapse.last().copied().unwrap_or(0);
        let mut values = Vec::with_capacity(columns.len());
        for (k, v, strings) in columns {
            let v = bytes_to(v, f64::from_ne_bytes);
            if v.len() != synapses {
                return Err(bad("property values"));
            }
            if let Some(strings) = strings {
                let n = strings.len() as f64;
                if v.iter().any(|&c| !(c >= 0.0 && c < n && c.fract() == 0.0)) {
                    return Err(bad("string codes"));
                }
            }
            let strings = strings.as_ref().map(|s| Vocabulary::from(s.clone()));
            values.push((*k, v, strings));
        }
        let table = Table {
            index: *index,
            targets,
            offsets,
            sources,
            counts,
            first_synapse,
        };
        Ok((table, values))
    }

    /// The synapse counts of target `t` for each of its `candidates` (ascending source ids).
    fn counts_of(&self, t: u64, candidates: &[u64]) -> (Option<usize>, Vec<u32>) {
        let mut out = vec![0u32; candidates.len()];
        let Ok(row) = self.targets.binary_search(&t) else {
            return (None, out);
        };
        for j in self.offsets[row]..self.offsets[row + 1] {
            let s = u64::from(self.sources[j]);
            match candidates.binary_search(&s) {
                Ok(p) => out[p] = self.counts[j],
                // The Python layer selected other nodes than the spec does: a bug, not input.
                Err(_) => panic!(
                    "edge type {}: the Python function connected source {s} to target {t}, \
                     which netbuild's selection does not pair (internal error)",
                    self.index
                ),
            }
        }
        (Some(row), out)
    }
}

/// Replaces the rules and Python property values of the edge types in `tables` by closures
/// reading them.
pub fn attach(circuit: &mut Circuit, tables: Vec<RawTable<'_>>) -> PyResult<()> {
    let n = circuit.edge_types.len();
    for raw in &tables {
        let (table, columns) = Table::read(raw)?;
        let index = table.index;
        let def = circuit
            .edge_types
            .get_mut(index)
            .ok_or_else(|| PyValueError::new_err(format!("no edge type {index} (of {n})")))?;
        let table = Arc::new(table);
        let ncols = columns.len();
        let rule_table = table.clone();
        def.rule = Rule::CustomPerTarget(Arc::new(move |t, candidates: &[u64]| {
            let (row, counts) = rule_table.counts_of(t, candidates);
            CURSOR.with(|c| {
                *c.borrow_mut() = row.map(|row| Cursor {
                    edge_type: index,
                    table: rule_table.clone(),
                    row,
                    at: vec![(rule_table.offsets[row], 0, rule_table.first_synapse[row]); ncols],
                })
            });
            counts
        }));
        for (col, (k, values, strings)) in columns.into_iter().enumerate() {
            let prop = def.edge_props.get_mut(k).ok_or_else(|| {
                PyValueError::new_err(format!("edge type {index} has no property {k}"))
            })?;
            if strings.is_some() {
                // The placeholder stored codes (u32); the writer turns them into strings.
                prop.dtype = Dtype::U32;
                prop.strings = strings;
            }
            prop.value = EdgeValue::Custom(Arc::new(move |p: &Pair<'_>, _rng| {
                values[next_synapse(index, col, p)]
            }));
        }
    }
    Ok(())
}

/// The index of the value of property column `col` of edge type `edge_type` for the next
/// synapse of pair `p`, advancing the thread's cursor.
fn next_synapse(edge_type: usize, col: usize, p: &Pair<'_>) -> usize {
    CURSOR.with(|c| {
        let mut c = c.borrow_mut();
        let cursor = c
            .as_mut()
            .filter(|c| c.edge_type == edge_type)
            .unwrap_or_else(|| {
                panic!("edge type {edge_type}: a property asked before its connections (internal error)")
            });
        let table = &cursor.table;
        let (j, rep, at) = cursor.at[col];
        let end = table.offsets[cursor.row + 1];
        if j >= end
            || u64::from(table.sources[j]) != p.source
            || table.targets[cursor.row] != p.target
        {
            panic!(
                "edge type {edge_type}: property values asked out of order for pair ({}, {}) \
                 (internal error)",
                p.source, p.target
            );
        }
        cursor.at[col] = if rep + 1 < table.counts[j] {
            (j, rep + 1, at + 1)
        } else {
            (j + 1, 0, at + 1)
        };
        at
    })
}
