//! `netbuild-mpi [build] SPEC`: the build, on every rank.

use clap::Args;
use netbuild::comm::Comm;
use netbuild::generate::issues::describe;
use netbuild::spec::Spec;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The spec file (see SPEC.md).
    #[arg(required = true)]
    spec: Option<PathBuf>,
    /// Write here instead of the spec's `output_dir`.
    #[arg(long, short = 'o', value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Override `[build] memory_budget` (e.g. "512 MiB").
    #[arg(long, value_name = "SIZE")]
    memory_budget: Option<String>,
    /// Override `[build] spill_dir`.
    #[arg(long, value_name = "DIR")]
    spill_dir: Option<PathBuf>,
    /// Override `[build] writer`: "auto", "rank0" or "parallel".
    #[arg(long, value_name = "WRITER")]
    writer: Option<String>,
    /// Fail (writing nothing) if anything would be dropped or changed: a file rule's
    /// self-connections, a NaN probability, a value clamped by its dtype, ...
    #[arg(long)]
    strict: bool,
    /// Continue a build stopped by SIGTERM, SIGUSR1 or Ctrl-C (its finished files wait in
    /// OUTPUT_DIR/.netbuild-resume): same spec, seed, ranks and memory budget, else refused
    /// with the reason. With nothing to continue, builds from the start. Without it, a stopped
    /// build's files are removed.
    #[arg(long)]
    resume: bool,
    /// Tests of --resume: rank 0 stops as on SIGTERM once N edge populations are finished.
    #[arg(long, value_name = "N", hide = true)]
    stop_after_populations: Option<usize>,
    /// Tests of signals: rank 0 waits MS milliseconds after each finished edge population, so
    /// that a signal sent then finds the build between two populations on any machine.
    #[arg(long, value_name = "MS", hide = true)]
    pause_after_population_ms: Option<u64>,
}

impl BuildArgs {
    /// What the command line says, for [`netbuild::run::settings::resolve`].
    fn front_end(&self, spec: &Spec) -> netbuild::run::settings::FrontEnd {
        netbuild::run::settings::FrontEnd {
            output_dir: self.output_dir.clone(),
            memory_budget: self.memory_budget.clone(),
            spill_dir: self.spill_dir.clone(),
            writer: self.writer.clone(),
            spec_hash: Some(spec.sha256.clone()),
            strict: self.strict,
            resume: self.resume,
            stop_after_populations: self.stop_after_populations,
            pause_after_population: self
                .pause_after_population_ms
                .map(std::time::Duration::from_millis),
            ..Default::default()
        }
    }
}

pub fn main(args: &BuildArgs) -> ExitCode {
    if !netbuild::comm::launched_as_mpi_rank() {
        // One process, no launcher: no MPI at all (its singleton start-up costs ~0.3 s and
        // tens of MB, more than a small circuit's whole build).
        return with_comm(args, &netbuild::comm::Local::new());
    }
    let comm = match netbuild::comm::init() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("netbuild: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = with_comm(args, &comm);
    drop(comm);
    code
}

fn with_comm(args: &BuildArgs, comm: &dyn Comm) -> ExitCode {
    netbuild::run::logging::init_logging(comm.rank());
    // A time limit (SIGTERM from SLURM or mpirun, SIGUSR1 sent ahead of it) or Ctrl-C: keep
    // the finished populations for --resume and exit (see netbuild::run::stop).
    netbuild::run::stop::keep_on_signals(&[
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGUSR1,
    ]);
    // A panic ends the job through MPI_Abort (the hook netbuild-comm installed): remove the
    // half-written folder first.
    let abort_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        netbuild::output::remove_in_progress();
        abort_hook(info)
    }));
    run(args, comm)
}

/// Prints `message` once (rank 0), for failures every rank finds identically.
fn report(comm: &dyn Comm, message: &str) {
    if comm.rank() == 0 {
        eprintln!("netbuild: {message}");
    }
}

fn run(cli: &BuildArgs, comm: &dyn Comm) -> ExitCode {
    let Some(spec_path) = &cli.spec else {
        return ExitCode::from(2);
    };
    // Every rank reads the same file: nothing to broadcast, and every rank finds the same errors.
    let spec = match load_spec(spec_path) {
        Ok(s) => s,
        Err(e) => {
            report(comm, &format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    for w in &spec.warnings {
        report(comm, &format!("warning: {w}"));
    }
    let (circuit, spec_options) = netbuild::circuit_from_spec(&spec);
    let env = netbuild::run::settings::Environment::read();
    let options = match netbuild::run::settings::resolve(spec_options, &cli.front_end(&spec), env) {
        Ok(o) => o,
        Err(e) => {
            report(comm, &format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    match netbuild::build(&circuit, &options, comm) {
        Ok(summary) => {
            if comm.rank() == 0 {
                print_summary(&summary, &circuit);
            }
            ExitCode::SUCCESS
        }
        Err(netbuild::BuildError::Model(e)) => {
            report(comm, &format!("error: {}", locate(&spec, &e)));
            ExitCode::from(2)
        }
        // Every rank found the same issues (they are gathered over the ranks).
        Err(netbuild::BuildError::Issues { issues, .. }) => {
            for i in &issues {
                let why = if i.kind.is_fatal() { "" } else { " (--strict)" };
                report(
                    comm,
                    &format!(
                        "error: {}: {}{why}",
                        issue_loc(&spec, i),
                        describe(i, &circuit)
                    ),
                );
            }
            ExitCode::from(2)
        }
        Err(
            e @ (netbuild::BuildError::Output { .. }
            | netbuild::BuildError::OutputElsewhere
            | netbuild::BuildError::Writer(_)),
        ) => {
            report(comm, &format!("error: {e}"));
            ExitCode::FAILURE
        }
        // Only this rank knows: end the whole job, naming the rank.
        Err(e) => comm.abort(1, &e.to_string()),
    }
}

/// A model error pointed at the spec block that caused it.
pub(crate) fn locate(spec: &Spec, e: &netbuild::model::ModelError) -> String {
    match e {
        netbuild::model::ModelError::EdgeType { edge_type, message } => {
            match spec.edges.get(*edge_type) {
                Some(block) => format!("{}: {message}", block.rule_loc),
                None => e.to_string(),
            }
        }
        netbuild::model::ModelError::NodeBlock { block, message } => match spec.nodes.get(*block) {
            Some(b) => format!("{}: {message}", b.positions_loc.as_ref().unwrap_or(&b.loc)),
            None => e.to_string(),
        },
        other => format!("{}: {other}", spec.path.display()),
    }
}

/// Reads and checks the spec, with the files its `[[import]]` blocks and `file` rules name
/// (the spec loader reads both).
pub(crate) fn load_spec(path: &Path) -> Result<Spec, netbuild::spec::SpecError> {
    netbuild::spec::load(path)
}

/// Where the spec says what an issue is about: the property's value, else the block's rule.
fn issue_loc(spec: &Spec, i: &netbuild::model::Issue) -> String {
    use netbuild::model::IssueKind;
    let Some(block) = spec.edges.get(i.edge_type) else {
        return spec.path.display().to_string();
    };
    match i.kind {
        IssueKind::Clamped(k) | IssueKind::NonFinite(k) => block
            .edge_props
            .get(k)
            .map_or(block.rule_loc.to_string(), |p| p.loc.to_string()),
        _ => block.rule_loc.to_string(),
    }
}

fn print_summary(s: &netbuild::Summary, circuit: &netbuild::Circuit) {
    use crate::render::{bytes, selection, thousands};
    let ranks = s.peak_memory.len().max(1);
    println!(
        "built {} in {:.2} s on {ranks} rank{}",
        s.output_dir.display(),
        s.seconds,
        if ranks == 1 { "" } else { "s" }
    );
    // (label, count, rows, synapses) lines, aligned together.
    let mut lines: Vec<(String, String, String)> = Vec::new();
    for (name, n) in &s.networks {
        lines.push((format!("nodes  {name}"), thousands(*n), String::new()));
    }
    for p in &s.edge_populations {
        lines.push((
            format!("edges  {}", p.name),
            format!("{} rows", thousands(p.rows)),
            format!("{} synapses", thousands(p.synapses)),
        ));
        for e in &p.edge_types {
            let label = circuit.edge_types.get(e.index).map_or(String::new(), |d| {
                format!(
                    "{} -> {} ({})",
                    selection(&d.source),
                    selection(&d.target),
                    d.rule.name()
                )
            });
            lines.push((
                format!("  {}  {label}", e.id),
                format!("{} rows", thousands(e.rows)),
                format!("{} synapses", thousands(e.synapses)),
            ));
        }
    }
    let w0 = lines.iter().map(|l| l.0.chars().count()).max().unwrap_or(0);
    let w1 = lines.iter().map(|l| l.1.len()).max().unwrap_or(0);
    let w2 = lines.iter().map(|l| l.2.len()).max().unwrap_or(0);
    for (a, b, c) in &lines {
        let line = format!("  {a:<w0$}  {b:>w1$}  {c:>w2$}");
        println!("{}", line.trim_end());
    }
    if let Some(max) = s.peak_memory.iter().max() {
        let per_rank: Vec<String> = s
            .peak_memory
            .iter()
            .enumerate()
            .map(|(r, &b)| format!("rank {r} {}", bytes(b as f64)))
            .collect();
        println!(
            "  peak memory (VmHWM): {} (max {})",
            per_rank.join(", "),
            bytes(*max as f64)
        );
    }
    if !s.issues.is_empty() {
        println!("  dropped or changed:");
        for i in &s.issues {
            println!("    {}", describe(i, circuit));
        }
    }
    let total: u64 = s.files.iter().map(|(_, b)| b).sum();
    println!("  files: {}, {}", s.files.len(), bytes(total as f64));
    let wf = s.files.iter().map(|f| f.0.len()).max().unwrap_or(0);
    for (name, b) in &s.files {
        println!("    {name:<wf$}  {:>10}", bytes(*b as f64));
    }
}
