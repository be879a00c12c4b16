//! How to build: where to write, how to compress and sort, how much memory a rank may use.

pub use netbuild_types::{Compression, SortBy, Writer};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct BuildOptions {
    pub output_dir: PathBuf,
    pub compression: Compression,
    pub sort_edges_by: SortBy,
    /// Bytes per rank; `None` = a share of the machine's memory.
    pub memory_budget: Option<u64>,
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
}

impl BuildOptions {
    /// Options for a library user: uncompressed, sorted by target, default budget.
    pub fn new(output_dir: impl Into<PathBuf>) -> Self {
        BuildOptions {
            output_dir: output_dir.into(),
            compression: Compression::None,
            sort_edges_by: SortBy::Target,
            memory_budget: None,
            spill_dir: None,
            spec_text_hash: None,
            threads: None,
            writer: Writer::Auto,
            strict: false,
        }
    }

    /// Worker threads per rank: the machine's cores divided among the ranks that share it
    /// (OpenMPI says how many through `OMPI_COMM_WORLD_LOCAL_SIZE`).
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let local = std::env::var("OMPI_COMM_WORLD_LOCAL_SIZE")
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .unwrap_or(1);
            (cores / local.max(1)).max(1)
        })
    }

    /// The memory budget in bytes for one of `ranks` ranks on this machine.
    pub fn budget(&self, ranks: usize) -> u64 {
        self.memory_budget.unwrap_or_else(|| default_budget(ranks))
    }

    pub fn spill_dir(&self) -> PathBuf {
        self.spill_dir.clone().unwrap_or_else(std::env::temp_dir)
    }
}

/// A quarter of the machine's memory, shared by the ranks (they may share a node).
fn default_budget(ranks: usize) -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(8 << 30);
    (total / 4 / ranks.max(1) as u64).max(64 << 20)
}
