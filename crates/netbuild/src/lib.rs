//! netbuild: builds large neural-network circuits in the SONATA format, over MPI ranks.
//!
//! The pipeline, one folder per stage, as [`build`] runs them:
//! spec ([`netbuild_spec`]) → model ([`netbuild_model`], [`from_spec`]) → [`plan`] (edge types
//! prepared, populations formed, one block of targets per rank) → [`generate`] (rules fill this
//! rank's edge table, spilled past the budget by [`netbuild_spill`]) → [`collate`] (one
//! collective: every rank learns what the file holds) → [`write`](mod@write)
//! ([`netbuild_sonata`]), into a folder written aside and put in place by [`output`]. Around
//! them, [`run`]: the options, the memory budget, logging, signals. `netbuild-mpi check` runs
//! the plan alone and counts what the build would make: [`estimate`].
//!
//! As a library: make a [`Circuit`] with the builder API (closures for custom rules), then
//! [`build`] it with a [`netbuild_comm::Comm`] (`Local` for one process).

#![warn(missing_docs)]

mod build;
pub mod collate;
pub mod estimate;
pub mod from_spec;
pub mod generate;
pub mod imports_out;
pub mod output;
pub mod plan;
pub mod run;
pub mod write;

pub use build::{build, BuildError, EdgeTypeSummary, PopulationSummary, Summary};
pub use from_spec::circuit_from_spec;
pub use netbuild_comm as comm;
pub use netbuild_model as model;
pub use netbuild_model::Circuit;
pub use netbuild_spec as spec;
pub use run::fault::{FaultPlan, FaultStage};
pub use run::options::BuildOptions;
