//! `netbuild-mpi check SPEC [-n RANKS]`: the build plan, without building.
//!
//! STATUS: not implemented yet.

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The spec file.
    pub spec: std::path::PathBuf,
    /// Plan for this many ranks.
    #[arg(short = 'n', long, default_value_t = 1)]
    pub ranks: usize,
}

pub fn main(args: &CheckArgs) -> ExitCode {
    eprintln!("netbuild: `check` is not implemented yet ({args:?})");
    ExitCode::FAILURE
}
