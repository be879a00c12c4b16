//! The populations section: one table of the node populations (nodes, node types,
//! positions), one of the edge populations (edge types, rows, connections, synapses, storage).
//! In: the report. Out: the section's HTML.

use super::edge_type::type_ids;
use crate::gather::Report;
use crate::scan::TypeCounts;
use crate::svg::{escape, thousands};
use std::fmt::Write;

pub(super) fn section(out: &mut String, r: &Report) {
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
