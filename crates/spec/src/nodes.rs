//! `[[nodes]]` blocks, and the catalog of networks they define.
//!
//! In: the located value of the top-level `nodes` key and the spec folder. Out: the
//! [`NodeBlock`]s in file order, and [`Networks`]: per network its node count and which
//! properties its blocks define (and which of them are strings, or rows of several values per
//! node such as an N x 3 `positions`), so that `[[edges]]` selectors and expressions can be
//! checked.

use crate::generator::{self, Place};
use crate::located::{Kind, Node, Source};
use crate::positions;
use crate::suggest;
use crate::values::{self, R};
use crate::{GenKind, NodeBlock, NodeValues, Scalar};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// Properties every node has as far as expressions are concerned (a missing one counts as 0).
pub const POSITIONS: [&str; 3] = ["x", "y", "z"];

/// Node property names that netbuild writes itself.
const RESERVED: [&str; 4] = [
    "node_id",
    "node_type_id",
    "node_group_id",
    "node_group_index",
];

/// What the `[[nodes]]` blocks say about each network.
#[derive(Debug, Default)]
pub struct Networks {
    nets: BTreeMap<String, NetInfo>,
}

#[derive(Debug, Default)]
pub struct NetInfo {
    /// Total node count over the network's blocks.
    pub n: u64,
    /// Property name → the span of one definition as strings, if any block gives it strings.
    props: BTreeMap<String, Option<Range<usize>>>,
    /// Property name → the span of one definition as rows of several values per node (an
    /// N x k array, such as BMTK's `positions`): not a number expressions or selectors can use.
    rows: BTreeMap<String, Range<usize>>,
    /// Read from files (`[[import]]`), where a type table does not say whether `4` was a string.
    imported: bool,
}

impl Networks {
    pub fn get(&self, network: &str) -> Option<&NetInfo> {
        self.nets.get(network)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.nets.keys().map(String::as_str)
    }

    /// Registers a network that no `[[nodes]]` block defines (an `[[import]]`): `n` nodes and
    /// its properties with whether each holds strings (`span` then stands for where). False,
    /// and no change, if the network exists already.
    // Called by `[[import]]` only, which needs the `hdf5` feature.
    #[cfg_attr(not(feature = "hdf5"), allow(dead_code))]
    pub(crate) fn insert_imported(
        &mut self,
        name: &str,
        n: u64,
        props: Vec<(String, bool)>,
        span: &Range<usize>,
    ) -> bool {
        if self.nets.contains_key(name) {
            return false;
        }
        let props = props
            .into_iter()
            .map(|(k, is_str)| (k, is_str.then(|| span.clone())))
            .collect();
        self.nets.insert(
            name.to_string(),
            NetInfo {
                n,
                props,
                rows: BTreeMap::new(),
                imported: true,
            },
        );
        true
    }
}

impl NetInfo {
    /// Whether some block of the network defines `prop` (node-type or per-node).
    pub fn defines(&self, prop: &str) -> bool {
        self.props.contains_key(prop)
    }

    /// Whether expressions can read `prop`: defined, or a position.
    pub fn readable(&self, prop: &str) -> bool {
        self.defines(prop) || POSITIONS.contains(&prop)
    }

    /// Where some block defines `prop` with string values.
    pub fn string_def(&self, prop: &str) -> Option<&Range<usize>> {
        self.props.get(prop).and_then(Option::as_ref)
    }

    /// Where some block defines `prop` as rows of several values per node (an N x k array).
    pub fn rows_def(&self, prop: &str) -> Option<&Range<usize>> {
        self.rows.get(prop)
    }

    /// Selector values for `prop` as the network's nodes hold it. Only imported networks change
    /// them: a type table stores `"4"` and `4` alike, so a string that reads as a number
    /// selects that number from a numeric property, and a number selects its text from a
    /// string property (as a spec selecting `layer = "4"` on the files it built expects).
    pub fn coerce(&self, prop: &str, values: Vec<Scalar>) -> Vec<Scalar> {
        if !self.imported {
            return values;
        }
        let is_string = self.string_def(prop).is_some();
        values
            .into_iter()
            .map(|v| match v {
                Scalar::Str(s) if !is_string => match (s.parse::<i64>(), s.parse::<f64>()) {
                    (Ok(i), _) => Scalar::Int(i),
                    (_, Ok(f)) => Scalar::Float(f),
                    _ => Scalar::Str(s),
                },
                Scalar::Int(i) if is_string => Scalar::Str(i.to_string()),
                Scalar::Float(f) if is_string => Scalar::Str(f.to_string()),
                other => other,
            })
            .collect()
    }

    pub fn prop_names(&self) -> impl Iterator<Item = &str> {
        self.props.keys().map(String::as_str)
    }
}

/// Reads the value of the top-level `nodes` key.
pub fn read(src: &Source, v: &Node, dir: &Path) -> R<(Vec<NodeBlock>, Networks)> {
    let blocks = match &v.kind {
        Kind::Array(a) => a,
        _ => {
            return Err(values::expected(
                src,
                v,
                "an array of tables ([[nodes]] blocks)",
                "nodes",
            ))
        }
    };
    let mut nets = Networks::default();
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        out.push(block(src, b, dir, &mut nets)?);
    }
    Ok((out, nets))
}

fn block(src: &Source, b: &Node, dir: &Path, nets: &mut Networks) -> R<NodeBlock> {
    let t = values::table(src, b, "a [[nodes]] block")?;
    let ctx = "[[nodes]]";
    let net_e = values::require(src, t, "network", ctx, &b.span)?;
    let network = values::nonempty_string(src, &net_e.value, "network")?;
    check_network_name(src, &net_e.value.span, network)?;
    let n_e = values::require(src, t, "N", ctx, &b.span)?;
    let n = values::uint(src, &n_e.value, "N")?;

    // Node ids are stored as u32 in edge tables: a network has fewer than 2^32 nodes.
    let max = u64::from(u32::MAX);
    if n > max {
        return Err(src.err(
            &n_e.value.span,
            format!("N = {n} is too large (at most {max} nodes per network)"),
        ));
    }
    let info = nets.nets.entry(network.to_string()).or_default();
    info.n += n;
    if info.n > max {
        return Err(src.err(
            &n_e.value.span,
            format!(
                "network '{network}' would have {} nodes (at most {max} per network)",
                info.n
            ),
        ));
    }

    let mut type_props = Vec::new();
    let mut node_props = Vec::new();
    // `positions` as a volume to draw x, y, z in; its literal form (N rows [x, y, z]) is a
    // per-node property like any other.
    let positions_entry = t
        .get("positions")
        .filter(|e| !positions::is_literal(&e.value, n));
    let positions = match positions_entry {
        Some(e) => Some(positions::read(src, &e.value, n)?),
        None => None,
    };
    for e in &t.entries {
        let key = e.key.as_str();
        if key == "network" || key == "N" || (key == "positions" && positions_entry.is_some()) {
            continue;
        }
        if let Some(p) = positions_entry.filter(|_| POSITIONS.contains(&key)) {
            let at = src.loc(p.key_span.start);
            return Err(src.err(
                &e.key_span,
                format!(
                    "'{key}' is drawn by 'positions' (line {}, column {}); give either 'positions' or x, y, z",
                    at.line, at.col
                ),
            ));
        }
        if RESERVED.contains(&key) {
            return Err(src.err(
                &e.key_span,
                format!("'{key}' is assigned by netbuild and cannot be set in [[nodes]]"),
            ));
        }
        values::check_property_name(src, e, "node property")?;
        let v = &e.value;
        let mut string_span = None;
        match &v.kind {
            Kind::Str(_) | Kind::Int(_) | Kind::Float(_) | Kind::Bool(_) => {
                let s = values::scalar(src, v, key)?;
                if matches!(s, Scalar::Str(_)) {
                    string_span = Some(v.span.clone());
                }
                type_props.push((key.to_string(), s));
            }
            Kind::Datetime => {
                return Err(values::expected(
                    src,
                    v,
                    "a string, number, boolean, array or generator table",
                    key,
                ))
            }
            Kind::Array(elems)
                if elems
                    .first()
                    .is_some_and(|e| matches!(e.kind, Kind::Array(_))) =>
            {
                let (width, values) = rows(src, v, elems, n, key)?;
                info.rows.entry(key.to_string()).or_insert(v.span.clone());
                if key == "positions" && width == 3 {
                    // Rules read a node's x, y, z from its positions (see the model's nodes).
                    for axis in POSITIONS {
                        info.props.entry(axis.to_string()).or_default();
                    }
                }
                node_props.push((key.to_string(), NodeValues::Rows { width, values }));
            }
            Kind::Array(elems) => {
                if elems.len() as u64 != n {
                    return Err(src.err(
                        &v.span,
                        format!(
                            "expected an array of N = {n} values for '{key}', found {} values",
                            elems.len()
                        ),
                    ));
                }
                let vals = values::homogeneous(src, elems, &format!("'{key}'"))?;
                if matches!(vals.first(), Some(Scalar::Str(_))) {
                    string_span = Some(v.span.clone());
                }
                node_props.push((key.to_string(), NodeValues::Array(vals)));
            }
            Kind::Table(gt) => {
                let place = Place {
                    n: Some(n),
                    dir,
                    prop: key,
                    other_keys: &[],
                };
                let g = generator::read(src, gt, &v.span, &place)?;
                if let GenKind::Choice(vals) | GenKind::Csv(vals) = &g.kind {
                    if matches!(vals.first(), Some(Scalar::Str(_))) {
                        string_span = Some(v.span.clone());
                    }
                }
                node_props.push((key.to_string(), NodeValues::Generator(g)));
            }
        }
        let slot = info.props.entry(key.to_string()).or_default();
        if slot.is_none() {
            *slot = string_span;
        }
    }
    if positions.is_some() {
        for key in POSITIONS {
            info.props.entry(key.to_string()).or_default();
        }
    }
    Ok(NodeBlock {
        network: network.to_string(),
        n,
        type_props,
        node_props,
        positions,
        positions_loc: positions_entry.map(|e| src.loc(e.key_span.start)),
        loc: src.loc(b.span.start),
    })
}

/// An N x k array of numbers: N rows (arrays) of the same length k >= 1. Returns k and the
/// values row by row (all floats once any is a float).
fn rows(src: &Source, v: &Node, elems: &[Node], n: u64, key: &str) -> R<(usize, Vec<Scalar>)> {
    if elems.len() as u64 != n {
        return Err(src.err(
            &v.span,
            format!(
                "expected an array of N = {n} rows for '{key}', found {} rows",
                elems.len()
            ),
        ));
    }
    let mut width = None;
    let mut out = Vec::new();
    for (i, row) in elems.iter().enumerate() {
        let what = format!("row {} of '{key}'", i + 1);
        let cells = values::array(src, row, &what)?;
        if cells.is_empty() {
            return Err(src.err(
                &row.span,
                format!("expected {what} to hold at least one number, found an empty array"),
            ));
        }
        let w = *width.get_or_insert(cells.len());
        if cells.len() != w {
            return Err(src.err(
                &row.span,
                format!(
                    "expected {what} to have {w} values, like the first row, found {}",
                    cells.len()
                ),
            ));
        }
        for c in cells {
            match values::scalar(src, c, &format!("an element of {what}"))? {
                s @ (Scalar::Int(_) | Scalar::Float(_)) => out.push(s),
                _ => {
                    return Err(values::expected(
                        src,
                        c,
                        "a number (rows of several values per node hold numbers)",
                        &format!("an element of {what}"),
                    ))
                }
            }
        }
    }
    if out.iter().any(|s| matches!(s, Scalar::Float(_))) {
        for s in out.iter_mut() {
            if let Scalar::Int(i) = *s {
                *s = Scalar::Float(i as f64);
            }
        }
    }
    Ok((width.unwrap_or(1), out))
}

/// A network name becomes an HDF5 group name and part of file names.
pub(crate) fn check_network_name(src: &Source, span: &Range<usize>, name: &str) -> R<()> {
    let bad = name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control() || c.is_whitespace());
    if bad {
        return Err(src.err(
            span,
            format!(
                "invalid network name {name:?}: it names an HDF5 group and files, so it may not contain '/', '\\', spaces or control characters, nor be '.' or '..'"
            ),
        ));
    }
    Ok(())
}

/// "network 'x' has no [[nodes]] block" with a suggestion, at `span`.
pub fn unknown_network(
    src: &Source,
    nets: &Networks,
    span: &Range<usize>,
    name: &str,
) -> crate::SpecError {
    let hint = suggest::did_you_mean(name, nets.names());
    let known: Vec<&str> = nets.names().collect();
    let list = if hint.is_empty() && !known.is_empty() {
        format!(" (defined networks: {})", known.join(", "))
    } else {
        String::new()
    };
    src.err(
        span,
        format!("unknown network '{name}': no [[nodes]] block defines it{hint}{list}"),
    )
}
