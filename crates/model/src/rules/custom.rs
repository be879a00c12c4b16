//! Custom rules: a user's closure evaluated on every candidate pair ([`ConnectionFn`]), once
//! per target with all its candidate sources ([`TargetFn`], BMTK's `all_to_one` iterator) or
//! once per source with all its candidate targets ([`SourceFn`], BMTK's `one_to_all`), like
//! BMTK's `connection_rule` functions.
//!
//! In: the closure. Out, at connect time: the candidate sources (within `max_distance`, no
//! autapse unless allowed), ascending, for which it returned a synapse count above 0. A
//! per-source closure runs in `prepare_block`: targets are split over ranks, so every rank calls
//! it for every source and keeps the targets of its block.

use super::{within, BlockState, PreparedEdgeType, Scratch, Target};
use crate::circuit::{ConnectionFn, SourceFn, TargetFn};
use std::ops::Range;

impl PreparedEdgeType<'_> {
    /// The candidate sources of the target for which `f` gives synapses.
    pub(super) fn connect_custom(&self, f: &ConnectionFn, target: Target, scratch: &mut Scratch) {
        let Scratch {
            conns, candidates, ..
        } = scratch;
        for s in self.candidate_sources(target.id, target.pos, candidates) {
            let c = f(&self.pair(s, target.id));
            if c > 0 {
                conns.push((s, c));
            }
        }
    }

    /// The candidate sources of the target with the synapses `f` gives them, called once with
    /// all of them.
    pub(super) fn connect_custom_per_target(
        &self,
        f: &TargetFn,
        target: Target,
        scratch: &mut Scratch,
    ) {
        let Scratch {
            conns, candidates, ..
        } = scratch;
        let sources: Vec<u64> = self
            .candidate_sources(target.id, target.pos, candidates)
            .collect();
        let counts = f(target.id, &sources);
        conns.extend(
            sources
                .iter()
                .zip(counts)
                .filter(|&(_, c)| c > 0)
                .map(|(&s, c)| (s, c)),
        );
    }

    /// The target's share of a per-source rule, made by [`Self::per_source_counts`].
    pub(super) fn connect_custom_per_source(
        &self,
        block: &BlockState,
        target: Target,
        scratch: &mut Scratch,
    ) {
        if let Some(b) = block.of(&block.counted, target) {
            scratch.conns.extend_from_slice(b);
        }
    }

    /// Calls a per-source rule `f` for every source with all its candidate targets and keeps
    /// the counts of the targets at positions `block`. Every rank calls `f` for every source
    /// (the price of splitting targets, not sources, over ranks).
    pub(super) fn per_source_counts(
        &self,
        f: &SourceFn,
        block: Range<usize>,
    ) -> Vec<Vec<(u64, u32)>> {
        let mut counted = vec![Vec::new(); block.len()];
        if block.is_empty() {
            return counted;
        }
        let mut candidates: Vec<u64> = Vec::with_capacity(self.targets.len());
        for &s in self.sources.iter() {
            let sp = self.src_pos[s as usize];
            candidates.clear();
            candidates.extend(self.targets.iter().copied().filter(|&t| {
                !(self.exclude_self && s == t)
                    && within(self.def.max_distance, sp, self.trg_pos[t as usize])
            }));
            for (&t, c) in candidates.iter().zip(f(s, &candidates)) {
                let pos = self.trg_slot.get(t) as usize;
                if c > 0 && block.contains(&pos) {
                    counted[pos - block.start].push((s, c));
                }
            }
        }
        counted
    }
}
