//! The edge types table of a population, `<stem>_edge_types.csv`, and the ids it gives them.
//!
//! In: an [`EdgePopulation`] and the [`Circuit`] its edge types come from. Out: the
//! [`sonata::TypeTable`] (one row per edge type, BMTK's columns first).

use super::convert;
use crate::plan::EdgePopulation;
use netbuild_model::{Circuit, Gap, Scalar, Selector};
use netbuild_sonata as sonata;

/// Edge type ids start at 100, as BMTK numbers them, in declaration order.
pub fn edge_type_id(index: usize) -> i64 {
    100 + index as i64
}

fn query(sel: &Selector) -> String {
    if sel.filters.is_empty() {
        return "*".to_string();
    }
    // As BMTK's `NodePool.filter_str`: every single value quoted (`node_id=='0'`, `ei=='e'`).
    let value = |s: &Scalar| match s {
        Scalar::Str(s) => format!("'{s}'"),
        other => format!("'{}'", convert::cell(other)),
    };
    sel.filters
        .iter()
        .map(|(k, vs)| match vs.as_slice() {
            [one] => format!("{k}=={}", value(one)),
            many => format!(
                "{k} in [{}]",
                many.iter().map(value).collect::<Vec<_>>().join(",")
            ),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The edge types table of `pop`: `edge_type_id`, BMTK's `target_query` and `source_query`,
/// then every edge-type property in order of first appearance (`NULL` where a type lacks one);
/// gap junctions add `is_gap_junction` and their `resistance` or `conductance` (nothing more
/// when their conductance is their `syn_weight`, as BMTK writes them).
pub(crate) fn edge_types(pop: &EdgePopulation, circuit: &Circuit) -> sonata::TypeTable {
    let props = |i: usize| -> Vec<(String, String)> {
        let e = &circuit.edge_types[i];
        let mut v: Vec<(String, String)> = vec![
            ("target_query".into(), query(&e.target)),
            ("source_query".into(), query(&e.source)),
        ];
        v.extend(
            e.type_props
                .iter()
                .map(|(k, s)| (k.clone(), convert::cell(s))),
        );
        match e.gap {
            Some(Gap::Resistance(r)) => {
                v.push(("resistance".into(), convert::cell(&Scalar::Float(r))))
            }
            Some(Gap::Conductance(c)) => {
                v.push(("conductance".into(), convert::cell(&Scalar::Float(c))))
            }
            // BMTK's record: the conductance is the type's own syn_weight.
            Some(Gap::SynWeight) | None => {}
        }
        if e.gap.is_some() {
            v.push(("is_gap_junction".into(), "True".into()));
        }
        v
    };
    let all: Vec<Vec<(String, String)>> = pop.edge_types.iter().map(|&i| props(i)).collect();
    let mut columns = vec!["edge_type_id".to_string()];
    for row in &all {
        for (k, _) in row {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let rows = pop
        .edge_types
        .iter()
        .zip(&all)
        .map(|(&i, row)| {
            columns
                .iter()
                .map(|c| {
                    if c == "edge_type_id" {
                        Some(edge_type_id(i).to_string())
                    } else {
                        row.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone())
                    }
                })
                .collect()
        })
        .collect();
    sonata::TypeTable { columns, rows }
}
