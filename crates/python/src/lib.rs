//! `netbuild._netbuild`: the native half of the Python package `netbuild`.
//!
//! In: the spec text the pure-Python layer (`crates/python/python/netbuild`) makes from a
//! BMTK-style script's `add_nodes` / `add_edges` / `add_properties` calls, and what the
//! script's Python functions gave (connections, property values), keyed by edge type. Out: the
//! SONATA folder the binary writes for the same spec, and a summary dict.
//!
//! The spec goes through the same loader and [`netbuild::circuit_from_spec`] as the binary's;
//! then the placeholder rules and properties of the edge types that have Python functions are
//! replaced by closures reading what the functions gave, computed before the build
//! ([`callables`]). The build runs on this process's communicator ([`process`]): MPI under
//! `mpirun`, one process otherwise; with the GIL released, a panic raised as a Python
//! exception ([`run`]).

#![warn(missing_docs)]

mod callables;
mod process;
mod run;

use netbuild::comm::Comm;
use netbuild::BuildError;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::path::Path;

pyo3::create_exception!(
    _netbuild,
    OutputError,
    PyRuntimeError,
    "The output folder cannot be written: it cannot be created, or the build would replace a file \
     netbuild did not write (or, with `overwrite=\"never\"`, any existing file). Raised before \
     any work, naming the file."
);

pyo3::create_exception!(
    _netbuild,
    SpecError,
    PyValueError,
    "The circuit cannot be built as described: a located spec error (`path:line:col: ...`) or \
     a model error (`edge type i: ...`), found alike on every rank."
);

/// Builds the circuit of `spec_text` (read as if from `spec_path`, which gives the folder that
/// relative paths start from). `tables`: the connections and property values of the edge types
/// whose rule or properties are Python functions, computed before the build by the Python layer
/// (`(edge type index, targets, offsets, sources, counts, [(property index, values)])`, see
/// [`callables`]); the build replays them without calling Python. `output_dir`: where to
/// write (as the binary's `-o`). `threads`: worker threads (default: the machine's cores
/// shared by the ranks); `spec_hash`: recorded as
/// `netbuild_spec_sha256` in every file (the sha256 of `spec_text`); `progress_secs`: seconds
/// between progress lines in a log, 0 for none (the binary's `NETBUILD_PROGRESS_SECS`).
/// `overwrite`: `"netbuild"` (replace the files an earlier netbuild build wrote there) or
/// `"never"` (replace no existing nodes, edges or type table file); a file netbuild did not
/// write is never replaced (`OutputError`). `remove_stale`: remove the files an earlier build
/// wrote there that this one does not (false: the folder's manifest lists both, for several
/// saves into one folder). Collective: every rank calls it with the same arguments. Returns a
/// summary dict (`networks`, `edge_types`, `output_dir`, `seconds`, `peak_memory`, `files`).
// The arguments are Python's (keyword arguments of one call), not a Rust API.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (spec_text, spec_path, tables, output_dir, threads=None, spec_hash=None, progress_secs=None, overwrite="netbuild", remove_stale=false))]
fn build(
    py: Python<'_>,
    spec_text: &str,
    spec_path: &str,
    tables: Vec<callables::RawTable<'_>>,
    output_dir: String,
    threads: Option<usize>,
    spec_hash: Option<String>,
    progress_secs: Option<f64>,
    overwrite: &str,
    remove_stale: bool,
) -> PyResult<PyObject> {
    let overwrite = match overwrite {
        "netbuild" => netbuild::output::Overwrite::Netbuilds,
        "never" => netbuild::output::Overwrite::Never,
        other => {
            return Err(PyValueError::new_err(format!(
                "overwrite: expected \"netbuild\" or \"never\", found {other:?}"
            )))
        }
    };
    let path = Path::new(spec_path);
    // The loader reads the files of `[[import]]` blocks and `file` rules too.
    let spec = netbuild::spec::parse_str(spec_text, path)
        .map_err(|e| SpecError::new_err(e.to_string()))?;
    let (mut circuit, spec_options) = netbuild::circuit_from_spec(&spec);
    // What the script asked for, over the binary's environment settings. The output folder is
    // outside the spec, as the binary's `-o`, so that its hash does not depend on it.
    let front = netbuild::run::settings::FrontEnd {
        output_dir: Some(output_dir.into()),
        threads,
        progress_secs,
        overwrite: Some(overwrite),
        remove_stale: Some(remove_stale),
        spec_hash,
        ..Default::default()
    };
    let env = netbuild::run::settings::Environment::read();
    let options = netbuild::run::settings::resolve(spec_options, &front, env)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    callables::attach(&mut circuit, tables)?;
    // The outer error: the build panicked; the inner one: the build failed.
    let built = process::with_comm(|comm| {
        run::without_gil(py, || netbuild::build(&circuit, &options, comm))
    })?;
    match built {
        Ok(summary) => summary_dict(py, &summary),
        Err(e) => process::with_comm(|comm| build_error(comm, e)),
    }
}

// `swc_cell`: a morphology as BMTK's SWCReader sees it, for `netbuild.swc_reader`.
mod morphology;

/// One candidate location: (segment index, section id, section x, probability, swc id, swc pos).
type Candidate = (usize, u32, f64, f64, i64, f64);

/// The candidate synapse locations of one morphology, as `[edges.locations]` draws them:
/// `netbuild.rules.syn_location_candidates` (and the tests comparing them with NEURON).
/// Returns a list of (segment index, section id, section x, probability, swc id, swc pos).
#[pyfunction]
#[pyo3(signature = (swc_path, sections, distance_range, fix_axon=false, dl=None))]
fn syn_location_candidates(
    swc_path: &str,
    sections: Vec<String>,
    distance_range: (f64, f64),
    fix_axon: bool,
    dl: Option<f64>,
) -> PyResult<Vec<Candidate>> {
    use netbuild::model::morphology::{Cell, CellOptions, Placement};
    let fail =
        |e: netbuild::model::morphology::MorphologyError| PyValueError::new_err(e.to_string());
    let cell = Cell::read(Path::new(swc_path), CellOptions { fix_axon, dl }).map_err(fail)?;
    let place =
        Placement::new(&cell, &sections, [distance_range.0, distance_range.1]).map_err(fail)?;
    Ok(place
        .segments
        .iter()
        .zip(&place.probabilities)
        .zip(&place.locations)
        .map(|((&seg, &p), l)| (seg, l.section_id, l.section_pos, p, l.swc_id, l.swc_pos))
        .collect())
}

/// The Python exception for a failed build, as the binary's exit codes sort them: errors every
/// rank finds alike are raised on every rank; one only this rank knows ends the whole job.
fn build_error(comm: &dyn Comm, e: BuildError) -> PyResult<PyObject> {
    match e {
        BuildError::Model(_) | BuildError::Issues { .. } => Err(SpecError::new_err(e.to_string())),
        BuildError::Output { .. } | BuildError::OutputElsewhere => {
            Err(OutputError::new_err(e.to_string()))
        }
        BuildError::Writer(_) => Err(PyRuntimeError::new_err(e.to_string())),
        other if comm.size() > 1 => comm.abort(1, &other.to_string()),
        other => Err(PyRuntimeError::new_err(other.to_string())),
    }
}

fn summary_dict(py: Python<'_>, s: &netbuild::Summary) -> PyResult<PyObject> {
    let d = PyDict::new(py);
    d.set_item("output_dir", s.output_dir.to_string_lossy().into_owned())?;
    d.set_item("seconds", s.seconds)?;
    d.set_item("networks", s.networks.clone())?;
    d.set_item("peak_memory", s.peak_memory.clone())?;
    d.set_item("files", s.files.clone())?;
    let types = PyList::empty(py);
    for p in &s.edge_populations {
        for e in &p.edge_types {
            let t = PyDict::new(py);
            t.set_item("index", e.index)?;
            t.set_item("edge_type_id", e.id)?;
            t.set_item("population", &p.name)?;
            t.set_item("rows", e.rows)?;
            t.set_item("synapses", e.synapses)?;
            types.append(t)?;
        }
    }
    d.set_item("edge_types", types)?;
    Ok(d.into_any().unbind())
}

/// This process's rank (0 without MPI).
#[pyfunction]
fn rank() -> usize {
    process::rank()
}

/// The number of ranks (1 without MPI).
#[pyfunction]
fn size() -> usize {
    process::size()
}

/// Whether this process runs under an MPI launcher (then MPI was initialised on import).
#[pyfunction]
fn is_mpi() -> bool {
    process::is_mpi()
}

/// Every rank's `data`, in rank order (collective; `[data]` without MPI): how the ranks share
/// what their Python functions computed.
#[pyfunction]
fn all_gather(py: Python<'_>, data: &[u8]) -> Vec<PyObject> {
    process::with_comm(|c| c.all_gather_bytes(data))
        .into_iter()
        .map(|b| PyBytes::new(py, &b).into_any().unbind())
        .collect()
}

/// A barrier over all ranks (nothing without MPI).
#[pyfunction]
fn barrier() {
    process::with_comm(|c| c.barrier());
}

/// Ends the whole job at once (`MPI_Abort` with `code`, after printing `netbuild: rank R of N
/// failed: message`); without MPI, exits the process with `code`. For an uncaught exception on
/// one rank, which would otherwise leave the others waiting in their next collective forever.
#[pyfunction]
fn abort(code: i32, message: &str) {
    netbuild::output::remove_in_progress();
    process::with_comm(|c| c.abort(code, message));
}

/// Ends MPI (`MPI_Finalize`, collective); registered with `atexit` by the package. Nothing
/// without MPI; no build may follow.
#[pyfunction]
fn finalize() {
    process::finalize();
}

/// Whether the existing file `name` of `folder` is netbuild's, by the rules the Rust build
/// applies (`netbuild::output::manifest`): listed in the folder's `.netbuild.json` and unchanged since,
/// or, in a folder without a manifest, a file of a netbuild from before manifests. Raises
/// `OutputError` for a manifest netbuild cannot read.
#[pyfunction]
fn is_netbuilds(folder: &str, name: &str) -> PyResult<bool> {
    use netbuild::output::manifest::{is_netbuilds, Manifest};
    let dir = Path::new(folder);
    let manifest = Manifest::read(dir).map_err(|e| OutputError::new_err(e.to_string()))?;
    Ok(is_netbuilds(dir, manifest.as_ref(), name))
}

/// Adds the files `names` of `folder` (as they are now) to the folder's `.netbuild.json`,
/// replaced atomically: how the Python front lists the files it places from its staging build.
#[pyfunction]
fn record_files(folder: &str, names: Vec<String>) -> PyResult<()> {
    use netbuild::output::manifest::{Manifest, Provenance, Stamp};
    let dir = Path::new(folder);
    let out = |e: &dyn std::fmt::Display| OutputError::new_err(e.to_string());
    let mut m = Manifest::read(dir)
        .map_err(|e| out(&e))?
        .unwrap_or_default();
    for name in names {
        let stamp = Stamp::of(&dir.join(&name))
            .ok_or_else(|| out(&format!("{}: not a file", dir.join(&name).display())))?;
        m.files.insert(name, stamp);
    }
    m.write(dir, &Provenance::default()).map_err(|e| out(&e))
}

/// The native module: MPI is initialised here when a launcher started the process.
#[pymodule]
fn _netbuild(m: &Bound<'_, PyModule>) -> PyResult<()> {
    process::init().map_err(PyRuntimeError::new_err)?;
    m.add("SpecError", m.py().get_type::<SpecError>())?;
    m.add("OutputError", m.py().get_type::<OutputError>())?;
    m.add_function(wrap_pyfunction!(build, m)?)?;
    m.add_function(wrap_pyfunction!(syn_location_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(morphology::swc_cell, m)?)?;
    m.add_function(wrap_pyfunction!(rank, m)?)?;
    m.add_function(wrap_pyfunction!(size, m)?)?;
    m.add_function(wrap_pyfunction!(is_mpi, m)?)?;
    m.add_function(wrap_pyfunction!(barrier, m)?)?;
    m.add_function(wrap_pyfunction!(all_gather, m)?)?;
    m.add_function(wrap_pyfunction!(finalize, m)?)?;
    m.add_function(wrap_pyfunction!(abort, m)?)?;
    m.add_function(wrap_pyfunction!(is_netbuilds, m)?)?;
    m.add_function(wrap_pyfunction!(record_files, m)?)?;
    Ok(())
}
