//! The `rule = { ... }` table of an edge block.
//!
//! In: the located rule table, the block's two networks, the spec folder. Out: the [`Rule`]
//! (exactly one kind; probabilities and counts as constants or checked expressions; an edge list
//! file loaded and checked against the networks' sizes), `max_distance` and `autapses`.

use crate::csvfile::{self, Field};
use crate::exprs::{self, Ends};
use crate::located::{Entry, Kind, Node, Source};
use crate::values::{self, R};
use crate::{FileEdge, Rule, Value};
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
const EXTRAS: [&str; 2] = ["max_distance", "autapses"];

pub struct RuleParts {
    pub rule: Rule,
    pub max_distance: Option<f64>,
    pub autapses: bool,
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
            Rule::File(edge_file(src, &n.span, dir, file, ends)?)
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

const HEADER: &str = "source_node_id,target_node_id[,nsyns]";

/// Loads an explicit edge list: header `source_node_id,target_node_id[,nsyns]`, ids of nodes of
/// the source and target networks, nsyns >= 1.
fn edge_file(
    src: &Source,
    at: &Range<usize>,
    dir: &Path,
    file: &str,
    ends: &Ends,
) -> R<Vec<FileEdge>> {
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
    let with_nsyns = match names.as_slice() {
        ["source_node_id", "target_node_id"] => false,
        ["source_node_id", "target_node_id", "nsyns"] => true,
        _ => {
            return Err(csv.err_at(
                0,
                format!("expected the header {HEADER}, found '{}'", names.join(",")),
            ))
        }
    };
    let n_src = ends.nets.get(ends.source).map_or(0, |i| i.n);
    let n_trg = ends.nets.get(ends.target).map_or(0, |i| i.n);
    let mut out = Vec::new();
    for rec in records {
        let rec = rec.map_err(|(off, msg)| csv.err_at(off, msg))?;
        if rec.len() != header.len() {
            let off = rec.first().map_or(0, |f| f.offset);
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
        out.push(FileEdge {
            source,
            target,
            nsyns,
        });
    }
    Ok(out)
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
