//! `[edges.locations]`: the morphology of every target, and a synapse location per synapse.
//!
//! In: an edge type's [`SynLocations`], its target network and targets. [`prepare`] reads each
//! distinct (morphology file, `model_processing`) once per process (a cache shared by edge
//! types), builds one alias table per (morphology, sections, range) and checks, before any
//! edge is made, that every file exists and that every table has a candidate. Out:
//! [`PreparedLocations::draw`], the location of one synapse of a target from its keyed stream.

use crate::circuit::{Scalar, SynLocations};
use crate::nodes::{Network, Values, POSITION};
use netbuild_morphology::{
    place_centre, rotation_xyz, Cell, CellOptions, Location, MorphologyError, Placement,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// An edge type's location tables, and which one each target uses.
pub(crate) struct PreparedLocations {
    tables: Vec<Placement>,
    /// Table index of each target, by position in the edge type's target selection.
    of_target: Vec<u32>,
    /// With `return_coords`: each target's soma position and rotation, by selection position.
    frames: Vec<Frame>,
}

/// Where a target's cell is: its soma, and its rotation (BMTK's `move_and_rotate`).
struct Frame {
    soma: [f64; 3],
    rotation: Option<[[f64; 3]; 3]>,
}

impl PreparedLocations {
    /// The location a uniform `u64` picks for a synapse of the target at selection position
    /// `slot`.
    #[inline]
    pub(crate) fn draw(&self, slot: usize, r: u64) -> &Location {
        self.tables[self.of_target[slot] as usize].draw(r)
    }

    /// With `return_coords`, the coordinates of location `l` on the target at `slot`.
    pub(crate) fn coords(&self, slot: usize, l: &Location) -> Option<[f64; 3]> {
        let f = self.frames.get(slot)?;
        place_centre(l, f.rotation.as_ref(), f.soma)
    }
}

/// The string value of property `name` of node `t`, and its node type id.
fn node_string(net: &Network, t: u64, name: &str) -> (Option<String>, i64) {
    let Some(b) = net.block_of(t) else {
        return (None, 0);
    };
    let v = if let Some(c) = b.columns.iter().find(|c| c.name == name) {
        match &c.values {
            Values::Str(s) => Some(s[(t - b.start) as usize].clone()),
            Values::Num { data, .. } => Some(data[(t - b.start) as usize].to_string()),
            Values::Rows { .. } => None,
        }
    } else {
        b.type_props
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, s)| match s {
                Scalar::Str(s) => s.clone(),
                other => format!("{other:?}"),
            })
    };
    (v, b.node_type_id)
}

/// BMTK's `get_swc`: the file is `morphology_dir/morphology`, with `.swc` appended when that
/// does not exist and does not end in `.swc`.
fn morphology_path(dir: &Path, morphology: &str) -> PathBuf {
    let p = dir.join(morphology);
    if !p.exists() && !morphology.ends_with(".swc") {
        return dir.join(format!("{morphology}.swc"));
    }
    p
}

type CellKey = (PathBuf, bool, Option<u64>);

/// Cells read so far in this process: each file is parsed once, whatever the edge types.
fn read_cell(path: &Path, options: CellOptions) -> Result<Arc<Cell>, MorphologyError> {
    static CELLS: OnceLock<Mutex<HashMap<CellKey, Arc<Cell>>>> = OnceLock::new();
    let key = (
        path.to_path_buf(),
        options.fix_axon,
        options.dl.map(f64::to_bits),
    );
    let cells = CELLS.get_or_init(Default::default);
    if let Some(c) = cells.lock().expect("cell cache").get(&key) {
        return Ok(c.clone());
    }
    let cell = Arc::new(Cell::read(path, options)?);
    cells.lock().expect("cell cache").insert(key, cell.clone());
    Ok(cell)
}

/// Reads the morphologies of `targets` (node ids of `net`, ascending) and builds their tables.
/// Errors (as messages for the edge type) name the node type, the morphology and the file.
pub(crate) fn prepare(
    def: &SynLocations,
    net: &Network,
    targets: &[u64],
) -> Result<PreparedLocations, String> {
    if !net.has_property("morphology") {
        return Err(format!(
            "[edges.locations] needs the targets' 'morphology' property, which network '{}' does not have",
            net.name
        ));
    }
    // BMTK (`get_swc`) moves a cell only when its node has a property x, y or z (not from
    // `positions`: BMTK's builder reads x, y, z only), and rotates it only when it has an angle.
    let angle_names = [
        "rotation_angle_xaxis",
        "rotation_angle_yaxis",
        "rotation_angle_zaxis",
    ];
    let has_any = |t: u64, names: &[&str]| {
        net.block_of(t)
            .is_some_and(|b| names.iter().any(|k| b.defines(k)))
    };
    let has_xyz = |t: u64| has_any(t, &POSITION);
    let has_angles = |t: u64| has_any(t, &angle_names);
    let (xyz, angles) = if def.return_coords {
        // A node's own property, or 0 (BMTK's `cell.get('x', 0.0)`).
        let num = |k: &str| -> Vec<f64> {
            (0..net.n)
                .map(|t| match net.block_of(t) {
                    Some(b) if b.defines(k) => net.number_at(k, t).unwrap_or(0.0),
                    _ => 0.0,
                })
                .collect()
        };
        (["x", "y", "z"].map(num), angle_names.map(num))
    } else {
        Default::default()
    };
    let mut frames = Vec::new();
    let mut index: HashMap<(String, bool), u32> = HashMap::new();
    let mut tables = Vec::new();
    let mut of_target = Vec::with_capacity(targets.len());
    for &t in targets {
        let (morphology, node_type) = node_string(net, t, "morphology");
        let Some(morphology) = morphology.filter(|m| !m.is_empty()) else {
            return Err(format!(
                "[edges.locations]: target node {t} of network '{}' (node type {node_type}) has no 'morphology'",
                net.name
            ));
        };
        let fix_axon =
            node_string(net, t, "model_processing").0.as_deref() == Some("aibs_perisomatic");
        let key = (morphology, fix_axon);
        if let Some(&k) = index.get(&key) {
            of_target.push(k);
            if def.return_coords {
                frames.push(frame(
                    &tables[k as usize],
                    t,
                    has_xyz(t),
                    has_angles(t),
                    &xyz,
                    &angles,
                ));
            }
            continue;
        }
        let path = morphology_path(&def.morphology_dir, &key.0);
        if !path.is_file() {
            return Err(format!(
                "[edges.locations]: morphology file {} not found (morphology '{}' of node type {node_type} of network '{}'; morphology_dir {})",
                path.display(),
                key.0,
                net.name,
                def.morphology_dir.display()
            ));
        }
        let options = CellOptions {
            fix_axon,
            dl: def.dl,
        };
        let table = read_cell(&path, options)
            .and_then(|cell| Placement::new(&cell, &def.sections, def.distance_range))
            .map_err(|e| format!("[edges.locations] (node type {node_type}): {e}"))?;
        if def.return_coords && table.locations.iter().any(|l| l.centre.is_none()) {
            return Err(format!(
                "[edges.locations] (node type {node_type}): return_coords on the axon sections BMTK's fix_axon makes for model_processing = \"aibs_perisomatic\" (NEURON's define_shape places them) is not supported: leave 'axon' out of sections"
            ));
        }
        let k = tables.len() as u32;
        if def.return_coords {
            frames.push(frame(&table, t, has_xyz(t), has_angles(t), &xyz, &angles));
        }
        tables.push(table);
        index.insert(key, k);
        of_target.push(k);
    }
    Ok(PreparedLocations {
        tables,
        of_target,
        frames,
    })
}

/// Target `t`'s frame: its position (or the file's soma position when its network has none)
/// and its rotation (none when its network has no angle).
fn frame(
    table: &Placement,
    t: u64,
    has_xyz: bool,
    has_angles: bool,
    xyz: &[Vec<f64>; 3],
    angles: &[Vec<f64>; 3],
) -> Frame {
    let i = t as usize;
    Frame {
        soma: if has_xyz {
            [xyz[0][i], xyz[1][i], xyz[2][i]]
        } else {
            table.soma_position
        },
        rotation: has_angles.then(|| rotation_xyz([angles[0][i], angles[1][i], angles[2][i]])),
    }
}
