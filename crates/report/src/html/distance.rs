//! The folded section of connection probability against distance: per distance-dependent
//! edge type, the measured probability per distance bin (with error bars) beside the rule's
//! own curve. In: the report's distance profiles and the spec. Out: the section's HTML and the
//! number of profiles drawn.

use super::edge_type::{block_of, rule_text, type_label};
use crate::circuit::EdgePop;
use crate::distance::RuleKind;
use crate::gather::Report;
use crate::measure::Profile;
use crate::svg::{self, escape, thousands, Series, PALETTE};
use netbuild_spec::{EdgeBlock, Rule};
use std::fmt::Write;

/// The fewest sampled pairs a bin needs for its measured probability to be shown.
const MIN_SAMPLES_PER_BIN: u64 = 20;

pub(super) fn section(out: &mut String, r: &Report) -> usize {
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
