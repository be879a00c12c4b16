//! What the page writes of one edge type: every edge type id of a population, its label
//! (`100  ei=='e' → *`, from the edge types CSV or the spec), its spec block and the text of
//! its rule. In: the report and an edge population. Out: text (not yet escaped).

use crate::circuit::EdgePop;
use crate::gather::Report;
use crate::measure::PopReport;
use crate::scan::TypeCounts;
use crate::svg::thousands;
use netbuild_spec::{EdgeBlock, Nsyns, Rule, Scalar, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

pub(super) fn block_of<'s>(r: &'s Report, pop: &EdgePop, type_id: i64) -> Option<&'s EdgeBlock> {
    let spec = r.spec.as_ref()?;
    let i = usize::try_from(type_id - 100).ok()?;
    let b = spec.edges.get(i)?;
    (b.source.network == pop.source_pop && b.target.network == pop.target_pop).then_some(b)
}

fn selector_text(sel: &netbuild_spec::Selector) -> String {
    if sel.filters.is_empty() {
        return "*".into();
    }
    sel.filters
        .iter()
        .map(|(k, vs)| {
            let vs: Vec<String> = vs.iter().map(scalar_text).collect();
            if vs.len() == 1 {
                format!("{k}=={}", vs[0])
            } else {
                format!("{k} in [{}]", vs.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Str(s) => format!("'{s}'"),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    }
}

/// `100  ei=='e' → *`, from the edge types CSV (or the spec), ` (gap)` for gap junctions.
pub(super) fn type_label(r: &Report, pop: &EdgePop, id: i64) -> String {
    let block = block_of(r, pop, id);
    let side = |col: &str, spec_side: Option<&netbuild_spec::Selector>| {
        pop.types
            .get(id, col)
            .map(str::to_string)
            .or_else(|| spec_side.map(selector_text))
    };
    let s = side("source_query", block.map(|b| &b.source));
    let t = side("target_query", block.map(|b| &b.target));
    let mut label = match (s, t) {
        (Some(s), Some(t)) => format!("{id}  {s} → {t}"),
        _ => match pop.types.get(id, "pop_name") {
            Some(p) => format!("{id}  {p}"),
            None => format!("{id}  {}", pop.name),
        },
    };
    let gap = pop
        .types
        .get(id, "is_gap_junction")
        .is_some_and(|v| matches!(v, "True" | "true" | "1"));
    if gap {
        label.push_str(" (gap)");
    }
    label
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Const(c) => c.to_string(),
        Value::Expr(e) => format!("\"{}\"", e.source()),
    }
}

pub(super) fn rule_text(b: &EdgeBlock) -> String {
    let mut s = match &b.rule {
        Rule::Probability(v) => format!("probability = {}", value_text(v)),
        Rule::Count(v) => format!("count = {}", value_text(v)),
        Rule::Indegree(k) => format!("indegree = {k}"),
        Rule::Outdegree(k) => format!("outdegree = {k}"),
        Rule::Total(n) => format!("total = {n}"),
        Rule::AllToAll => "all_to_all".into(),
        Rule::OneToOne => "one_to_one".into(),
        Rule::File(rows) => format!("file ({} rows)", thousands(rows.rows.len() as u64)),
        // A spec has no closures; the arms only complete the builder API's rule kinds.
        Rule::Custom(_) | Rule::CustomPerTarget(_) | Rule::CustomPerSource(_) => {
            b.rule.name().into()
        }
    };
    if let Some(m) = b.max_distance {
        let _ = write!(s, ", max_distance = {m}");
    }
    if b.autapses {
        s.push_str(", autapses");
    }
    match b.nsyns {
        Nsyns::Fixed(1) => {}
        Nsyns::Fixed(n) => {
            let _ = write!(s, "; nsyns = {n}");
        }
        Nsyns::UniformInt(lo, hi) => {
            let _ = write!(s, "; nsyns = uniform_int [{lo}, {hi}]");
        }
    }
    s
}

/// Every edge type of a population: those with rows and those the CSV lists.
pub(super) fn type_ids(p: &PopReport) -> Vec<(i64, TypeCounts)> {
    let mut all: BTreeMap<i64, TypeCounts> = p.stats.types.clone();
    for id in p.pop.types.ids() {
        all.entry(id).or_default();
    }
    all.into_iter().collect()
}
