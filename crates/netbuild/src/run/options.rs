//! How to build: where to write, how to compress and sort, how much memory a rank may use.
//! Every setting comes in here, resolved by [`crate::run::settings::resolve`] from the spec, a
//! front end's flags, the environment and the host; the rest of the library reads nothing else.
//! Out, besides the fields: the rank's [`MemoryPlan`] ([`BuildOptions::memory_plan`]) once the
//! ranks sharing the host are known.

pub use crate::output::Overwrite;
use crate::run::budget::{Budget, HostMemory};
use crate::run::fault::FaultPlan;
use crate::run::memory::MemoryPlan;
pub use netbuild_types::{Compression, SortBy, Writer};
use std::path::PathBuf;

/// Everything a build needs besides the circuit and the ranks.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildOptions {
    /// Where the finished folder goes.
    pub output_dir: PathBuf,
    /// Which existing files of the output folder a build may replace (never one netbuild did
    /// not write).
    pub overwrite: Overwrite,
    /// Whether the files an earlier build wrote into the output folder (listed in its
    /// `.netbuild.json`) that this build does not write are removed: true for a whole circuit
    /// (the binary), false for writers that each save part of a folder (the Python front's
    /// `save_nodes` / `save_edges`). A spec with `[[import]]` blocks never removes: it adds to
    /// an existing circuit's folder.
    pub remove_stale: bool,
    /// How datasets are stored.
    pub compression: Compression,
    /// The order of rows in every edges file.
    pub sort_edges_by: SortBy,
    /// Bytes per rank as the user gave them (command line or spec); `None` = a share of
    /// [`BuildOptions::host_memory`].
    pub memory_budget: Option<Budget>,
    /// What this host's job may use (the machine, its cgroup, SLURM), read by
    /// [`crate::run::settings::Environment::read`]; `None` = the machine and its cgroup, read
    /// when needed.
    pub host_memory: Option<HostMemory>,
    /// `None` = the system temp dir.
    pub spill_dir: Option<PathBuf>,
    /// Recorded in every output file's provenance, when the circuit came from a spec.
    pub spec_text_hash: Option<String>,
    /// Worker threads per rank; `None` = the cores of the machine shared by the ranks on it.
    pub threads: Option<usize>,
    /// Who writes the edges files when there are several ranks.
    pub writer: Writer,
    /// Anything dropped or changed (a file's self-connections, a NaN probability, a clamped
    /// value: see `netbuild_model::IssueKind`) is an error, not a warning.
    pub strict: bool,
    /// Ranks sharing this machine's cores (the binary reads OpenMPI's
    /// `OMPI_COMM_WORLD_LOCAL_SIZE`); `None` = 1. Divides the cores in [`BuildOptions::threads`].
    pub ranks_on_machine: Option<usize>,
    /// Seconds between two progress lines in a log (the binary reads `NETBUILD_PROGRESS_SECS`;
    /// 0 turns progress off); `None` = [`crate::generate::progress::DEFAULT_SECS`].
    pub progress_secs: Option<f64>,
    /// Tests of the failure path: a rank that fails on purpose (the binary reads
    /// `NETBUILD_INJECT_FAULT`); `None` for a real build.
    pub fault: Option<FaultPlan>,
    /// Continue a stopped build of the same spec, seed, ranks and budget kept in the output
    /// folder (`--resume`; see [`crate::output::resume`]); with none, build from the start. `false`
    /// removes a stopped build's files and starts over.
    pub resume: bool,
    /// Tests of `--resume`: once this many edge populations are finished, rank 0 stops as on
    /// SIGTERM ([`crate::run::stop::stop_now`]: the process exits). `None` for a real build.
    pub stop_after_populations: Option<usize>,
    /// Tests of signals: rank 0 waits this long after each finished edge population (a signal
    /// then finds the build between populations however fast the machine). `None` for a real
    /// build.
    pub pause_after_population: Option<std::time::Duration>,
}

impl BuildOptions {
    /// Options for a library user: uncompressed, sorted by target, default budget.
    pub fn new(output_dir: impl Into<PathBuf>) -> Self {
        BuildOptions {
            output_dir: output_dir.into(),
            overwrite: Overwrite::Netbuilds,
            remove_stale: true,
            compression: Compression::None,
            sort_edges_by: SortBy::Target,
            memory_budget: None,
            host_memory: None,
            spill_dir: None,
            spec_text_hash: None,
            threads: None,
            writer: Writer::Auto,
            strict: false,
            ranks_on_machine: None,
            progress_secs: None,
            fault: None,
            resume: false,
            stop_after_populations: None,
            pause_after_population: None,
        }
    }

    /// Worker threads per rank: the machine's cores divided among the ranks that share it
    /// ([`BuildOptions::ranks_on_machine`]).
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let local = self.ranks_on_machine.unwrap_or(1);
            (cores / local.max(1)).max(1)
        })
    }

    /// The memory budget of one of `ranks_on_host` ranks sharing this host: the one given, else
    /// a share of [`BuildOptions::host_memory`] (see [`crate::run::budget`]).
    pub fn budget(&self, ranks_on_host: usize) -> Budget {
        match (&self.memory_budget, &self.host_memory) {
            (Some(b), _) => b.clone(),
            (None, Some(host)) => host.budget(ranks_on_host),
            (None, None) => HostMemory::read_machine().budget(ranks_on_host),
        }
    }

    /// The budget of one of `ranks_on_host` ranks sharing this host ([`BuildOptions::budget`]),
    /// split into the shares its consumers take.
    pub fn memory_plan(&self, ranks_on_host: usize) -> MemoryPlan {
        MemoryPlan::new(self.budget(ranks_on_host))
    }

    /// Where spill files go: `spill_dir`, else the system temp dir.
    pub fn spill_dir(&self) -> PathBuf {
        self.spill_dir.clone().unwrap_or_else(std::env::temp_dir)
    }
}
