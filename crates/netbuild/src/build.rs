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
//! Rank 0 records what is finished (the nodes files, then each edge population's two files) in
//! the resume state of its hidden folder ([`crate::output::resume`]); with
//! `BuildOptions::resume` the populations a stopped build finished are skipped (their summary
//! comes from the state).

use crate::collate::{collate, RankCounts, SourceCounter};
use crate::generate::generate_block;
use crate::generate::progress::Progress;
pub use crate::output::resume::EdgeTypeSummary;
use crate::output::resume::{FinishedFile, FinishedPopulation, ResumeKey, ResumeState};
use crate::output::{InProgress, OutputDir, OutputError, OutputPolicy, Start};
use crate::plan::setup::prepare_edges_on;
use crate::plan::split_targets;
use crate::run::fault::{self, FaultStage};
use crate::run::host::CommHost;
use crate::run::memory::MemoryPlan;
use crate::run::options::{BuildOptions, Compression, SortBy, Writer};
use crate::write::{
    edge_type_id, edge_types, node_set_values, population_type, write_edges, write_network,
    Destination, WriteContext, WriteError,
};
use netbuild_comm::{process_cpu_seconds, Comm};
use netbuild_model::{generate_networks_on, Circuit, Issue, Issues, ModelError};
use netbuild_sonata as sonata;
use netbuild_spill::{EdgeTypesTable, SpillPolicy, TableError};
use std::path::{Path, PathBuf};
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
    let populations = &setup.populations;
    // Found while preparing, identically on every rank: never summed over ranks.
    let mut issues = Issues::default();
    for p in &setup.prepared {
        issues.merge(&p.issues);
    }
    stop_for(&issues, options.strict, circuit)?;
    crate::generate::issues::log(comm, &issues, circuit);

    // Every rank learns where rank 0's half-written folder will be before it exists (and
    // whether rank 0 creates the output folder), so that whichever rank mpirun sends SIGTERM to
    // when another one dies (even rank 0, by SIGKILL) can remove it.
    let plan = comm.broadcast_bytes(0, &InProgress::plan(&options.output_dir).to_bytes());
    let in_progress = InProgress::from_bytes(&plan);
    let partial = in_progress.partial.clone();
    crate::output::set_in_progress(Some(in_progress));
    // A root may leave a broadcast before the others have the data: only after this barrier
    // is every rank ready to clean up.
    comm.barrier();

    // Rank 0 alone writes files; all ranks learn whether it can (and may replace what is
    // there) before anyone works.
    let policy = OutputPolicy {
        overwrite: options.overwrite,
        // A spec that imports adds its files to an existing circuit's folder.
        remove_stale: options.remove_stale && circuit.imports.is_empty(),
    };
    // Per host: the ranks on this host share what it may use (not the world's ranks).
    let memory = options.memory_plan(comm.ranks_on_host());
    let key = resume_key(circuit, options, comm.size(), &memory);
    let start = if options.resume {
        Start::Resume(&key)
    } else {
        Start::Fresh
    };
    let mut resumed = None;
    let out = if comm.rank() == 0 {
        let planned = planned_files(circuit, &networks, populations, &options.output_dir);
        Some(
            OutputDir::create_for(&options.output_dir, policy, start).and_then(|(o, state)| {
                resumed = state;
                o.check(&planned).map(|()| o)
            }),
        )
    } else {
        None
    };
    let failed = matches!(out, Some(Err(_)));
    if comm.any(failed) {
        crate::output::set_in_progress(None);
        return Err(match out {
            Some(Err(source)) => BuildError::Output {
                path: options.output_dir.clone(),
                source,
            },
            _ => BuildError::OutputElsewhere,
        });
    }
    let out = out.and_then(Result::ok);
    // What a stopped build finished, on every rank.
    let resumed =
        ResumeState::from_bytes(&comm.broadcast_bytes(0, &ResumeState::to_bytes(resumed.as_ref())));
    let compression = options.compression;
    let prov = provenance(circuit, options);
    // What this build has finished, recorded by rank 0 for a stop to keep.
    let mut state = ResumeState {
        key,
        total_populations: populations.len(),
        nodes: Vec::new(),
        populations: Vec::new(),
    };
    let nodes_kept = resumed.as_ref().is_some_and(|r| !r.nodes.is_empty());

    if let (Some(out), true) = (&out, nodes_kept) {
        state.nodes = resumed
            .as_ref()
            .map(|r| r.nodes.clone())
            .unwrap_or_default();
        tracing::info!("resume: the nodes files are kept");
        record(out, &state, options)?;
    } else if let Some(out) = &out {
        for net in &networks {
            if crate::imports_out::is_imported(circuit, &net.name) {
                continue;
            }
            write_network(out.path(), net, compression, &prov)?;
            tracing::info!(network = %net.name, nodes = net.n, "nodes written");
        }
        crate::imports_out::place(circuit, out.path(), out.target(), &prov)?;
        state.nodes = files_in(out.path())?;
        record(out, &state, options)?;
    }

    if comm.rank() == 0 {
        tracing::info!("memory budget: {}", memory.budget);
    }
    let spill_dir = options.spill_dir();
    // Each population's edge table takes the generation stage's share.
    let policy = SpillPolicy {
        dir: spill_dir.clone(),
        budget: memory.edge_table,
    };
    let parallel = use_parallel_writer(options, comm, &partial)?;
    if parallel && options.writer == Writer::Parallel {
        if let Some(p) = populations.iter().find(|p| p.has_strings()) {
            return Err(BuildError::Writer(format!(
                "{} has string properties, which parallel HDF5 cannot write (variable-length data)",
                p.name
            )));
        }
    }
    // Collective: the rank-0 writer compresses on every core of its host's ranks.
    let compressors = match compression {
        // (also when parallel: a population with strings is still written by rank 0)
        sonata::Compression::Gzip(_) => crate::write::host_compressors(comm),
        _ => None,
    };
    let ctx = WriteContext {
        comm,
        networks: &networks,
        compression,
        prov: &prov,
        spill_dir: &spill_dir,
        memory: &memory,
        sort_by: options.sort_edges_by,
        fault: options.fault.as_ref(),
        compressors,
    };
    let progress = Progress::new(comm.rank() == 0, options.progress_secs);
    let mut pop_summaries = Vec::new();
    // The file being finished (its indices), and what it will add to the resume state.
    let mut pending: Option<(crate::write::PendingIndex, FinishedPopulation)> = None;
    for (pop, work) in populations.iter().zip(&setup.work) {
        let kept = resumed
            .as_ref()
            .and_then(|r| r.populations.iter().find(|p| p.name == pop.name));
        if let Some(kept) = kept {
            tracing::info!(population = %pop.name, "resume: finished before the stop, kept");
            pop_summaries.push(summary_of_kept(kept));
            state.populations.push(kept.clone());
            continue;
        }
        let types = setup.types_of(pop);
        let blocks = split_targets(work, comm.size());
        let block = blocks[comm.rank()].clone();
        let layout = pop.table_layout();
        let mut table = EdgeTypesTable::new(&layout, policy.clone());
        let t0 = Instant::now();
        let cpu0 = process_cpu_seconds();
        let mut reporter = progress.population(&pop.name, &types, work, block.clone());
        let mut sources = SourceCounter::new(comm, networks[pop.source].n);
        let counts = generate_block(
            &types,
            work,
            block.clone(),
            &mut sources,
            &mut table,
            options.threads(),
            |targets, rows| reporter.update(targets, rows),
        )?;
        reporter.finish();
        let found = crate::generate::issues::gather(comm, &counts.issues);
        stop_for(&found, options.strict, circuit)?;
        crate::generate::issues::log(comm, &found, circuit);
        issues.merge(&found);
        let mine = RankCounts {
            rows: table.rows(),
            group_rows: table.group_rows().to_vec(),
            edge_type_rows: counts.edge_type_rows,
            edge_type_synapses: counts.edge_type_synapses,
        };
        let spills = table.spills();
        tracing::info!(population = %pop.name, rank = comm.rank(), targets = ?block, rows = mine.rows, spills, seconds = t0.elapsed().as_secs_f64(), cpu_seconds = process_cpu_seconds() - cpu0, "edges generated");
        release_free_memory();
        tracing::debug!(rss = ?resident_kib(), "memory after generation");
        // Tests of the failure path: this rank stops while the others wait in the collator.
        if fault::injected(ctx.fault, comm.rank(), FaultStage::AfterGenerating) {
            return Err(BuildError::Injected(comm.rank()));
        }
        let (t1, cpu1) = (Instant::now(), process_cpu_seconds());
        let mut reader = table.finish()?;
        let collated = collate(comm, &mine, sources);
        // Parallel HDF5 writes no variable-length data: rank 0 writes a population with strings.
        let parallel = if parallel && pop.has_strings() {
            tracing::info!(population = %pop.name, "rank 0 writes it: string properties (parallel HDF5 writes no variable-length strings)");
            false
        } else {
            parallel
        };
        let writer = if parallel { "parallel" } else { "rank0" };
        tracing::info!(writer = %writer, "writing {} ...", pop.name);
        let dir = out
            .as_ref()
            .map(|o| o.path().to_path_buf())
            .unwrap_or_default();
        let [edges_file, edge_types_file] = crate::output::names::edges_files(&pop.file_stem);
        let path = partial.join(&edges_file);
        let to = if parallel {
            Destination::Parallel {
                path: &path,
                blocks: &blocks,
            }
        } else {
            Destination::Rank0 { dir: &dir }
        };
        // One file's indices at a time in the background: the previous one's first.
        if let Some((p, fin)) = pending.take() {
            finished(p, fin, out.as_ref(), &mut state, options)?;
        }
        let index = write_edges(&ctx, pop, &mut reader, &collated, to)?;
        if let Some(out) = &out {
            sonata::write_edge_types(
                &out.path().join(&edge_types_file),
                &edge_types(pop, circuit),
            )?;
        }
        let edge_types: Vec<EdgeTypeSummary> = pop
            .edge_types
            .iter()
            .enumerate()
            .map(|(l, &index)| EdgeTypeSummary {
                index,
                id: edge_type_id(index),
                rows: collated.edge_type_rows[l],
                synapses: collated.edge_type_synapses[l],
            })
            .collect();
        let fin = FinishedPopulation {
            name: pop.name.clone(),
            rows: collated.n_edges(),
            synapses: collated.edge_type_synapses.iter().sum(),
            edge_types: edge_types.clone(),
            files: vec![edges_file, edge_types_file]
                .into_iter()
                .map(|name| FinishedFile {
                    name,
                    bytes: 0,
                    modified_ns: 0,
                })
                .collect(),
        };
        if parallel {
            // Nothing left in the background: finished now, not after the next population.
            finished(index, fin, out.as_ref(), &mut state, options)?;
        } else {
            pending = Some((index, fin));
        }
        tracing::info!(population = %pop.name, rank = comm.rank(), rows = collated.n_edges(), seconds = t1.elapsed().as_secs_f64(), cpu_seconds = process_cpu_seconds() - cpu1, "edges written");
        tracing::debug!(rss = ?resident_kib(), "memory after writing");
        pop_summaries.push(PopulationSummary {
            name: pop.name.clone(),
            rows: collated.n_edges(),
            synapses: collated.edge_type_synapses.iter().sum(),
            rows_on_this_rank: mine.rows,
            spills_on_this_rank: spills,
            edge_types,
        });
    }

    if let Some((p, fin)) = pending.take() {
        finished(p, fin, out.as_ref(), &mut state, options)?;
    }
    let mut output_dir = options.output_dir.clone();
    let mut files = Vec::new();
    if let Some(out) = out {
        let node_sets: Vec<_> = networks.iter().map(node_set_values).collect();
        let config = circuit_config(circuit, &networks, populations, out.target());
        write_configs(out.path(), &config, &node_sets)?;
        let committed = out
            .commit(&crate::output::manifest::Provenance {
                spec_sha256: options.spec_text_hash.clone(),
            })
            .map_err(|source| BuildError::Output {
                path: options.output_dir.clone(),
                source,
            })?;
        output_dir = committed.dir;
        files = committed.files;
    }
    // Nobody reports success before the folder is in place.
    comm.barrier();
    crate::output::set_in_progress(None);
    let peak_memory = comm.all_gather_u64(peak_resident_bytes().unwrap_or(0));
    Ok(Summary {
        networks: networks.iter().map(|n| (n.name.clone(), n.n)).collect(),
        edge_populations: pop_summaries,
        output_dir,
        seconds: started.elapsed().as_secs_f64(),
        peak_memory,
        files,
        issues: issues.iter().collect(),
    })
}

/// What a stopped build must share with this one to be continued by it (the memory budget per
/// rank as the build takes it: a share of what the host's job may use).
fn resume_key(
    circuit: &Circuit,
    options: &BuildOptions,
    ranks: usize,
    memory: &MemoryPlan,
) -> ResumeKey {
    ResumeKey {
        netbuild_version: env!("CARGO_PKG_VERSION").to_string(),
        spec_sha256: options.spec_text_hash.clone(),
        seed: circuit.seed,
        ranks,
        memory_budget: memory.budget.bytes,
        writer: format!("{:?}", options.writer),
        layout: format!("{:?} {:?}", options.compression, options.sort_edges_by),
    }
}

/// Writes the resume state into the hidden folder (rank 0); the test hook
/// [`BuildOptions::stop_after_populations`] then stops the build as SIGTERM would.
fn record(out: &OutputDir, state: &ResumeState, options: &BuildOptions) -> Result<(), BuildError> {
    out.record(state).map_err(|source| BuildError::Output {
        path: options.output_dir.clone(),
        source,
    })?;
    if options.stop_after_populations == Some(state.populations.len()) {
        crate::run::stop::stop_now(signal_hook::consts::SIGTERM);
    }
    if let Some(pause) = options
        .pause_after_population
        .filter(|_| !state.populations.is_empty())
    {
        std::thread::sleep(pause);
    }
    Ok(())
}

/// Waits for the file of a population to be complete (`index`), then (rank 0: `out`) adds it
/// to the resume state with its files as they are now, and records the state.
fn finished(
    index: crate::write::PendingIndex,
    mut fin: FinishedPopulation,
    out: Option<&OutputDir>,
    state: &mut ResumeState,
    options: &BuildOptions,
) -> Result<(), BuildError> {
    index.wait()?;
    let Some(out) = out else {
        return Ok(());
    };
    let io = |source| BuildError::Output {
        path: options.output_dir.clone(),
        source: OutputError::Io {
            path: out.path().to_path_buf(),
            source,
        },
    };
    for f in &mut fin.files {
        *f = FinishedFile::of(out.path(), &f.name).map_err(io)?;
    }
    state.populations.push(fin);
    record(out, state, options)
}

/// The files in the hidden folder `dir` now (the nodes files and imported copies, written
/// before any population), as the resume state lists them.
fn files_in(dir: &Path) -> Result<Vec<FinishedFile>, BuildError> {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    let fail = |source| BuildError::Output {
        path: dir.to_path_buf(),
        source,
    };
    crate::output::walk(dir, "", &mut files, &mut dirs).map_err(fail)?;
    files
        .iter()
        .filter(|f| !f.starts_with(crate::output::resume::STATE_FILE))
        .map(|f| {
            FinishedFile::of(dir, f).map_err(|source| {
                fail(OutputError::Io {
                    path: dir.join(f),
                    source,
                })
            })
        })
        .collect()
}

/// The summary line of a population a stopped build finished (rows made on this rank: none).
fn summary_of_kept(kept: &FinishedPopulation) -> PopulationSummary {
    PopulationSummary {
        name: kept.name.clone(),
        rows: kept.rows,
        synapses: kept.synapses,
        rows_on_this_rank: 0,
        spills_on_this_rank: 0,
        edge_types: kept.edge_types.clone(),
    }
}

/// Whether the ranks write edges files together through parallel HDF5 (collective: every rank
/// gets the same answer). `auto` picks it for an MPI job of several ranks whose rows are
/// sorted by target and whose ranks all see the output folder (a shared filesystem); else
/// rank 0 writes. `parallel` insists, and is an error where it cannot work.
fn use_parallel_writer(
    options: &BuildOptions,
    comm: &dyn Comm,
    partial: &Path,
) -> Result<bool, BuildError> {
    let wanted = match options.writer {
        Writer::Rank0 => return Ok(false),
        Writer::Parallel => true,
        Writer::Auto => false,
    };
    if comm.size() == 1 || comm.raw_mpi_world().is_none() {
        return Ok(false);
    }
    // gzip with every rank on one host: rank 0 compresses with libdeflate on all the host's
    // cores (the others only send rows), several times faster than parallel HDF5, where each
    // rank compresses its chunks with zlib inside the collective write (docs/SCALING.md, "gzip:
    // what each choice costs"). Across hosts the parallel writer uses every host's cores.
    if !wanted
        && matches!(options.compression, Compression::Gzip(_))
        && comm.ranks_on_host() == comm.size()
    {
        tracing::info!("rank 0 writes the edges files: gzip, every rank on this host");
        return Ok(false);
    }
    let why_not = if options.sort_edges_by != SortBy::Target {
        Some("edges sorted by source are sorted by rank 0")
    } else if !comm.all(partial.is_dir()) {
        Some("not every rank sees the output folder (no shared filesystem)")
    } else {
        None
    };
    match why_not {
        None => Ok(true),
        Some(reason) if wanted => Err(BuildError::Writer(reason.to_string())),
        Some(reason) => {
            tracing::info!("rank 0 writes the edges files: {reason}");
            Ok(false)
        }
    }
}

/// This process's peak resident memory (VmHWM of /proc/self/status), in bytes.
fn peak_resident_bytes() -> Option<u64> {
    Some(status_kib("VmHWM:")? * 1024)
}

/// A memory field of /proc/self/status (`"VmRSS:"`, `"VmHWM:"`), in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Gives the heap memory that generation freed back to the system before writing starts.
///
/// Why: the worker threads' run buffers are freed into their own malloc arenas, which glibc
/// keeps mapped; without this they would count twice towards the peak, once during
/// generation and again under the writer's buffers and indices.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; no pointer is involved.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// This process's (VmRSS, VmHWM) in KiB, for debug logs.
fn resident_kib() -> Option<(u64, u64)> {
    Some((status_kib("VmRSS:")?, status_kib("VmHWM:")?))
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

/// Writes the folder's `node_sets.json` (from `node_sets`), `circuit_config.json` and
/// `simulation_config.json` (naming `config`'s files). Rank 0 only.
pub(crate) fn write_configs(
    dir: &Path,
    config: &sonata::CircuitConfig,
    node_sets: &[sonata::PopulationValues],
) -> Result<(), BuildError> {
    let sets = sonata::NodeSets::of(node_sets);
    for (name, why) in &sets.skipped {
        tracing::warn!("node_sets.json: no set named '{name}': {why}");
    }
    sonata::write_node_sets(dir, &sets)?;
    sonata::write_circuit_config(dir, config)?;
    // netbuild has no spec key for the run: NEST and BMTK need one, users edit it.
    let run = sonata::RunParams {
        tstop_ms: 1000.0,
        dt_ms: 0.1,
    };
    sonata::write_simulation_config(dir, config, run)?;
    Ok(())
}

/// The circuit config: every network (imported ones where they are or were copied to), the
/// edges joining imported networks that were there already, and the new edge populations.
fn circuit_config(
    circuit: &Circuit,
    networks: &[netbuild_model::Network],
    populations: &[crate::plan::EdgePopulation],
    target: &Path,
) -> sonata::CircuitConfig {
    let new_populations: Vec<(String, String)> = populations
        .iter()
        .map(|p| {
            let [h5, _] = crate::output::names::edges_files(&p.file_stem);
            (p.name.clone(), h5)
        })
        .collect();
    let kept = crate::imports_out::kept_edges(circuit, networks, &new_populations, target);
    sonata::CircuitConfig {
        nodes: networks
            .iter()
            .map(
                |n| match circuit.imports.iter().find(|i| i.network == n.name) {
                    Some(imp) => crate::imports_out::nodes_entry(imp, n),
                    None => {
                        let [h5, csv] = crate::output::names::nodes_files(&n.name);
                        sonata::NodesEntry {
                            nodes_file: h5,
                            node_types_file: Some(csv),
                            populations: vec![(n.name.clone(), population_type(n))],
                        }
                    }
                },
            )
            .collect(),
        edges: kept
            .into_iter()
            .chain(populations.iter().map(|p| {
                let all_gap = p
                    .edge_types
                    .iter()
                    .all(|&i| circuit.edge_types[i].gap.is_some());
                let [h5, csv] = crate::output::names::edges_files(&p.file_stem);
                sonata::EdgesEntry {
                    edges_file: h5,
                    edge_types_file: Some(csv),
                    populations: vec![(
                        p.name.clone(),
                        if all_gap { "electrical" } else { "chemical" }.to_string(),
                    )],
                }
            }))
            .collect(),
        node_sets_file: Some(sonata::NODE_SETS.to_string()),
    }
}

/// The files a build of `circuit` writes into `target` (paths in the folder): each generated
/// network's two files, the copies of imported ones, each edge population's two, then the
/// configs (last: in a folder without manifest they are netbuild's only when its HDF5 files
/// are, so that a refusal names the HDF5 file at fault).
fn planned_files(
    circuit: &Circuit,
    networks: &[netbuild_model::Network],
    populations: &[crate::plan::EdgePopulation],
    target: &Path,
) -> Vec<String> {
    let mut files = Vec::new();
    for n in networks {
        if !crate::imports_out::is_imported(circuit, &n.name) {
            files.extend(crate::output::names::nodes_files(&n.name));
        }
    }
    files.extend(crate::imports_out::copied_files(circuit, target));
    for p in populations {
        files.extend(crate::output::names::edges_files(&p.file_stem));
    }
    files.extend(crate::output::names::CONFIGS.map(String::from));
    files
}
