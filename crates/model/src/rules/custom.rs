//! Custom rules: a user's closure ([`ConnectionFn`]) evaluated on every candidate pair, like
//! BMTK's `connection_rule` functions.
//!
//! In: the closure. Out, at connect time: the candidate sources (within `max_distance`, no
//! autapse unless allowed), ascending, for which it returned a synapse count above 0.

use super::{PreparedEdgeType, Scratch, Target};
use crate::circuit::ConnectionFn;

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
}
