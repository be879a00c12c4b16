//! Waiting for MPI without holding a core.
//!
//! In: an MPI request (or any "is it done yet" test). Out: its completion, reached by polling
//! with growing sleeps instead of OpenMPI's busy wait.
//!
//! Why: OpenMPI's blocking calls spin in `opal_progress` until the peer arrives. A rank that
//! waits for long (the rank-0 writer's peers while rank 0 compresses and writes, every rank in
//! the final barrier while rank 0 writes the indices) then holds a whole core that the working
//! rank's threads could use: on a 2-core host it halved the writing speed. Here a waiting rank
//! polls at once (a wait that ends within [`SPIN`] costs no latency), then sleeps between polls,
//! the sleep doubling up to [`MAX_NAP`]: a long wait costs a thousand wake-ups a second, and
//! at most [`MAX_NAP`] of latency once the peer arrives.

use std::time::{Duration, Instant};

use mpi::point_to_point::Status;
use mpi::request::{Request, Scope};

/// How long a wait polls without sleeping.
const SPIN: Duration = Duration::from_micros(50);
/// The first sleep between polls.
const FIRST_NAP: Duration = Duration::from_micros(20);
/// The longest sleep between polls.
const MAX_NAP: Duration = Duration::from_millis(1);

/// Polls `done` until it returns `Some`: yielding the core between polls for [`SPIN`], then
/// sleeping.
pub(crate) fn poll<T>(mut done: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    let mut nap = FIRST_NAP;
    loop {
        if let Some(t) = done() {
            return t;
        }
        if start.elapsed() < SPIN {
            std::thread::yield_now();
        } else {
            std::thread::sleep(nap);
            nap = (nap * 2).min(MAX_NAP);
        }
    }
}

/// Waits for `request` to complete (as `MPI_Wait`, without the busy wait).
pub(crate) fn wait<'a, D: ?Sized, S: Scope<'a>>(request: Request<'a, D, S>) -> Status {
    let mut pending = Some(request);
    poll(|| match pending.take()?.test() {
        Ok(status) => Some(status),
        Err(still) => {
            pending = Some(still);
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_returns_what_the_test_gives_after_sleeping() {
        let start = Instant::now();
        let mut calls = 0;
        let got = poll(|| {
            calls += 1;
            (start.elapsed() >= Duration::from_millis(5)).then_some(calls)
        });
        assert_eq!(got, calls);
        assert!(start.elapsed() >= Duration::from_millis(5));
        // Sleeping, not spinning: a 5 ms wait polls far fewer times than a busy loop would.
        assert!(calls < 500, "{calls} polls in a 5 ms wait");
    }
}
