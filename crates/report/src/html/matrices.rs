//! The page's first section: the source-group × target-group heat maps of connection
//! probability and mean in-degree, measured beside expected. In: the report's [`Matrices`].
//! Out: the section's HTML.

use crate::gather::Report;
use crate::matrix::Matrices;
use crate::svg::{self, escape, thousands};
use std::fmt::Write;

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
pub(super) fn section(out: &mut String, r: &Report) {
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
    // Row-major, as the heat maps draw them.
    let cells: Vec<(usize, usize)> = m
        .rows
        .iter()
        .flat_map(|&i| m.cols.iter().map(move |&j| (i, j)))
        .collect();
    let (p_titles, k_titles) = titles(m, &cells);
    let quantities = [
        Quantity {
            name: "connection probability",
            short: "p",
            measured: &|i, j| m.probability(i, j),
            expected: &|i, j| m.expected_probability(i, j),
            titles: &p_titles,
        },
        Quantity {
            name: "mean in-degree",
            short: "in-degree",
            measured: &|i, j| m.in_degree(i, j),
            expected: &|i, j| m.expected_in_degree(i, j),
            titles: &k_titles,
        },
    ];
    for q in &quantities {
        figure_pair(out, m, &cells, (&rows, &cols), q);
    }
    out.push_str("</section>\n");
}

/// One quantity of the matrices: its name in the captions, its colour bar's title, its value
/// per (source group, target group) measured and expected, the cells' tooltips.
struct Quantity<'a> {
    name: &'a str,
    short: &'a str,
    measured: &'a dyn Fn(usize, usize) -> Option<f64>,
    expected: &'a dyn Fn(usize, usize) -> Option<f64>,
    titles: &'a [String],
}

/// The cells' tooltips: the connection probability's, then the mean in-degree's, each with
/// the exact counts behind the value and the expected value when there is one.
fn titles(m: &Matrices, cells: &[(usize, usize)]) -> (Vec<String>, Vec<String>) {
    let g = &m.grouping;
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
    let p_titles: Vec<String> = cells
        .iter()
        .map(|&(i, j)| match m.probability(i, j) {
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
    let k_titles: Vec<String> = cells
        .iter()
        .map(|&(i, j)| match m.in_degree(i, j) {
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
    (p_titles, k_titles)
}

/// The measured heat map of `q` beside its expected one (or a word on why there is none), on
/// one colour scale.
fn figure_pair(
    out: &mut String,
    m: &Matrices,
    cells: &[(usize, usize)],
    (rows, cols): (&[String], &[String]),
    q: &Quantity,
) {
    let Quantity {
        name,
        short,
        measured,
        expected,
        titles,
    } = *q;
    let measured: Vec<Option<f64>> = cells.iter().map(|&(i, j)| measured(i, j)).collect();
    let expected: Option<Vec<Option<f64>>> = m
        .expected
        .as_ref()
        .map(|_| cells.iter().map(|&(i, j)| expected(i, j)).collect());
    // One scale for both, so that equal colours mean equal values.
    let vmax = measured
        .iter()
        .chain(expected.iter().flatten())
        .flatten()
        .fold(0.0f64, |a, &v| a.max(v));
    let draw = |values: &[Option<f64>]| {
        svg::heatmap(
            &svg::Heatmap {
                rows,
                cols,
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
