//! `netbuild._netbuild.swc_cell`: one morphology as BMTK's `SWCReader` sees it through NEURON,
//! for the native stand-in of that class (`netbuild.swc_reader`).
//!
//! In: an SWC file's path and how BMTK prepares the cell (`fix_axon`, `dL`). Out: a dict of
//! plain lists, which the Python side makes into numpy arrays once per (file, options): the
//! segment table (`seg_props`), the segments' ends and centres in the file's frame
//! (`seg_coords`, NaN where NEURON's `define_shape` would place the point), the sections' SWC
//! ids (what `get_swc_id` reads) and the soma's position.

use netbuild::model::morphology::{Cell, CellOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::Path;

/// Reads the SWC file `swc_path` and prepares it as BMTK's `SWCReader` does (`fix_axon`:
/// BMTK's `fix_axon()`, for `model_processing = "aibs_perisomatic"`; `dl`: `set_segment_dl`).
/// Returns a dict: per segment `section`, `x`, `kind`, `dist`, `length` and the points `p0`,
/// `p05`, `p1` (x, y, z; NaN on the sections `fix_axon` makes); per section `sections`
/// (kind, name index, SWC ids); `soma_position`. Raises `ValueError` for a file that cannot
/// be read or parsed, naming the file and line.
#[pyfunction]
#[pyo3(signature = (swc_path, fix_axon=false, dl=None))]
pub fn swc_cell(
    py: Python<'_>,
    swc_path: &str,
    fix_axon: bool,
    dl: Option<f64>,
) -> PyResult<PyObject> {
    let cell = Cell::read(Path::new(swc_path), CellOptions { fix_axon, dl })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let d = PyDict::new(py);
    let segs = &cell.segments;
    d.set_item(
        "section",
        segs.iter().map(|s| s.section).collect::<Vec<_>>(),
    )?;
    d.set_item("x", segs.iter().map(|s| s.x).collect::<Vec<_>>())?;
    d.set_item(
        "kind",
        segs.iter().map(|s| u32::from(s.kind)).collect::<Vec<_>>(),
    )?;
    d.set_item("dist", segs.iter().map(|s| s.dist).collect::<Vec<_>>())?;
    d.set_item("length", segs.iter().map(|s| s.length).collect::<Vec<_>>())?;
    let coords = cell.segment_coords();
    for (k, name) in ["p0", "p05", "p1"].into_iter().enumerate() {
        let points: Vec<[f64; 3]> = coords
            .iter()
            .map(|c| c[k].unwrap_or([f64::NAN; 3]))
            .collect();
        d.set_item(name, points)?;
    }
    let sections: Vec<(u8, usize, Vec<i64>)> = cell
        .sections
        .iter()
        .map(|s| (s.kind, s.name_index, s.swc_ids.clone()))
        .collect();
    d.set_item("sections", sections)?;
    d.set_item("soma_position", cell.soma_position)?;
    Ok(d.into_any().unbind())
}
