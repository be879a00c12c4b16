//! `netbuild-mpi`: builds the SONATA circuit a `spec.toml` describes, on one process or under
//! `mpirun -n K`, and the tools around it (`check`, `validate`, `report`). A thin layer: parse
//! the command line, hand the work to the library crates, turn failures into messages and exit
//! codes.
//!
//! Exit codes: 0 success; 2 the spec (or the circuit it describes) is wrong, found before any
//! work (for `validate`: the circuit has findings); 1 anything else (output folder not writable,
//! a rank failed).

mod build_cmd;
mod check_cmd;
mod render;
mod report_cmd;
mod validate_cmd;

use clap::{Parser, Subcommand};
use netbuild::run::logging::init_logging;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "netbuild-mpi",
    version,
    about = "Builds a SONATA circuit from a spec.toml, on one process or under mpirun",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `netbuild-mpi SPEC` is `netbuild-mpi build SPEC`.
    #[command(flatten)]
    build: build_cmd::BuildArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the circuit of a spec (the default command).
    Build(build_cmd::BuildArgs),
    /// Check a spec and print the build plan, without building.
    Check(check_cmd::CheckArgs),
    /// Check a SONATA circuit folder (netbuild's or anyone's) and list what is wrong.
    Validate(validate_cmd::ValidateArgs),
    /// Write DIR/report.html: plots of a built circuit's connectivity.
    Report(report_cmd::ReportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => build_cmd::main(&cli.build),
        Some(Command::Build(args)) => build_cmd::main(&args),
        Some(Command::Check(args)) => {
            init_logging(0);
            check_cmd::main(&args)
        }
        Some(Command::Validate(args)) => {
            init_logging(0);
            validate_cmd::main(&args)
        }
        Some(Command::Report(args)) => {
            init_logging(0);
            report_cmd::main(&args)
        }
    }
}
