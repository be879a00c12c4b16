//! Neuron morphologies for synapse placement: BMTK's `rand_syn_locations` without NEURON.
//!
//! In: an SWC file (`swc`), made into NEURON's sections as `Import3d` makes them (`import3d`),
//! then into the cell BMTK's `SWCReader` sees (`cell`: section order, lengths, distances,
//! segments, `fix_axon`). Out: a [`Placement`] per (cell, section types, distance range)
//! whose alias table of plain [`Slot`]s gives a [`Location`] (`afferent_section_id`,
//! `afferent_section_pos`, `afferent_swc_id`, `afferent_swc_pos`) in O(1) from one random
//! number ([`draw`]).
//!
//! ```
//! use netbuild_morphology::{Cell, CellOptions, Placement};
//! use std::path::Path;
//! let swc = "1 1 0 0 0 5 -1\n2 3 0 5 0 0.5 1\n3 3 0 50 0 0.5 2\n4 3 0 100 0 0.5 3\n";
//! let cell = Cell::from_swc(Path::new("m.swc"), swc, CellOptions::default()).unwrap();
//! let place = Placement::new(&cell, &["basal".into()], [0.0, 1e20]).unwrap();
//! assert_eq!(place.draw(12345).section_id, 1);
//! ```

mod cell;
mod coords;
mod error;
mod import3d;
mod place;
mod swc;

pub use cell::{Cell, CellOptions, NeuronSection, Segment};
pub use coords::SegmentCoords;
pub use error::MorphologyError;
pub use place::{
    draw, place_centre, rotation_xyz, section_type, swc_location, Location, Placement, Slot,
};
