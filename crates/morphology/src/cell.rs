//! A cell as BMTK's `SWCReader` sees it through NEURON: the sections of the `Biophys1` template
//! in the order of its `all` list, their lengths and distances from the soma, their segments,
//! and the SWC ids of each section's points.
//!
//! In: a parsed file's points and [`CellOptions`] (BMTK's `fix_axon` for
//! `model_processing = "aibs_perisomatic"`, `dL`). Out: a [`Cell`] whose segment table is
//! `SWCReader.seg_props` (section id, x, type, distance, length) and whose swc rows are what
//! `SWCReader.get_swc_id` reads.
//!
//! NEURON facts this follows (checked against NEURON by
//! `crates/python/tests/test_syn_locations.py`):
//! a section's length is the sum of the distances between its stored 3-d points (single
//! precision coordinates, double precision sums); `all` lists sections by type (soma, axon,
//! dend, apic), each type by name index; distances are measured from `soma[0](0)`
//! (`h.distance(sec=soma[0])`), a child starting at its parent's connection point; `fix_axon`
//! removes the axon sections and appends `axon[0]`, `axon[1]` (L = 30 um each, one segment)
//! at `soma[0](1)` and `axon[0](1)`; `dL` gives each section `1 + 2 * int(L / (2 dL))`
//! segments before the axon is replaced; segment centres are at `(i + 0.5) / nseg`.

use crate::error::MorphologyError;
use crate::import3d::{sections, Section};
use crate::swc::{parse, Point};
use std::path::{Path, PathBuf};

/// How BMTK prepares a cell before placing synapses on it (`bmtk.builder.bionet.get_swc`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CellOptions {
    /// Replace the axon by two 30 um sections (BMTK does for `aibs_perisomatic` cells).
    pub fix_axon: bool,
    /// `rand_syn_locations(dL=...)`: the segment length asked for; `None` for NEURON's one
    /// segment per section (BMTK's default).
    pub dl: Option<f64>,
}

/// One NEURON section of the cell.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronSection {
    /// Its SWC type: 1 soma, 2 axon, 3 dend, 4 apic.
    pub kind: u8,
    /// Its index within its type (`dend[3]`: 3).
    pub name_index: usize,
    /// Its length `L` (micrometres).
    pub length: f64,
    /// Its number of segments.
    pub nseg: u32,
    /// The distance of its 0 end from `soma[0](0)`.
    pub start: f64,
    /// The SWC ids of its points, in file order, as BMTK's `swc_map` pairs them (empty for the
    /// sections `fix_axon` makes when the file has fewer axon sections).
    pub swc_ids: Vec<i64>,
    /// Its 3-d points as NEURON stores them (empty for the sections `fix_axon` makes, which
    /// NEURON's `define_shape` places).
    pub points: Vec<[f32; 3]>,
}

impl NeuronSection {
    /// NEURON's name of the section within the cell, e.g. `dend[3]`.
    pub fn name(&self) -> String {
        let t = match self.kind {
            1 => "soma",
            2 => "axon",
            3 => "dend",
            _ => "apic",
        };
        format!("{t}[{}]", self.name_index)
    }
}

/// One segment: a row of BMTK's `seg_props`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// The section's index in `all` (BMTK's `sec_id`, SONATA's `afferent_section_id`).
    pub section: u32,
    /// The segment's centre along the section, in (0, 1).
    pub x: f64,
    /// The section's SWC type.
    pub kind: u8,
    /// The distance of the centre from `soma[0](0)`.
    pub dist: f64,
    /// The segment's length (`L / nseg`).
    pub length: f64,
    /// The centre's coordinates in the file's frame (BMTK's `seg_coords.p05`); `None` on the
    /// sections `fix_axon` makes.
    pub centre: Option<[f64; 3]>,
}

/// A cell: sections in `all` order and their segments.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The file it was read from.
    pub path: PathBuf,
    /// Sections in the order of the template's `all` list.
    pub sections: Vec<NeuronSection>,
    /// Segments, section by section.
    pub segments: Vec<Segment>,
    /// The mean of the soma sections' 3-d points (BMTK's `soma_position`), about which BMTK
    /// rotates a cell.
    pub soma_position: [f64; 3],
}

impl Cell {
    /// Reads the SWC file at `path` and prepares it as BMTK does.
    pub fn read(path: &Path, options: CellOptions) -> Result<Cell, MorphologyError> {
        let text = std::fs::read_to_string(path).map_err(|e| MorphologyError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Cell::from_swc(path, &text, options)
    }

    /// Prepares the SWC `text` (read from `path`, named in errors) as BMTK does.
    pub fn from_swc(
        path: &Path,
        text: &str,
        options: CellOptions,
    ) -> Result<Cell, MorphologyError> {
        let points = parse(path, text)?;
        let made = sections(&points);
        let list = &made.list;
        let lengths: Vec<f64> = list.iter().map(|s| arc_length(&s.points)).collect();
        // Distances of each section's 0 end, parents first (Import3d lists them so).
        let mut start = vec![0.0f64; list.len()];
        for k in 0..list.len() {
            if let Some(parent) = list[k].parent {
                let p = list[..k]
                    .iter()
                    .position(|s| s.number == parent)
                    .expect("Import3d lists a parent before its children");
                start[k] = start[p] + list[k].parent_x * lengths[p];
            }
        }
        let rows = swc_rows(path, &points, list, &made.point2sec)?;
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by_key(|&k| (list[k].kind, list[k].name_index));
        let nseg = |l: f64| match options.dl {
            Some(dl) => 1 + 2 * (l / (2.0 * dl)) as u32,
            None => 1,
        };
        let mut secs: Vec<NeuronSection> = order
            .iter()
            .filter(|&&k| !(options.fix_axon && list[k].kind == 2))
            .map(|&k| NeuronSection {
                kind: list[k].kind,
                name_index: list[k].name_index,
                length: lengths[k],
                nseg: nseg(lengths[k]),
                start: start[k],
                swc_ids: rows.ids_of(&points, list[k].kind, list[k].name_index),
                points: list[k].points.clone(),
            })
            .collect();
        if options.fix_axon {
            let soma = secs[0].length;
            for i in 0..2 {
                secs.push(NeuronSection {
                    kind: 2,
                    name_index: i,
                    length: 30.0,
                    nseg: 1,
                    start: soma + 30.0 * i as f64,
                    swc_ids: rows.ids_of(&points, 2, i),
                    points: Vec::new(),
                });
            }
        }
        let mut segments = Vec::new();
        for (id, s) in secs.iter().enumerate() {
            for i in 0..s.nseg {
                let x = (f64::from(i) + 0.5) / f64::from(s.nseg);
                segments.push(Segment {
                    section: id as u32,
                    x,
                    kind: s.kind,
                    dist: s.start + x * s.length,
                    length: s.length / f64::from(s.nseg),
                    centre: point_at(&s.points, s.length, x),
                });
            }
        }
        let soma: Vec<[f32; 3]> = secs
            .iter()
            .filter(|s| s.kind == 1)
            .flat_map(|s| s.points.iter().copied())
            .collect();
        let soma_position = [0, 1, 2]
            .map(|k| soma.iter().map(|p| f64::from(p[k])).sum::<f64>() / soma.len() as f64);
        Ok(Cell {
            path: path.to_path_buf(),
            sections: secs,
            segments,
            soma_position,
        })
    }
}

/// A section's length: its 3-d points' path, in double precision over single-precision
/// coordinates, as NEURON sums `arc3d`.
fn arc_length(points: &[[f32; 3]]) -> f64 {
    points
        .windows(2)
        .map(|w| {
            let d = [0, 1, 2].map(|k| f64::from(w[1][k]) - f64::from(w[0][k]));
            (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
        })
        .sum()
}

/// The point at `x` of the way along a section of 3-d `points` and length `length`, as BMTK's
/// `seg_coords` finds it: numpy's `interp` over the points' arc positions divided by `length`.
pub(crate) fn point_at(points: &[[f32; 3]], length: f64, x: f64) -> Option<[f64; 3]> {
    let first = points.first()?;
    let mut arc = Vec::with_capacity(points.len());
    let mut a = 0.0;
    arc.push(0.0);
    for w in points.windows(2) {
        let d = [0, 1, 2].map(|k| f64::from(w[1][k]) - f64::from(w[0][k]));
        a += (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        arc.push(a / length);
    }
    let last = points.len() - 1;
    if x <= arc[0] {
        return Some(first.map(f64::from));
    }
    if x >= arc[last] {
        return Some(points[last].map(f64::from));
    }
    // numpy: the last j with arc[j] <= x.
    let j = arc.partition_point(|&t| t <= x) - 1;
    let (p0, p1) = (points[j], points[j + 1]);
    Some([0, 1, 2].map(|k| {
        let slope = (f64::from(p1[k]) - f64::from(p0[k])) / (arc[j + 1] - arc[j]);
        slope * (x - arc[j]) + f64::from(p0[k])
    }))
}

/// BMTK's `swc_map`: the name index of each file row, read as `nl.sections[point2sec[row]]`
/// (after Import3d removed any section, that index is shifted, and BMTK reads it shifted).
struct SwcRows {
    name_index: Vec<usize>,
}

impl SwcRows {
    /// The ids of the rows of type `kind` and name index `name_index`, in file order.
    fn ids_of(&self, points: &[Point], kind: u8, name_index: usize) -> Vec<i64> {
        points
            .iter()
            .zip(&self.name_index)
            .filter(|(p, &n)| p.kind == kind && n == name_index)
            .map(|(p, _)| p.id)
            .collect()
    }
}

fn swc_rows(
    path: &Path,
    points: &[Point],
    list: &[Section],
    point2sec: &[usize],
) -> Result<SwcRows, MorphologyError> {
    let mut name_index = Vec::with_capacity(points.len());
    for (p, &s) in points.iter().zip(point2sec) {
        match list.get(s) {
            Some(sec) => name_index.push(sec.name_index),
            None => {
                return Err(MorphologyError::Swc {
                    path: path.to_path_buf(),
                    line: p.line,
                    message: format!(
                        "NEURON's Import3d removed zero-length sections of this file, and BMTK's SWCReader then finds no section for point {}: expected a morphology without one-point or zero-length branches",
                        p.id
                    ),
                })
            }
        }
    }
    Ok(SwcRows { name_index })
}
