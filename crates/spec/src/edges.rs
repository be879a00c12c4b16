//! `[[edges]]` and `[[gap_junctions]]` blocks.
//!
//! In: the located value of the top-level `edges` or `gap_junctions` key, the [`Networks`] the
//! `[[nodes]]` blocks define, the spec folder. Out: one [`EdgeBlock`] per block, in file order:
//! selectors checked against the networks, the rule, `nsyns`, edge-type properties (the other
//! scalar keys), per-edge properties (a `file` rule's extra columns, then `[edges.properties]`)
//! and, for gap junctions, the resistance or conductance. Also warnings about expressions that
//! read distances on a network without positions.

use crate::exprs::{self, Ends};
use crate::generator::{self, Place};
use crate::located::{Entry, Kind, Node, Source, Table};
use crate::nodes::{self, Networks};
use crate::rule;
use crate::suggest;
use crate::values::{self, R};
use crate::{Dtype, EdgeBlock, EdgeProp, EdgeValue, Gap, Nsyns, Rule, Selector, SpecError, Value};
use netbuild_expr::{Expr, Var};
use std::path::Path;

/// Keys of an edge block with a meaning of their own (all other scalar keys are edge-type
/// properties).
const TABLE_KEYS: [&str; 6] = [
    "source",
    "target",
    "rule",
    "nsyns",
    "properties",
    "locations",
];
const GAP_KEYS: [&str; 2] = ["resistance", "conductance"];

/// Edge property names that netbuild writes itself.
const RESERVED: [&str; 6] = [
    "edge_type_id",
    "edge_group_id",
    "edge_group_index",
    "source_node_id",
    "target_node_id",
    "is_gap_junction",
];

pub fn read(
    src: &Source,
    v: &Node,
    gap: bool,
    nets: &Networks,
    dir: &Path,
    warnings: &mut Vec<SpecError>,
) -> R<Vec<EdgeBlock>> {
    let name = if gap { "gap_junctions" } else { "edges" };
    let blocks = match &v.kind {
        Kind::Array(a) => a,
        _ => {
            return Err(values::expected(
                src,
                v,
                &format!("an array of tables ([[{name}]] blocks)"),
                name,
            ))
        }
    };
    blocks
        .iter()
        .map(|b| block(src, b, gap, nets, dir, warnings))
        .collect()
}

fn block(
    src: &Source,
    b: &Node,
    gap: bool,
    nets: &Networks,
    dir: &Path,
    warnings: &mut Vec<SpecError>,
) -> R<EdgeBlock> {
    let ctx = if gap {
        "[[gap_junctions]]"
    } else {
        "[[edges]]"
    };
    let t = values::table(src, b, &format!("a {ctx} block"))?;
    let mut own: Vec<&str> = TABLE_KEYS.to_vec();
    if gap {
        own.extend(GAP_KEYS);
    }

    // Keys that are neither our own nor scalars (edge-type properties) are mistakes.
    let mut type_props = Vec::new();
    for e in &t.entries {
        let key = e.key.as_str();
        if own.contains(&key) {
            continue;
        }
        match &e.value.kind {
            Kind::Table(_) => return Err(values::unknown_key(src, e, &own, ctx)),
            _ if !values::is_scalar(&e.value) => {
                return Err(values::expected(
                    src,
                    &e.value,
                    "a string, number or boolean (an edge-type property; per-edge values go in [edges.properties])",
                    key,
                ))
            }
            _ => {}
        }
        if rule::is_rule_key(key) {
            return Err(src.err(
                &e.key_span,
                format!("'{key}' belongs inside the rule table: rule = {{ ..., {key} = ... }}"),
            ));
        }
        if RESERVED.contains(&key) {
            return Err(src.err(
                &e.key_span,
                format!("'{key}' is written by netbuild and cannot be set in {ctx}"),
            ));
        }
        values::check_property_name(src, e, "edge-type property")?;
        type_props.push((key.to_string(), values::scalar(src, &e.value, key)?));
    }

    let source_e = values::require(src, t, "source", ctx, &b.span)?;
    let target_e = values::require(src, t, "target", ctx, &b.span)?;
    let source = selector(src, source_e, nets)?;
    let target = selector(src, target_e, nets)?;
    let ends = Ends {
        source: &source.network,
        target: &target.network,
        nets,
    };

    let rule_e = values::require(src, t, "rule", ctx, &b.span)?;
    let parts = rule::read(src, &rule_e.value, &ends, dir)?;
    if let Rule::Probability(Value::Expr(x)) | Rule::Count(Value::Expr(x)) = &parts.rule {
        warnings.extend(distance_warning(
            src,
            rule_e.key_span.start,
            x,
            &ends,
            "the rule",
        ));
    }

    let nsyns = match t.get("nsyns") {
        Some(e) => nsyns(src, &e.value)?,
        None => Nsyns::Fixed(1),
    };

    let mut edge_props = file_properties(&parts)?;
    if let Some(e) = t.get("properties") {
        for p in properties(src, &e.value, &ends, dir)? {
            if let Some(f) = edge_props.iter().find(|f| f.name == p.name) {
                return Err(SpecError {
                    loc: p.loc,
                    message: format!(
                        "per-edge property '{}' is also a column of the rule's file ({})",
                        p.name, f.loc
                    ),
                });
            }
            if let EdgeValue::Expr(x) = &p.value {
                let what = format!("property '{}'", p.name);
                warnings.extend(distance_warning_at(&p.loc, x, &ends, &what));
            }
            edge_props.push(p);
        }
    }

    let locations = match t.get("locations") {
        Some(e) => {
            let l = crate::locations::read(src, &e.value, dir)?;
            let names: Vec<&str> = netbuild_model::LOCATION_COLUMNS
                .iter()
                .chain(&netbuild_model::COORD_COLUMNS)
                .map(|(n, _)| *n)
                .collect();
            if let Some(p) = edge_props.iter().find(|p| names.contains(&p.name.as_str())) {
                return Err(SpecError {
                    loc: p.loc.clone(),
                    message: format!(
                        "per-edge property '{}' is a column [edges.locations] writes",
                        p.name
                    ),
                });
            }
            Some((l, src.loc(e.key_span.start)))
        }
        None => None,
    };

    let gap = if gap {
        Some(gap_value(src, t, b)?)
    } else {
        None
    };

    Ok(EdgeBlock {
        source,
        target,
        rule: parts.rule,
        max_distance: parts.max_distance,
        autapses: parts.autapses,
        nsyns,
        type_props,
        edge_props,
        locations,
        gap,
        loc: src.loc(b.span.start),
        rule_loc: src.loc(rule_e.key_span.start),
    })
}

fn selector(src: &Source, e: &Entry, nets: &Networks) -> R<Selector> {
    let side = e.key.as_str();
    let t = values::table(
        src,
        &e.value,
        &format!("{side} (a node selector such as {{ network = \"net\", ei = \"e\" }})"),
    )?;
    let net_e = values::require(src, t, "network", side, &e.value.span)?;
    let network = values::nonempty_string(src, &net_e.value, &format!("network of {side}"))?;
    let Some(info) = nets.get(network) else {
        return Err(nodes::unknown_network(
            src,
            nets,
            &net_e.value.span,
            network,
        ));
    };
    let mut filters = Vec::new();
    for f in &t.entries {
        if f.key == "network" {
            continue;
        }
        // Node ids and node type ids select as BMTK's `net.nodes(node_id=0)` does.
        let is_id = netbuild_model::nodes::SELECTABLE_IDS.contains(&f.key.as_str());
        if !is_id && !info.defines(&f.key) {
            let hint = suggest::did_you_mean(&f.key, info.prop_names());
            return Err(src.err(
                &f.key_span,
                format!(
                    "unknown property '{}' in {side} selector: no [[nodes]] block of network '{network}' defines it{hint}",
                    f.key
                ),
            ));
        }
        if let Some(def) = info.rows_def(&f.key) {
            let l = src.loc(def.start);
            return Err(src.err(
                &f.key_span,
                format!(
                    "{side} selector filters on '{}', a property of several values per node (network '{network}', line {}); selectors compare single values",
                    f.key, l.line
                ),
            ));
        }
        let what = format!("filter '{}' of {side}", f.key);
        let accepted = match &f.value.kind {
            Kind::Array(elems) if elems.is_empty() => {
                return Err(src.err(
                    &f.value.span,
                    format!(
                    "{what} is an empty list, which selects no node; expected at least one value"
                ),
                ))
            }
            Kind::Array(elems) => values::homogeneous(src, elems, &what)?,
            _ => vec![values::scalar(src, &f.value, &what)?],
        };
        filters.push((f.key.clone(), info.coerce(&f.key, accepted)));
    }
    Ok(Selector {
        network: network.to_string(),
        filters,
    })
}

fn nsyns(src: &Source, v: &Node) -> R<Nsyns> {
    const EXPECTED: &str = "an integer >= 1 or { uniform_int = [lo, hi] } with 1 <= lo <= hi";
    match &v.kind {
        Kind::Int(i) if *i >= 1 && *i <= u32::MAX as i64 => Ok(Nsyns::Fixed(*i as u32)),
        Kind::Table(t) => {
            values::check_keys(src, t, &["uniform_int"], "nsyns")?;
            let e = values::require(src, t, "uniform_int", "nsyns", &v.span)?;
            let pair = match &e.value.kind {
                Kind::Array(a) if a.len() == 2 => [&a[0], &a[1]],
                _ => {
                    return Err(values::expected(
                        src,
                        &e.value,
                        "an array [lo, hi]",
                        "nsyns",
                    ))
                }
            };
            let mut ends = [0u32; 2];
            for (slot, n) in ends.iter_mut().zip(pair) {
                *slot = match n.kind {
                    Kind::Int(i) if i >= 1 && i <= u32::MAX as i64 => i as u32,
                    _ => {
                        return Err(values::expected(
                            src,
                            n,
                            "an integer >= 1",
                            "uniform_int of nsyns",
                        ))
                    }
                };
            }
            if ends[0] > ends[1] {
                return Err(src.err(
                    &e.value.span,
                    format!("nsyns: lo ({}) is greater than hi ({})", ends[0], ends[1]),
                ));
            }
            Ok(Nsyns::UniformInt(ends[0], ends[1]))
        }
        _ => Err(values::expected(src, v, EXPECTED, "nsyns")),
    }
}

/// Names a per-edge property cannot have: written by netbuild.
fn reserved_edge_prop(k: &str) -> bool {
    k == "nsyns" || RESERVED.contains(&k)
}

/// A CSV `file` rule's property columns, as per-edge properties (named where the header does).
fn file_properties(parts: &rule::RuleParts) -> R<Vec<EdgeProp>> {
    let Rule::File(f) = &parts.rule else {
        return Ok(Vec::new());
    };
    f.columns
        .iter()
        .zip(&parts.file_columns)
        .enumerate()
        .map(|(k, ((name, dtype), loc))| {
            if reserved_edge_prop(name) {
                return Err(SpecError {
                    loc: loc.clone(),
                    message: format!(
                        "column '{name}' is written by netbuild and cannot be a per-edge property"
                    ),
                });
            }
            Ok(EdgeProp {
                name: name.clone(),
                dtype: *dtype,
                value: EdgeValue::FileColumn(k),
                loc: loc.clone(),
            })
        })
        .collect()
}

/// A warning when `x` reads a distance (`d`, `dx`, `dy`, `dz`) while an end network has no
/// positions: every distance is then 0 (and `1 / d` infinite).
fn distance_warning(
    src: &Source,
    at: usize,
    x: &Expr,
    ends: &Ends,
    what: &str,
) -> Option<SpecError> {
    distance_warning_at(&src.loc(at), x, ends, what)
}

fn distance_warning_at(loc: &crate::Loc, x: &Expr, ends: &Ends, what: &str) -> Option<SpecError> {
    let var = x
        .variables()
        .iter()
        .find(|v| matches!(v.var, Var::D | Var::Dx | Var::Dy | Var::Dz))?;
    let unplaced = [ends.source, ends.target].into_iter().find(|net| {
        ends.nets
            .get(net)
            .is_some_and(|i| !nodes::POSITIONS.iter().any(|p| i.defines(p)))
    })?;
    Some(SpecError {
        loc: loc.clone(),
        message: format!(
            "{what} reads '{}' but network '{unplaced}' has no positions (x, y, z): every distance is 0",
            var.var
        ),
    })
}

fn properties(src: &Source, v: &Node, ends: &Ends, dir: &Path) -> R<Vec<EdgeProp>> {
    let t: &Table = values::table(src, v, "properties")?;
    let mut out = Vec::with_capacity(t.entries.len());
    for e in &t.entries {
        let name = e.key.as_str();
        if reserved_edge_prop(name) {
            return Err(src.err(
                &e.key_span,
                format!("'{name}' is written by netbuild and cannot be a per-edge property"),
            ));
        }
        values::check_property_name(src, e, "edge property")?;
        let what = format!("edge property '{name}'");
        let loc = src.loc(e.value.span.start);
        let v = &e.value;
        let (dtype, value) = match &v.kind {
            Kind::Str(s) => (Dtype::F64, EdgeValue::Expr(exprs::compile(src, v, s, ends, &what)?)),
            Kind::Int(_) | Kind::Float(_) => {
                let x = values::number(src, v, &what)?;
                let text = match v.kind {
                    Kind::Int(i) => i.to_string(),
                    _ => x.to_string(),
                };
                let expr = Expr::parse(&text).map_err(|err| {
                    src.err(&v.span, format!("invalid constant for {what}: {}", err.message))
                })?;
                (Dtype::F64, EdgeValue::Expr(expr))
            }
            Kind::Table(pt) if pt.get("expr").is_some() => {
                values::check_keys(src, pt, &["expr", "dtype"], &what)?;
                let x = pt.get("expr").map(|x| &x.value).unwrap_or(v);
                let text = values::string(src, x, &format!("expr of {what}"))?;
                let expr = exprs::compile(src, x, text, ends, &what)?;
                let dtype = match pt.get("dtype") {
                    Some(d) => values::dtype(src, &d.value)?,
                    None => Dtype::F64,
                };
                (dtype, EdgeValue::Expr(expr))
            }
            Kind::Table(pt) => {
                let place = Place {
                    n: None,
                    dir,
                    prop: name,
                    other_keys: &["expr"],
                };
                let g = generator::read(src, pt, &v.span, &place)?;
                (g.dtype.unwrap_or(Dtype::F64), EdgeValue::Generator(g))
            }
            _ => {
                return Err(values::expected(
                    src,
                    v,
                    "an expression string, a number, { expr = \"...\", dtype = \"...\" } or a generator table",
                    &what,
                ))
            }
        };
        out.push(EdgeProp {
            name: name.to_string(),
            dtype,
            value,
            loc,
        });
    }
    Ok(out)
}

fn gap_value(src: &Source, t: &Table, b: &Node) -> R<Gap> {
    let r = t.get("resistance");
    let c = t.get("conductance");
    match (r, c) {
        (Some(_), Some(c)) => Err(src.err(
            &c.key_span,
            "[[gap_junctions]] has both 'resistance' and 'conductance'; expected exactly one",
        )),
        (Some(r), None) => Ok(Gap::Resistance(positive(
            src,
            &r.value,
            "resistance (megaohm)",
        )?)),
        (None, Some(c)) => Ok(Gap::Conductance(positive(
            src,
            &c.value,
            "conductance (microsiemens)",
        )?)),
        // BMTK's record: the conductance as the edge type's syn_weight, nothing else.
        (None, None) => match t.get("syn_weight") {
            Some(w) => {
                values::number(
                    src,
                    &w.value,
                    "syn_weight (the conductance, microsiemens, of a [[gap_junctions]] without resistance or conductance)",
                )?;
                Ok(Gap::SynWeight)
            }
            None => Err(src.err(
                &b.span,
                "[[gap_junctions]] needs 'resistance' (megaohm), 'conductance' (microsiemens) or, as BMTK stores it, 'syn_weight' (the conductance)",
            )),
        },
    }
}

fn positive(src: &Source, v: &Node, what: &str) -> R<f64> {
    match values::number(src, v, what) {
        Ok(x) if x > 0.0 => Ok(x),
        _ => Err(values::expected(src, v, "a number > 0", what)),
    }
}
