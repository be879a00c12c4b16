//! Rules that fix the number of edges: `indegree` (each target draws k distinct sources),
//! `outdegree` (each source draws k distinct targets) and `total` (n pairs in all, split over
//! the targets as NEST's `fixed_total_number`).
//!
//! In: k or n, checked at prepare time against the selections (a degree above the distinct
//! partners of a node is an error, as is a total without any pair). Out, at connect time: the
//! target's sources, ascending, into the scratch's connections. The draws: `indegree` and
//! `total` from the target's connect stream; `outdegree` from each source's own stream, made
//! once per block of targets ([`PreparedEdgeType::outdegree_buckets`]) and then read target by
//! target; `total`'s split over targets from one stream of the edge type, identical on every
//! rank.

use super::slots::Slots;
use super::{sample, BlockState, Prepared, PreparedEdgeType, Scratch, Target, NONE};
use crate::stream::{stream, Domain, Purpose};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use std::ops::Range;

impl PreparedEdgeType<'_> {
    /// `indegree = k`, checked: every target can have k distinct sources.
    pub(super) fn prepare_indegree(&self, k: u64) -> Result<Prepared, String> {
        let k = k as usize;
        check_degree(
            k,
            "indegree",
            "target",
            "sources",
            &self.targets,
            &self.sources,
            &self.src_slot,
            self.exclude_self,
        )?;
        Ok(Prepared::Indegree(k))
    }

    /// `outdegree = k`, checked: every source can have k distinct targets.
    pub(super) fn prepare_outdegree(&self, k: u64) -> Result<Prepared, String> {
        let k = k as usize;
        check_degree(
            k,
            "outdegree",
            "source",
            "targets",
            &self.sources,
            &self.targets,
            &self.trg_slot,
            self.exclude_self,
        )?;
        Ok(Prepared::Outdegree(k))
    }

    /// `total = n`, split over the targets now (the split is global: every rank draws it).
    pub(super) fn prepare_total(&self, n: u64) -> Result<Prepared, String> {
        if n > 0 && self.targets.iter().all(|&t| self.available(t) == 0) {
            return Err(format!(
                "total = {n} but the selections have no pair to connect"
            ));
        }
        Ok(Prepared::Total(self.total_counts(n)))
    }

    /// Sources target `t` may connect to without an autapse.
    fn available(&self, t: u64) -> usize {
        let own = self.exclude_self && self.src_slot.contains(t);
        self.sources.len() - usize::from(own)
    }

    /// NEST's fixed_total_number: a multinomial split of `n` over targets, weighted by their
    /// possible pairs, drawn as a chain of binomials from one stream so every rank draws the same.
    fn total_counts(&self, n: u64) -> Vec<u64> {
        let mut rng = stream(self.seed, Domain::EdgeType(self.index), 0, Purpose::Total);
        let weights: Vec<f64> = self
            .targets
            .iter()
            .map(|&t| self.available(t) as f64)
            .collect();
        let mut left_weight: f64 = weights.iter().sum();
        let mut left = n;
        let mut counts = Vec::with_capacity(weights.len());
        for w in weights {
            let c = if left == 0 || w <= 0.0 {
                0
            } else if w >= left_weight {
                left
            } else {
                Binomial::new(left, (w / left_weight).clamp(0.0, 1.0))
                    .map(|b| b.sample(&mut rng))
                    .unwrap_or(0)
            };
            counts.push(c);
            left -= c;
            left_weight -= w;
        }
        counts
    }

    /// The sources of the target positions `block` under `outdegree = k`, one list per
    /// position: every source draws its k targets from its own stream (so any block, on any
    /// rank, sees the same draws) and keeps those inside the block.
    pub(super) fn outdegree_buckets(&self, k: usize, block: Range<usize>) -> Vec<Vec<u64>> {
        let (first, end) = (block.start, block.end);
        let mut buckets = vec![Vec::new(); end - first];
        let mut picks = Vec::with_capacity(k);
        for &s in &self.sources {
            let own = own_slot(self.exclude_self, &self.trg_slot, s);
            let n = self.targets.len() - usize::from(own != NONE);
            let mut rng = stream(
                self.seed,
                Domain::EdgeType(self.index),
                s,
                Purpose::Outdegree,
            );
            sample::distinct_positions(n, k.min(n), &mut rng, &mut picks);
            for &p in &picks {
                let p = skip_own(own, p);
                if (first..end).contains(&p) {
                    buckets[p - first].push(s);
                }
            }
        }
        buckets
    }

    /// `indegree = k`: k distinct sources (all there are, if fewer), ascending.
    pub(super) fn connect_indegree(
        &self,
        k: usize,
        target: Target,
        rng: &mut ChaCha8Rng,
        scratch: &mut Scratch,
    ) {
        let (own, n) = self.drawn_among(target);
        sample::distinct_positions(n, k.min(n), rng, &mut scratch.positions);
        self.push_drawn(own, scratch);
    }

    /// `outdegree`: the sources that drew the target, from its block's buckets.
    pub(super) fn connect_outdegree(
        &self,
        block: &BlockState,
        target: Target,
        scratch: &mut Scratch,
    ) {
        if let Some(b) = block.of(&block.buckets, target) {
            scratch.conns.extend(b.iter().map(|&s| (s, 0)));
        }
    }

    /// `total`: the target's `count` pairs, sources drawn with replacement, ascending.
    pub(super) fn connect_total(
        &self,
        count: u64,
        target: Target,
        rng: &mut ChaCha8Rng,
        scratch: &mut Scratch,
    ) {
        let (own, n) = self.drawn_among(target);
        let positions = &mut scratch.positions;
        positions.clear();
        for _ in 0..count {
            positions.push(rng.gen_range(0..n));
        }
        positions.sort_unstable();
        self.push_drawn(own, scratch);
    }

    /// What the target's sources are drawn among: all sources but the target itself when
    /// autapses are off. Gives that source's slot (for [`skip_own`]) and the number to draw
    /// among.
    fn drawn_among(&self, target: Target) -> (u32, usize) {
        let own = own_slot(self.exclude_self, &self.src_slot, target.id);
        (own, self.sources.len() - usize::from(own != NONE))
    }

    /// The sources at the scratch's drawn positions (among all but `own`) as connections.
    fn push_drawn(&self, own: u32, scratch: &mut Scratch) {
        let sources = scratch
            .positions
            .iter()
            .map(|&p| self.sources[skip_own(own, p)]);
        scratch.conns.extend(sources.map(|s| (s, 0)));
    }
}

/// The position of node `n` among the partners of `slots` when it must not be drawn (autapses
/// off and `n` is a partner), else [`NONE`].
fn own_slot(exclude_self: bool, slots: &Slots, n: u64) -> u32 {
    if exclude_self {
        slots.get(n)
    } else {
        NONE
    }
}

/// Position `p` drawn among the partners without `own`, as a position among all of them.
fn skip_own(own: u32, p: usize) -> usize {
    if own != NONE && p >= own as usize {
        p + 1
    } else {
        p
    }
}

/// A fixed degree `k` must fit the distinct partners of every node on the fixed side (`nodes`,
/// choosing among `partners`; one fewer when a node is itself a partner and autapses are off).
#[allow(clippy::too_many_arguments)]
fn check_degree(
    k: usize,
    rule: &str,
    node: &str,
    partner: &str,
    nodes: &[u64],
    partners: &[u64],
    partner_slot: &Slots,
    exclude_self: bool,
) -> Result<(), String> {
    let own = exclude_self && nodes.iter().any(|&n| partner_slot.contains(n));
    let worst = partners.len() - usize::from(own);
    if k > worst && !nodes.is_empty() {
        return Err(format!(
            "{rule} = {k} but a {node} can have only {worst} distinct {partner}"
        ));
    }
    Ok(())
}
