//! The process's communicator, as the binary picks it: MPI when a launcher (mpirun, srun)
//! started the process, else one process without MPI.
//!
//! In: the environment at import time. Out: [`with_comm`], the same communicator for every build
//! of the script. MPI is initialised on import (so that `netbuild.rank()` works before any build)
//! with netbuild-comm's panic hook, which ends the whole job on a failing rank, and finalised by
//! [`finalize`] (the package registers it with `atexit`). MPI may only be called from the thread
//! that initialised it (`MPI_THREAD_FUNNELED`): Python's main thread, which imports the module
//! and runs the script; hence a thread-local.

use netbuild::comm::{Comm, Local, Mpi};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Once;

enum Process {
    Local(Local),
    Mpi(Mpi),
    /// After [`finalize`]: MPI cannot start again in this process.
    Finalized,
}

/// Rank, size and MPI-ness for any thread (the build's worker threads cannot see the
/// thread-local).
static RANK: AtomicUsize = AtomicUsize::new(0);
static SIZE: AtomicUsize = AtomicUsize::new(1);
static MPI: AtomicBool = AtomicBool::new(false);

thread_local! {
    static PROCESS: RefCell<Option<Process>> = const { RefCell::new(None) };
}

/// Picks the communicator (initialising MPI under a launcher), sets up logging for this rank
/// and the clean-ups of a failing job: the half-written output folder is removed on a panic
/// (before netbuild-comm's hook calls `MPI_Abort`) and, under MPI, on SIGTERM (mpirun's signal
/// to the other ranks when one fails).
pub fn init() -> Result<(), String> {
    if PROCESS.with(|p| p.borrow().is_some()) {
        return Ok(());
    }
    let process = if netbuild::comm::launched_as_mpi_rank() {
        let mpi = netbuild::comm::init().map_err(|e| format!("netbuild: {e}"))?;
        netbuild::output::remove_in_progress_on_signals(&[signal_hook::consts::SIGTERM]);
        Process::Mpi(mpi)
    } else {
        Process::Local(Local::new())
    };
    if let Process::Mpi(m) = &process {
        RANK.store(m.rank(), Ordering::Relaxed);
        SIZE.store(m.size(), Ordering::Relaxed);
        MPI.store(true, Ordering::Relaxed);
    }
    netbuild::run::logging::init_logging(rank());
    install_panic_hook();
    PROCESS.with(|p| *p.borrow_mut() = Some(process));
    Ok(())
}

/// Removes the half-written output folder on any panic, then hands over to the previous hook
/// (under MPI netbuild-comm's, which aborts the job).
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            netbuild::output::remove_in_progress();
            previous(info);
        }));
    });
}

/// Whether this process runs under MPI (from any thread).
pub fn is_mpi() -> bool {
    MPI.load(Ordering::Relaxed)
}

/// This process's rank (from any thread).
pub fn rank() -> usize {
    RANK.load(Ordering::Relaxed)
}

/// The number of ranks (from any thread).
pub fn size() -> usize {
    SIZE.load(Ordering::Relaxed)
}

/// Runs `f` with the process's communicator (a one-process one after [`finalize`] or when
/// called from another thread than the importing one: such calls build nothing collective).
pub fn with_comm<T>(f: impl FnOnce(&dyn Comm) -> T) -> T {
    PROCESS.with(|p| match &*p.borrow() {
        Some(Process::Mpi(m)) => f(m),
        Some(Process::Local(l)) => f(l),
        _ => f(&Local::new()),
    })
}

/// Ends MPI (collective over the ranks); later builds run as one process.
pub fn finalize() {
    PROCESS.with(|p| {
        let mut p = p.borrow_mut();
        if matches!(*p, Some(Process::Mpi(_))) {
            *p = Some(Process::Finalized);
        }
    });
}
