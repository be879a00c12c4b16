//! `netbuild-mpi report DIR [--spec SPEC.toml] [--group-by PROP]`: writes DIR/report.html, one
//! self-contained page of plots of the circuit's connectivity (the work is in `crates/report`).
//!
//! Exit codes: 0 written; 2 the spec given is wrong, or `--group-by` names a property no node
//! has; 1 anything else (no circuit there, a file cannot be read, the page cannot be written).

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A built circuit folder.
    pub dir: std::path::PathBuf,
    /// The spec the circuit was built from: adds the matrices expected from the rules beside
    /// the measured ones, each edge type's rule, and for the rules that depend on distance the
    /// measured connection probability against distance beside the rule's own curve.
    #[arg(long, value_name = "SPEC.toml")]
    pub spec: Option<std::path::PathBuf>,
    /// Random (source, target) pairs drawn per distance-dependent edge type to estimate the
    /// candidate pairs per distance bin.
    #[arg(long, default_value_t = 200_000, value_name = "N")]
    pub samples: usize,
    /// The node property whose values group the nodes of the connection matrices (source
    /// group × target group). Default: pop_name if the circuit has it, else one group per
    /// node population.
    #[arg(long, value_name = "PROP")]
    pub group_by: Option<String>,
}

pub fn main(args: &ReportArgs) -> ExitCode {
    let opts = netbuild_report::Options {
        spec: args.spec.clone(),
        samples: args.samples,
        group_by: args.group_by.clone(),
        ..netbuild_report::Options::default()
    };
    match netbuild_report::write_report(&args.dir, &opts) {
        Ok(w) => {
            for n in &w.notes {
                eprintln!("netbuild report: note: {n}");
            }
            println!(
                "wrote {} ({} charts, {} distance profiles, {} groups in the matrices{})",
                w.path.display(),
                w.charts,
                w.distance_profiles,
                w.groups,
                if w.expected { ", with expected" } else { "" }
            );
            ExitCode::SUCCESS
        }
        Err(netbuild_report::ReportError::Spec(e)) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(e @ netbuild_report::ReportError::GroupBy { .. }) => {
            eprintln!("netbuild: report: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("netbuild: report: {e}");
            ExitCode::FAILURE
        }
    }
}
