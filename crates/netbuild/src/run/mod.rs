//! The run around the pipeline: what a build is told and what it runs on, before and beside the
//! stages.
//!
//! In: what a front end (the binary, the Python module) read from its command line, the spec's
//! `[build]` table, the environment and the host, resolved once by [`settings::resolve`]. Out:
//! [`options::BuildOptions`] (with the memory [`budget::Budget`] of a rank, split into the
//! shares of a [`memory::MemoryPlan`]), the model's [`host`] view of the ranks, the process's
//! [`logging`], and the failure paths: [`fault`] injection for tests and [`stop`] on a signal
//! (which keeps the finished files for `--resume`); the process's [`resident`] memory.

pub mod budget;
pub mod fault;
pub(crate) mod host;
pub mod logging;
pub mod memory;
pub mod options;
pub mod resident;
pub mod settings;
pub mod stop;
