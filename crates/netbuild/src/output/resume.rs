//! What a stopped build keeps, so that `--resume` continues it: the resume state
//! `.netbuild-resume.json`, kept inside the build's hidden folder.
//!
//! In: the folder a build writes aside into (see [`crate::output`]), what made its files
//! ([`ResumeKey`]: spec hash, seed, ranks, memory budget, writer, netbuild version) and the files
//! finished so far. Out: [`ResumeState`], rewritten (atomically) by rank 0 after the nodes and
//! after each finished edge population, so that it is right whenever the build is stopped
//! (SIGTERM, SIGINT, even SIGKILL). A resumed build skips what the state lists and redoes the
//! rest; its files are the same bytes as an uninterrupted build's because every draw is keyed by
//! (seed, edge type, target), never by the order of work.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The resume state's file name, inside the hidden folder (never moved into the output folder).
pub const STATE_FILE: &str = ".netbuild-resume.json";

/// The hidden folder, inside the output folder, where a stopped build's finished files wait for
/// `--resume` (a stable name: the next run has another process id).
pub const RESUME_DIR: &str = ".netbuild-resume";

/// What must be the same for a build to continue another: anything else could change a byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeKey {
    /// `CARGO_PKG_VERSION` of the netbuild that wrote the files.
    pub netbuild_version: String,
    /// sha256 of the spec file's text (`None`: a circuit made through the API).
    pub spec_sha256: Option<String>,
    /// The circuit's seed.
    pub seed: u64,
    /// MPI ranks.
    pub ranks: usize,
    /// The memory budget per rank, in bytes (the default resolved).
    pub memory_budget: u64,
    /// `[build] writer` (`Auto`, `Rank0`, `Parallel`).
    pub writer: String,
    /// Compression and row order (`[build]`; part of the spec hash, repeated for API circuits).
    pub layout: String,
}

impl ResumeKey {
    /// One phrase per difference between the stopped build (`self`) and this one (`now`):
    /// empty when it may be resumed.
    pub fn differences(&self, now: &ResumeKey) -> Vec<String> {
        let mut out = Vec::new();
        let mut diff = |what: &str, then: String, now: String| {
            if then != now {
                out.push(format!("{what} {then} (now {now})"));
            }
        };
        diff(
            "netbuild version",
            self.netbuild_version.clone(),
            now.netbuild_version.clone(),
        );
        let hash = |h: &Option<String>| h.clone().unwrap_or_else(|| "none".into());
        diff(
            "spec sha256",
            hash(&self.spec_sha256),
            hash(&now.spec_sha256),
        );
        diff("seed", self.seed.to_string(), now.seed.to_string());
        diff("ranks", self.ranks.to_string(), now.ranks.to_string());
        diff(
            "memory budget (bytes per rank)",
            self.memory_budget.to_string(),
            now.memory_budget.to_string(),
        );
        diff("writer", self.writer.clone(), now.writer.clone());
        diff("layout", self.layout.clone(), now.layout.clone());
        out
    }
}

/// A finished file of the hidden folder, as it was when finished: a resumed build uses it only
/// if it is still so (size and modification time: hashing tens of GB would cost more than a
/// population).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishedFile {
    /// Path in the folder.
    pub name: String,
    /// Bytes.
    pub bytes: u64,
    /// Modification time, nanoseconds since 1970.
    pub modified_ns: u64,
}

impl FinishedFile {
    /// `name` in `dir`, as it is now.
    pub fn of(dir: &Path, name: &str) -> std::io::Result<FinishedFile> {
        let meta = std::fs::metadata(dir.join(name))?;
        let modified_ns = meta
            .modified()?
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Ok(FinishedFile {
            name: name.to_string(),
            bytes: meta.len(),
            modified_ns,
        })
    }

    /// Whether the file in `dir` is still the one recorded.
    fn unchanged(&self, dir: &Path) -> bool {
        FinishedFile::of(dir, &self.name).is_ok_and(|now| now == *self)
    }
}

/// What one edge type made, over all ranks: in the build's summary, and kept with a finished
/// population for the summary of a resumed build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeTypeSummary {
    /// Index in the circuit.
    pub index: usize,
    /// `edge_type_id` in the files (100, 101, ...).
    pub id: i64,
    /// Rows in the file.
    pub rows: u64,
    /// Synapses: its rows, or the sum of their `nsyns` for a per-pair edge type.
    pub synapses: u64,
}

/// A finished edge population: its files and what the summary says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishedPopulation {
    /// The population's name.
    pub name: String,
    /// Rows over all ranks.
    pub rows: u64,
    /// Synapses over all ranks.
    pub synapses: u64,
    /// Its edge types.
    pub edge_types: Vec<EdgeTypeSummary>,
    /// Its edges file and edge types table.
    pub files: Vec<FinishedFile>,
}

/// Everything a stopped build finished, and what made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeState {
    /// What made the files.
    pub key: ResumeKey,
    /// Edge populations of the whole build.
    pub total_populations: usize,
    /// The files written before any population (nodes files, imported networks' copies).
    pub nodes: Vec<FinishedFile>,
    /// The finished populations, in build order.
    pub populations: Vec<FinishedPopulation>,
}

/// A resume state that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The stopped build was another build.
    #[error(
        "cannot resume the stopped build kept in {path}: it differs from this one: {}; \
         run with the same spec, seed, ranks and --memory-budget, or without --resume to \
         start over (which removes it)",
        differences.join(", ")
    )]
    Mismatch {
        /// The kept folder.
        path: PathBuf,
        /// What differs.
        differences: Vec<String>,
    },
}

impl ResumeState {
    /// The state in the hidden folder `dir`; `None` when it has none or one netbuild cannot
    /// read (a state from another version is a [`ResumeError::Mismatch`] later, not here).
    pub fn read(dir: &Path) -> Option<ResumeState> {
        let text = std::fs::read_to_string(dir.join(STATE_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Replaces the state in `dir` atomically (written aside, then renamed).
    pub fn write(&self, dir: &Path) -> Result<(), ResumeError> {
        let path = dir.join(STATE_FILE);
        let aside = dir.join(format!("{STATE_FILE}.new"));
        let io = |source| ResumeError::Io {
            path: path.clone(),
            source,
        };
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&aside, text).map_err(io)?;
        std::fs::rename(&aside, &path).map_err(io)
    }

    /// For a broadcast to the other ranks.
    pub fn to_bytes(state: Option<&ResumeState>) -> Vec<u8> {
        state
            .and_then(|s| serde_json::to_vec(s).ok())
            .unwrap_or_default()
    }

    /// The inverse of [`ResumeState::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Option<ResumeState> {
        serde_json::from_slice(b).ok()
    }

    /// The names of every file the state lists.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.nodes
            .iter()
            .chain(self.populations.iter().flat_map(|p| &p.files))
            .map(|f| f.name.as_str())
    }

    /// Keeps what is still as recorded in `dir`: the node files all or none, each population
    /// with both its files or not at all (logged: it is made again).
    pub fn verified(mut self, dir: &Path) -> ResumeState {
        if !self.nodes.iter().all(|f| f.unchanged(dir)) {
            tracing::warn!(
                "resume: the kept nodes files changed since the stop: all is made again"
            );
            self.nodes.clear();
            self.populations.clear();
        }
        self.populations.retain(|p| {
            let ok = p.files.iter().all(|f| f.unchanged(dir));
            if !ok {
                tracing::warn!(population = %p.name, "resume: its kept files changed since the stop: made again");
            }
            ok
        });
        self
    }

    /// Whether the state keeps anything worth a resume: at least one finished population.
    pub fn worth_keeping(&self) -> bool {
        !self.populations.is_empty()
    }
}

/// Removes from the hidden folder `dir` every file `state` does not list (a file half written
/// when the build stopped), but the state itself; `None` removes every file.
pub fn remove_unlisted(dir: &Path, state: Option<&ResumeState>) {
    let listed: std::collections::BTreeSet<&str> =
        state.map(|s| s.files().collect()).unwrap_or_default();
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    if super::listing::walk(dir, "", &mut files, &mut dirs).is_err() {
        return;
    }
    for f in files {
        if f != STATE_FILE && !listed.contains(f.as_str()) {
            let _ = std::fs::remove_file(dir.join(&f));
        }
    }
    // Children before parents; only empty folders go.
    for d in dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir.join(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ResumeKey {
        ResumeKey {
            netbuild_version: "1".into(),
            spec_sha256: Some("ab".into()),
            seed: 1,
            ranks: 2,
            memory_budget: 100,
            writer: "Auto".into(),
            layout: "None Target".into(),
        }
    }

    #[test]
    fn differences_name_what_changed() {
        assert!(key().differences(&key()).is_empty());
        let now = ResumeKey {
            seed: 2,
            ranks: 3,
            ..key()
        };
        assert_eq!(
            key().differences(&now),
            ["seed 1 (now 2)", "ranks 2 (now 3)"]
        );
    }

    #[test]
    fn state_round_trips_and_changed_files_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "n_nodes.h5",
            "a_edges.h5",
            "a_edge_types.csv",
            "b_edges.h5",
            "half.h5",
        ] {
            std::fs::write(d.join(f), f).unwrap();
        }
        let rec = |n: &str| FinishedFile::of(d, n).unwrap();
        let pop = |name: &str, files: &[&str]| FinishedPopulation {
            name: name.into(),
            rows: 1,
            synapses: 1,
            edge_types: vec![],
            files: files.iter().map(|f| rec(f)).collect(),
        };
        let state = ResumeState {
            key: key(),
            total_populations: 3,
            nodes: vec![rec("n_nodes.h5")],
            populations: vec![
                pop("a", &["a_edges.h5", "a_edge_types.csv"]),
                pop("b", &["b_edges.h5"]),
            ],
        };
        state.write(d).unwrap();
        assert_eq!(ResumeState::read(d).as_ref(), Some(&state));
        let bytes = ResumeState::to_bytes(Some(&state));
        assert_eq!(ResumeState::from_bytes(&bytes).as_ref(), Some(&state));
        assert_eq!(ResumeState::from_bytes(&[]), None);

        std::fs::write(d.join("b_edges.h5"), "changed, longer").unwrap();
        let v = state.clone().verified(d);
        assert_eq!(v.populations.len(), 1);
        assert_eq!(v.populations[0].name, "a");
        remove_unlisted(d, Some(&v));
        let mut left: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [STATE_FILE, "a_edge_types.csv", "a_edges.h5", "n_nodes.h5"]
        );
    }
}
