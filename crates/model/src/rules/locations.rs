//! `[edges.locations]`: the morphology of every target, and a synapse location per synapse.
//!
//! In: an edge type's [`SynLocations`], its target network and targets, and the preparation's
//! [`Columns`] (its host, its cache of parsed morphologies). [`prepare`] builds one alias table
//! per distinct (morphology file, `model_processing`) of the targets and checks, before any
//! edge is made, that every file exists and that every table has a candidate. Out:
//! [`PreparedLocations::draw`], the location of one synapse of a target from its keyed stream.
//!
//! The tables, and which table each target uses, are made on the host's computing rank only
//! (the only one that reads the morphology files) and mapped by the host's other ranks, like
//! the node columns: 16 ranks of a host hold them once, and parse each file once. An error
//! found there (a missing file, an empty range) is published too, so every rank fails alike.

use crate::circuit::SynLocations;
use crate::columns::Columns;
use crate::nodes::{Network, Values, POSITION};
use crate::shared::{share, Shared};
use netbuild_morphology::{draw, place_centre, rotation_xyz, CellOptions, Placement, Slot};
use netbuild_types::Scalar;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// An edge type's location tables, and which one each target uses; held once per host.
pub(crate) struct PreparedLocations {
    /// The alias tables of the targets' distinct morphologies, end to end.
    slots: Shared<Slot>,
    /// Table k is `slots[starts[k]..starts[k + 1]]`.
    starts: Shared<u64>,
    /// Table index of each target, by position in the edge type's target selection.
    of_target: Shared<u32>,
    /// With `return_coords`: each target's soma position, by selection position (else empty).
    soma: Shared<[f64; 3]>,
    /// With `return_coords` on a network with rotation angles: each target's rotation (BMTK's
    /// `move_and_rotate`), by selection position (else empty).
    rotation: Shared<[[f64; 3]; 3]>,
}

impl PreparedLocations {
    /// The location a uniform `u64` picks for a synapse of the target at selection position
    /// `slot`.
    #[inline]
    pub(crate) fn draw(&self, slot: usize, r: u64) -> &Slot {
        let k = self.of_target[slot] as usize;
        draw(
            &self.slots[self.starts[k] as usize..self.starts[k + 1] as usize],
            r,
        )
    }

    /// With `return_coords`, the coordinates of location `l` on the target at `slot`.
    pub(crate) fn coords(&self, slot: usize, l: &Slot) -> Option<[f64; 3]> {
        let soma = *self.soma.get(slot)?;
        Some(place_centre(l.centre()?, self.rotation.get(slot), soma))
    }
}

/// What the computing rank makes: the arrays of a [`PreparedLocations`].
#[derive(Default)]
struct Tables {
    slots: Vec<Slot>,
    starts: Vec<u64>,
    of_target: Vec<u32>,
    soma: Vec<[f64; 3]>,
    rotation: Vec<[[f64; 3]; 3]>,
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

/// Prepares the locations of an edge type onto `targets` (node ids of `net`, ascending).
/// *Collective over the host* (see the module's doc). Errors (as messages for the edge type)
/// name the node type, the morphology and the file.
pub(crate) fn prepare(
    def: &SynLocations,
    net: &Network,
    targets: &[u64],
    columns: &mut Columns<'_>,
) -> Result<PreparedLocations, String> {
    let host = columns.host();
    // Made on the first request: on the computing rank only, unless sharing fails on a rank
    // (which then makes its own; the values are the same).
    let mut made = Made {
        state: None,
        make: || make_tables(def, net, targets, columns),
    };
    let error: Shared<u8> = share(host, || match made.get() {
        Err(e) => e.as_bytes().to_vec(),
        Ok(_) => Vec::new(),
    });
    if !error.is_empty() {
        return Err(String::from_utf8_lossy(&error).into_owned());
    }
    Ok(PreparedLocations {
        slots: share(host, || made.take(|t| &mut t.slots)),
        starts: share(host, || made.take(|t| &mut t.starts)),
        of_target: share(host, || made.take(|t| &mut t.of_target)),
        soma: share(host, || made.take(|t| &mut t.soma)),
        rotation: share(host, || made.take(|t| &mut t.rotation)),
    })
}

/// [`Tables`] made once, on the first request.
struct Made<F> {
    state: Option<Result<Tables, String>>,
    make: F,
}

impl<F: FnMut() -> Result<Tables, String>> Made<F> {
    fn get(&mut self) -> &mut Result<Tables, String> {
        self.state.get_or_insert_with(&mut self.make)
    }

    /// One of the arrays, moved out (each is published once).
    fn take<T>(&mut self, pick: impl FnOnce(&mut Tables) -> &mut Vec<T>) -> Vec<T> {
        match self.get() {
            Ok(t) => std::mem::take(pick(t)),
            Err(_) => Vec::new(),
        }
    }
}

/// The tables of `targets`, read from their morphology files (through `columns`' cache).
fn make_tables(
    def: &SynLocations,
    net: &Network,
    targets: &[u64],
    columns: &mut Columns<'_>,
) -> Result<Tables, String> {
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
    let has_angles = angle_names.iter().any(|k| net.has_property(k));
    let has_xyz = |t: u64| {
        net.block_of(t)
            .is_some_and(|b| POSITION.iter().any(|k| b.defines(k)))
    };
    // A node's own property, or 0 (BMTK's `cell.get('x', 0.0)`): a block without the column
    // (or with only an N x 3 `positions`) counts as not having it.
    let num = |k: &str| -> Vec<f64> {
        (0..net.n)
            .map(|t| match net.block_of(t) {
                Some(b) if b.defines(k) => net.number_at(k, t).unwrap_or(0.0),
                _ => 0.0,
            })
            .collect()
    };
    let xyz = def.return_coords.then(|| ["x", "y", "z"].map(num));
    let angles = (def.return_coords && has_angles).then(|| angle_names.map(num));
    let mut index: HashMap<(String, bool), u32> = HashMap::new();
    let mut soma_of_table = Vec::new();
    let mut out = Tables {
        starts: vec![0],
        of_target: Vec::with_capacity(targets.len()),
        ..Tables::default()
    };
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
        let k = match index.get(&key) {
            Some(&k) => k,
            None => {
                let table = placement(def, net, &key.0, fix_axon, node_type, columns)?;
                let k = soma_of_table.len() as u32;
                soma_of_table.push(table.soma_position);
                out.slots.extend_from_slice(&table.slots);
                out.starts.push(out.slots.len() as u64);
                index.insert(key, k);
                k
            }
        };
        out.of_target.push(k);
        if def.return_coords {
            let i = t as usize;
            out.soma.push(match &xyz {
                Some(xyz) if has_xyz(t) => [xyz[0][i], xyz[1][i], xyz[2][i]],
                _ => soma_of_table[k as usize],
            });
            if let Some(a) = &angles {
                out.rotation.push(rotation_xyz([a[0][i], a[1][i], a[2][i]]));
            }
        }
    }
    Ok(out)
}

/// The table of one morphology (file `morphology` of `def.morphology_dir`), for a target of
/// node type `node_type`.
fn placement(
    def: &SynLocations,
    net: &Network,
    morphology: &str,
    fix_axon: bool,
    node_type: i64,
    columns: &mut Columns<'_>,
) -> Result<Placement, String> {
    let path = morphology_path(&def.morphology_dir, morphology);
    if !path.is_file() {
        return Err(format!(
            "[edges.locations]: morphology file {} not found (morphology '{morphology}' of node type {node_type} of network '{}'; morphology_dir {})",
            path.display(),
            net.name,
            def.morphology_dir.display()
        ));
    }
    let options = CellOptions {
        fix_axon,
        dl: def.dl,
    };
    let table = columns
        .morphology(&path, options)
        .and_then(|cell| Placement::new(&cell, &def.sections, def.distance_range))
        .map_err(|e| format!("[edges.locations] (node type {node_type}): {e}"))?;
    if def.return_coords && table.locations.iter().any(|l| l.centre.is_none()) {
        return Err(format!(
            "[edges.locations] (node type {node_type}): return_coords on the axon sections BMTK's fix_axon makes for model_processing = \"aibs_perisomatic\" (NEURON's define_shape places them) is not supported: leave 'axon' out of sections"
        ));
    }
    Ok(table)
}
