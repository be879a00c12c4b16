//! Writes a network's nodes: `<net>_nodes.h5` and `<net>_node_types.csv`, and says what its
//! node sets are made of ([`node_set_values`]).
//!
//! In: a generated [`Network`]. Out: the two files. Blocks with the same per-node columns
//! (names, dtypes and widths) share a node group, as BMTK groups them; group rows follow node
//! order. A column of rows (BMTK's N x 3 `positions`) is one N x k dataset, and nothing of it
//! goes to the node types table, as BMTK writes it.

use super::convert;
use netbuild_model::{Dtype, Network, Scalar, Values};
use netbuild_sonata as sonata;
use std::path::Path;

/// The SONATA population type of a network: its blocks' `model_type` when they agree
/// (`virtual` for input cells), `point_neuron` otherwise.
pub(crate) fn population_type(net: &Network) -> String {
    let mut types = net.blocks.iter().map(|b| {
        b.type_props
            .iter()
            .find(|(k, _)| k == "model_type")
            .map(|(_, v)| convert::cell(v))
    });
    let first = types.next().flatten();
    match first {
        Some(t) if types.all(|x| x.as_deref() == Some(t.as_str())) => t,
        _ => "point_neuron".to_string(),
    }
}

/// The attributes that get one node set per value in `node_sets.json` (the ones BMTK's
/// simulation configs select cells by).
pub(crate) const NODE_SET_ATTRIBUTES: [&str; 2] = ["pop_name", "model_type"];

/// The distinct values each of [`NODE_SET_ATTRIBUTES`] takes in `net`, as a node-type property
/// or a per-node column; string and integer values only (node sets match exact values).
pub(crate) fn node_set_values(net: &Network) -> sonata::PopulationValues {
    let attributes = NODE_SET_ATTRIBUTES
        .iter()
        .map(|&attr| {
            let mut values = std::collections::BTreeSet::new();
            for b in &net.blocks {
                if let Some((_, v)) = b.type_props.iter().find(|(k, _)| k == attr) {
                    values.extend(set_value(v));
                }
                for c in b.columns.iter().filter(|c| c.name == attr) {
                    match &c.values {
                        Values::Str(s) => {
                            values.extend(s.iter().cloned().map(sonata::SetValue::Str))
                        }
                        Values::Num { data, dtype }
                            if !matches!(dtype, Dtype::F32 | Dtype::F64) =>
                        {
                            values.extend(data.iter().map(|&x| sonata::SetValue::Int(x as i64)))
                        }
                        Values::Num { .. } | Values::Rows { .. } => {}
                    }
                }
            }
            (attr.to_string(), values.into_iter().collect())
        })
        .collect();
    sonata::PopulationValues {
        population: net.name.clone(),
        attributes,
    }
}

fn set_value(v: &Scalar) -> Option<sonata::SetValue> {
    match v {
        Scalar::Str(s) => Some(sonata::SetValue::Str(s.clone())),
        Scalar::Int(i) => Some(sonata::SetValue::Int(*i)),
        Scalar::Float(_) | Scalar::Bool(_) => None,
    }
}

/// A column as its group holds it: name, dtype (None: strings) and values per node.
type ColumnSignature = (String, Option<Dtype>, usize);

fn signature(b: &netbuild_model::nodes::Block) -> Vec<ColumnSignature> {
    b.columns
        .iter()
        .map(|c| match &c.values {
            Values::Num { dtype, .. } => (c.name.clone(), Some(*dtype), 1),
            Values::Rows { dtype, width, .. } => (c.name.clone(), Some(*dtype), *width),
            Values::Str(_) => (c.name.clone(), None, 1),
        })
        .collect()
}

/// The node population as the writer takes it.
fn node_population(net: &Network) -> sonata::NodePopulation {
    let mut signatures: Vec<Vec<ColumnSignature>> = Vec::new();
    let mut groups: Vec<sonata::NodeGroup> = Vec::new();
    let mut group_rows: Vec<u64> = Vec::new();
    let mut pop = sonata::NodePopulation {
        name: net.name.clone(),
        ..Default::default()
    };
    for b in &net.blocks {
        let sig = signature(b);
        let g = match signatures.iter().position(|s| *s == sig) {
            Some(g) => g,
            None => {
                groups.push(sonata::NodeGroup {
                    columns: sig
                        .iter()
                        .map(|(name, dtype, width)| {
                            let data = match dtype {
                                Some(d) => sonata::NumColumn::new(*d).into(),
                                None => sonata::ColumnData::Str(Vec::new()),
                            };
                            sonata::Column::rows(name.clone(), data, *width)
                        })
                        .collect(),
                });
                signatures.push(sig);
                group_rows.push(0);
                groups.len() - 1
            }
        };
        for (dst, src) in groups[g].columns.iter_mut().zip(&b.columns) {
            append(&mut dst.data, &src.values);
        }
        pop.node_type_id
            .extend(std::iter::repeat_n(b.node_type_id, b.n as usize));
        pop.node_group_id
            .extend(std::iter::repeat_n(g as u32, b.n as usize));
        pop.node_group_index
            .extend(group_rows[g]..group_rows[g] + b.n);
        group_rows[g] += b.n;
    }
    pop.groups = groups;
    pop
}

/// Appends a block's values to its group's column (same kind and dtype: the group signature
/// says so; anything else is left out, as it cannot happen).
fn append(dst: &mut sonata::ColumnData, src: &Values) {
    use sonata::ColumnData as D;
    match (dst, src) {
        (D::Str(d), Values::Str(s)) => d.extend_from_slice(s),
        (D::Num(d), Values::Num { data, dtype } | Values::Rows { data, dtype, .. })
            if d.dtype() == *dtype =>
        {
            d.extend_f64(data)
        }
        _ => {}
    }
}

/// The node types table: `node_type_id`, then every node-type property of the network's
/// blocks in order of first appearance (`NULL` where a block lacks one).
fn node_types(net: &Network) -> sonata::TypeTable {
    let mut columns = vec!["node_type_id".to_string()];
    for b in &net.blocks {
        for (k, _) in &b.type_props {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let rows = net
        .blocks
        .iter()
        .map(|b| {
            columns
                .iter()
                .map(|c| {
                    if c == "node_type_id" {
                        Some(b.node_type_id.to_string())
                    } else {
                        b.type_props
                            .iter()
                            .find(|(k, _)| k == c)
                            .map(|(_, v)| convert::cell(v))
                    }
                })
                .collect()
        })
        .collect();
    sonata::TypeTable { columns, rows }
}

/// Writes both files of `net` into `dir`.
pub fn write_network(
    dir: &Path,
    net: &Network,
    compression: sonata::Compression,
    prov: &sonata::Provenance,
) -> Result<(), sonata::SonataError> {
    let [h5, csv] = crate::output::names::nodes_files(&net.name);
    sonata::write_nodes(&dir.join(h5), &node_population(net), compression, prov)?;
    sonata::write_node_types(&dir.join(csv), &node_types(net))
}
