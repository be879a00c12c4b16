//! A run's settings, resolved once, in one place: the spec's `[build]` table, what a front end
//! was told ([`FrontEnd`]: the binary's flags, the Python module's keyword arguments), the
//! environment and the host ([`Environment`]) make the [`BuildOptions`] the rest of the
//! library takes.
//!
//! Two levels, as ripgrep has them: a front end parses its flags into a [`FrontEnd`] (values as
//! typed, strings unchecked) and reads the [`Environment`] once; [`resolve`] then checks them and
//! decides every setting, with one order of precedence: front end, then environment, then spec
//! ([`spec_options`]), then the defaults of [`BuildOptions::new`]. Nothing after it reads the
//! environment or a flag. The one setting left open is the memory budget's default, a share of
//! [`Environment::host_memory`] that depends on the ranks sharing the host, known only with the
//! ranks: [`BuildOptions::memory_plan`] closes it and splits the budget ([`super::memory`]).
//!
//! The library reads no environment variable but in [`Environment::read`]; only
//! [`BuildOptions::spill_dir`] falls back on the system temp dir (`TMPDIR`) through
//! [`std::env::temp_dir`].

use super::budget::{Budget, BudgetSource, HostMemory};
use super::fault::FaultPlan;
use super::options::{BuildOptions, Overwrite};
use netbuild_spec::{BuildSection, WRITER_EXPECTED};
use std::path::PathBuf;
use std::time::Duration;

/// What a front end was told for this run, as given (`None`: not given). The binary fills it
/// from its command line, the Python module from its keyword arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontEnd {
    /// Write here instead of the spec's `output_dir` (`-o`).
    pub output_dir: Option<PathBuf>,
    /// `--memory-budget`, as typed ("512 MiB"): over `[build] memory_budget`.
    pub memory_budget: Option<String>,
    /// `--spill-dir`: over `[build] spill_dir`.
    pub spill_dir: Option<PathBuf>,
    /// `--writer`, as typed: over `[build] writer`.
    pub writer: Option<String>,
    /// `check --ranks-per-host`: over `OMPI_COMM_WORLD_LOCAL_SIZE`.
    pub ranks_per_host: Option<usize>,
    /// Worker threads per rank (the Python module's `threads`).
    pub threads: Option<usize>,
    /// Seconds between progress lines: over `NETBUILD_PROGRESS_SECS`.
    pub progress_secs: Option<f64>,
    /// Which existing files may be replaced.
    pub overwrite: Option<Overwrite>,
    /// Whether an earlier build's files this one does not write are removed.
    pub remove_stale: Option<bool>,
    /// Recorded in every file's provenance (the binary: the spec file's SHA-256).
    pub spec_hash: Option<String>,
    /// `--strict`.
    pub strict: bool,
    /// `--resume`.
    pub resume: bool,
    /// Tests of `--resume` (see [`BuildOptions::stop_after_populations`]).
    pub stop_after_populations: Option<usize>,
    /// Tests of signals (see [`BuildOptions::pause_after_population`]).
    pub pause_after_population: Option<Duration>,
}

/// What the environment says, read once by a front end ([`Environment::read`]) or made by a
/// test.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// `OMPI_COMM_WORLD_LOCAL_SIZE`: OpenMPI's ranks on this machine, which share its cores.
    pub local_ranks: Option<usize>,
    /// `NETBUILD_PROGRESS_SECS`: seconds between progress lines (0 for none).
    pub progress_secs: Option<f64>,
    /// `NETBUILD_INJECT_FAULT` (tests of the failure path: `R` or `R:write`).
    pub fault: Option<FaultPlan>,
    /// What this host's job may use: `/proc/meminfo`, the cgroup's limit, `SLURM_MEM_PER_NODE`
    /// / `SLURM_MEM_PER_CPU` ([`HostMemory::read`]).
    pub host_memory: HostMemory,
}

impl Environment {
    /// Reads this process's environment variables and host memory.
    pub fn read() -> Environment {
        let var = |name: &str| std::env::var(name).ok();
        Environment {
            local_ranks: var("OMPI_COMM_WORLD_LOCAL_SIZE").and_then(|s| s.parse().ok()),
            progress_secs: var("NETBUILD_PROGRESS_SECS").and_then(|s| s.trim().parse().ok()),
            fault: var("NETBUILD_INJECT_FAULT").and_then(|s| FaultPlan::parse(&s)),
            host_memory: HostMemory::read(),
        }
    }
}

/// A setting a front end was given that means nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    /// `--memory-budget` is not a size.
    #[error("--memory-budget: expected a size like \"512 MiB\", found {0:?}")]
    MemoryBudget(String),
    /// `--writer` is none of the writers.
    #[error("--writer: expected {WRITER_EXPECTED}, found {0:?}")]
    Writer(String),
}

/// The options the spec's `[build]` table gives, the rest the defaults.
pub fn spec_options(build: &BuildSection) -> BuildOptions {
    BuildOptions {
        compression: build.compression,
        sort_edges_by: build.sort_edges_by,
        memory_budget: build.memory_budget.map(|bytes| Budget {
            bytes,
            source: BudgetSource::Spec,
        }),
        spill_dir: build.spill_dir.clone(),
        writer: build.writer,
        ..BuildOptions::new(build.output_dir.clone())
    }
}

/// The options of a run: `spec` (from [`spec_options`]) under what the environment `env` and
/// then the front end `front` say.
pub fn resolve(
    spec: BuildOptions,
    front: &FrontEnd,
    env: Environment,
) -> Result<BuildOptions, SettingsError> {
    let memory_budget = match &front.memory_budget {
        Some(typed) => Some(Budget {
            bytes: netbuild_spec::parse_size(typed)
                .ok_or_else(|| SettingsError::MemoryBudget(typed.clone()))?,
            source: BudgetSource::Cli,
        }),
        None => spec.memory_budget,
    };
    let writer = match &front.writer {
        Some(typed) => netbuild_spec::parse_writer(typed)
            .ok_or_else(|| SettingsError::Writer(typed.clone()))?,
        None => spec.writer,
    };
    Ok(BuildOptions {
        output_dir: front.output_dir.clone().unwrap_or(spec.output_dir),
        overwrite: front.overwrite.unwrap_or(spec.overwrite),
        remove_stale: front.remove_stale.unwrap_or(spec.remove_stale),
        memory_budget,
        host_memory: Some(env.host_memory),
        spill_dir: front.spill_dir.clone().or(spec.spill_dir),
        spec_text_hash: front.spec_hash.clone().or(spec.spec_text_hash),
        threads: front.threads.or(spec.threads),
        writer,
        strict: front.strict,
        ranks_on_machine: front.ranks_per_host.or(env.local_ranks),
        progress_secs: front.progress_secs.or(env.progress_secs),
        fault: env.fault,
        resume: front.resume,
        stop_after_populations: front.stop_after_populations,
        pause_after_population: front.pause_after_population,
        ..spec
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        Environment {
            local_ranks: Some(4),
            progress_secs: Some(2.0),
            fault: None,
            host_memory: HostMemory { limits: Vec::new() },
        }
    }

    fn spec() -> BuildOptions {
        let mut o = BuildOptions::new("from-spec");
        o.memory_budget = Some(Budget {
            bytes: 100,
            source: BudgetSource::Spec,
        });
        o
    }

    #[test]
    fn the_front_end_wins_over_the_environment_and_the_spec() {
        let front = FrontEnd {
            output_dir: Some("out".into()),
            memory_budget: Some("1 KiB".into()),
            writer: Some("rank0".into()),
            ranks_per_host: Some(2),
            progress_secs: Some(0.0),
            ..FrontEnd::default()
        };
        let o = resolve(spec(), &front, env()).unwrap();
        assert_eq!(o.output_dir, PathBuf::from("out"));
        assert_eq!(o.memory_budget.as_ref().map(|b| b.bytes), Some(1024));
        assert_eq!(o.memory_budget.map(|b| b.source), Some(BudgetSource::Cli));
        assert_eq!(o.writer, netbuild_types::Writer::Rank0);
        assert_eq!(o.ranks_on_machine, Some(2));
        assert_eq!(o.progress_secs, Some(0.0));
    }

    #[test]
    fn without_a_front_end_the_environment_then_the_spec() {
        let o = resolve(spec(), &FrontEnd::default(), env()).unwrap();
        assert_eq!(o.output_dir, PathBuf::from("from-spec"));
        assert_eq!(o.memory_budget.map(|b| b.source), Some(BudgetSource::Spec));
        assert_eq!(o.ranks_on_machine, Some(4));
        assert_eq!(o.progress_secs, Some(2.0));
        assert_eq!(o.host_memory, Some(HostMemory { limits: Vec::new() }));
    }

    #[test]
    fn a_setting_that_means_nothing_is_named() {
        let bad = |front: FrontEnd| resolve(spec(), &front, env()).unwrap_err().to_string();
        assert_eq!(
            bad(FrontEnd {
                memory_budget: Some("lots".into()),
                ..FrontEnd::default()
            }),
            "--memory-budget: expected a size like \"512 MiB\", found \"lots\""
        );
        assert_eq!(
            bad(FrontEnd {
                writer: Some("fast".into()),
                ..FrontEnd::default()
            }),
            format!("--writer: expected {WRITER_EXPECTED}, found \"fast\"")
        );
    }
}
