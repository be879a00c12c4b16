//! The one place netbuild talks to MPI.
//!
//! Everything above this crate sees a [`Comm`]: a group of ranks that run the same build. There
//! are two implementations: [`Mpi`] (real MPI through rsmpi, what `netbuild-mpi` uses, with or
//! without `mpirun`) and [`Local`] (one process, no MPI, for unit tests and tools).
//!
//! # Execution model
//!
//! SPMD: every rank runs the same program on the same spec and calls the same [collective
//! methods](Comm#collective-and-point-to-point-methods) in the same order with compatible
//! arguments. A collective returns on a rank once that rank's part is done, which in general means
//! once every rank has entered it; a rank that never enters it makes the others wait. Point-to-point
//! messages ([`Comm::send_bytes`] / [`Comm::recv_bytes`]) are matched by (sender, tag) in the
//! order they were sent.
//!
//! Only the thread that called [`init`] may call MPI (MPI is initialised with
//! `MPI_THREAD_FUNNELED`); [`Mpi`] is `!Send` so the compiler holds you to it. Worker threads
//! (rayon and the like) may compute, but must hand their results back to that thread.
//!
//! Point-to-point sends block until the receiver takes them (all but small messages), so
//! the usual streaming pattern is: every rank sends its pieces to the writer rank in order, and
//! the writer receives from rank 0, 1, 2, ... in turn. Use a tag per stream. A rank may send to
//! itself; that is queued, never blocks.
//!
//! A rank that waits (in a collective for a late rank, in a send or receive for its peer) sleeps
//! between polls rather than spinning as OpenMPI's blocking calls do, so that it leaves its core
//! to ranks that work (see `patience.rs`): every collective of [`Mpi`] starts with a polled
//! `MPI_Ibarrier`, point-to-point transfers are polled `MPI_Isend` / `MPI_Improbe`.
//!
//! Byte buffers of any length are fine: payloads larger than an MPI `int` count are split into
//! several MPI calls, invisibly.
//!
//! # Failure model
//!
//! A rank that fails must end the whole job, within seconds, with a non-zero exit and a message
//! that names the rank and the cause. (BMTK's MPI mode leaves the other ranks waiting forever in
//! a barrier.) Hence:
//!
//! - [`init`] installs a panic hook: a panic on any thread of any rank prints
//!   `netbuild: rank R of N failed: <message> at <file:line:col>` to stderr (plus a backtrace when
//!   `RUST_BACKTRACE` asks for one) and calls `MPI_Abort(MPI_COMM_WORLD, 1)`, which makes `mpirun`
//!   kill every other rank. The panic never unwinds, so `catch_unwind` cannot recover from it
//!   under MPI: netbuild treats every panic as fatal anyway.
//! - Errors are not panics: when a rank hits an error it cannot recover from, it calls
//!   [`Comm::abort`] with the error's text, which prints the same kind of line and calls
//!   `MPI_Abort` with the given code. Do not just return from `main` on one rank: dropping the
//!   [`Mpi`] calls `MPI_Finalize`, which waits for the other ranks, which wait in their next
//!   collective for this one; the job would hang.
//! - A rank killed from outside (SIGKILL, the OOM killer) or one that calls
//!   `std::process::exit` without finalising: OpenMPI's `mpirun` notices and kills the rest of the
//!   job by itself, exiting non-zero (measured here: 1 to 2 s; see the crate's tests).
//! - Programming errors in the use of this crate (a rank index out of range, a negative tag,
//!   reduction slices whose lengths differ between ranks) panic, and so abort the job as above.
//!
//! What no hook can catch: ranks that disagree on the sequence of collectives (a bug), or a rank
//! stuck in an endless loop. The job then hangs until the batch system's time limit.
//!
//! # Use
//!
//! ```no_run
//! use netbuild_comm::Comm;
//!
//! fn main() {
//!     let comm = match netbuild_comm::init() {
//!         Ok(c) => c,
//!         Err(e) => {
//!             eprintln!("netbuild: {e}");
//!             std::process::exit(1);
//!         }
//!     };
//!     if let Err(e) = build(&comm) {
//!         // Not `return`: the other ranks would wait for this one forever.
//!         comm.abort(1, &e);
//!     }
//!     // `comm` dropped here: MPI_Finalize, on every rank.
//! }
//!
//! fn build(comm: &dyn Comm) -> Result<(), String> {
//!     let my_rows = 1000 + comm.rank() as u64;
//!     let at = comm.exclusive_prefix_sum(my_rows);
//!     // This rank's rows are global rows at.offset .. at.offset + my_rows of at.total.
//!     if comm.any(at.total == 0) {
//!         return Err("no rows at all".into());
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # How to run
//!
//! ```text
//! netbuild-mpi spec.toml                    # one rank; MPI singleton init, no mpirun needed
//! mpirun -n 4 netbuild-mpi spec.toml        # four ranks
//! mpirun -n 8 --oversubscribe netbuild-mpi spec.toml   # more ranks than cores
//! ```
//!
//! As root, OpenMPI's `mpirun` needs `OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1`.
//! The crate's own multi-rank checks run real `mpirun`:
//! `cargo test -p netbuild-comm` (they fail, with a message saying so, when `mpirun` is missing).
//! `cargo run -p netbuild-comm --bin netbuild-comm-demo -- ok` runs the demo program as a
//! singleton; see `src/bin/comm_demo.rs` for its modes.

#![warn(missing_docs)]

mod chunk;
mod host;
mod local;
mod mpi_comm;
mod patience;

pub use host::{process_cpu_seconds, FrozenCounters, HostCounters, HostRegion};
pub use local::Local;
pub use mpi_comm::{init, init_without_panic_hook, InitError, MPI_Comm, Mpi};

/// A group of ranks that run the same build.
///
/// # Collective and point-to-point methods
///
/// Methods marked *collective* must be called by every rank of the group, in the same order,
/// with compatible arguments (what "compatible" means is said per method). A rank that skips one,
/// or calls them in another order, leaves the job hanging or corrupts results: MPI has no way
/// to tell. Everything else ([`rank`](Comm::rank), [`size`](Comm::size),
/// [`send_bytes`](Comm::send_bytes), [`recv_bytes`](Comm::recv_bytes), [`abort`](Comm::abort))
/// is local or point to point.
///
/// Results are deterministic: every rank gets the same value from a collective, and data
/// always arrives in rank order, whatever the timing.
///
/// # Failure
///
/// No method returns an error: MPI's own errors are fatal (`MPI_ERRORS_ARE_FATAL` ends the whole
/// job with OpenMPI's message), and misuse panics, which under [`init`] ends the whole job too.
/// See the [crate docs](crate#failure-model).
///
/// # Example
///
/// Code written against `Comm` runs unchanged on one rank without MPI:
///
/// ```
/// use netbuild_comm::{Comm, Local};
///
/// fn count_everywhere(comm: &impl Comm, mine: &[u32]) -> u64 {
///     comm.all_reduce_sum_u64(&[mine.len() as u64])[0]
/// }
///
/// let comm = Local::new();
/// assert_eq!(count_everywhere(&comm, &[1, 2, 3]), 3);
/// // Bucket values by owner rank (here, one rank owns all).
/// let got = comm.exchange_bytes(vec![vec![1, 2, 3]]);
/// assert_eq!(got, vec![vec![1, 2, 3]]);
/// ```
///
/// # Implementing
///
/// The trait is object safe: code above may take `&dyn Comm` or be generic over `C: Comm`.
/// The provided methods are built on the required ones; implementations may override them
/// with something faster, but never with something that gives a different result.
pub trait Comm {
    /// This process's rank, `0..size()`.
    fn rank(&self) -> usize;

    /// Number of ranks in the group (at least 1).
    fn size(&self) -> usize;

    /// *Collective.* Returns once every rank has entered it.
    fn barrier(&self);

    /// *Collective.* Every rank contributes one byte buffer, of any length (they may differ
    /// between ranks); every rank gets all buffers, indexed by rank.
    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>>;

    /// *Collective.* Every rank contributes one `u64`; every rank gets all of them, indexed by
    /// rank.
    fn all_gather_u64(&self, mine: u64) -> Vec<u64>;

    /// *Collective.* Element-wise wrapping sum over ranks. Every rank must pass a slice of the
    /// same length (checked: a mismatch panics on every rank).
    fn all_reduce_sum_u64(&self, v: &[u64]) -> Vec<u64>;

    /// *Collective.* Element-wise maximum over ranks; slices as for
    /// [`all_reduce_sum_u64`](Comm::all_reduce_sum_u64).
    fn all_reduce_max_u64(&self, v: &[u64]) -> Vec<u64>;

    /// *Collective.* Rank `root`'s `data` reaches every rank (other ranks' `data` is ignored;
    /// pass `&[]`). Every rank must name the same `root`.
    ///
    /// # Panics
    /// If `root >= size()`.
    fn broadcast_bytes(&self, root: usize, data: &[u8]) -> Vec<u8>;

    /// *Collective.* All-to-all exchange (MPI_Alltoallv): `per_rank` must have `size()` entries;
    /// `per_rank[j]` goes to rank `j`. Returns what every rank sent to this one, indexed by
    /// sender. Lengths are free. Used to bucket (source, edge id) pairs by source across ranks.
    ///
    /// # Panics
    /// If `per_rank.len() != size()`.
    fn exchange_bytes(&self, per_rank: Vec<Vec<u8>>) -> Vec<Vec<u8>>;

    /// Point to point: sends `data` to rank `to` under `tag`. May block until the receiver has
    /// started receiving it (large messages), so a writer rank should receive in the order the
    /// senders send. Sending to oneself is allowed and never blocks: the message is queued for
    /// a later [`recv_bytes`](Comm::recv_bytes) from oneself.
    ///
    /// # Panics
    /// If `to >= size()` or `tag` is negative or above 32767 (the smallest tag bound MPI allows).
    fn send_bytes(&self, to: usize, tag: i32, data: &[u8]);

    /// Point to point: receives the next message that rank `from` sent under `tag` (messages
    /// between two ranks under one tag arrive in the order they were sent). Blocks until it is
    /// there.
    ///
    /// # Panics
    /// If `from >= size()`, if `tag` is out of range as for [`send_bytes`](Comm::send_bytes), or
    /// if receiving from oneself with nothing queued (that would wait forever).
    fn recv_bytes(&self, from: usize, tag: i32) -> Vec<u8>;

    /// Ends the whole job now: prints `netbuild: rank R of N failed: <message>` to stderr and
    /// calls `MPI_Abort` (under MPI) or exits the process (without). A `code` of 0 is turned into
    /// 1: this is for failures. Not collective: any one rank may call it at any time.
    fn abort(&self, code: i32, message: &str) -> !;

    /// *Collective.* Element-wise minimum over ranks; slices as for
    /// [`all_reduce_sum_u64`](Comm::all_reduce_sum_u64).
    fn all_reduce_min_u64(&self, v: &[u64]) -> Vec<u64> {
        let flipped: Vec<u64> = v.iter().map(|x| !x).collect();
        self.all_reduce_max_u64(&flipped)
            .into_iter()
            .map(|x| !x)
            .collect()
    }

    /// *Collective.* True on every rank when `mine` is true on at least one rank. The way for
    /// ranks to agree that something failed somewhere.
    fn any(&self, mine: bool) -> bool {
        self.all_reduce_max_u64(&[u64::from(mine)])
            .first()
            .is_some_and(|&x| x != 0)
    }

    /// *Collective.* True on every rank when `mine` is true on every rank.
    fn all(&self, mine: bool) -> bool {
        !self.any(!mine)
    }

    /// *Collective.* Where this rank's share starts when every rank contributes `mine` items in
    /// rank order, and how many there are in all: the global row offset of a rank's rows.
    fn exclusive_prefix_sum(&self, mine: u64) -> PrefixSum {
        prefix_sum_of(&self.all_gather_u64(mine), self.rank())
    }

    /// The raw MPI world communicator when this group is an MPI job, for C libraries that do
    /// their own MPI (parallel HDF5); `None` for [`Local`].
    fn raw_mpi_world(&self) -> Option<MPI_Comm> {
        None
    }

    /// How many ranks of the group run on this host and so can share its memory (1 without
    /// MPI).
    fn ranks_on_host(&self) -> usize {
        1
    }

    /// Whether this rank is its host's first rank, the one that makes what
    /// [`share_on_host`](Comm::share_on_host) shares.
    fn host_leader(&self) -> bool {
        true
    }

    /// *Collective over the ranks of this host* (every rank of the group calls it, in the same
    /// order). The host's leader passes `Some(bytes)`, the others `None`; every rank of the host
    /// gets the leader's bytes as one read-only [`HostRegion`], held in the host's memory once
    /// (see the `host` module). Alone on its host, a rank just gets its bytes back, owned.
    ///
    /// # Errors
    /// When the leader cannot write the shared file (`/dev/shm` full), on every rank of its host;
    /// when a rank cannot map it, on that rank. Either way no file is left behind.
    fn share_on_host(&self, bytes: Option<&[u8]>) -> std::io::Result<HostRegion> {
        Ok(HostRegion::owned(bytes.unwrap_or_default().to_vec()))
    }

    /// *Collective over the ranks of this host* (every rank of the group calls it, in the same
    /// order, with the same `len`): `len` zero counters that every rank of the host adds to,
    /// held in the host's memory once ([`HostCounters`]). Alone on its host, a rank gets its own.
    ///
    /// # Errors
    /// As [`share_on_host`](Comm::share_on_host); the caller may then count alone
    /// ([`HostCounters::owned`]).
    fn counters_on_host(&self, len: usize) -> std::io::Result<HostCounters> {
        Ok(HostCounters::owned(len))
    }
}

/// What [`Comm::exclusive_prefix_sum`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixSum {
    /// Sum over the ranks before this one.
    pub offset: u64,
    /// Sum over all ranks.
    pub total: u64,
}

/// Whether a launcher (mpirun, srun, hydra) started this process as an MPI rank: then call
/// [`init`]; otherwise a single process needs no MPI at all (its singleton start-up costs
/// ~0.3 s and tens of MB), and [`Local`] does.
pub fn launched_as_mpi_rank() -> bool {
    [
        "OMPI_COMM_WORLD_SIZE",
        "PMIX_RANK",
        "PMI_RANK",
        "PMI_SIZE",
        "MPI_LOCALNRANKS",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some())
}

/// The exclusive prefix sum at `rank` of `counts` (one per rank, in rank order). Wrapping, like
/// [`Comm::all_reduce_sum_u64`].
pub fn prefix_sum_of(counts: &[u64], rank: usize) -> PrefixSum {
    let sum = |s: &[u64]| s.iter().fold(0u64, |a, &b| a.wrapping_add(b));
    PrefixSum {
        offset: sum(&counts[..rank.min(counts.len())]),
        total: sum(counts),
    }
}

/// Encodes `u64`s as little-endian bytes, for [`Comm::all_gather_bytes`] and friends.
pub fn u64s_to_bytes(v: &[u64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Decodes what [`u64s_to_bytes`] made. Trailing bytes that do not fill a `u64` are ignored.
pub fn bytes_to_u64s(b: &[u8]) -> Vec<u64> {
    b.chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            u64::from_le_bytes(a)
        })
        .collect()
}

/// The largest tag [`Comm::send_bytes`] accepts: MPI guarantees at least this bound everywhere.
pub const MAX_TAG: i32 = 32767;

impl<C: Comm + ?Sized> Comm for &C {
    fn rank(&self) -> usize {
        (**self).rank()
    }
    fn size(&self) -> usize {
        (**self).size()
    }
    fn barrier(&self) {
        (**self).barrier()
    }
    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        (**self).all_gather_bytes(mine)
    }
    fn all_gather_u64(&self, mine: u64) -> Vec<u64> {
        (**self).all_gather_u64(mine)
    }
    fn all_reduce_sum_u64(&self, v: &[u64]) -> Vec<u64> {
        (**self).all_reduce_sum_u64(v)
    }
    fn all_reduce_max_u64(&self, v: &[u64]) -> Vec<u64> {
        (**self).all_reduce_max_u64(v)
    }
    fn broadcast_bytes(&self, root: usize, data: &[u8]) -> Vec<u8> {
        (**self).broadcast_bytes(root, data)
    }
    fn exchange_bytes(&self, per_rank: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        (**self).exchange_bytes(per_rank)
    }
    fn send_bytes(&self, to: usize, tag: i32, data: &[u8]) {
        (**self).send_bytes(to, tag, data)
    }
    fn recv_bytes(&self, from: usize, tag: i32) -> Vec<u8> {
        (**self).recv_bytes(from, tag)
    }
    fn abort(&self, code: i32, message: &str) -> ! {
        (**self).abort(code, message)
    }
    fn all_reduce_min_u64(&self, v: &[u64]) -> Vec<u64> {
        (**self).all_reduce_min_u64(v)
    }
    fn exclusive_prefix_sum(&self, mine: u64) -> PrefixSum {
        (**self).exclusive_prefix_sum(mine)
    }
    fn raw_mpi_world(&self) -> Option<MPI_Comm> {
        (**self).raw_mpi_world()
    }
}

impl<C: Comm + ?Sized> Comm for Box<C> {
    fn rank(&self) -> usize {
        (**self).rank()
    }
    fn size(&self) -> usize {
        (**self).size()
    }
    fn barrier(&self) {
        (**self).barrier()
    }
    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        (**self).all_gather_bytes(mine)
    }
    fn all_gather_u64(&self, mine: u64) -> Vec<u64> {
        (**self).all_gather_u64(mine)
    }
    fn all_reduce_sum_u64(&self, v: &[u64]) -> Vec<u64> {
        (**self).all_reduce_sum_u64(v)
    }
    fn all_reduce_max_u64(&self, v: &[u64]) -> Vec<u64> {
        (**self).all_reduce_max_u64(v)
    }
    fn broadcast_bytes(&self, root: usize, data: &[u8]) -> Vec<u8> {
        (**self).broadcast_bytes(root, data)
    }
    fn exchange_bytes(&self, per_rank: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        (**self).exchange_bytes(per_rank)
    }
    fn send_bytes(&self, to: usize, tag: i32, data: &[u8]) {
        (**self).send_bytes(to, tag, data)
    }
    fn recv_bytes(&self, from: usize, tag: i32) -> Vec<u8> {
        (**self).recv_bytes(from, tag)
    }
    fn abort(&self, code: i32, message: &str) -> ! {
        (**self).abort(code, message)
    }
    fn all_reduce_min_u64(&self, v: &[u64]) -> Vec<u64> {
        (**self).all_reduce_min_u64(v)
    }
    fn exclusive_prefix_sum(&self, mine: u64) -> PrefixSum {
        (**self).exclusive_prefix_sum(mine)
    }
    fn raw_mpi_world(&self) -> Option<MPI_Comm> {
        (**self).raw_mpi_world()
    }
}

/// Checks a point-to-point peer and tag; panics (ending the job under MPI) on misuse.
pub(crate) fn check_peer_and_tag(what: &str, peer: usize, size: usize, tag: i32) {
    assert!(
        peer < size,
        "{what}: rank {peer} does not exist (the job has {size} ranks)"
    );
    assert!(
        (0..=MAX_TAG).contains(&tag),
        "{what}: tag {tag} is outside 0..={MAX_TAG}"
    );
}

/// The line every failure prints: `netbuild: rank R of N failed: <cause>`.
pub(crate) fn failure_line(rank: usize, size: usize, cause: &str) -> String {
    format!("netbuild: rank {rank} of {size} failed: {cause}")
}

/// Prints `line` to stderr, ignoring a broken stderr (failing must not fail).
pub(crate) fn print_stderr(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_sums() {
        let c = [3, 0, 5, 2];
        assert_eq!(
            prefix_sum_of(&c, 0),
            PrefixSum {
                offset: 0,
                total: 10
            }
        );
        assert_eq!(prefix_sum_of(&c, 2).offset, 3);
        assert_eq!(prefix_sum_of(&c, 3).offset, 8);
        assert_eq!(prefix_sum_of(&[], 0).total, 0);
    }

    #[test]
    fn u64_bytes_round_trip() {
        let v = [0, 1, u64::MAX, 0x0102_0304_0506_0708];
        let b = u64s_to_bytes(&v);
        assert_eq!(b.len(), 32);
        assert_eq!(b[24], 0x08);
        assert_eq!(bytes_to_u64s(&b), v);
    }

    #[test]
    fn failure_line_format() {
        assert_eq!(
            failure_line(1, 3, "boom at a.rs:1:2"),
            "netbuild: rank 1 of 3 failed: boom at a.rs:1:2"
        );
    }
}
