//! The model's [`Host`] over a [`Comm`]: how the ranks of one host hold the node columns, and what
//! is derived from them, once (see `netbuild_model::shared` and `netbuild_comm::HostRegion`).
//!
//! In: the group of ranks. Out: a [`Host`] whose computing rank is the host's first rank and
//! whose publish is [`Comm::share_on_host`] (a failure is logged; the model then keeps a private
//! copy). With one rank per host (or no MPI) nothing is shared and every array stays an
//! ordinary owned one.

use netbuild_comm::{Comm, HostRegion};
use netbuild_model::{Host, Region};
use std::sync::Arc;

/// The ranks of `comm` that share this host's memory.
pub struct CommHost<'a>(pub &'a dyn Comm);

struct Mapped(HostRegion);

impl Region for Mapped {
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Host for CommHost<'_> {
    fn computes(&self) -> bool {
        self.0.host_leader()
    }

    fn shares(&self) -> bool {
        self.0.ranks_on_host() > 1
    }

    fn publish(&self, bytes: Option<&[u8]>) -> Result<Arc<dyn Region>, String> {
        match self.0.share_on_host(bytes) {
            Ok(r) => Ok(Arc::new(Mapped(r))),
            Err(e) => {
                // Not fatal: this rank then holds its own copy (more memory, same values).
                tracing::warn!(
                    rank = self.0.rank(),
                    "cannot share node data with the other ranks of this host ({e}); this rank keeps its own copy"
                );
                Err(e.to_string())
            }
        }
    }
}
