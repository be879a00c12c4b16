//! The rows an edge type makes, counted by connecting some or all of its targets with the
//! build's own code: the sampler behind `check`'s estimate ([`crate::estimate`]) and the
//! progress line's expected totals ([`crate::generate::progress`]).
//!
//! In: a prepared edge type, the work of all its targets (as the plan sums it) and how much to
//! sample ([`Sampling`]). Out: the counted rows, connections and synapses ([`Tally`]) and how
//! many targets they come from ([`Coverage`]).
//!
//! The sample is deterministic and stratified: the targets are cut into `m` strata of equal
//! size and one target per stratum is picked by a fixed-seed hash ([`SAMPLE_SEED`]), so that
//! `max_distance`, autapses, thinning, `nsyns` and per-synapse rows are exactly the build's and
//! the counts are scaled by the stratum sizes.

use netbuild_model::{EdgeRow, EdgeSink, PreparedEdgeType, Scratch};
use rayon::prelude::*;

/// Estimated work (pairs visited plus rows made, [`PreparedEdgeType::work`]) a sampled edge
/// type is given.
pub const SAMPLE_WORK: f64 = 1.0e6;
/// Below this much work for all its targets, an edge type is connected whole: exact.
pub const ENUMERATE_WORK: f64 = 2.0e6;
/// The fewest targets a sample has (or all of them).
pub const MIN_SAMPLE_TARGETS: usize = 200;
/// The seed of the sample's target picks.
pub const SAMPLE_SEED: u64 = 0x6e65_7462_7569_6c64;

/// Counts rows, connections and synapses pushed by `connect`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Tally {
    pub rows: f64,
    pub connections: f64,
    pub synapses: f64,
}

/// Which targets a [`Tally`] comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Coverage {
    /// Every target connected: the build's counts exactly.
    All,
    /// `targets` of `of` targets connected and scaled; `rel_se` is the relative standard error
    /// of the rows.
    Sample { targets: u64, of: u64, rel_se: f64 },
}

/// How much of an edge type a sample connects: about `work` units of estimated work, at least
/// `min_targets` targets; all of it below `enumerate_below` units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sampling {
    pub work: f64,
    pub min_targets: usize,
    pub enumerate_below: f64,
}

struct TallySink {
    row_per_synapse: bool,
    last_source: Option<u64>,
    tally: Tally,
}

impl EdgeSink for TallySink {
    type Error = std::convert::Infallible;
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), Self::Error> {
        self.tally.rows += 1.0;
        self.tally.synapses += f64::from(row.nsyns);
        // The synapse rows of one pair are consecutive.
        if !self.row_per_synapse || self.last_source != Some(row.source) {
            self.tally.connections += 1.0;
        }
        self.last_source = Some(row.source);
        Ok(())
    }
}

/// The rows target `t` gets, made by the build's own code.
fn connect_one(e: &PreparedEdgeType<'_>, t: u64, scratch: &mut Scratch) -> Tally {
    let block = e.prepare_block(t..t + 1);
    let mut sink = TallySink {
        row_per_synapse: e.def.row_per_synapse(),
        last_source: None,
        tally: Tally::default(),
    };
    let Ok(()) = e.connect(&block, t, scratch, &mut sink);
    sink.tally
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The rows `e` is expected to make, from a light sample (about 1/20 of `check`'s): what the
/// progress line extrapolates with before it has seen much of an edge type. `total_work` is the
/// work of all of `e`'s targets, which the caller has summed already.
pub fn expected_rows(e: &PreparedEdgeType<'_>, total_work: f64) -> f64 {
    let light = Sampling {
        work: SAMPLE_WORK / 20.0,
        min_targets: MIN_SAMPLE_TARGETS / 10,
        enumerate_below: ENUMERATE_WORK / 20.0,
    };
    by_connecting(e, false, light, total_work).0.rows
}

/// Connections, synapses and rows of `e` from connecting some or all of its targets (all of
/// them when `enumerate`). `total_work`: the work of all its targets
/// ([`crate::plan::work::TargetWork::type_totals`]).
pub(crate) fn by_connecting(
    e: &PreparedEdgeType<'_>,
    enumerate: bool,
    how: Sampling,
    total_work: f64,
) -> (Tally, Coverage) {
    let n = e.targets.len();
    if n == 0 {
        return (Tally::default(), Coverage::All);
    }
    let m = if enumerate || total_work <= how.enumerate_below {
        n
    } else {
        ((n as f64 * how.work / total_work).ceil() as usize)
            .max(how.min_targets)
            .min(n)
    };
    if m == n {
        let tally = e
            .targets
            .par_iter()
            .map_init(Scratch::default, |s, &t| connect_one(e, t, s))
            .reduce(Tally::default, add);
        return (tally, Coverage::All);
    }
    // Stratum i holds target positions [i n / m, (i+1) n / m); one pick per stratum.
    let picks: Vec<(u64, f64)> = (0..m)
        .map(|i| {
            let lo = (i as u128 * n as u128 / m as u128) as usize;
            let hi = ((i + 1) as u128 * n as u128 / m as u128) as usize;
            let h = splitmix(SAMPLE_SEED ^ splitmix(e.index as u64) ^ (i as u64));
            let at = lo + (h % (hi - lo) as u64) as usize;
            (e.targets[at], (hi - lo) as f64)
        })
        .collect();
    let per_target: Vec<(Tally, f64)> = picks
        .par_iter()
        .map_init(Scratch::default, |s, &(t, w)| (connect_one(e, t, s), w))
        .collect();
    let mut tally = Tally::default();
    for (x, w) in &per_target {
        tally.rows += x.rows * w;
        tally.connections += x.connections * w;
        tally.synapses += x.synapses * w;
    }
    // Standard error of the scaled rows, as for a simple random sample of m of n targets.
    let mean = per_target.iter().map(|(x, _)| x.rows).sum::<f64>() / m as f64;
    let var = per_target
        .iter()
        .map(|(x, _)| (x.rows - mean).powi(2))
        .sum::<f64>()
        / (m as f64 - 1.0).max(1.0);
    let se = n as f64 * (var / m as f64 * (1.0 - m as f64 / n as f64)).sqrt();
    let rel_se = if tally.rows > 0.0 {
        se / tally.rows
    } else {
        0.0
    };
    (
        tally,
        Coverage::Sample {
            targets: m as u64,
            of: n as u64,
            rel_se,
        },
    )
}

fn add(a: Tally, b: Tally) -> Tally {
    Tally {
        rows: a.rows + b.rows,
        connections: a.connections + b.connections,
        synapses: a.synapses + b.synapses,
    }
}
