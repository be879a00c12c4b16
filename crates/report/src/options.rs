//! What the caller sets and what it gets back. In: [`Options`] (the spec to compare with, the
//! distance profiles' samples and bins, the property the matrices group nodes by). Out:
//! [`Written`] (the page's path and what it holds).

use std::path::PathBuf;

/// How the report is made: the spec it may compare with, the samples and bins of the distance
/// profiles, the property the matrices group nodes by.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec the circuit was built from: adds the distance profiles and the rules.
    pub spec: Option<PathBuf>,
    /// Random (source, target) pairs per distance-dependent edge type.
    pub samples: usize,
    /// Distance bins per profile.
    pub bins: usize,
    /// The node property the matrices group nodes by; `None`: [`DEFAULT_GROUP_BY`] if the
    /// circuit has it, else one group per node population.
    pub group_by: Option<String>,
}

/// The property the matrices group nodes by unless told otherwise.
pub const DEFAULT_GROUP_BY: &str = "pop_name";

impl Default for Options {
    fn default() -> Self {
        Options {
            spec: None,
            samples: 200_000,
            bins: 30,
            group_by: None,
        }
    }
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The page written (`DIR/report.html`).
    pub path: PathBuf,
    /// `<svg>` charts on the page.
    pub charts: usize,
    /// Distance profiles drawn (edge types whose rule depends on distance, with the spec).
    pub distance_profiles: usize,
    /// Groups in the matrices (rows and columns together).
    pub groups: usize,
    /// Whether the matrices have the rules' expected side.
    pub expected: bool,
    /// Things the reader should know (spec does not match the circuit, ...), also on the page.
    pub notes: Vec<String>,
}
