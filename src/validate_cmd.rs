//! `netbuild-mpi validate DIR`: checks a SONATA circuit folder (netbuild's or anyone's) with
//! `netbuild-validate`. Exit 0 and `ok: N populations, M edges checked` when clean; exit 2 with
//! one line per finding (`FILE: DATASET: what`) otherwise. Notes (sort order, optional parts
//! absent) go to the log (`RUST_LOG=info`, the default, shows them).

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The circuit folder (with circuit_config.json, or *_nodes.h5 / *_edges.h5 files).
    pub dir: std::path::PathBuf,
}

pub fn main(args: &ValidateArgs) -> ExitCode {
    let report = netbuild_validate::validate(&args.dir);
    for n in &report.notes {
        tracing::info!("note: {n}");
    }
    if report.is_ok() {
        println!(
            "ok: {} populations, {} edges checked",
            report.populations, report.edges
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "netbuild: {}: {} finding{}:",
            args.dir.display(),
            report.findings.len(),
            if report.findings.len() == 1 { "" } else { "s" }
        );
        for f in &report.findings {
            eprintln!("  {f}");
        }
        ExitCode::from(2)
    }
}
