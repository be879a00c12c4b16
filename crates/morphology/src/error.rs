//! What can go wrong reading a morphology or choosing where its synapses go.

use std::path::PathBuf;

/// A morphology that cannot be read, or a placement that cannot be made on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MorphologyError {
    /// The file cannot be read at all.
    #[error("{path}: cannot read the morphology: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
    /// A line of the file, or the tree it describes, is not what an SWC file holds.
    #[error("{path}:{line}: {message}")]
    Swc {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What was expected.
        message: String,
    },
    /// A section name that is none of BMTK's (`soma`/`somatic`, `axon`/`axonal`,
    /// `dend`/`basal`, `apic`/`apical`).
    #[error("unknown section name '{0}': expected one of soma, somatic, axon, axonal, dend, basal, apic, apical")]
    SectionName(String),
    /// No segment of the asked section types overlaps the distance range (BMTK divides by
    /// zero there).
    #[error("{path}: no segment of the sections {sections:?} lies within the distance range [{lo}, {hi}] um of the soma")]
    EmptyRange {
        /// The file.
        path: PathBuf,
        /// The asked section names.
        sections: Vec<String>,
        /// The range's start.
        lo: f64,
        /// The range's end.
        hi: f64,
    },
    /// A candidate section has no SWC point to name (BMTK's `get_swc_id` fails on it).
    #[error("{path}: section {section} has no SWC point of its own, so its synapses have no swc id (BMTK's get_swc_id fails there too)")]
    NoSwcPoint {
        /// The file.
        path: PathBuf,
        /// The NEURON section, e.g. `axon[1]`.
        section: String,
    },
}
