//! The build's start in its output folder, before any edge is made: every rank learns where rank
//! 0's hidden folder is (to clean it up if the job dies), rank 0 creates it (or takes up a stopped
//! build's for `--resume`) and checks that it may replace every file the build will write.
//!
//! In: the build ([`Build`]) and its edges populations. Out: a [`Folder`] on every rank: rank 0's
//! open output folder, what a stopped build finished (the same on every rank) and the resume
//! state this build starts from; or [`BuildError::Output`] on every rank alike.

use super::{Build, BuildError};
use crate::output::resume::{ResumeKey, ResumeState};
use crate::output::{InProgress, OutputDir, OutputPolicy, Start};
use crate::plan::EdgePopulation;
use crate::run::memory::MemoryPlan;
use crate::run::options::BuildOptions;
use netbuild_model::{Circuit, Network};
use std::path::{Path, PathBuf};

/// The output folder as every rank sees it once the build has started in it.
pub(super) struct Folder {
    /// Rank 0's output folder (`None` on the other ranks).
    pub out: Option<OutputDir>,
    /// Where rank 0 writes aside, on every rank.
    pub partial: PathBuf,
    /// What a stopped build finished, on every rank.
    pub resumed: Option<ResumeState>,
    /// What this build has finished, recorded by rank 0 for a stop to keep.
    pub state: ResumeState,
}

impl Folder {
    /// *Collective.* Starts the build of `populations` in `b.options.output_dir`.
    pub fn start(b: &Build, populations: &[EdgePopulation]) -> Result<Folder, BuildError> {
        let (circuit, options, comm) = (b.circuit, b.options, b.comm);
        // Every rank learns where rank 0's half-written folder will be before it exists (and
        // whether rank 0 creates the output folder), so that whichever rank mpirun sends SIGTERM
        // to when another one dies (even rank 0, by SIGKILL) can remove it.
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
        let key = resume_key(circuit, options, comm.size(), &b.memory);
        let start = if options.resume {
            Start::Resume(&key)
        } else {
            Start::Fresh
        };
        let mut resumed = None;
        let out = if comm.rank() == 0 {
            let planned = planned_files(circuit, b.networks, populations, &options.output_dir);
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
        let resumed = ResumeState::from_bytes(
            &comm.broadcast_bytes(0, &ResumeState::to_bytes(resumed.as_ref())),
        );
        let state = ResumeState {
            key,
            total_populations: populations.len(),
            nodes: Vec::new(),
            populations: Vec::new(),
        };
        Ok(Folder {
            out,
            partial,
            resumed,
            state,
        })
    }
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

/// The files a build of `circuit` writes into `target` (paths in the folder): each generated
/// network's two files, the copies of imported ones, each edge population's two, then the
/// configs (last: in a folder without manifest they are netbuild's only when its HDF5 files
/// are, so that a refusal names the HDF5 file at fault).
fn planned_files(
    circuit: &Circuit,
    networks: &[Network],
    populations: &[EdgePopulation],
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
