//! The page: sections of tables and inline SVG charts, a small inline style sheet, no script.

use crate::circuit::EdgePop;
use crate::distance::RuleKind;
use crate::scan::TypeCounts;
use crate::svg::{self, escape, thousands, Bar, Bin, Series, PALETTE};
use crate::{PopReport, Profile, Report};
use netbuild_spec::{EdgeBlock, Nsyns, Rule, Scalar, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

pub(crate) struct Page {
    pub text: String,
    pub distance_profiles: usize,
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#222;
 margin:0;background:#f6f7f9;line-height:1.45}
main{max-width:1340px;margin:0 auto;padding:12px 24px 40px}
header{background:#1f3a5f;color:#fff;padding:18px 24px}
header h1{margin:0 0 4px;font-size:26px;font-weight:600}
header p{margin:0;opacity:.9;font-size:14px}
header code{background:rgba(255,255,255,.16);color:#fff}
h2{font-size:21px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid #1f3a5f}
h3{font-size:16px;margin:18px 0 6px}
p.lead{margin:4px 0 12px;color:#444;max-width:980px}
.note{background:#fff6db;border-left:4px solid #e0a800;padding:8px 12px;margin:10px 0}
table{border-collapse:collapse;background:#fff;font-size:13.5px;margin:6px 0 10px}
th,td{border:1px solid #d9dde3;padding:4px 9px;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12.5px;background:#eef1f5;
 padding:1px 4px;border-radius:3px;word-break:break-word}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:14px}
figure{margin:0;background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:10px 12px}
figure.wide{overflow-x:auto}
details.fold>summary{cursor:pointer;margin:26px 0 8px}
details.fold>summary h2{display:inline-block;margin:0 8px 0 0}
details.fold>summary .count{color:#555;font-size:14px}
.pair{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px;
 margin-bottom:14px}
figcaption{font-size:13px;color:#333;margin-top:4px}
figcaption b{font-size:14px}
svg{max-width:100%;height:auto;display:block}
footer{color:#555;font-size:13px;margin-top:36px}
";

pub(crate) fn page(r: &Report) -> Page {
    let mut out = String::new();
    let dir = r.dir.display().to_string();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>netbuild report: {}</title><style>{STYLE}</style></head><body>\n",
        escape(&dir)
    );
    let p = &r.provenance;
    let _ = writeln!(
        out,
        "<header><h1>Connectivity report</h1><p>{}{}{}{}</p></header><main>",
        escape(&dir),
        p.version
            .as_ref()
            .map(|v| format!(" · built by netbuild {}", escape(v)))
            .unwrap_or_default(),
        p.seed
            .as_ref()
            .map(|v| format!(" · seed {}", escape(v)))
            .unwrap_or_default(),
        p.spec_sha256
            .as_ref()
            .map(|v| format!(
                " · spec sha256 <code>{}</code>",
                escape(&v[..v.len().min(16)])
            ))
            .unwrap_or_default(),
    );
    for n in &r.notes {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(n));
    }
    matrices(&mut out, r);
    summary(&mut out, r);
    degrees(&mut out, r);
    nsyns(&mut out, r);
    edge_types(&mut out, r);
    let distance_profiles = distance(&mut out, r);
    let _ = writeln!(
        out,
        "<footer><p>A <i>connection</i> is a (source, target, edge type) pair with at least \
         one edge; its synapses are the sum of the <code>nsyns</code> column over its rows, or \
         its number of rows when there is no such column (one row per synapse). Rows were read \
         in blocks of 2<sup>20</sup>; runs of consecutive rows with the same source, target and \
         edge type count as one connection, as netbuild and BMTK write them.</p>\
         <p>Written by <code>netbuild-mpi report</code>. No scripts, fonts or external \
         resources.</p></footer></main></body></html>"
    );
    Page {
        text: out,
        distance_profiles,
    }
}

/// An expected count: `443,442` for large counts, `2.7` for small ones.
fn count(c: f64) -> String {
    if c >= 100.0 {
        thousands(c.round() as u64)
    } else {
        format!("{c:.1}")
    }
}

/// The most cells a heat map draws: 100 × 100 groups (each cell carries a tooltip of ~200
/// bytes, four heat maps: about 8 MB of page at most).
const MAX_CELLS: usize = 10_000;

/// The group matrices: connection probability and mean in-degree, measured beside expected.
fn matrices(out: &mut String, r: &Report) {
    let m = &r.matrices;
    let g = &m.grouping;
    let by = match &g.property {
        Some(p) => format!("<code>{}</code>", escape(p)),
        None => "node population".into(),
    };
    let _ = write!(
        out,
        "<section id=\"matrices\"><h2>Connection matrices</h2><p class=\"lead\">Nodes grouped \
         by {by}; rows: source group, columns: target group. <b>Connection probability</b>: \
         distinct connected (source, target) pairs, over all edge types, divided by the possible \
         pairs |source group| × |target group| (× (|group| − 1) on the diagonal: no node with \
         itself). <b>Mean in-degree</b>: the same pairs per node of the target group. \
         <b>Expected</b>: each edge type's expected connections from the rules (netbuild's \
         estimator, as <code>netbuild-mpi check</code>), spread over the cells its selections \
         cover in proportion to their candidate pairs (for <code>indegree</code> and \
         <code>outdegree</code> rules: the same count per target, or per source). Hover over a \
         cell for its exact values; \
         grey cells have no edges population (or no possible pair).</p>"
    );
    if m.rows.is_empty() || m.cols.is_empty() {
        out.push_str("<p>No edges between groups.</p></section>\n");
        return;
    }
    if m.rows.len() * m.cols.len() > MAX_CELLS {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} source groups × {} target groups: too many cells to draw \
             (at most {}); choose a property with fewer values (<code>--group-by</code>).</p>\
             </section>",
            m.rows.len(),
            m.cols.len(),
            thousands(MAX_CELLS as u64)
        );
        return;
    }
    let rows: Vec<String> = m.rows.iter().map(|&i| g.labels[i].clone()).collect();
    let cols: Vec<String> = m.cols.iter().map(|&j| g.labels[j].clone()).collect();
    let cells = || {
        m.rows
            .iter()
            .flat_map(|&i| m.cols.iter().map(move |&j| (i, j)))
    };
    let sizes = |i: usize, j: usize| {
        format!(
            "{} → {} ({} → {} nodes)",
            g.labels[i],
            g.labels[j],
            thousands(g.size[i]),
            thousands(g.size[j])
        )
    };
    let none = |i: usize, j: usize| {
        if g.possible(i, j) == 0 {
            format!("{}: no possible pair", sizes(i, j))
        } else {
            format!(
                "{}: no edges population from {} to {}",
                sizes(i, j),
                g.population[i],
                g.population[j]
            )
        }
    };
    let p_titles: Vec<String> = cells()
        .map(|(i, j)| match m.probability(i, j) {
            None => none(i, j),
            Some(p) => {
                let mut t = format!(
                    "{}: p = {p:.5} ({} connected of {} possible pairs)",
                    sizes(i, j),
                    thousands(m.pairs(i, j)),
                    thousands(g.possible(i, j))
                );
                if let (Some(e), Some(c)) =
                    (m.expected_probability(i, j), m.expected_connections(i, j))
                {
                    let _ = write!(t, "; expected p = {e:.5} ({} connections)", count(c));
                }
                t
            }
        })
        .collect();
    let k_titles: Vec<String> = cells()
        .map(|(i, j)| match m.in_degree(i, j) {
            None => none(i, j),
            Some(k) => {
                let mut t = format!(
                    "{}: mean in-degree {k:.3} ({} connected pairs / {} targets)",
                    sizes(i, j),
                    thousands(m.pairs(i, j)),
                    thousands(g.size[j])
                );
                if let Some(e) = m.expected_in_degree(i, j) {
                    let _ = write!(t, "; expected {e:.3}");
                }
                t
            }
        })
        .collect();
    type Cell<'m> = &'m dyn Fn(usize, usize) -> Option<f64>;
    let quantities: [(&str, &str, Cell, Cell, &[String]); 2] = [
        (
            "connection probability",
            "p",
            &|i, j| m.probability(i, j),
            &|i, j| m.expected_probability(i, j),
            &p_titles,
        ),
        (
            "mean in-degree",
            "in-degree",
            &|i, j| m.in_degree(i, j),
            &|i, j| m.expected_in_degree(i, j),
            &k_titles,
        ),
    ];
    for (name, short, measured, expected, titles) in quantities {
        let measured: Vec<Option<f64>> = cells().map(|(i, j)| measured(i, j)).collect();
        let expected: Option<Vec<Option<f64>>> = m
            .expected
            .as_ref()
            .map(|_| cells().map(|(i, j)| expected(i, j)).collect());
        // One scale for both, so that equal colours mean equal values.
        let vmax = measured
            .iter()
            .chain(expected.iter().flatten())
            .flatten()
            .fold(0.0f64, |a, &v| a.max(v));
        let draw = |values: &[Option<f64>]| {
            svg::heatmap(
                &svg::Heatmap {
                    rows: &rows,
                    cols: &cols,
                    values,
                    titles,
                    vmax,
                    row_title: "source group",
                    col_title: "target group",
                    scale_title: short,
                },
                640.0,
                34.0,
            )
        };
        let _ = write!(
            out,
            "<div class=\"pair\"><figure class=\"matrix\">{}<figcaption><b>Measured {name}</b>\
             {}</figcaption></figure>",
            draw(&measured),
            if m.exact {
                ""
            } else {
                " (upper bounds: rows in neither target nor source order)"
            }
        );
        match &expected {
            Some(e) => {
                let _ = write!(
                    out,
                    "<figure class=\"matrix\">{}<figcaption><b>Expected {name}</b> from the \
                     rules</figcaption></figure>",
                    draw(e)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<figure><figcaption><b>Expected {name}</b>: needs the rules, \
                     <code>netbuild-mpi report DIR --spec SPEC.toml</code>.</figcaption></figure>"
                );
            }
        }
        out.push_str("</div>");
    }
    out.push_str("</section>\n");
}

fn block_of<'s>(r: &'s Report, pop: &EdgePop, type_id: i64) -> Option<&'s EdgeBlock> {
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
fn type_label(r: &Report, pop: &EdgePop, id: i64) -> String {
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

fn rule_text(b: &EdgeBlock) -> String {
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
fn type_ids(p: &PopReport) -> Vec<(i64, TypeCounts)> {
    let mut all: BTreeMap<i64, TypeCounts> = p.stats.types.clone();
    for id in p.pop.types.ids() {
        all.entry(id).or_default();
    }
    all.into_iter().collect()
}

fn summary(out: &mut String, r: &Report) {
    out.push_str(
        "<section id=\"summary\"><h2>Populations</h2>\
         <table><tr><th>node population</th><th>nodes</th><th>node types</th><th>positions</th></tr>",
    );
    for (name, pop) in &r.nodes {
        let types: Vec<String> = pop
            .types
            .ids()
            .map(|id| match pop.types.get(id, "pop_name") {
                Some(p) => format!("{id} {p}"),
                None => id.to_string(),
            })
            .collect();
        let pos = match pop.has_positions() {
            Ok(true) => "x y z",
            _ => "none",
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{pos}</td></tr>",
            escape(name),
            thousands(pop.n as u64),
            escape(&types.join(", "))
        );
    }
    out.push_str(
        "</table><table><tr><th>edge population</th><th>source → target</th><th>edge types</th>\
         <th>rows</th><th>connections</th><th>synapses</th><th>storage</th></tr>",
    );
    for p in &r.edges {
        let t = p
            .stats
            .types
            .values()
            .fold(TypeCounts::default(), |a, c| TypeCounts {
                rows: a.rows + c.rows,
                connections: a.connections + c.connections,
                synapses: a.synapses + c.synapses,
            });
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{} → {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&p.pop.name),
            escape(&p.pop.source_pop),
            escape(&p.pop.target_pop),
            type_ids(p).len(),
            thousands(t.rows),
            thousands(t.connections),
            thousands(t.synapses),
            if p.stats.nsyns_column {
                "rows with an <code>nsyns</code> column"
            } else {
                "one row per synapse"
            }
        );
    }
    out.push_str("</table></section>\n");
}

fn edge_types(out: &mut String, r: &Report) {
    let n: usize = r.edges.iter().map(|p| type_ids(p).len()).sum();
    let _ = write!(
        out,
        "<details id=\"edge-types\" class=\"fold\"><summary><h2>Edges per edge type</h2> \
         <span class=\"count\">{n} edge types: a bar chart and a table, folded</span></summary>\
         <p class=\"lead\">Rows of the edges files per edge type (edge type id, then its \
         source and target queries from the edge types CSV). One colour per edge \
         population.</p>",
    );
    let mut bars = Vec::new();
    let mut rows = String::new();
    for (k, p) in r.edges.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        for (id, c) in type_ids(p) {
            let label = type_label(r, &p.pop, id);
            bars.push(Bar {
                value: c.rows as f64,
                value_text: thousands(c.rows),
                color,
                title: format!(
                    "{label} ({}): {} rows, {} connections, {} synapses",
                    p.pop.name,
                    thousands(c.rows),
                    thousands(c.connections),
                    thousands(c.synapses)
                ),
                label,
            });
            let rule = block_of(r, &p.pop, id).map(rule_text).unwrap_or_default();
            let _ = write!(
                rows,
                "<tr><td class=\"n\">{id}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&p.pop.name),
                escape(p.pop.types.get(id, "source_query").unwrap_or("")),
                escape(p.pop.types.get(id, "target_query").unwrap_or("")),
                if rule.is_empty() {
                    String::new()
                } else {
                    format!("<code>{}</code>", escape(&rule))
                },
                thousands(c.rows),
                thousands(c.connections),
                thousands(c.synapses)
            );
        }
    }
    if bars.is_empty() {
        out.push_str("<p>No edge populations.</p></details>\n");
        return;
    }
    let _ = write!(
        out,
        "<figure class=\"wide\">{}<figcaption><b>Rows per edge type</b>",
        svg::hbar(&bars, 1300.0, "rows (edges)")
    );
    if r.edges.len() > 1 {
        out.push_str(" — ");
        for (k, p) in r.edges.iter().enumerate() {
            let _ = write!(
                out,
                "<span style=\"color:{}\">■</span> {} ",
                PALETTE[k % PALETTE.len()],
                escape(&p.pop.name)
            );
        }
    }
    let _ = writeln!(
        out,
        "</figcaption></figure><table><tr><th>id</th><th>population</th><th>source_query</th>\
         <th>target_query</th><th>rule (spec)</th><th>rows</th><th>connections</th>\
         <th>synapses</th></tr>{rows}</table></details>"
    );
}

/// Histogram bins over integer values, at most about `max_bins` of them, of round widths.
fn int_bins(counts: &BTreeMap<u64, u64>, max_bins: u64) -> Vec<Bin> {
    let (Some((&lo, _)), Some((&hi, _))) = (counts.first_key_value(), counts.last_key_value())
    else {
        return Vec::new();
    };
    let span = hi - lo + 1;
    let mut w = 1u64;
    'outer: for mag in [1u64, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000] {
        for m in [1, 2, 5] {
            w = m * mag;
            if span.div_ceil(w) <= max_bins {
                break 'outer;
            }
        }
    }
    let start = lo / w * w;
    let mut bins: BTreeMap<u64, u64> = BTreeMap::new();
    for (&v, &c) in counts {
        *bins.entry((v - start) / w).or_default() += c;
    }
    let last = (hi - start) / w;
    (0..=last)
        .map(|i| {
            let (a, count) = (start + i * w, bins.get(&i).copied().unwrap_or(0));
            if w == 1 {
                // One value per bar: the bar is centred on it.
                Bin {
                    lo: a as f64 - 0.5,
                    hi: a as f64 + 0.5,
                    count,
                    label: a.to_string(),
                }
            } else {
                Bin {
                    lo: a as f64,
                    hi: (a + w) as f64,
                    count,
                    label: format!("{a}–{}", a + w - 1),
                }
            }
        })
        .collect()
}

fn degree_figure(out: &mut String, degree: &[u32], what: &str, pop: &str, color: &str) {
    let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
    let mut sum = 0u64;
    for &d in degree {
        *counts.entry(u64::from(d)).or_default() += 1;
        sum += u64::from(d);
    }
    let n = degree.len() as u64;
    let mean = if n > 0 { sum as f64 / n as f64 } else { 0.0 };
    let sd = if n > 0 {
        (degree
            .iter()
            .map(|&d| (f64::from(d) - mean).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt()
    } else {
        0.0
    };
    let zero = counts.get(&0).copied().unwrap_or(0);
    let (min, max) = (
        counts.keys().next().copied().unwrap_or(0),
        counts.keys().last().copied().unwrap_or(0),
    );
    let _ = write!(
        out,
        "<figure>{}<figcaption><b>{what}</b> — connections per node of <code>{}</code>: \
         mean {mean:.2}, sd {sd:.2}, min {min}, max {max}; {} of {} nodes have none.</figcaption></figure>",
        svg::histogram(
            &int_bins(&counts, 60),
            620.0,
            300.0,
            what,
            "nodes",
            color
        ),
        escape(pop),
        thousands(zero),
        thousands(n)
    );
}

fn degrees(out: &mut String, r: &Report) {
    out.push_str(
        "<section id=\"degrees\"><h2>In-degree and out-degree</h2><p class=\"lead\">For each \
         edge population: the number of connections each node of the target population \
         receives (in-degree) and each node of the source population makes (out-degree), \
         over all of its edge types; nodes without any count as 0.</p>",
    );
    for p in &r.edges {
        let _ = write!(out, "<h3>{}</h3>", escape(&p.pop.name));
        if p.pop.rows == 0 {
            out.push_str("<p>No edges in this population.</p>");
            continue;
        }
        out.push_str("<div class=\"grid\">");
        degree_figure(
            out,
            &p.stats.in_degree,
            "in-degree",
            &p.pop.target_pop,
            PALETTE[0],
        );
        degree_figure(
            out,
            &p.stats.out_degree,
            "out-degree",
            &p.pop.source_pop,
            PALETTE[1],
        );
        out.push_str("</div>");
    }
    out.push_str("</section>\n");
}

fn nsyns(out: &mut String, r: &Report) {
    out.push_str(
        "<section id=\"nsyns\"><h2>Synapses per connection (nsyns)</h2><p class=\"lead\">From \
         the <code>nsyns</code> column where an edge type stores one row per connected pair, \
         else the number of rows of each (source, target) pair (one row per synapse).</p>\
         <div class=\"grid\">",
    );
    for p in &r.edges {
        if p.pop.rows == 0 {
            let _ = write!(
                out,
                "<figure><figcaption><b>{}</b>: no edges.</figcaption></figure>",
                escape(&p.pop.name)
            );
            continue;
        }
        let total: u64 = p.stats.nsyns.values().sum();
        let syn: u64 = p.stats.nsyns.iter().map(|(k, v)| k * v).sum();
        let _ = write!(
            out,
            "<figure>{}<figcaption><b>{}</b> — {} connections, {} synapses, mean {:.2} per \
             connection ({}).</figcaption></figure>",
            svg::histogram(
                &int_bins(&p.stats.nsyns, 40),
                620.0,
                300.0,
                "synapses per connection",
                "connections",
                PALETTE[2]
            ),
            escape(&p.pop.name),
            thousands(total),
            thousands(syn),
            if total > 0 {
                syn as f64 / total as f64
            } else {
                0.0
            },
            if p.stats.nsyns_column {
                "nsyns column"
            } else {
                "rows per pair"
            }
        );
    }
    out.push_str("</div></section>\n");
}

/// The fewest sampled pairs a bin needs for its measured probability to be shown.
const MIN_SAMPLES_PER_BIN: u64 = 20;

fn distance(out: &mut String, r: &Report) -> usize {
    let n: usize = r.edges.iter().map(|p| p.profiles.len()).sum();
    let _ = write!(
        out,
        "<details id=\"distance\" class=\"fold\"><summary><h2>Connection probability \
         against distance</h2> <span class=\"count\">{n} distance-dependent edge types, \
         folded</span></summary><p class=\"lead\">For each edge type whose rule depends on distance: connections per \
         distance bin divided by the candidate pairs in the bin (dots, ±1 s.d. of the counts). \
         Candidates per bin are estimated from the node positions with {} random (source, \
         target) pairs of the edge type's selections; the line is the rule's probability \
         averaged over the sampled pairs of each bin (clamped to [0, 1], 0 beyond \
         <code>max_distance</code>). Bins with fewer than {MIN_SAMPLES_PER_BIN} sampled pairs \
         are left out.</p>",
        thousands(r.samples as u64)
    );
    let mut shown = 0;
    if r.spec.is_none() {
        out.push_str(
            "<p class=\"note\">Needs the spec: <code>netbuild-mpi report DIR --spec \
             SPEC.toml</code>.</p></details>\n",
        );
        return 0;
    }
    let any = r.edges.iter().any(|p| !p.profiles.is_empty());
    if !any {
        out.push_str("<p>No edge type of the spec depends on distance.</p></details>\n");
        return 0;
    }
    out.push_str("<div class=\"grid\">");
    for p in &r.edges {
        for prof in &p.profiles {
            if let Some(b) = block_of(r, &p.pop, prof.type_id) {
                profile_figure(out, r, &p.pop, prof, b);
                shown += 1;
            }
        }
    }
    out.push_str("</div></details>\n");
    shown
}

fn profile_figure(out: &mut String, r: &Report, pop: &EdgePop, prof: &Profile, b: &EdgeBlock) {
    let s = &prof.sampled;
    let w = s.binning.width;
    let mut measured = Vec::new();
    let mut errors = Vec::new();
    let mut rule = Vec::new();
    for i in 0..s.binning.bins {
        let mid = (i as f64 + 0.5) * w;
        let n = s.per_bin[i];
        if n == 0 {
            rule.push((mid, f64::NAN));
        } else {
            rule.push((mid, s.rule_sum[i] / n as f64));
        }
        if n < MIN_SAMPLES_PER_BIN {
            continue;
        }
        let c = s.candidates_in(i);
        let k = prof.connected[i] as f64;
        let p = k / c;
        let rel = (1.0 / k.max(1.0) + 1.0 / n as f64).sqrt();
        let half = if k > 0.0 { p * rel } else { 1.0 / c };
        measured.push((mid, p));
        errors.push(((p - half).max(0.0), p + half));
    }
    let kind = match &b.rule {
        Rule::Count(_) => RuleKind::Count,
        _ => RuleKind::Probability,
    };
    let rule_name = match kind {
        RuleKind::Probability => "rule: mean probability in bin",
        RuleKind::Count => "rule: share of pairs with count ≥ 1",
    };
    let series = [
        Series {
            name: rule_name.into(),
            color: PALETTE[3],
            points: rule,
            errors: None,
            dashed: false,
        },
        Series {
            name: "measured: connections / candidates".into(),
            color: PALETTE[0],
            points: measured,
            errors: Some(errors),
            dashed: false,
        },
    ];
    let connections: u64 = prof.connected.iter().sum();
    let _ = write!(
        out,
        "<figure>{}<figcaption><b>{}</b> ({}) — <code>{}</code><br>{} sources × {} targets \
         ({} candidate pairs), {} connections in range, {} sampled pairs.</figcaption></figure>",
        svg::xy(
            &series,
            620.0,
            340.0,
            w * s.binning.bins as f64,
            "distance d (µm)",
            "connection probability"
        ),
        escape(&type_label(r, pop, prof.type_id)),
        escape(&pop.name),
        escape(&rule_text(b)),
        thousands(s.n_sources as u64),
        thousands(s.n_targets as u64),
        thousands(s.candidates as u64),
        thousands(connections),
        thousands(s.samples)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_bins_are_round_and_cover_everything() {
        let counts: BTreeMap<u64, u64> = [(3, 1), (4, 2), (250, 5)].into_iter().collect();
        let bins = int_bins(&counts, 60);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), 8);
        let w = bins[0].hi - bins[0].lo;
        assert_eq!(w, 5.0);
        assert_eq!(bins[0].lo, 0.0);
        assert_eq!(bins[0].label, "0–4");
        assert!(bins.len() <= 60);
        let one: BTreeMap<u64, u64> = [(1, 10), (3, 4)].into_iter().collect();
        let b = int_bins(&one, 40);
        assert_eq!(b.len(), 3);
        assert_eq!(b[1].count, 0);
        assert_eq!((b[0].lo, b[0].hi, b[0].label.as_str()), (0.5, 1.5, "1"));
    }
}
