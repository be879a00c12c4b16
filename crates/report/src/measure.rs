//! One edge population measured: its rows scanned once for the counts, the degrees, the group
//! pairs of the matrices and, with the spec, the connections per distance bin of each
//! distance-dependent edge type (whose candidate pairs are sampled first).
//!
//! In: the edge population, the node populations, the spec if given, the options, the
//! matrices to add the population's pairs to. Out: a [`PopReport`], and notes for the page.

use crate::circuit::{EdgePop, NodePop};
use crate::matrix::{Matrices, PairCounter};
use crate::{distance, scan, svg, Options, ReportError};
use netbuild_spec::Spec;
use std::collections::BTreeMap;

/// One distance profile: the sampled candidates and the measured connections.
pub(crate) struct Profile {
    pub type_id: i64,
    pub sampled: distance::Sampled,
    pub connected: Vec<u64>,
}

/// One edge population's measurements.
pub(crate) struct PopReport {
    pub pop: EdgePop,
    pub stats: scan::PopStats,
    pub profiles: Vec<Profile>,
}

/// Measures `pop`, the `k`-th of `of` edge files (for the progress line), and adds its
/// connected pairs to `matrices`. A node population it names but the folder lacks is a note.
pub(crate) fn measure(
    pop: EdgePop,
    (k, of): (usize, usize),
    nodes: &BTreeMap<String, NodePop>,
    spec: Option<&Spec>,
    opts: &Options,
    matrices: &mut Matrices,
    notes: &mut Vec<String>,
) -> Result<PopReport, ReportError> {
    let src = nodes.get(&pop.source_pop);
    let trg = nodes.get(&pop.target_pop);
    for (role, name, found) in [
        ("source", &pop.source_pop, src.is_some()),
        ("target", &pop.target_pop, trg.is_some()),
    ] {
        if !found {
            notes.push(format!(
                "edge population {}: its {role} node population {name:?} is not in the folder",
                pop.name
            ));
        }
    }

    let sampled = match (spec, src, trg) {
        (Some(spec), Some(src), Some(trg)) => sample_profiles(spec, &pop, src, trg, opts)?,
        _ => Vec::new(),
    };
    let positions = match (src, trg) {
        (Some(s), Some(t)) if !sampled.is_empty() => Some((s.positions()?, t.positions()?)),
        _ => None,
    };
    let tracking = positions.map(|(source_pos, target_pos)| scan::DistanceTracking {
        types: sampled.iter().map(|(t, s)| (*t, s.binning)).collect(),
        source_pos,
        target_pos,
    });
    eprintln!(
        "netbuild report: reading {} ({} rows) [{}/{}]",
        pop.name,
        svg::thousands(pop.rows),
        k + 1,
        of.max(k + 1)
    );
    let groups = &matrices.grouping;
    let of = |name: &str| groups.of_node.get(name).map_or(&[][..], |v| v.as_slice());
    let mut pairs = PairCounter::new(of(&pop.source_pop), of(&pop.target_pop), groups.len());
    let mut stats = scan::scan(
        &pop,
        src.map_or(0, |p| p.n),
        trg.map_or(0, |p| p.n),
        tracking.as_ref(),
        Some(&mut pairs),
    )?;
    let pairs = pairs.finish();
    matrices.add(&pairs);
    let profiles = sampled
        .into_iter()
        .map(|(type_id, sampled)| Profile {
            type_id,
            connected: stats
                .connected
                .remove(&type_id)
                .unwrap_or_else(|| vec![0; sampled.binning.bins]),
            sampled,
        })
        .collect();
    Ok(PopReport {
        pop,
        stats,
        profiles,
    })
}

/// The candidate pairs of each distance-dependent edge type of the spec that joins `pop`'s
/// node populations, sampled; edge type ids are netbuild's (100 + the block's index).
fn sample_profiles(
    spec: &Spec,
    pop: &EdgePop,
    src: &NodePop,
    trg: &NodePop,
    opts: &Options,
) -> Result<Vec<(i64, distance::Sampled)>, ReportError> {
    let mut sampled = Vec::new();
    for (i, block) in spec.edges.iter().enumerate() {
        let type_id = 100 + i as i64;
        if block.source.network != pop.source_pop || block.target.network != pop.target_pop {
            continue;
        }
        let Some((kind, value)) = distance::distance_rule(block) else {
            continue;
        };
        let seed = 0x6e62_7265_706f_7274 ^ (type_id as u64).wrapping_mul(0x9e37_79b9);
        if let Some(s) = distance::sample(
            block,
            kind,
            value,
            src,
            trg,
            opts.samples,
            opts.bins.max(1),
            seed,
        )? {
            sampled.push((type_id, s));
        }
    }
    Ok(sampled)
}
