//! netbuild: builds large neural-network circuits in the SONATA format, over MPI ranks.
//!
//! The pipeline, one module per stage:
//! spec ([`netbuild_spec`]) → model ([`netbuild_model`], [`from_spec`]) → rules
//! ([`generate`]) → edge tables/spill ([`netbuild_edges`]) → collator ([`collate`]) → writer
//! ([`write`], [`netbuild_sonata`]), with the output written aside
//! ([`output`]) and the work split by [`plan`]
//! (each target's estimated work from [`work`]).
//!
//! As a library: make a [`Circuit`] with the builder API (closures for custom rules), then
//! [`build`] it with a [`netbuild_comm::Comm`] (`Local` for one process).

#![warn(missing_docs)]

pub mod budget;
mod build;
pub mod collate;
pub mod estimate;
pub mod fault;
pub mod from_spec;
pub mod generate;
mod host;
pub mod imports_out;
pub mod issues;
pub mod logging;
pub mod manifest;
pub mod names;
pub mod options;
pub mod output;
pub mod plan;
pub mod progress;
pub mod projection;
pub mod resume;
pub mod sample;
pub mod setup;
pub mod stop;
pub mod work;
pub mod write;

pub use build::{build, BuildError, EdgeTypeSummary, PopulationSummary, Summary};
pub use fault::{FaultPlan, FaultStage};
pub use from_spec::circuit_from_spec;
pub use netbuild_comm as comm;
pub use netbuild_model as model;
pub use netbuild_model::Circuit;
pub use netbuild_spec as spec;
pub use options::BuildOptions;
