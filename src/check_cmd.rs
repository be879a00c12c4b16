//! `netbuild-mpi check SPEC [-n RANKS] [--json]`: the build plan, without building.
//!
//! Validates the spec exactly as a build does (same messages, exit code 2), generates the
//! networks and prepares the edge types as a build does, then prints what the build would make
//! ([`netbuild::estimate`], rendered by [`crate::render::estimate`]): nodes per network; per edge type the rule, candidate pairs, and the
//! connections, synapses and rows (exact where the rule fixes them, else estimated); bytes per
//! file; and the edge table's memory on the busiest of RANKS ranks against the memory budget,
//! with where the budget came from (`--memory-budget`, the spec, or the default: a share of
//! `MemTotal`, the cgroup's limit or SLURM's, divided by the ranks on this host).
//! Writes nothing. Runs on one process (no MPI).

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The spec file.
    pub spec: std::path::PathBuf,
    /// Plan for this many ranks.
    #[arg(short = 'n', long, default_value_t = 1)]
    pub ranks: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Override `[build] memory_budget` (e.g. "512 MiB"), as for a build.
    #[arg(long, value_name = "SIZE")]
    pub memory_budget: Option<String>,
    /// Ranks on this host, which share its memory in the default budget (default: all of -n).
    #[arg(long, value_name = "N")]
    pub ranks_per_host: Option<usize>,
}

pub fn main(args: &CheckArgs) -> ExitCode {
    let spec = match crate::build_cmd::load_spec(&args.spec) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("netbuild: error: {e}");
            return ExitCode::from(2);
        }
    };
    for w in &spec.warnings {
        eprintln!("netbuild: warning: {w}");
    }
    let (circuit, spec_options) = netbuild::circuit_from_spec(&spec);
    // The memory this host's job may use (machine, cgroup, SLURM), as a build reads it.
    let front = netbuild::run::settings::FrontEnd {
        memory_budget: args.memory_budget.clone(),
        ranks_per_host: args.ranks_per_host,
        ..Default::default()
    };
    let env = netbuild::run::settings::Environment::read();
    let options = match netbuild::run::settings::resolve(spec_options, &front, env) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("netbuild: error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.ranks == 0 || args.ranks_per_host == Some(0) {
        eprintln!("netbuild: error: -n, --ranks-per-host: expected at least 1 rank");
        return ExitCode::from(2);
    }
    let networks = match netbuild::model::generate_networks(&circuit) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("netbuild: error: {}", crate::build_cmd::locate(&spec, &e));
            return ExitCode::from(2);
        }
    };
    let setup = match netbuild::plan::setup::prepare_edges(&circuit, &networks) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("netbuild: error: {}", crate::build_cmd::locate(&spec, &e));
            return ExitCode::from(2);
        }
    };
    for p in &setup.prepared {
        for i in p.issues.iter() {
            eprintln!(
                "netbuild: warning: {}",
                netbuild::generate::issues::describe(&i, &circuit)
            );
        }
    }
    let estimate = netbuild::estimate::estimate(&circuit, &networks, &setup, &options, args.ranks);
    let name = args.spec.display().to_string();
    if args.json {
        println!("{:#}", crate::render::estimate::json(&estimate, &name));
    } else {
        print!("{}", crate::render::estimate::text(&estimate, &name));
    }
    ExitCode::SUCCESS
}
