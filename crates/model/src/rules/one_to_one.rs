//! The `one_to_one` rule: the i-th source to the i-th target.
//!
//! In: selections of equal size (checked at prepare time). Out, at connect time: the target's
//! one source, unless it is beyond `max_distance` or the target itself with autapses off.

use super::{Prepared, PreparedEdgeType, Scratch, Target};

impl PreparedEdgeType<'_> {
    /// Checks that the selections pair up.
    pub(super) fn prepare_one_to_one(&self) -> Result<Prepared, String> {
        if self.sources.len() != self.targets.len() {
            return Err(format!(
                "one_to_one needs as many sources as targets, found {} sources and {} targets",
                self.sources.len(),
                self.targets.len()
            ));
        }
        Ok(Prepared::OneToOne)
    }

    /// The source at the target's position, if within reach.
    pub(super) fn connect_one_to_one(&self, target: Target, scratch: &mut Scratch) {
        let s = self.sources[target.slot];
        let near = self.within_reach(s, target.pos);
        if near && !(self.exclude_self && s == target.id) {
            scratch.conns.push((s, 0));
        }
    }
}
