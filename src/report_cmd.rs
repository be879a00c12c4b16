//! `netbuild-mpi report DIR`: writes DIR/report.html.
//!
//! STATUS: not implemented yet.

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A built circuit folder.
    pub dir: std::path::PathBuf,
}

pub fn main(args: &ReportArgs) -> ExitCode {
    eprintln!("netbuild: `report` is not implemented yet ({args:?})");
    ExitCode::FAILURE
}
