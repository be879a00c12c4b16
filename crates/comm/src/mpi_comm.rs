//! [`Mpi`]: the [`Comm`] over rsmpi's world communicator, and [`init`] with its panic hook.

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use mpi::collective::SystemOperation;
use mpi::datatype::{Partition, PartitionMut};
use mpi::environment::{Threading, Universe};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::chunk::{collective_chunk, counts_displs, piece, rounds, MAX_COUNT};
use crate::host::{self, HostCounters, HostRegion};
use crate::local::SelfQueue;
use crate::patience;
use crate::{check_peer_and_tag, failure_line, print_stderr, Comm};

/// The raw MPI communicator handle type, for libraries that need one (parallel HDF5's
/// `H5Pset_fapl_mpio`). See [`Mpi::raw_world`].
pub use mpi::ffi::MPI_Comm;

/// Largest data payload carried by the first message of a point-to-point transfer (the one that
/// also carries the length); the rest goes in pieces sent straight from the caller's slice.
const FIRST_PIECE: usize = 1 << 20;

/// Why [`init`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitError {
    /// MPI was already initialised in this process (it can be, once per process).
    AlreadyInitialized,
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::AlreadyInitialized => f.write_str(
                "MPI is already initialised in this process: netbuild_comm::init may be called once",
            ),
        }
    }
}

impl std::error::Error for InitError {}

/// Rank and size for the panic hook, which must not call into MPI to learn them.
static HOOK_RANK: AtomicUsize = AtomicUsize::new(0);
static HOOK_SIZE: AtomicUsize = AtomicUsize::new(1);
static HOOK: Once = Once::new();

/// Initialises MPI (once per process) and installs the panic hook that aborts the whole job on
/// any panic (see the [crate docs](crate#failure-model)).
///
/// Works under `mpirun`/`srun` and without them (OpenMPI then starts a one-rank job by itself,
/// "singleton init"). Keep the returned [`Mpi`] alive until the end of `main`: dropping it calls
/// `MPI_Finalize`, after which no MPI call works.
///
/// # Errors
/// [`InitError::AlreadyInitialized`] on a second call in the same process.
pub fn init() -> Result<Mpi, InitError> {
    init_impl(true)
}

/// [`init`] without the panic hook, for tests that need MPI in-process and want panics to
/// unwind. A panic on one rank of a multi-rank job then leaves the other ranks waiting forever.
///
/// # Errors
/// As [`init`].
pub fn init_without_panic_hook() -> Result<Mpi, InitError> {
    init_impl(false)
}

fn init_impl(hook: bool) -> Result<Mpi, InitError> {
    let (universe, _provided) =
        mpi::initialize_with_threading(Threading::Funneled).ok_or(InitError::AlreadyInitialized)?;
    let world = universe.world();
    // MPI ranks and sizes are non-negative `int`s.
    let rank = usize::try_from(world.rank()).unwrap_or(0);
    let size = usize::try_from(world.size()).unwrap_or(1).max(1);
    HOOK_RANK.store(rank, Ordering::Relaxed);
    HOOK_SIZE.store(size, Ordering::Relaxed);
    if hook {
        install_panic_hook();
    }
    // Ordered by world rank, so the host's leader is its lowest world rank.
    let host = world.split_shared(world.rank());
    let host_rank = usize::try_from(host.rank()).unwrap_or(0);
    let host_size = usize::try_from(host.size()).unwrap_or(1).max(1);
    Ok(Mpi {
        world,
        rank,
        size,
        host,
        host_rank,
        host_size,
        max_piece: MAX_COUNT,
        queue: SelfQueue::default(),
        _not_send: PhantomData,
        _universe: universe,
    })
}

/// Installs (once) the hook described in the crate docs. While MPI is not running (before
/// [`init`], after finalisation), it defers to the hook that was there before.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let mpi_running =
                mpi::environment::is_initialized() && !mpi::environment::is_finalized();
            if !mpi_running {
                previous(info);
                return;
            }
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(panic payload is not a string)");
            let mut cause = message.to_string();
            if let Some(l) = info.location() {
                cause += &format!(" at {}:{}:{}", l.file(), l.line(), l.column());
            }
            let thread = std::thread::current();
            match thread.name() {
                Some("main") => {}
                Some(name) => cause += &format!(" (thread '{name}')"),
                None => cause += " (unnamed thread)",
            }
            let rank = HOOK_RANK.load(Ordering::Relaxed);
            let size = HOOK_SIZE.load(Ordering::Relaxed);
            print_stderr(&failure_line(rank, size, &cause));
            let bt = std::backtrace::Backtrace::capture();
            if bt.status() == std::backtrace::BacktraceStatus::Captured {
                print_stderr(&format!("rank {rank} backtrace:\n{bt}"));
            }
            // SAFETY: MPI is initialised and not finalised (checked above); MPI_Abort takes
            // the predefined world communicator. Called from a worker thread this goes beyond
            // MPI_THREAD_FUNNELED, which OpenMPI tolerates for MPI_Abort; the process ends
            // either way.
            unsafe {
                mpi::ffi::MPI_Abort(mpi::ffi::RSMPI_COMM_WORLD, 1);
            }
            std::process::abort();
        }));
    });
}

/// The [`Comm`] of an MPI job: rsmpi's world communicator. Made by [`init`]; dropping it
/// finalises MPI.
///
/// Not `Send`: MPI is called only from the thread that initialised it.
pub struct Mpi {
    world: SimpleCommunicator,
    rank: usize,
    size: usize,
    /// The ranks of this host (MPI_COMM_TYPE_SHARED), for [`Comm::share_on_host`].
    host: SimpleCommunicator,
    host_rank: usize,
    host_size: usize,
    /// Largest piece (bytes) one MPI call moves per peer; lowered only by tests.
    max_piece: usize,
    queue: SelfQueue,
    _not_send: PhantomData<*const ()>,
    /// Declared last so it is dropped last: its drop calls `MPI_Finalize`.
    _universe: Universe,
}

impl fmt::Debug for Mpi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mpi")
            .field("rank", &self.rank)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Mpi {
    /// *Collective over the host*: the leader's new file in `/dev/shm` (`file`: `Some` on the
    /// leader only, or why it could not make one) mapped by every rank of the host with `map`,
    /// then unlinked once all have mapped it (the pages live as long as some rank maps them).
    fn map_on_host<R>(
        &self,
        file: Option<std::io::Result<std::path::PathBuf>>,
        map: impl FnOnce(&std::path::Path) -> std::io::Result<R>,
    ) -> std::io::Result<R> {
        let (path, failed) = match file {
            Some(Ok(p)) => (Some(p), None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        // Its name (empty: no file) goes to the host's other ranks.
        let mut name = path
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned().into_bytes())
            .unwrap_or_default();
        let mut len = name.len() as u64;
        self.host.process_at_rank(0).broadcast_into(&mut len);
        name.resize(usize_of(len), 0);
        if len > 0 {
            self.host.process_at_rank(0).broadcast_into(&mut name[..]);
        }
        let mapped = if len == 0 {
            Err(failed.unwrap_or_else(|| {
                std::io::Error::other("the host's first rank could not write the shared file")
            }))
        } else {
            map(std::path::Path::new(&*String::from_utf8_lossy(&name)))
        };
        // Every rank has mapped it (or failed to): nobody needs the name any more.
        self.host.barrier();
        if let Some(path) = &path {
            let _ = std::fs::remove_file(path);
        }
        mapped
    }

    /// The world communicator, for code that must hand it to another MPI library.
    pub fn world(&self) -> &SimpleCommunicator {
        &self.world
    }

    /// The raw `MPI_COMM_WORLD` handle, for C libraries such as parallel HDF5.
    pub fn raw_world(&self) -> MPI_Comm {
        self.world.as_raw()
    }

    /// Makes every transfer move at most `bytes` bytes per MPI call and peer, so tests can drive
    /// the multi-call paths with small data. All ranks must set the same value before the next
    /// collective. Not for production use.
    #[doc(hidden)]
    pub fn set_max_piece_bytes_for_tests(&mut self, bytes: usize) {
        self.max_piece = bytes.clamp(1, MAX_COUNT);
    }

    fn rank_i32(r: usize) -> i32 {
        // Ranks come from `0..size`, which MPI reports as an `int`.
        i32::try_from(r).unwrap_or(i32::MAX)
    }

    /// Waits until every rank has arrived, without holding a core (see [`patience`]). Run
    /// before each collective: a rank that arrives first then sleeps until the others come,
    /// rather than spinning inside the collective.
    fn arrive(&self) {
        patience::wait(self.world.immediate_barrier());
    }

    /// Element-wise reduction without the length check.
    fn reduce_unchecked(&self, v: &[u64], op: SystemOperation) -> Vec<u64> {
        let mut out = vec![0u64; v.len()];
        let step = (self.max_piece / 8).max(1);
        for (src, dst) in v.chunks(step).zip(out.chunks_mut(step)) {
            self.world.all_reduce_into(src, dst, op);
        }
        out
    }

    /// Panics on every rank if the ranks' slice lengths differ (one small all-reduce).
    fn check_same_len(&self, what: &str, len: usize) {
        let len = len as u64;
        let r = self.reduce_unchecked(&[len, !len], SystemOperation::max());
        let (max, min) = (r[0], !r[1]);
        assert!(
            min == max,
            "{what}: ranks passed slices of different lengths ({min} to {max}; this rank {len})"
        );
    }
}

/// A count that MPI or the sender reported, as a `usize` (saturating; 64-bit targets only ever
/// see exact values).
fn usize_of(x: u64) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

impl Comm for Mpi {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn barrier(&self) {
        self.arrive();
    }

    fn all_gather_u64(&self, mine: u64) -> Vec<u64> {
        self.arrive();
        let mut out = vec![0u64; self.size];
        self.world.all_gather_into(&mine, &mut out[..]);
        out
    }

    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        self.arrive();
        let lens: Vec<usize> = self
            .all_gather_u64(mine.len() as u64)
            .into_iter()
            .map(usize_of)
            .collect();
        let chunk = collective_chunk(self.size, self.max_piece);
        let n_rounds = lens.iter().map(|&l| rounds(l, chunk)).max().unwrap_or(0);
        let mut out: Vec<Vec<u8>> = lens.iter().map(|&l| Vec::with_capacity(l)).collect();
        // Allocated, so that an empty buffer is never MPI_IN_PLACE (see `not_in_place`).
        let mut buf = Vec::with_capacity(1);
        for k in 0..n_rounds {
            let pieces: Vec<_> = lens.iter().map(|&l| piece(l, chunk, k)).collect();
            let (counts, displs) = counts_displs(pieces.iter().map(|p| p.len()));
            buf.clear();
            buf.resize(pieces.iter().map(|p| p.len()).sum(), 0u8);
            let send = not_in_place(&mine[piece(mine.len(), chunk, k)]);
            {
                let mut part = PartitionMut::new(&mut buf[..], &counts[..], &displs[..]);
                self.world.all_gather_varcount_into(send, &mut part);
            }
            let mut at = 0;
            for (o, p) in out.iter_mut().zip(&pieces) {
                o.extend_from_slice(&buf[at..at + p.len()]);
                at += p.len();
            }
        }
        out
    }

    fn all_reduce_sum_u64(&self, v: &[u64]) -> Vec<u64> {
        self.arrive();
        self.check_same_len("all_reduce_sum_u64", v.len());
        self.reduce_unchecked(v, SystemOperation::sum())
    }

    fn all_reduce_max_u64(&self, v: &[u64]) -> Vec<u64> {
        self.arrive();
        self.check_same_len("all_reduce_max_u64", v.len());
        self.reduce_unchecked(v, SystemOperation::max())
    }

    fn broadcast_bytes(&self, root: usize, data: &[u8]) -> Vec<u8> {
        assert!(
            root < self.size,
            "broadcast_bytes: rank {root} does not exist (the job has {} ranks)",
            self.size
        );
        self.arrive();
        let root_process = self.world.process_at_rank(Self::rank_i32(root));
        let mut len = if self.rank == root {
            data.len() as u64
        } else {
            0
        };
        root_process.broadcast_into(&mut len);
        let len = usize_of(len);
        let mut out = if self.rank == root {
            data.to_vec()
        } else {
            vec![0u8; len]
        };
        let chunk = self.max_piece;
        for k in 0..rounds(len, chunk) {
            root_process.broadcast_into(&mut out[piece(len, chunk, k)]);
        }
        out
    }

    fn exchange_bytes(&self, mut per_rank: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        assert!(
            per_rank.len() == self.size,
            "exchange_bytes: {} buffers given for {} ranks",
            per_rank.len(),
            self.size
        );
        self.arrive();
        let send_lens: Vec<usize> = per_rank.iter().map(Vec::len).collect();
        let send_lens_u64: Vec<u64> = send_lens.iter().map(|&l| l as u64).collect();
        let mut recv_lens_u64 = vec![0u64; self.size];
        self.world
            .all_to_all_into(&send_lens_u64[..], &mut recv_lens_u64[..]);
        let recv_lens: Vec<usize> = recv_lens_u64.into_iter().map(usize_of).collect();

        let chunk = collective_chunk(self.size, self.max_piece);
        let local_rounds = send_lens
            .iter()
            .chain(&recv_lens)
            .map(|&l| rounds(l, chunk))
            .max()
            .unwrap_or(0);
        // Every rank must run the same number of rounds.
        let n_rounds = self
            .reduce_unchecked(&[local_rounds as u64], SystemOperation::max())
            .first()
            .map_or(0, |&r| usize_of(r));

        let mut out: Vec<Vec<u8>> = recv_lens.iter().map(|&l| Vec::with_capacity(l)).collect();
        // Allocated, so that an empty buffer is never MPI_IN_PLACE (see `not_in_place`).
        let mut send_buf = Vec::with_capacity(1);
        let mut recv_buf = Vec::with_capacity(1);
        for k in 0..n_rounds {
            let send_pieces: Vec<_> = send_lens.iter().map(|&l| piece(l, chunk, k)).collect();
            send_buf.clear();
            for (buf, p) in per_rank.iter_mut().zip(&send_pieces) {
                send_buf.extend_from_slice(&buf[p.clone()]);
                if p.end == buf.len() {
                    // Fully copied: free it now to keep the peak memory down.
                    *buf = Vec::new();
                }
            }
            let (scounts, sdispls) = counts_displs(send_pieces.iter().map(|p| p.len()));
            let recv_pieces: Vec<_> = recv_lens.iter().map(|&l| piece(l, chunk, k)).collect();
            let (rcounts, rdispls) = counts_displs(recv_pieces.iter().map(|p| p.len()));
            recv_buf.clear();
            recv_buf.resize(recv_pieces.iter().map(|p| p.len()).sum(), 0u8);
            {
                let send = Partition::new(&send_buf[..], &scounts[..], &sdispls[..]);
                let mut recv = PartitionMut::new(&mut recv_buf[..], &rcounts[..], &rdispls[..]);
                self.world.all_to_all_varcount_into(&send, &mut recv);
            }
            let mut at = 0;
            for (o, p) in out.iter_mut().zip(&recv_pieces) {
                o.extend_from_slice(&recv_buf[at..at + p.len()]);
                at += p.len();
            }
        }
        out
    }

    fn send_bytes(&self, to: usize, tag: i32, data: &[u8]) {
        check_peer_and_tag("send_bytes", to, self.size, tag);
        if to == self.rank {
            self.queue.push(tag, data);
            return;
        }
        let peer = self.world.process_at_rank(Self::rank_i32(to));
        // First message: the total length, then up to FIRST_PIECE bytes of data; one message in
        // all for small payloads. The rest follows in pieces, straight from `data`.
        let first_len = data.len().min(FIRST_PIECE).min(self.max_piece);
        let mut first = Vec::with_capacity(8 + first_len);
        first.extend_from_slice(&(data.len() as u64).to_le_bytes());
        first.extend_from_slice(&data[..first_len]);
        // Sent without a busy wait: the receiver (the writer rank) may take long to come.
        let rest = &data[first_len..];
        mpi::request::scope(|scope| {
            patience::wait(peer.immediate_send_with_tag(scope, &first[..], tag));
            for k in 0..rounds(rest.len(), self.max_piece) {
                let p = &rest[piece(rest.len(), self.max_piece, k)];
                patience::wait(peer.immediate_send_with_tag(scope, p, tag));
            }
        });
    }

    fn recv_bytes(&self, from: usize, tag: i32) -> Vec<u8> {
        check_peer_and_tag("recv_bytes", from, self.size, tag);
        if from == self.rank {
            return match self.queue.pop(tag) {
                Some(m) => m,
                None => panic!(
                    "recv_bytes: nothing was sent to this rank by itself under tag {tag}; \
                     receiving would wait forever"
                ),
            };
        }
        let peer = self.world.process_at_rank(Self::rank_i32(from));
        // Probed without a busy wait: the sender may take long to come.
        let (first, _) = patience::poll(|| peer.immediate_matched_probe_with_tag(tag))
            .matched_receive_vec::<u8>();
        assert!(
            first.len() >= 8,
            "recv_bytes: a {}-byte message from rank {from} under tag {tag} is not one that \
             send_bytes sends (is another part of the program using this tag?)",
            first.len()
        );
        let mut len_bytes = [0u8; 8];
        len_bytes.copy_from_slice(&first[..8]);
        let total = usize_of(u64::from_le_bytes(len_bytes));
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&first[8..]);
        drop(first);
        if out.len() < total {
            let mut at = out.len();
            out.resize(total, 0);
            // The sender's piece size is its own business: probe each piece's size.
            while at < total {
                let (msg, status) = patience::poll(|| peer.immediate_matched_probe_with_tag(tag));
                let n = usize::try_from(status.count(u8::equivalent_datatype())).unwrap_or(0);
                assert!(
                    n > 0 && n <= total - at,
                    "recv_bytes: rank {from} sent a {n}-byte piece under tag {tag} where \
                     {} bytes were still due",
                    total - at
                );
                msg.matched_receive_into(&mut out[at..at + n]);
                at += n;
            }
        }
        out
    }

    fn abort(&self, code: i32, message: &str) -> ! {
        print_stderr(&failure_line(self.rank, self.size, message));
        self.world.abort(if code == 0 { 1 } else { code })
    }

    fn ranks_on_host(&self) -> usize {
        self.host_size
    }

    fn host_leader(&self) -> bool {
        self.host_rank == 0
    }

    fn share_on_host(&self, bytes: Option<&[u8]>) -> std::io::Result<HostRegion> {
        if self.host_size == 1 {
            return Ok(HostRegion::owned(bytes.unwrap_or_default().to_vec()));
        }
        let file = match (self.host_rank, bytes) {
            (0, Some(b)) => Some(host::leader_write(b)),
            (0, None) => Some(Err(std::io::Error::other(
                "the host's first rank gave nothing to share",
            ))),
            _ => None,
        };
        self.map_on_host(file, host::map_path)
    }

    fn counters_on_host(&self, len: usize) -> std::io::Result<HostCounters> {
        if self.host_size == 1 {
            return Ok(HostCounters::owned(len));
        }
        let file = (self.host_rank == 0).then(|| host::leader_zeros(len));
        self.map_on_host(file, host::map_counters)
    }

    fn raw_mpi_world(&self) -> Option<MPI_Comm> {
        Some(self.raw_world())
    }
}

/// `s`, or if it is empty, an empty slice at a real address.
///
/// Why: an empty Rust slice may point at address 1 (a dangling, aligned pointer), which is
/// OpenMPI's value of `MPI_IN_PLACE`. A rank with nothing to send would then ask a collective
/// for its in-place variant while the others do not, and they choose different algorithms
/// and wait for each other forever.
fn not_in_place(s: &[u8]) -> &[u8] {
    static ONE: [u8; 1] = [0];
    if s.is_empty() {
        &ONE[..0]
    } else {
        s
    }
}
