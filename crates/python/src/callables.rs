//! The script's Python callables as netbuild rules and properties, and what happens when one
//! raises.
//!
//! In: (edge type, iterator, callable) and (edge type, property, callable) from the Python
//! layer, which wraps the user's function so that it takes node ids and returns plain numbers
//! (it makes BMTK's node objects and binds `connection_params`). Out: the circuit's
//! placeholder rules and property values replaced by closures ([`attach`]), and
//! [`run_without_gil`], which runs the build with the GIL released so the worker threads can
//! call Python (each call takes the GIL: callables run one at a time).
//!
//! A callable that raises stops the build. With one process, the first exception is kept,
//! the closure panics (a marker payload, unwound through the build, which removes its
//! half-written folder), and [`run_without_gil`] re-raises the exception with its traceback.
//! Under MPI the traceback is printed and the panic ends the whole job through
//! netbuild-comm's hook (`MPI_Abort`), as any failing rank of the binary does: no output.

use netbuild::model::{EdgeValue, Pair, Rule};
use netbuild::Circuit;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};

/// The panic payload of a callable that raised.
const RAISED: &str = "a Python function of the script raised an exception (its traceback is above)";

/// Set once a callable raised: the other calls of the build return at once.
static FAILED: AtomicBool = AtomicBool::new(false);
/// The first exception raised by a callable in this build.
static ERROR: Mutex<Option<PyErr>> = Mutex::new(None);
static HOOK: Once = Once::new();

/// Replaces the rules and property values of the edge types named in `rules` and `props` by
/// closures calling the Python callables.
pub fn attach(
    circuit: &mut Circuit,
    rules: Vec<(usize, String, PyObject)>,
    props: Vec<(usize, usize, PyObject)>,
) -> PyResult<()> {
    let n = circuit.edge_types.len();
    let out_of_range = |i: usize| PyValueError::new_err(format!("no edge type {i} (of {n})"));
    for (i, iterator, f) in rules {
        let def = circuit
            .edge_types
            .get_mut(i)
            .ok_or_else(|| out_of_range(i))?;
        let f = Arc::new(f);
        def.rule = match iterator.as_str() {
            "one_to_one" => Rule::custom(move |p: &Pair<'_>| {
                guarded(|py| f.call1(py, (p.source, p.target))?.extract::<u32>(py))
            }),
            "all_to_one" => Rule::CustomPerTarget(Arc::new(move |t, sources: &[u64]| {
                guarded(|py| counts(py, &f, t, sources))
            })),
            "one_to_all" => Rule::CustomPerSource(Arc::new(move |s, targets: &[u64]| {
                guarded(|py| counts(py, &f, s, targets))
            })),
            other => {
                return Err(PyValueError::new_err(format!(
                    "iterator: expected 'one_to_one', 'all_to_one' or 'one_to_all', found {other:?}"
                )))
            }
        };
    }
    for (i, k, f) in props {
        let def = circuit
            .edge_types
            .get_mut(i)
            .ok_or_else(|| out_of_range(i))?;
        let prop = def
            .edge_props
            .get_mut(k)
            .ok_or_else(|| PyValueError::new_err(format!("edge type {i} has no property {k}")))?;
        prop.value = EdgeValue::Custom(Arc::new(move |p: &Pair<'_>, _rng| {
            guarded(|py| f.call1(py, (p.source, p.target))?.extract::<f64>(py))
        }));
    }
    Ok(())
}

/// Calls a per-node callable `f(node, others)`: one count per element of `others`.
fn counts(py: Python<'_>, f: &PyObject, node: u64, others: &[u64]) -> PyResult<Vec<u32>> {
    let c: Vec<u32> = f.call1(py, (node, PyList::new(py, others)?))?.extract(py)?;
    if c.len() != others.len() {
        return Err(PyValueError::new_err(format!(
            "the connection rule returned {} values for {} nodes",
            c.len(),
            others.len()
        )));
    }
    Ok(c)
}

/// Runs `body` with the GIL, unless a callable of this build raised already (then the default:
/// the build is about to stop). An exception stops the build (see the module docs).
fn guarded<T: Default>(body: impl FnOnce(Python<'_>) -> PyResult<T>) -> T {
    if FAILED.load(Ordering::Relaxed) {
        return T::default();
    }
    Python::with_gil(|py| match body(py) {
        Ok(v) => v,
        Err(e) => {
            if FAILED.swap(true, Ordering::SeqCst) {
                return T::default();
            }
            if crate::process::is_mpi() {
                // The panic hook ends the job before any exception reaches Python.
                e.print(py);
            }
            if let Ok(mut slot) = ERROR.lock() {
                *slot = Some(e);
            }
            std::panic::panic_any(RAISED)
        }
    })
}

/// Removes the half-written output folder on any panic, then hands over to the previous hook
/// (under MPI netbuild-comm's, which aborts the job); with one process, a callable's exception
/// is re-raised in Python, so its marker panic prints nothing.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            netbuild::output::remove_in_progress();
            let raised = info.payload().downcast_ref::<&str>() == Some(&RAISED);
            if !raised || crate::process::is_mpi() {
                previous(info);
            }
        }));
    });
}

/// Runs `f` (the build) with the GIL released, so that the build's threads can call Python;
/// a callable's exception comes back as the error.
pub fn run_without_gil<T>(py: Python<'_>, f: impl FnOnce() -> T) -> PyResult<T> {
    FAILED.store(false, Ordering::SeqCst);
    if let Ok(mut slot) = ERROR.lock() {
        *slot = None;
    }
    let job = SameThread(f);
    let result = py.allow_threads(move || SameThread(std::panic::catch_unwind(job.into_inner())));
    let result = result.0;
    match result {
        Ok(v) => Ok(v),
        Err(payload) => {
            if let Some(e) = ERROR.lock().ok().and_then(|mut s| s.take()) {
                return Err(e);
            }
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            Err(PyRuntimeError::new_err(format!(
                "netbuild panicked: {message}"
            )))
        }
    }
}

/// A value that `Python::allow_threads` may carry, though it is not `Send`: the closure runs on
/// the calling thread (`allow_threads` only releases the GIL around it), and the build touches
/// Python only through `Python::with_gil`. Needed because the MPI communicator the build
/// borrows is not `Send` (MPI calls must stay on the initialising thread, and do).
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
