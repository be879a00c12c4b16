//! `netbuild-mpi validate DIR`: checks a SONATA circuit folder.
//!
//! STATUS: not implemented yet.

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The circuit folder (with circuit_config.json, or *_nodes.h5 / *_edges.h5 files).
    pub dir: std::path::PathBuf,
}

pub fn main(args: &ValidateArgs) -> ExitCode {
    eprintln!("netbuild: `validate` is not implemented yet ({args:?})");
    ExitCode::FAILURE
}
