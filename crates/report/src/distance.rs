//! Connection probability against distance, for the edge types whose rule depends on distance
//! (an expression of `d`, `dx`, `dy`, `dz`, or a `max_distance`).
//!
//! Measured: connections per distance bin (from the edges file, `scan`) divided by the candidate
//! pairs per bin. The candidates are estimated from the node positions: `samples` random pairs
//! drawn uniformly from the edge type's source × target selections (without self-pairs unless
//! the rule allows autapses) give the share of all candidate pairs that falls in each bin.
//!
//! The rule's own curve: the rule's probability averaged over the sampled pairs of each bin,
//! evaluated with `netbuild_expr::Expr::eval` on the pair's d, dx, dy, dz and node properties,
//! clamped to [0, 1] and 0 beyond `max_distance` (for a `count` rule: whether the rounded count
//! is at least 1). Both are averages over the same pairs, so they agree in expectation whatever
//! else the rule depends on.

use crate::circuit::{prop_matches, NodePop};
use crate::scan::Binning;
use crate::ReportError;
use netbuild_expr::Var;
use netbuild_spec::{EdgeBlock, Rule, Selector, Value};
use rand::{Rng, SeedableRng};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Probability,
    Count,
}

/// The rule of `block` if it depends on distance.
pub fn distance_rule(block: &EdgeBlock) -> Option<(RuleKind, &Value)> {
    let (kind, value) = match &block.rule {
        Rule::Probability(v) => (RuleKind::Probability, v),
        Rule::Count(v) => (RuleKind::Count, v),
        _ => return None,
    };
    let reads_distance = match value {
        Value::Const(_) => false,
        Value::Expr(e) => e
            .variables()
            .iter()
            .any(|v| matches!(v.var, Var::D | Var::Dx | Var::Dy | Var::Dz)),
    };
    (reads_distance || block.max_distance.is_some()).then_some((kind, value))
}

/// The ids of the nodes of `pop` that `sel` selects. Computed once per distinct selection and
/// population: the hundreds of edge types of a V1 model share a few dozen selections.
pub fn select(pop: &NodePop, sel: &Selector) -> Result<Arc<Vec<u32>>, ReportError> {
    pop.selection(&format!("{:?}", sel.filters), || {
        let mut keep = vec![true; pop.n];
        for (name, accepted) in &sel.filters {
            let values = pop.prop(name)?;
            for (k, v) in keep.iter_mut().zip(values.iter()) {
                *k = *k && accepted.iter().any(|a| prop_matches(v, a));
            }
        }
        Ok((0..pop.n as u32).filter(|&i| keep[i as usize]).collect())
    })
}

/// The sampled side of one distance profile.
#[derive(Debug, Clone)]
pub struct Sampled {
    pub binning: Binning,
    /// Sampled pairs per bin.
    pub per_bin: Vec<u64>,
    /// Sum of the rule's probability over the sampled pairs of each bin.
    pub rule_sum: Vec<f64>,
    /// Pairs drawn in all.
    pub samples: u64,
    /// Candidate pairs in all: |S| |T|, less the self-pairs unless autapses are allowed.
    pub candidates: f64,
    pub n_sources: usize,
    pub n_targets: usize,
}

impl Sampled {
    /// Estimated candidate pairs in bin `i`.
    pub fn candidates_in(&self, i: usize) -> f64 {
        self.per_bin[i] as f64 / self.samples as f64 * self.candidates
    }
}

/// How an expression variable is worth for a pair.
enum Slot {
    D,
    Dx,
    Dy,
    Dz,
    Src(Vec<f64>),
    Trg(Vec<f64>),
}

#[allow(clippy::too_many_arguments)]
pub fn sample(
    block: &EdgeBlock,
    kind: RuleKind,
    value: &Value,
    src_pop: &NodePop,
    trg_pop: &NodePop,
    samples: usize,
    bins: usize,
    seed: u64,
) -> Result<Option<Sampled>, ReportError> {
    let sources = select(src_pop, &block.source)?;
    let targets = select(trg_pop, &block.target)?;
    let same = src_pop.name == trg_pop.name;
    let no_self = same && !block.autapses;
    let overlap = if no_self {
        let mut in_t = vec![false; trg_pop.n];
        for &t in targets.iter() {
            in_t[t as usize] = true;
        }
        sources.iter().filter(|&&s| in_t[s as usize]).count()
    } else {
        0
    };
    let candidates = sources.len() as f64 * targets.len() as f64 - overlap as f64;
    if candidates <= 0.0 || samples == 0 {
        return Ok(None);
    }
    let sp = src_pop.positions()?;
    let tp = trg_pop.positions()?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);

    // The pairs: (source, target, distance).
    let mut pairs: Vec<(u32, u32, f64)> = Vec::with_capacity(samples);
    let mut attempts = 0usize;
    while pairs.len() < samples && attempts < samples.saturating_mul(20) {
        attempts += 1;
        let s = sources[rng.gen_range(0..sources.len())];
        let t = targets[rng.gen_range(0..targets.len())];
        if no_self && s == t {
            continue;
        }
        let (a, b) = (sp[s as usize], tp[t as usize]);
        let d = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2) + (b[2] - a[2]).powi(2)).sqrt();
        pairs.push((s, t, d));
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    let far = pairs.iter().map(|p| p.2).fold(0.0f64, f64::max);
    let range = match block.max_distance {
        // A little past the cut, to show that nothing connects beyond it.
        Some(m) => far.min(1.2 * m),
        None => far,
    };
    let range = if range > 0.0 { range } else { 1.0 };
    let binning = Binning {
        width: range * (1.0 + 1e-9) / bins as f64,
        bins,
    };

    let slots: Vec<Slot> = match value {
        Value::Const(_) => Vec::new(),
        Value::Expr(e) => e
            .variables()
            .iter()
            .map(|v| {
                Ok(match &v.var {
                    Var::D => Slot::D,
                    Var::Dx => Slot::Dx,
                    Var::Dy => Slot::Dy,
                    Var::Dz => Slot::Dz,
                    Var::Src(name) => Slot::Src(src_pop.numeric(name)?),
                    Var::Trg(name) => Slot::Trg(trg_pop.numeric(name)?),
                })
            })
            .collect::<Result<_, ReportError>>()?,
    };
    let mut vars = vec![0.0; slots.len()];
    let mut per_bin = vec![0u64; bins];
    let mut rule_sum = vec![0.0f64; bins];
    for &(s, t, d) in &pairs {
        let Some(i) = binning.of(d) else { continue };
        per_bin[i] += 1;
        if block.max_distance.is_some_and(|m| d > m) {
            continue;
        }
        let raw = match value {
            Value::Const(c) => *c,
            Value::Expr(e) => {
                let (a, b) = (sp[s as usize], tp[t as usize]);
                for (slot, v) in slots.iter().zip(vars.iter_mut()) {
                    *v = match slot {
                        Slot::D => d,
                        Slot::Dx => b[0] - a[0],
                        Slot::Dy => b[1] - a[1],
                        Slot::Dz => b[2] - a[2],
                        Slot::Src(col) => col[s as usize],
                        Slot::Trg(col) => col[t as usize],
                    };
                }
                e.eval(&vars, &mut rng)
            }
        };
        rule_sum[i] += match kind {
            RuleKind::Probability if raw.is_nan() => 0.0,
            RuleKind::Probability => raw.clamp(0.0, 1.0),
            RuleKind::Count => f64::from(u8::from(raw.round() >= 1.0)),
        };
    }
    Ok(Some(Sampled {
        binning,
        per_bin,
        rule_sum,
        samples: pairs.len() as u64,
        candidates,
        n_sources: sources.len(),
        n_targets: targets.len(),
    }))
}
