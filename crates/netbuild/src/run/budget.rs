//! The memory budget of one rank, and where it came from.
//!
//! In: a budget the user gave (`--memory-budget`, `[build] memory_budget`), or else what this
//! host's job may use ([`HostMemory`]: the machine's `MemTotal`, capped by the job's cgroup and
//! by SLURM's memory variables), shared by the ranks on this host. Out: a [`Budget`], bytes and
//! [`BudgetSource`], which `check` prints and a build logs, and which
//! [`super::memory::MemoryPlan`] splits into the shares its consumers take.
//!
//! The readings happen once, at the edge: [`HostMemory::read`] (files under `/proc` and
//! `/sys/fs/cgroup`, SLURM's variables) is called by the binary and the Python module through
//! [`super::settings::Environment::read`]. The parsers below take their input as arguments, so that
//! tests give them files and variables of their own.

use std::fmt;
use std::path::{Path, PathBuf};

/// The share of the machine's `MemTotal` the ranks of a host may use together: a quarter (the
/// machine is shared with the page cache, other jobs, the OS).
const MEMTOTAL_SHARE: (u64, u64) = (1, 4);
/// The share of a job's own limit (cgroup, SLURM): three quarters (the edge table is what the
/// budget bounds; node tables, HDF5 buffers and the writer take the rest, and past the limit the
/// job is killed).
const LIMIT_SHARE: (u64, u64) = (3, 4);
/// Assumed when no `/proc/meminfo` can be read.
const ASSUMED_BYTES: u64 = 8 << 30;
/// Never less than this per rank.
const MIN_BUDGET: u64 = 64 << 20;
/// A cgroup v1 limit at or above this is "no limit" (the kernel writes 2^63 rounded to a page).
const NO_LIMIT: u64 = 1 << 60;

/// A memory budget per rank, in bytes, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Bytes per rank.
    pub bytes: u64,
    /// Where the figure came from.
    pub source: BudgetSource,
}

/// Where a [`Budget`] came from.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetSource {
    /// The command line's `--memory-budget`.
    Cli,
    /// The spec's `[build] memory_budget` (the Python builder's `memory_budget` option lands
    /// there too).
    Spec,
    /// The default: a share of what this host's job may use, divided by the ranks on the host.
    Share {
        /// The memory the figure is a share of.
        host: HostMemory,
        /// Ranks dividing it.
        ranks_on_host: usize,
    },
}

/// One reading of how much memory this host's job may use.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// Bytes.
    pub bytes: u64,
    /// What says so.
    pub kind: LimitKind,
}

/// What a [`Limit`] was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum LimitKind {
    /// `MemTotal` of `/proc/meminfo`.
    MemTotal,
    /// Nothing could be read: a fixed guess.
    Assumed,
    /// A cgroup limit file: v2 `memory.max` or v1 `memory.limit_in_bytes`.
    Cgroup(PathBuf),
    /// `SLURM_MEM_PER_NODE` (MiB for all the job's ranks on a node).
    SlurmMemPerNode,
    /// `SLURM_MEM_PER_CPU` (MiB) times `SLURM_CPUS_ON_NODE`.
    SlurmMemPerCpu {
        /// The job's CPUs on this node.
        cpus: u64,
    },
}

impl LimitKind {
    /// The share of such a limit the ranks may use together, as (numerator, denominator).
    fn share(&self) -> (u64, u64) {
        match self {
            LimitKind::MemTotal | LimitKind::Assumed => MEMTOTAL_SHARE,
            _ => LIMIT_SHARE,
        }
    }
}

/// What this host's job may use: every limit found; the budget is taken from the tightest.
#[derive(Debug, Clone, PartialEq)]
pub struct HostMemory {
    /// The machine's memory first, then any cgroup and SLURM limit.
    pub limits: Vec<Limit>,
}

impl HostMemory {
    /// Reads this process's limits: `/proc/meminfo`, the cgroup limits of `/proc/self/cgroup`
    /// under `/sys/fs/cgroup`, and SLURM's variables. Called once, by a front end.
    pub fn read() -> HostMemory {
        Self::read_machine().with_slurm(|name| std::env::var(name).ok())
    }

    /// The machine's memory and this process's cgroup limits, without the environment.
    pub fn read_machine() -> HostMemory {
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
        let cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let mut limits = vec![machine_limit(meminfo.as_deref())];
        limits.extend(cgroup_limit(Path::new("/sys/fs/cgroup"), &cgroup));
        HostMemory { limits }
    }

    /// Adds SLURM's memory limit, given how to look a variable up.
    pub fn with_slurm(mut self, var: impl Fn(&str) -> Option<String>) -> HostMemory {
        self.limits.extend(slurm_limit(var));
        self
    }

    /// The tightest limit, after its share: (bytes the ranks may use together, the limit).
    pub fn tightest(&self) -> Option<(u64, &Limit)> {
        self.limits
            .iter()
            .map(|l| {
                let (num, den) = l.kind.share();
                ((l.bytes as u128 * num as u128 / den as u128) as u64, l)
            })
            .min_by_key(|(b, _)| *b)
    }

    /// The default budget of one of `ranks_on_host` ranks sharing this host.
    pub fn budget(&self, ranks_on_host: usize) -> Budget {
        let usable = self.tightest().map_or(ASSUMED_BYTES / 4, |(b, _)| b);
        let ranks = ranks_on_host.max(1);
        Budget {
            bytes: (usable / ranks as u64).max(MIN_BUDGET),
            source: BudgetSource::Share {
                host: self.clone(),
                ranks_on_host: ranks,
            },
        }
    }
}

/// `MemTotal` of a `/proc/meminfo` text (`None`: unreadable, then [`LimitKind::Assumed`]).
pub fn machine_limit(meminfo: Option<&str>) -> Limit {
    let total = meminfo.and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
    });
    match total {
        Some(kb) => Limit {
            bytes: kb * 1024,
            kind: LimitKind::MemTotal,
        },
        None => Limit {
            bytes: ASSUMED_BYTES,
            kind: LimitKind::Assumed,
        },
    }
}

/// The value of a cgroup limit file: `None` for "max" (v2) or a v1 "no limit", or unreadable.
pub fn read_cgroup_file(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let v = text.trim().parse::<u64>().ok()?;
    (v < NO_LIMIT).then_some(v)
}

/// The tightest memory limit of this process's cgroups, mounted under `root` (`/sys/fs/cgroup`),
/// as `/proc/self/cgroup` (`self_cgroup`) names them: cgroup v2 `memory.max` (line `0::PATH`,
/// under `root`) and v1 `memory.limit_in_bytes` (line `N:memory:PATH`, under `root/memory`),
/// of the process's cgroup and of every ancestor, whichever exist (inside a container the
/// path may not, and the mount's own top holds the container's limit).
pub fn cgroup_limit(root: &Path, self_cgroup: &str) -> Option<Limit> {
    let mut candidates = Vec::new();
    for line in self_cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), Some(c)) => (a, b, c),
            _ => continue,
        };
        let (base, file) = if controllers.is_empty() {
            (root.to_path_buf(), "memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            (root.join("memory"), "memory.limit_in_bytes")
        } else {
            continue;
        };
        let mut dir = PathBuf::from(path.trim_start_matches('/'));
        loop {
            candidates.push(base.join(&dir).join(file));
            if !dir.pop() {
                break;
            }
        }
    }
    // Without a /proc/self/cgroup, the mount's top is still worth a look.
    if candidates.is_empty() {
        candidates.push(root.join("memory.max"));
        candidates.push(root.join("memory").join("memory.limit_in_bytes"));
    }
    candidates
        .into_iter()
        .filter_map(|p| read_cgroup_file(&p).map(|bytes| (bytes, p)))
        .min_by_key(|(b, _)| *b)
        .map(|(bytes, p)| Limit {
            bytes,
            kind: LimitKind::Cgroup(p),
        })
}

/// A SLURM memory size: MiB, or a number with a `K`, `M`, `G` or `T` suffix.
fn slurm_mib(s: &str) -> Option<u64> {
    let s = s.trim();
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let n: u64 = digits.parse().ok()?;
    let kib = match unit.to_ascii_uppercase().as_str() {
        "K" => n,
        "" | "M" => n.checked_mul(1 << 10)?,
        "G" => n.checked_mul(1 << 20)?,
        "T" => n.checked_mul(1 << 30)?,
        _ => return None,
    };
    Some(kib)
}

/// SLURM's limit on this node: `SLURM_MEM_PER_NODE` (0 means "all the node's memory": no
/// limit), else `SLURM_MEM_PER_CPU` times `SLURM_CPUS_ON_NODE` (the job's CPUs here).
pub fn slurm_limit(var: impl Fn(&str) -> Option<String>) -> Option<Limit> {
    let kib = |name: &str| var(name).as_deref().and_then(slurm_mib);
    if let Some(k) = kib("SLURM_MEM_PER_NODE").filter(|&k| k > 0) {
        return Some(Limit {
            bytes: k * 1024,
            kind: LimitKind::SlurmMemPerNode,
        });
    }
    let per_cpu = kib("SLURM_MEM_PER_CPU").filter(|&k| k > 0)?;
    let cpus: u64 = var("SLURM_CPUS_ON_NODE")?.trim().parse().ok()?;
    Some(Limit {
        bytes: per_cpu * 1024 * cpus.max(1),
        kind: LimitKind::SlurmMemPerCpu { cpus },
    })
}

/// Bytes as `1.5 GiB`.
fn size(b: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitKind::MemTotal => write!(f, "MemTotal of /proc/meminfo"),
            LimitKind::Assumed => write!(f, "assumed: /proc/meminfo unreadable"),
            LimitKind::Cgroup(p) => write!(f, "cgroup {}", p.display()),
            LimitKind::SlurmMemPerNode => write!(f, "SLURM_MEM_PER_NODE"),
            LimitKind::SlurmMemPerCpu { cpus } => {
                write!(f, "SLURM_MEM_PER_CPU x {cpus} SLURM_CPUS_ON_NODE")
            }
        }
    }
}

impl fmt::Display for BudgetSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BudgetSource::Cli => write!(f, "--memory-budget"),
            BudgetSource::Spec => write!(f, "[build] memory_budget"),
            BudgetSource::Share {
                host,
                ranks_on_host,
            } => match host.tightest() {
                Some((_, l)) => {
                    let (num, den) = l.kind.share();
                    write!(
                        f,
                        "default: {num}/{den} of {} ({}) shared by {ranks_on_host} rank{} on this host",
                        size(l.bytes),
                        l.kind,
                        if *ranks_on_host == 1 { "" } else { "s" }
                    )
                }
                None => write!(f, "default: no memory figure found"),
            },
        }
    }
}

impl BudgetSource {
    /// A short name for machines: `cli`, `spec`, `memtotal`, `assumed`, `cgroup`,
    /// `slurm_mem_per_node`, `slurm_mem_per_cpu`.
    pub fn key(&self) -> &'static str {
        match self {
            BudgetSource::Cli => "cli",
            BudgetSource::Spec => "spec",
            BudgetSource::Share { host, .. } => match host.tightest().map(|(_, l)| &l.kind) {
                Some(LimitKind::MemTotal) => "memtotal",
                Some(LimitKind::Cgroup(_)) => "cgroup",
                Some(LimitKind::SlurmMemPerNode) => "slurm_mem_per_node",
                Some(LimitKind::SlurmMemPerCpu { .. }) => "slurm_mem_per_cpu",
                Some(LimitKind::Assumed) | None => "assumed",
            },
        }
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per rank ({})", size(self.bytes), self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const GIB: u64 = 1 << 30;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn machine(gib: u64) -> HostMemory {
        HostMemory {
            limits: vec![machine_limit(Some(&format!(
                "MemFree: 1 kB\nMemTotal:  {} kB\n",
                gib * GIB / 1024
            )))],
        }
    }

    #[test]
    fn memtotal_quarter_divided_by_the_hosts_ranks() {
        let b = machine(64).budget(4);
        assert_eq!(b.bytes, 4 * GIB);
        assert_eq!(b.source.key(), "memtotal");
        let text = b.to_string();
        assert!(text.contains("1/4 of 64.0 GiB (MemTotal"), "{text}");
        assert!(text.contains("4 ranks on this host"), "{text}");
        assert_eq!(machine_limit(None).kind, LimitKind::Assumed);
    }

    #[test]
    fn slurm_per_node_caps_the_machine() {
        let host = machine(64).with_slurm(vars(&[("SLURM_MEM_PER_NODE", "8192")]));
        let b = host.budget(2);
        assert_eq!(b.bytes, 3 * GIB, "3/4 of 8 GiB over 2 ranks");
        assert_eq!(b.source.key(), "slurm_mem_per_node");
        assert!(b.to_string().contains("SLURM_MEM_PER_NODE"), "{b}");
        // 0 = the whole node: no limit; a larger limit than a quarter of the machine loses.
        let all = machine(64).with_slurm(vars(&[("SLURM_MEM_PER_NODE", "0")]));
        assert_eq!(all.budget(1).source.key(), "memtotal");
        let big = machine(64).with_slurm(vars(&[("SLURM_MEM_PER_NODE", "60G")]));
        assert_eq!(big.budget(1).bytes, 16 * GIB);
    }

    #[test]
    fn slurm_per_cpu_times_the_nodes_cpus() {
        let host = machine(256).with_slurm(vars(&[
            ("SLURM_MEM_PER_CPU", "2G"),
            ("SLURM_CPUS_ON_NODE", "8"),
        ]));
        let b = host.budget(8);
        assert_eq!(b.bytes, 3 * GIB / 2, "3/4 of 16 GiB over 8 ranks");
        assert_eq!(b.source.key(), "slurm_mem_per_cpu");
        // Without the CPUs of the node the figure is unknown: not used.
        let none = machine(256).with_slurm(vars(&[("SLURM_MEM_PER_CPU", "2048")]));
        assert_eq!(none.budget(8).source.key(), "memtotal");
        assert_eq!(
            slurm_limit(vars(&[("SLURM_MEM_PER_NODE", "12 parsecs")])),
            None
        );
    }

    #[test]
    fn cgroup_v2_and_v1_limits_of_the_process_and_its_ancestors() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        let job = r.join("slurm/job_7");
        std::fs::create_dir_all(&job).unwrap();
        std::fs::write(r.join("memory.max"), "max\n").unwrap();
        std::fs::write(r.join("slurm/memory.max"), format!("{}\n", 6 * GIB)).unwrap();
        std::fs::write(job.join("memory.max"), format!("{}\n", 8 * GIB)).unwrap();
        let l = cgroup_limit(r, "0::/slurm/job_7\n").unwrap();
        assert_eq!(l.bytes, 6 * GIB, "the tightest ancestor");
        assert_eq!(l.kind, LimitKind::Cgroup(r.join("slurm/memory.max")));
        // v1: the memory controller's line; "no limit" is a huge number.
        let v1 = r.join("memory/docker/abc");
        std::fs::create_dir_all(&v1).unwrap();
        std::fs::write(
            r.join("memory/memory.limit_in_bytes"),
            "9223372036854771712\n",
        )
        .unwrap();
        std::fs::write(v1.join("memory.limit_in_bytes"), format!("{}\n", 2 * GIB)).unwrap();
        let l = cgroup_limit(r, "4:memory:/docker/abc\n3:cpu:/x\n").unwrap();
        assert_eq!(l.bytes, 2 * GIB);
        // A path the namespace hides: the mount's top; unlimited everywhere: none.
        assert_eq!(cgroup_limit(r, "4:memory:/elsewhere\n"), None);
        let host = HostMemory {
            limits: vec![machine(64).limits[0].clone(), l],
        };
        let b = host.budget(3);
        assert_eq!(b.bytes, 2 * GIB * 3 / 4 / 3);
        assert_eq!(b.source.key(), "cgroup");
    }

    #[test]
    fn the_real_cgroup_files_read() {
        // Whatever this machine has: a limit read is positive and below "no limit".
        let cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        if let Some(l) = cgroup_limit(Path::new("/sys/fs/cgroup"), &cgroup) {
            assert!(l.bytes > 0 && l.bytes < NO_LIMIT, "{l:?}");
        }
        let v2 = Path::new("/sys/fs/cgroup/memory.max");
        if let Ok(text) = std::fs::read_to_string(v2) {
            assert_eq!(
                read_cgroup_file(v2).is_none(),
                text.trim() == "max",
                "{text}"
            );
        }
        let host = HostMemory::read_machine();
        assert!(matches!(host.limits[0].kind, LimitKind::MemTotal));
        assert!(host.budget(1).bytes >= MIN_BUDGET);
    }
}
