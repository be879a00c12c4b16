//! The page: sections of tables and inline SVG charts, a small inline style sheet, no script.
//!
//! In: the [`Report`] (the circuit's measurements, the spec if given, the notes). Out: the
//! page's text and the number of distance profiles drawn. One module per section, in page
//! order: `matrices` (group × group heat maps), `populations` (the node and edge population
//! tables), `histograms` (in- and out-degree, synapses per connection), `edge_types` (rows per
//! edge type, folded), `distance` (connection probability against distance, folded);
//! `edge_type` says what the page writes of one edge type (its label, its rule).

mod distance;
mod edge_type;
mod edge_types;
mod histograms;
mod matrices;
mod populations;

use crate::gather::Report;
use crate::svg::escape;
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
    matrices::section(&mut out, r);
    populations::section(&mut out, r);
    histograms::degrees(&mut out, r);
    histograms::nsyns(&mut out, r);
    edge_types::section(&mut out, r);
    let distance_profiles = distance::section(&mut out, r);
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
