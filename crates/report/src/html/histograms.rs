//! The histogram sections: in- and out-degree per edge population, and synapses per
//! connection (nsyns). In: the report's per-population counts. Out: the sections' HTML.

use crate::gather::Report;
use crate::svg::{self, escape, thousands, Bin, PALETTE};
use std::collections::BTreeMap;
use std::fmt::Write;

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

pub(super) fn degrees(out: &mut String, r: &Report) {
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

pub(super) fn nsyns(out: &mut String, r: &Report) {
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
