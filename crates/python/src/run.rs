//! How a build runs under Python: on the calling thread with the GIL released, a panic
//! coming back as a Python exception.
//!
//! In: the build as a closure (it borrows the process's communicator, which is not `Send`).
//! Out: its result, or a `RuntimeError` naming the panic's message. The half-written output
//! folder is removed by the panic hook that `process.rs` installs at import, before the unwind
//! reaches this.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::panic::AssertUnwindSafe;

/// Runs `f` (the build) with the GIL released (the build needs no Python: the functions ran
/// before it); a panic comes back as a `RuntimeError`.
pub fn without_gil<T>(py: Python<'_>, f: impl FnOnce() -> T) -> PyResult<T> {
    let job = SameThread(f);
    let result = py.allow_threads(move || SameThread(std::panic::catch_unwind(job.into_inner())));
    result.0.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        PyRuntimeError::new_err(format!("netbuild panicked: {message}"))
    })
}

/// A value that `Python::allow_threads` may carry, though it is not `Send`: the closure runs on
/// the calling thread (`allow_threads` only releases the GIL around it). Needed because the MPI
/// communicator the build borrows is not `Send` (MPI calls must stay on the initialising
/// thread, and do).
struct SameThread<T>(T);

// SAFETY: see the type's docs: the value never leaves this thread.
unsafe impl<T> Send for SameThread<T> {}

impl<F: FnOnce() -> T, T> SameThread<F> {
    /// The closure, unwind-safe for `catch_unwind` (a panic ends the build, whose state is
    /// dropped).
    fn into_inner(self) -> AssertUnwindSafe<F> {
        AssertUnwindSafe(self.0)
    }
}
