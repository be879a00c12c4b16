//! The `rule = { ... }` table of an edge block.
//!
//! In: the located rule table, the block's two networks, the spec folder. Out: the [`Rule`]
//! (exactly one kind; probabilities and counts as constants or checked expressions; an edge list
//! file loaded and checked against the networks' sizes, its extra columns typed by `dtypes`),
//! `max_distance` and `autapses`.

use crate::csvfile::{self, Field};
use crate::exprs::{self, Ends};
use crate::located::{Entry, Kind, Node, Source};
use crate::values::{self, R};
use crate::{Dtype, FileEdge, FileEdges, Loc, Rule, Value};
use netbuild_expr::Interval;
use std::ops::Range;
use std::path::Path;

/// Most synapses one pair may get from a `count` rule: far above any biological count, far
/// below what would turn one pair into an endless build.
pub const MAX_COUNT: u32 = 65_535;

/// Most connections a `total` rule may draw (2^40: tens of terabytes of output).
pub const MAX_TOTAL: u64 = 1 << 40;

pub const KINDS: [&str; 8] = [
    "probability",
    "count",
    "indegree",
    "outdegree",
    "total",
    "all_to_all",
    "one_to_one",
    "file",
];
const EXTRAS: [&str; 4] = ["max_distance", "autapses", "dtypes", "population"];
/// Keys that only a `file` rule takes.
const FILE_EXTRAS: [&str; 2] = ["dtypes", "population"];

pub struct RuleParts {
    pub rule: Rule,
    pub max_distance: Option<f64>,
    pub autapses: bool,
    /// Where each of a CSV `file` rule's property columns is named (its header cell).
    pub file_columns: Vec<Loc>,
}

pub fn read(src: &Source, v: &Node, ends: &Ends, dir: &Path) -> R<RuleParts> {
    let t = values::table(src, v, "rule")?;
    let known: Vec<&str> = KINDS.iter().chain(EXTRAS.iter()).copied().collect();
    values::check_keys(src, t, &known, "rule")?;
    let kinds: Vec<&Entry> = t
        .entries
        .iter()
        .filter(|e| KINDS.contains(&e.key.as_str()))
        .collect();
    let e = match kinds.as_slice() {
        [] => {
            return Err(src.err(
                &v.span,
                format!(
                    "expected one connection rule in rule: one of {}",
                    KINDS.join(", ")
                ),
            ))
        }
        [one] => *one,
        [first, second, ..] => {
            return Err(src.err(
                &second.key_span,
                format!(
                    "rule has two kinds, '{}' and '{}'; expected exactly one",
                    first.key, second.key
                ),
            ))
        }
    };
    let n = &e.value;
    if e.key != "file" {
        if let Some(x) = t
            .entries
            .iter()
            .find(|x| FILE_EXTRAS.contains(&x.key.as_str()))
        {
            return Err(src.err(
                &x.key_span,
                format!(
                    "'{}' belongs to a file rule; this rule is '{}'",
                    x.key, e.key
                ),
            ));
        }
    }
    let mut file_columns = Vec::new();
    let rule = match e.key.as_str() {
        "probability" => Rule::Probability(exprs::value(
            src,
            n,
            ends,
            "probability",
            "a number in [0, 1]",
            |p| (0.0..=1.0).contains(&p),
        )?),
        "count" => {
            if matches!(n.kind, Kind::Float(_)) {
                return Err(values::expected(
                    src,
                    n,
                    "an integer >= 0 or an expression string",
                    "count",
                ));
            }
            let value = exprs::value(
                src,
                n,
                ends,
                "count",
                "an integer from 0 to 65535 (synapses per pair)",
                |c| (0.0..=MAX_COUNT as f64).contains(&c) && c.fract() == 0.0,
            )?;
            if let Value::Expr(x) = &value {
                // Every variable unknown except that a distance is never negative: if even the
                // lowest value is too many synapses, no pair can be built.
                let vars: Vec<Interval> = x
                    .variables()
                    .iter()
                    .map(|v| match v.var {
                        netbuild_expr::Var::D => Interval::new(0.0, f64::INFINITY),
                        _ => Interval::ALL,
                    })
                    .collect();
                let lo = x.bounds(&vars).lo;
                if lo > MAX_COUNT as f64 {
                    return Err(src.err(
                        &n.span,
                        format!(
                            "count is at least {lo} synapses for every pair (at most {MAX_COUNT})"
                        ),
                    ));
                }
            }
            Rule::Count(value)
        }
        "indegree" => Rule::Indegree(values::uint(src, n, "indegree")?),
        "outdegree" => Rule::Outdegree(values::uint(src, n, "outdegree")?),
        "total" => {
            let total = values::uint(src, n, "total")?;
            if total > MAX_TOTAL {
                return Err(src.err(
                    &n.span,
                    format!("total = {total} is too large (at most {MAX_TOTAL} connections per edge type)"),
                ));
            }
            Rule::Total(total)
        }
        "all_to_all" => {
            must_be_true(src, n, "all_to_all")?;
            Rule::AllToAll
        }
        "one_to_one" => {
            must_be_true(src, n, "one_to_one")?;
            Rule::OneToOne
        }
        _ => {
            let file = values::nonempty_string(src, n, "file")?;
            let (edges, locs) = edge_file(src, t, &n.span, dir, file, ends)?;
            file_columns = locs;
            Rule::File(std::sync::Arc::new(edges))
        }
    };
    let max_distance = match t.get("max_distance") {
        Some(m) => match values::number(src, &m.value, "max_distance") {
            Ok(d) if d > 0.0 => Some(d),
            _ => {
                return Err(values::expected(
                    src,
                    &m.value,
                    "a number > 0 (micrometres)",
                    "max_distance",
                ))
            }
        },
        None => None,
    };
    let autapses = match t.get("autapses") {
        Some(a) => values::boolean(src, &a.value, "autapses")?,
        None => false,
    };
    Ok(RuleParts {
        rule,
        max_distance,
        autapses,
        file_columns,
    })
}

fn must_be_true(src: &Source, n: &Node, what: &str) -> R<()> {
    match values::boolean(src, n, what)? {
        true => Ok(()),
        false => Err(src.err(
            &n.span,
            format!(
                "expected true for {what}, found false (to have no such rule, leave the key out)"
            ),
        )),
    }
}

const HEADER: &str = "source_node_id,target_node_id[,nsyns][,property...]";

/// Whether `file` names a SONATA edges file (HDF5) rather than a CSV edge list.
fn is_sonata(file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    f.ends_with(".h5") || f.ends_with(".hdf5")
}

/// The rule's `dtypes` table: (column, dtype, where the key is), in file order.
fn dtypes(src: &Source, rule: &crate::located::Table) -> R<Vec<(String, Dtype, Range<usize>)>> {
    let Some(e) = rule.get("dtypes") else {
        return Ok(Vec::new());
    };
    let t = values::table(src, &e.value, "dtypes (e.g. { delay = \"f32\" })")?;
    t.entries
        .iter()
        .map(|d| {
            Ok((
                d.key.clone(),
                values::dtype(src, &d.value)?,
                d.key_span.clone(),
            ))
        })
        .collect()
}

/// Loads an explicit edge list: header `source_node_id,target_node_id[,nsyns]` then any
/// per-edge property columns; ids of nodes of the source and target networks, nsyns >= 1,
/// property values finite numbers that fit their dtype. A SONATA file (`.h5`) is only
/// recorded here: the loader reads it last (`file_rules`). Also returns where each property
/// column is named.
fn edge_file(
    src: &Source,
    rule: &crate::located::Table,
    at: &Range<usize>,
    dir: &Path,
    file: &str,
    ends: &Ends,
) -> R<(FileEdges, Vec<Loc>)> {
    let dtypes = dtypes(src, rule)?;
    let population = match rule.get("population") {
        Some(p) if is_sonata(file) => {
            Some(values::nonempty_string(src, &p.value, "population")?.to_string())
        }
        Some(p) => {
            return Err(src.err(
                &p.key_span,
                "'population' names a population of a SONATA edges file (.h5); this file is a CSV edge list",
            ))
        }
        None if is_sonata(file) => Some(String::new()),
        None => None,
    };
    let mut edges = FileEdges {
        name: file.to_string(),
        path: dir.join(file),
        population,
        rows: Vec::new(),
        columns: Vec::new(),
        values: Vec::new(),
        dtypes: dtypes.iter().map(|(k, d, _)| (k.clone(), *d)).collect(),
    };
    if edges.population.is_some() {
        if !edges.path.is_file() {
            return Err(src.err(
                at,
                format!(
                    "cannot read SONATA edges file '{}': no such file",
                    edges.path.display()
                ),
            ));
        }
        return Ok((edges, Vec::new()));
    }
    let csv = csvfile::open(src, at, dir, file, "edge file")?;
    let mut records = csvfile::records(&csv.text);
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err((off, msg))) => return Err(csv.err_at(off, msg)),
        None => {
            return Err(src.err(
                at,
                format!("edge file '{file}' is empty; expected the header {HEADER}"),
            ))
        }
    };
    let names: Vec<&str> = header.iter().map(|f| f.text.as_str()).collect();
    if names.get(..2) != Some(&["source_node_id", "target_node_id"][..]) {
        return Err(csv.err_at(
            0,
            format!("expected the header {HEADER}, found '{}'", names.join(",")),
        ));
    }
    let with_nsyns = names.get(2) == Some(&"nsyns");
    let first_prop = if with_nsyns { 3 } else { 2 };
    let mut locs = Vec::new();
    for (k, f) in header.iter().enumerate().skip(first_prop) {
        let name = f.text.as_str();
        if names[..k].contains(&name) || name.is_empty() || name == "nsyns" {
            let why = if name == "nsyns" {
                "nsyns must be the third column".to_string()
            } else if name.is_empty() {
                "a column has no name".to_string()
            } else {
                format!("column '{name}' appears twice")
            };
            return Err(csv.err_at(f.offset, format!("{why}; expected the header {HEADER}")));
        }
        let dtype = dtypes
            .iter()
            .find(|(k, ..)| k == name)
            .map_or(Dtype::F64, |(_, d, _)| *d);
        edges.columns.push((name.to_string(), dtype));
        locs.push(csv.loc(f.offset));
    }
    if let Some((k, _, span)) = dtypes
        .iter()
        .find(|(k, ..)| !names[first_prop.min(names.len())..].contains(&k.as_str()))
    {
        let hint = crate::suggest::did_you_mean(k, names.iter().skip(first_prop).copied());
        return Err(src.err(
            span,
            format!("dtypes names '{k}', which is not a property column of '{file}'{hint}"),
        ));
    }
    let n_src = ends.nets.get(ends.source).map_or(0, |i| i.n);
    let n_trg = ends.nets.get(ends.target).map_or(0, |i| i.n);
    for rec in records {
        let rec = rec.map_err(|(off, msg)| csv.err_at(off, msg))?;
        let off = rec.first().map_or(0, |f| f.offset);
        if rec.len() != header.len() {
            return Err(csv.err_at(
                off,
                format!(
                    "this row has {} fields; expected {} as in the header",
                    rec.len(),
                    header.len()
                ),
            ));
        }
        let source = node_id(&csv, &rec[0], "source_node_id", ends.source, n_src)?;
        let target = node_id(&csv, &rec[1], "target_node_id", ends.target, n_trg)?;
        let nsyns = match rec.get(2) {
            Some(f) if with_nsyns => match f.text.parse::<u32>() {
                Ok(k) if k >= 1 => Some(k),
                _ => {
                    return Err(csv.err_at(
                        f.offset,
                        format!(
                            "expected an integer in 1..=4294967295 for nsyns, found '{}'",
                            f.text
                        ),
                    ))
                }
            },
            _ => None,
        };
        for (f, (name, dtype)) in rec[first_prop..].iter().zip(&edges.columns) {
            edges.values.push(property_value(&csv, f, name, *dtype)?);
        }
        edges.rows.push(FileEdge {
            source,
            target,
            nsyns,
            line: csv.loc(off).line as u64,
        });
    }
    Ok((edges, locs))
}

/// A property cell: a finite number that `dtype` holds (an integer in range for integer dtypes).
fn property_value(csv: &Source, f: &Field, column: &str, dtype: Dtype) -> R<f64> {
    let x = f.text.parse::<f64>().ok().filter(|x| x.is_finite());
    match x {
        Some(x) if dtype_holds(dtype, x) => Ok(x),
        _ => Err(csv.err_at(
            f.offset,
            format!(
                "expected {} for column '{column}', found '{}'",
                dtype_expected(dtype),
                f.text
            ),
        )),
    }
}

/// Whether finite `x` is stored by `dtype` unchanged (integers: exactly).
fn dtype_holds(dtype: Dtype, x: f64) -> bool {
    dtype.holds(x) && (!dtype.is_integer() || x.fract() == 0.0)
}

/// What a value of `dtype` looks like, for messages.
fn dtype_expected(dtype: Dtype) -> &'static str {
    match dtype {
        Dtype::F64 => "a finite number (f64)",
        Dtype::F32 => "a finite number within the f32 range",
        Dtype::I32 => "an integer in the i32 range",
        Dtype::U32 => "an integer in 0..=4294967295 (u32)",
        Dtype::I64 => "an integer in the i64 range",
        Dtype::U64 => "an integer >= 0 in the u64 range",
    }
}

fn node_id(csv: &Source, f: &Field, column: &str, network: &str, n: u64) -> R<u64> {
    let id = f.text.parse::<u64>().map_err(|_| {
        csv.err_at(
            f.offset,
            format!(
                "expected a node id (an integer >= 0) for {column}, found '{}'",
                f.text
            ),
        )
    })?;
    if id >= n {
        return Err(csv.err_at(
            f.offset,
            format!("{column} {id} is not a node of network '{network}', which has {n} nodes (ids 0..{n})"),
        ));
    }
    Ok(id)
}

/// Whether `k` is a key of the rule table (for "put it inside rule" hints).
pub fn is_rule_key(k: &str) -> bool {
    KINDS.contains(&k) || EXTRAS.contains(&k)
}
