//! `netbuild-mpi report DIR [--spec SPEC.toml]`: writes DIR/report.html, one self-contained page
//! of plots of the circuit's connectivity (the work is in `crates/report`).
//!
//! Exit codes: 0 written; 2 the spec given is wrong; 1 anything else (no circuit there, a file
//! cannot be read, the page cannot be written).

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A built circuit folder.
    pub dir: std::path::PathBuf,
    /// The spec the circuit was built from: adds each edge type's rule, and for the rules that
    /// depend on distance the measured connection probability against distance beside the
    /// rule's own curve.
    #[arg(long, value_name = "SPEC.toml")]
    pub spec: Option<std::path::PathBuf>,
    /// Random (source, target) pairs drawn per distance-dependent edge type to estimate the
    /// candidate pairs per distance bin.
    #[arg(long, default_value_t = 200_000, value_name = "N")]
    pub samples: usize,
}

pub fn main(args: &ReportArgs) -> ExitCode {
    let opts = netbuild_report::Options {
        spec: args.spec.clone(),
        samples: args.samples,
        ..netbuild_report::Options::default()
    };
    match netbuild_report::write_report(&args.dir, &opts) {
        Ok(w) => {
            for n in &w.notes {
                eprintln!("netbuild report: note: {n}");
            }
            println!(
                "wrote {} ({} charts, {} distance profiles)",
                w.path.display(),
                w.charts,
                w.distance_profiles
            );
            ExitCode::SUCCESS
        }
        Err(netbuild_report::ReportError::Spec(e)) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("netbuild: report: {e}");
            ExitCode::FAILURE
        }
    }
}
