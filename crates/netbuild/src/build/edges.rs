//! The edges stage: each edges population in turn generated on every rank (its block of
//! targets through the rules into this rank's table), collated (one collective) and written
//! (by rank 0, or by every rank through parallel HDF5), its file's indices finished in the
//! background while the next population is generated; resuming, the populations a stopped
//! build finished are kept.
//!
//! In: the build ([`Build`]), the plan ([`EdgeSetup`]), the started [`Folder`] and the issues
//! found so far. Out: each population's summary, the files in the hidden folder (recorded in
//! the resume state as each is finished), and what the rules dropped or changed added to the
//! issues (an error on every rank if it stops the build).

use super::folder::Folder;
use super::record::finished;
use super::{stop_for, Build, BuildError, EdgeTypeSummary, PopulationSummary};
use crate::collate::{collate, RankCounts, SourceCounter};
use crate::generate::generate_block;
use crate::generate::progress::Progress;
use crate::output::resume::{FinishedFile, FinishedPopulation};
use crate::plan::setup::EdgeSetup;
use crate::plan::work::TargetWork;
use crate::plan::{split_targets, EdgePopulation};
use crate::run::fault::{self, FaultStage};
use crate::run::options::{BuildOptions, Compression, SortBy, Writer};
use crate::run::resident::{release_free_memory, resident_kib};
use crate::write::{
    edge_type_id, edge_types, write_edges, Destination, PendingIndex, WriteContext,
};
use netbuild_comm::{process_cpu_seconds, Comm};
use netbuild_model::Issues;
use netbuild_sonata as sonata;
use netbuild_spill::{EdgeTypesTable, SpillPolicy};
use std::ops::Range;
use std::path::Path;
use std::time::Instant;

/// *Collective.* Generates, collates and writes every edges population of `setup`, in order.
pub(super) fn write_populations(
    b: &Build,
    setup: &EdgeSetup,
    folder: &mut Folder,
    issues: &mut Issues,
) -> Result<Vec<PopulationSummary>, BuildError> {
    let (options, comm) = (b.options, b.comm);
    let policy = spill_policy(b);
    let parallel = use_parallel_writer(options, comm, &folder.partial)?;
    if parallel && options.writer == Writer::Parallel {
        if let Some(p) = setup.populations.iter().find(|p| p.has_strings()) {
            return Err(BuildError::Writer(format!(
                "{} has string properties, which parallel HDF5 cannot write (variable-length data)",
                p.name
            )));
        }
    }
    // Collective: the rank-0 writer compresses on every core of its host's ranks.
    let compressors = match options.compression {
        // (also when parallel: a population with strings is still written by rank 0)
        sonata::Compression::Gzip(_) => crate::write::host_compressors(comm),
        _ => None,
    };
    let ctx = WriteContext {
        comm,
        networks: b.networks,
        compression: options.compression,
        prov: &b.prov,
        spill_dir: &policy.dir,
        memory: &b.memory,
        sort_by: options.sort_edges_by,
        fault: options.fault.as_ref(),
        compressors,
    };
    let progress = Progress::new(comm.rank() == 0, options.progress_secs);
    let mut summaries = Vec::new();
    // The file being finished (its indices), and what it will add to the resume state.
    let mut pending: Option<(PendingIndex, FinishedPopulation)> = None;
    for (pop, work) in setup.populations.iter().zip(&setup.work) {
        let kept = folder
            .resumed
            .as_ref()
            .and_then(|r| r.populations.iter().find(|p| p.name == pop.name));
        if let Some(kept) = kept {
            tracing::info!(population = %pop.name, "resume: finished before the stop, kept");
            summaries.push(summary_of_kept(kept));
            folder.state.populations.push(kept.clone());
            continue;
        }
        let generated = generate(b, setup, pop, work, &policy, &progress, issues)?;
        summaries.push(write(
            b,
            &ctx,
            pop,
            generated,
            parallel,
            folder,
            &mut pending,
        )?);
    }
    if let Some((p, fin)) = pending.take() {
        finished(p, fin, folder, options)?;
    }
    Ok(summaries)
}

/// Where and past how many bytes the edge tables spill: the generation stage's share of a rank's
/// budget ([`MemoryPlan::edge_table`](crate::run::memory::MemoryPlan)).
fn spill_policy(b: &Build) -> SpillPolicy {
    if b.comm.rank() == 0 {
        tracing::info!("memory budget: {}", b.memory.budget);
    }
    SpillPolicy {
        dir: b.options.spill_dir(),
        budget: b.memory.edge_table,
    }
}

/// One population's rows on this rank, generated and counted, before the collator.
struct Generated {
    table: EdgeTypesTable,
    mine: RankCounts,
    sources: SourceCounter,
    /// Every rank's block of targets.
    blocks: Vec<Range<u64>>,
    spills: u64,
}

/// *Collective* (the issues are gathered over the ranks): this rank's block of `pop` through
/// its rules into a table spilled under `policy`; what the rules dropped or changed is added to
/// `issues`, or stops the build on every rank.
fn generate(
    b: &Build,
    setup: &EdgeSetup,
    pop: &EdgePopulation,
    work: &TargetWork,
    policy: &SpillPolicy,
    progress: &Progress,
    issues: &mut Issues,
) -> Result<Generated, BuildError> {
    let (options, comm) = (b.options, b.comm);
    let types = setup.types_of(pop);
    let blocks = split_targets(work, comm.size());
    let block = blocks[comm.rank()].clone();
    let layout = pop.table_layout();
    let mut table = EdgeTypesTable::new(&layout, policy.clone());
    let t0 = Instant::now();
    let cpu0 = process_cpu_seconds();
    let mut reporter = progress.population(&pop.name, &types, work, block.clone());
    let mut sources = SourceCounter::new(comm, b.networks[pop.source].n);
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
    stop_for(&found, options.strict, b.circuit)?;
    crate::generate::issues::log(comm, &found, b.circuit);
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
    if fault::injected(
        options.fault.as_ref(),
        comm.rank(),
        FaultStage::AfterGenerating,
    ) {
        return Err(BuildError::Injected(comm.rank()));
    }
    Ok(Generated {
        table,
        mine,
        sources,
        blocks,
        spills,
    })
}

/// *Collective.* Collates `g` and writes `pop`'s files (`parallel`: every rank, unless the
/// population has strings; else rank 0), after finishing the previous file (`pending`); this
/// file's indices are left `pending` in the background unless written in parallel. Returns the
/// population's summary.
fn write(
    b: &Build,
    ctx: &WriteContext,
    pop: &EdgePopulation,
    g: Generated,
    parallel: bool,
    folder: &mut Folder,
    pending: &mut Option<(PendingIndex, FinishedPopulation)>,
) -> Result<PopulationSummary, BuildError> {
    let (options, comm) = (b.options, b.comm);
    let (t1, cpu1) = (Instant::now(), process_cpu_seconds());
    let mut reader = g.table.finish()?;
    let collated = collate(comm, &g.mine, g.sources);
    // Parallel HDF5 writes no variable-length data: rank 0 writes a population with strings.
    let parallel = if parallel && pop.has_strings() {
        tracing::info!(population = %pop.name, "rank 0 writes it: string properties (parallel HDF5 writes no variable-length strings)");
        false
    } else {
        parallel
    };
    let writer = if parallel { "parallel" } else { "rank0" };
    tracing::info!(writer = %writer, "writing {} ...", pop.name);
    let dir = folder
        .out
        .as_ref()
        .map(|o| o.path().to_path_buf())
        .unwrap_or_default();
    let [edges_file, edge_types_file] = crate::output::names::edges_files(&pop.file_stem);
    let path = folder.partial.join(&edges_file);
    let to = if parallel {
        Destination::Parallel {
            path: &path,
            blocks: &g.blocks,
        }
    } else {
        Destination::Rank0 { dir: &dir }
    };
    // One file's indices at a time in the background: the previous one's first.
    if let Some((p, fin)) = pending.take() {
        finished(p, fin, folder, options)?;
    }
    let index = write_edges(ctx, pop, &mut reader, &collated, to)?;
    if let Some(out) = &folder.out {
        sonata::write_edge_types(
            &out.path().join(&edge_types_file),
            &edge_types(pop, b.circuit),
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
        finished(index, fin, folder, options)?;
    } else {
        *pending = Some((index, fin));
    }
    tracing::info!(population = %pop.name, rank = comm.rank(), rows = collated.n_edges(), seconds = t1.elapsed().as_secs_f64(), cpu_seconds = process_cpu_seconds() - cpu1, "edges written");
    tracing::debug!(rss = ?resident_kib(), "memory after writing");
    Ok(PopulationSummary {
        name: pop.name.clone(),
        rows: collated.n_edges(),
        synapses: collated.edge_type_synapses.iter().sum(),
        rows_on_this_rank: g.mine.rows,
        spills_on_this_rank: g.spills,
        edge_types,
    })
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
