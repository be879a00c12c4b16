//! The folded section of edges per edge type: a bar chart of rows per edge type (one colour
//! per edge population) and a table with each type's queries, rule and counts. In: the
//! report. Out: the section's HTML.

use super::edge_type::{block_of, rule_text, type_ids, type_label};
use crate::gather::Report;
use crate::svg::{self, escape, thousands, Bar, PALETTE};
use std::fmt::Write;

pub(super) fn section(out: &mut String, r: &Report) {
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
