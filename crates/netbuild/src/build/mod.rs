//! The whole build, as every rank runs it: nodes, then each edges population through rules →
//! table → collator → writer, then the type tables and circuit config.
//!
//! In: a [`Circuit`], [`BuildOptions`] and the group of ranks. Out: the finished output folder
//! (renamed into place by rank 0) and a [`Summary`].
//!
//! Errors that every rank finds identically (a rule that cannot be satisfied) are returned on
//! every rank before any work. What the rules drop or change is gathered over the ranks after
//! each population's generation: a value no simulator can use (or, with `strict`, anything
//! dropped or changed) is then an error returned on every rank, before that population is
//! written; the rest is logged and listed in the [`Summary`]. Errors only one rank can meet (a full spill disk) are returned
//! on that rank; the caller must then end the whole job (`Comm::abort`), since the others wait
//! in a collective.
//!
//! The stages, a file each, in the order [`build`] calls them: the plan (networks generated, edge
//! types prepared: [`crate::plan`]); `folder.rs`, the output folder started (or a stopped build
//! taken up); `nodes.rs`, the nodes files; `edges.rs`, each edges population generated,
//! collated and written; `finish.rs`, the configs written and the folder put in place;
//! `record.rs`, the resume state rank 0 keeps up to date between them.
//!
//! Rank 0 records what is finished (the nodes files, then each edge population's two files) in
//! the resume state of its hidden folder ([`crate::output::resume`]); with
//! `BuildOptions::resume` the populations a stopped build finished are skipped (their summary
//! comes from the state).

mod edges;
mod finish;
mod folder;
mod nodes;
mod record;

pub use crate::output::resume::EdgeTypeSummary;
use crate::output::OutputError;
use crate::plan::setup::prepare_edges_on;
use crate::run::host::CommHost;
use crate::run::memory::MemoryPlan;
use crate::run::options::BuildOptions;
use crate::run::resident::peak_resident_bytes;
use crate::write::WriteError;
use folder::Folder;
use netbuild_comm::Comm;
use netbuild_model::{generate_networks_on, Circuit, Issue, Issues, ModelError, Network};
use netbuild_sonata as sonata;
use netbuild_spill::TableError;
use std::path::PathBuf;
use std::time::Instant;

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The circuit cannot be built as described (found on every rank alike).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Rank 0 cannot create or fill the output folder, or would replace a file it may not.
    #[error("cannot write the output folder {path}: {source}")]
    Output {
        /// The output folder.
        path: PathBuf,
        /// Why.
        source: OutputError,
    },
    /// Another rank's view of [`BuildError::Output`]: rank 0 failed to create the folder.
    #[error("rank 0 could not create the output folder")]
    OutputElsewhere,
    /// An edge table could not spill or be read back.
    #[error("edge table: {0}")]
    Table(#[from] TableError),
    /// Writing an edges file failed.
    #[error("writing: {0}")]
    Write(#[from] WriteError),
    /// Writing a nodes file, a type table or a config failed.
    #[error("writing: {0}")]
    Sonata(#[from] sonata::SonataError),
    /// `writer = "parallel"` was asked for where it cannot work (the reason).
    #[error("writer = \"parallel\" cannot work here: {0}")]
    Writer(String),
    /// A test of the failure path asked this rank to fail after generating (see
    /// [`crate::run::fault`]).
    #[error("fault injected by NETBUILD_INJECT_FAULT on rank {0}")]
    Injected(usize),
    /// Values no simulator can use, or (with `strict`) anything dropped or changed; `message`
    /// has one line per issue (see [`crate::generate::issues::describe`]). Found on every rank
    /// alike.
    #[error("{message}")]
    Issues {
        /// The issues that stop the build.
        issues: Vec<Issue>,
        /// One line per issue.
        message: String,
    },
}

/// The error for `issues` if they stop the build: any fatal one, or any at all when `strict`.
fn stop_for(issues: &Issues, strict: bool, circuit: &Circuit) -> Result<(), BuildError> {
    if issues.is_empty() || !(strict || issues.any_fatal()) {
        return Ok(());
    }
    let stopping: Vec<Issue> = issues
        .iter()
        .filter(|i| strict || i.kind.is_fatal())
        .collect();
    let message = stopping
        .iter()
        .map(|i| crate::generate::issues::describe(i, circuit))
        .collect::<Vec<_>>()
        .join("\n");
    Err(BuildError::Issues {
        issues: stopping,
        message,
    })
}

/// What was built.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// (network, nodes).
    pub networks: Vec<(String, u64)>,
    /// (population, rows, synapses, rows made on this rank).
    pub edge_populations: Vec<PopulationSummary>,
    /// Where the folder is (the output folder, or where an import merged into).
    pub output_dir: PathBuf,
    /// Wall time of the build on this rank.
    pub seconds: f64,
    /// Peak resident memory (VmHWM) of each rank in bytes, in rank order (0 where unknown).
    pub peak_memory: Vec<u64>,
    /// The files written (name in the output folder, bytes), sorted by name; known on rank 0
    /// only (empty elsewhere).
    pub files: Vec<(String, u64)>,
    /// What was dropped or changed, over all ranks (the same on every rank).
    pub issues: Vec<Issue>,
}

/// What one edges population made.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSummary {
    /// The population's name.
    pub name: String,
    /// Rows over all ranks.
    pub rows: u64,
    /// Synapses: rows of per-synapse edge types plus `nsyns` of per-pair rows.
    pub synapses: u64,
    /// Rows this rank generated.
    pub rows_on_this_rank: u64,
    /// Times this rank's edge table spilled to disk.
    pub spills_on_this_rank: u64,
    /// Each of the population's edge types, in declaration order.
    pub edge_types: Vec<EdgeTypeSummary>,
}

/// What every stage of a build reads: the circuit, how to build it, the ranks, the generated
/// networks, the memory budget of a rank and the provenance written into every file.
struct Build<'a> {
    circuit: &'a Circuit,
    options: &'a BuildOptions,
    comm: &'a dyn Comm,
    networks: &'a [Network],
    /// The memory budget's shares. Per host: the ranks on this host share what it may use (not
    /// the world's ranks).
    memory: MemoryPlan,
    prov: sonata::Provenance,
}

/// Builds `circuit` into `options.output_dir`. Collective: every rank calls it.
pub fn build(
    circuit: &Circuit,
    options: &BuildOptions,
    comm: &dyn Comm,
) -> Result<Summary, BuildError> {
    let started = Instant::now();
    // Node columns and what is derived from them: one copy per host, made by its first rank.
    let host = CommHost(comm);
    let networks = generate_networks_on(circuit, &host)?;
    let setup = prepare_edges_on(circuit, &networks, &host)?;
    // Found while preparing, identically on every rank: never summed over ranks.
    let mut issues = Issues::default();
    for p in &setup.prepared {
        issues.merge(&p.issues);
    }
    stop_for(&issues, options.strict, circuit)?;
    crate::generate::issues::log(comm, &issues, circuit);

    let b = Build {
        circuit,
        options,
        comm,
        networks: &networks,
        memory: options.memory_plan(comm.ranks_on_host()),
        prov: provenance(circuit, options),
    };
    let mut folder = Folder::start(&b, &setup.populations)?;
    nodes::write_nodes(&b, &mut folder)?;
    let edge_populations = edges::write_populations(&b, &setup, &mut folder, &mut issues)?;
    let (output_dir, files) = finish::finish(&b, &setup.populations, folder)?;
    // Nobody reports success before the folder is in place.
    comm.barrier();
    crate::output::set_in_progress(None);
    let peak_memory = comm.all_gather_u64(peak_resident_bytes().unwrap_or(0));
    Ok(Summary {
        networks: networks.iter().map(|n| (n.name.clone(), n.n)).collect(),
        edge_populations,
        output_dir,
        seconds: started.elapsed().as_secs_f64(),
        peak_memory,
        files,
        issues: issues.iter().collect(),
    })
}

fn provenance(circuit: &Circuit, options: &BuildOptions) -> sonata::Provenance {
    let mut attrs = vec![
        (
            "netbuild_version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        ("netbuild_seed".to_string(), circuit.seed.to_string()),
    ];
    if let Some(h) = &options.spec_text_hash {
        attrs.push(("netbuild_spec_sha256".to_string(), h.clone()));
    }
    sonata::Provenance { attrs }
}
