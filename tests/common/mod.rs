//! Shared helpers of the end-to-end tests: finding the binary and the examples, running
//! `netbuild-mpi` (plainly or under `mpirun`) with a deadline, and comparing output folders.
//!
//! Every external process runs under a timeout: spawned in its own process group, polled with
//! `try_wait`, and on timeout the whole group (and any child `mpirun` started) is killed and the
//! test fails.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// The binary under test (built by cargo for the integration tests).
pub const BIN: &str = env!("CARGO_BIN_EXE_netbuild-mpi");

/// The examples folder: `../shared/examples` beside the repository (as in CI), or the
/// repository's own `examples/` copy.
pub fn examples_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/examples");
    if shared.is_dir() {
        shared
    } else {
        root.join("examples")
    }
}

/// The path of the example spec `name` (e.g. `"quickstart.toml"`); panics when it is missing.
pub fn example(name: &str) -> PathBuf {
    let p = examples_dir().join(name);
    assert!(p.is_file(), "example spec {} not found", p.display());
    p
}

/// A plain (single-process) `netbuild-mpi` command.
pub fn netbuild<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    mpi_env(&mut cmd);
    cmd
}

/// `mpirun -n ranks netbuild-mpi args...`, allowed to run as root and to oversubscribe the
/// cores, without binding ranks to cores (several tests share this machine's few cores).
pub fn mpirun<I, S>(ranks: usize, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new("mpirun");
    cmd.args([
        "-n",
        &ranks.to_string(),
        "--oversubscribe",
        "--bind-to",
        "none",
        BIN,
    ]);
    cmd.args(args);
    mpi_env(&mut cmd);
    cmd
}

/// `netbuild-mpi` on `ranks` processes: plainly for 1, else under `mpirun`.
pub fn netbuild_on<I, S>(ranks: usize, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    if ranks == 1 {
        netbuild(args)
    } else {
        mpirun(ranks, args)
    }
}

fn mpi_env(cmd: &mut Command) {
    cmd.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env_remove("NETBUILD_INJECT_FAULT");
}

/// A finished process.
#[derive(Debug)]
pub struct Run {
    pub what: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// For assertion messages: the command, its status and its output.
    pub fn describe(&self) -> String {
        format!(
            "`{}`: {} after {:.1} s\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            self.status,
            self.elapsed.as_secs_f64(),
            tail(&self.stdout, 40),
            tail(&strip_ansi(&self.stderr), 60)
        )
    }

    /// Panics (with the output) unless the process exited 0.
    pub fn assert_success(&self) -> &Self {
        assert!(
            self.status.success(),
            "expected success: {}",
            self.describe()
        );
        self
    }

    /// The number of spills the build's log reports (sum of `spills=N` over every
    /// "edges generated" line), `None` when the log does not say.
    pub fn spills(&self) -> Option<u64> {
        let log = strip_ansi(&self.stderr);
        let mut found = None;
        for word in log.split_whitespace() {
            if let Some(n) = word.strip_prefix("spills=") {
                if let Ok(n) = n.parse::<u64>() {
                    *found.get_or_insert(0) += n;
                }
            }
        }
        found
    }
}

/// The last `n` lines of `s`.
pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let skip = lines.len().saturating_sub(n);
    let mut out = String::new();
    if skip > 0 {
        out.push_str(&format!("[... {skip} lines ...]\n"));
    }
    out.push_str(&lines[skip..].join("\n"));
    out
}

/// `s` without ANSI escape sequences (the log is coloured even into a pipe).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // parameters and intermediates, then one final byte in 0x40..=0x7e
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A running process whose output is being collected.
pub struct Running {
    what: String,
    child: Child,
    started: Instant,
    stdout: Option<Receiver<String>>,
    stderr: Option<Receiver<String>>,
}

/// Reads `r` to its end on a thread; the text arrives on the returned channel.
fn drain(mut r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
    });
    rx
}

/// The collected text, waiting a little for the end of the stream: a stray process that still
/// holds the pipe open must not hang the test.
fn collect(rx: Option<Receiver<String>>) -> String {
    rx.and_then(|rx| rx.recv_timeout(Duration::from_secs(10)).ok())
        .unwrap_or_else(|| "[output not closed: a process still holds the pipe]".into())
}

/// Starts `cmd` in its own process group, stdin closed, stdout and stderr collected.
pub fn spawn(mut cmd: Command) -> Running {
    let what = format!("{cmd:?}");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    Running {
        what,
        child,
        started,
        stdout,
        stderr,
    }
}

/// Runs `cmd` to the end; kills it and fails the test if it takes longer than `timeout`.
pub fn run(cmd: Command, timeout: Duration) -> Run {
    spawn(cmd).wait(timeout)
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Has it exited? (Does not collect the output.)
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("try_wait")
    }

    /// Waits up to `timeout` (from now) for the exit; `None` if still running then.
    pub fn wait_until(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.try_status() {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Collects the output of a process that has exited.
    pub fn finish(mut self, status: ExitStatus) -> Run {
        let elapsed = self.started.elapsed();
        Run {
            what: self.what.clone(),
            status,
            stdout: collect(self.stdout.take()),
            stderr: collect(self.stderr.take()),
            elapsed,
        }
    }

    /// Waits up to `timeout` (from now) for the exit and returns the output; on timeout kills
    /// the process, its group and its children, and panics.
    pub fn wait(mut self, timeout: Duration) -> Run {
        match self.wait_until(timeout) {
            Some(status) => self.finish(status),
            None => {
                let waited = self.started.elapsed();
                self.kill_all();
                let status = self.wait_until(Duration::from_secs(10));
                let what = self.what.clone();
                let out = status.map(|s| self.finish(s));
                panic!(
                    "timed out after {:.0} s: {what}\n{}",
                    waited.as_secs_f64(),
                    out.map(|r| r.describe()).unwrap_or_default()
                );
            }
        }
    }

    /// Kills the process, everything in its process group and its descendants: SIGTERM first
    /// (mpirun then tears its job down), SIGKILL after a grace period.
    pub fn kill_all(&mut self) {
        let pid = self.child.id();
        let mut victims = descendants(pid);
        victims.push(pid);
        signal_group(pid, "TERM");
        for &v in &victims {
            signal(v, "TERM");
        }
        if self.wait_until(Duration::from_secs(3)).is_none() {
            signal_group(pid, "KILL");
        }
        for v in victims {
            signal(v, "KILL");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A test that panicked with the process still running must not leave it behind.
        if let Ok(None) = self.child.try_wait() {
            self.kill_all();
        }
    }
}

/// Sends SIGname to `pid` (errors ignored: it may have exited).
pub fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

fn signal_group(pgid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([format!("-{name}"), "--".to_string(), format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

/// (pid, parent pid, command line) of every process now running.
pub fn processes() -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = after.split_whitespace();
        let state = fields.next().unwrap_or("");
        if state == "Z" || state == "X" {
            continue; // a zombie is not running
        }
        let ppid = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let cmdline = std::fs::read(entry.path().join("cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        out.push((pid, ppid, cmdline));
    }
    out
}

/// Every descendant of `pid` now running.
pub fn descendants(pid: u32) -> Vec<u32> {
    let procs = processes();
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        for (p, pp, _) in &procs {
            if *pp == parent && !found.contains(p) {
                found.push(*p);
            }
        }
        i += 1;
    }
    found.remove(0);
    found
}

/// Processes of the binary under test whose command line contains `needle` (e.g. a test's
/// unique output path).
pub fn netbuild_processes_with(needle: &str) -> Vec<(u32, String)> {
    processes()
        .into_iter()
        .filter(|(pid, _, cmd)| {
            *pid != std::process::id()
                && cmd.contains(needle)
                && cmd
                    .split(' ')
                    .next()
                    .is_some_and(|c| c.ends_with("netbuild-mpi"))
        })
        .map(|(pid, _, cmd)| (pid, cmd))
        .collect()
}

/// Polls `cond` every 50 ms until it holds or `timeout` passes; returns whether it held.
pub fn poll(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The names of the entries of `dir`, sorted (hidden ones too).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The hidden `.netbuild-partial-PID` folders a build writes into, inside `target`.
pub fn partial_dirs(target: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(target) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".netbuild-partial-")
            })
            .map(|e| e.path())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The pid of the writer (rank 0) of a build in progress, from its hidden folder's name
/// (`.netbuild-partial-<pid>`).
pub fn writer_pid(partial: &Path) -> u32 {
    partial
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.rsplit('-').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("{}: not .netbuild-partial-<pid>", partial.display()))
}

/// A file or a folder, as found in an output tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Dir,
    File(u64),
}

fn walk(root: &Path) -> BTreeMap<PathBuf, Entry> {
    fn go(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
        let rd =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in rd {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                out.insert(rel, Entry::Dir);
                go(root, &path, out);
            } else {
                out.insert(rel, Entry::File(meta.len()));
            }
        }
    }
    let mut out = BTreeMap::new();
    go(root, root, &mut out);
    out
}

/// The offset of the first byte where the files differ, `None` if they are identical.
fn first_difference(a: &Path, b: &Path) -> Option<u64> {
    const CHUNK: usize = 8 << 20;
    let mut fa = std::fs::File::open(a).unwrap_or_else(|e| panic!("{}: {e}", a.display()));
    let mut fb = std::fs::File::open(b).unwrap_or_else(|e| panic!("{}: {e}", b.display()));
    let (mut ba, mut bb) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
    let mut offset = 0u64;
    loop {
        let na = read_full(&mut fa, &mut ba);
        let nb = read_full(&mut fb, &mut bb);
        if let Some(i) = ba[..na.min(nb)]
            .iter()
            .zip(&bb[..na.min(nb)])
            .position(|(x, y)| x != y)
        {
            return Some(offset + i as u64);
        }
        if na != nb {
            return Some(offset + na.min(nb) as u64);
        }
        if na == 0 {
            return None;
        }
        offset += na as u64;
    }
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    n
}

/// Whether `tool` runs (e.g. `h5diff`, `h5dump`).
pub fn have_tool(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The first lines of `h5diff -r a b`, to say what differs in an HDF5 file.
fn h5diff_lines(a: &Path, b: &Path) -> String {
    if !have_tool("h5diff") {
        return "(h5diff not available)".into();
    }
    let mut cmd = Command::new("h5diff");
    cmd.arg("-r").arg(a).arg(b);
    let mut running = spawn(cmd);
    match running.wait_until(Duration::from_secs(120)) {
        Some(status) => {
            let r = running.finish(status);
            let all: Vec<&str> = r.stdout.lines().chain(r.stderr.lines()).collect();
            // Each differing object with its count ("dataset: </a> and </a>" then "7
            // differences found"), without the value tables, which would hide which objects
            // differ.
            let mut summary: Vec<&str> = Vec::new();
            let mut object = None;
            for l in all.iter().copied() {
                if l.starts_with("dataset:")
                    || l.starts_with("attribute:")
                    || l.starts_with("group:")
                {
                    object = Some(l);
                } else if (l.contains("differences found") && !l.starts_with("0 "))
                    || l.to_lowercase().contains("not comparable")
                {
                    summary.extend(object.take());
                    summary.push(l);
                }
            }
            summary.truncate(40);
            let lines = if summary.is_empty() {
                &all[..all.len().min(30)]
            } else {
                &summary[..]
            };
            format!("h5diff -r ({}):\n{}", r.status, lines.join("\n"))
        }
        None => {
            running.kill_all();
            "(h5diff timed out)".into()
        }
    }
}

/// Asserts that folders `expected` and `actual` hold the same files and folders, every file
/// byte-identical. `what` names the comparison in the panic message.
pub fn assert_same_tree(expected: &Path, actual: &Path, what: &str) {
    compare_trees(expected, actual, what, false)
}

/// Like [`assert_same_tree`], but HDF5 files need only hold the same content (`h5diff`
/// finds no difference in any dataset, group or attribute), not the same bytes: for the
/// parallel writer, whose MPI-IO layout differs from one process's.
pub fn assert_same_content(expected: &Path, actual: &Path, what: &str) {
    assert!(
        have_tool("h5diff"),
        "h5diff is needed (apt-get install hdf5-tools)"
    );
    compare_trees(expected, actual, what, true)
}

/// Whether `h5diff` finds the two files equal (exit status 0).
fn h5_equal(a: &Path, b: &Path) -> bool {
    let mut cmd = Command::new("h5diff");
    cmd.arg("-q").arg(a).arg(b);
    let mut running = spawn(cmd);
    match running.wait_until(Duration::from_secs(300)) {
        Some(status) => status.success(),
        None => false,
    }
}

fn compare_trees(expected: &Path, actual: &Path, what: &str, h5_content: bool) {
    let a = walk(expected);
    let b = walk(actual);
    assert!(!a.is_empty(), "{what}: {} is empty", expected.display());
    let missing: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let extra: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: different file sets: {} lacks {missing:?}, has extra {extra:?} (vs {})",
        actual.display(),
        expected.display()
    );
    let mut problems = Vec::new();
    for (rel, ea) in &a {
        let eb = b[rel];
        let (pa, pb) = (expected.join(rel), actual.join(rel));
        let is_h5 = rel.extension().is_some_and(|e| e == "h5");
        if h5_content && is_h5 && h5_equal(&pa, &pb) {
            continue;
        }
        if rel.as_os_str() == ".netbuild.json" {
            // Its files' times differ from build to build: the same files suffice.
            if let Some(d) = manifest_difference(&pa, &pb) {
                problems.push(format!(".netbuild.json: {d}"));
            }
            continue;
        }
        let diff = match (ea, eb) {
            (Entry::Dir, Entry::Dir) => continue,
            (Entry::File(la), Entry::File(lb)) if *la != lb => {
                Some(format!("sizes differ: {la} vs {lb} bytes"))
            }
            (Entry::File(_), Entry::File(_)) => {
                first_difference(&pa, &pb).map(|off| format!("first difference at byte {off}"))
            }
            _ => Some(format!("{ea:?} vs {eb:?}")),
        };
        if let Some(d) = diff {
            let mut msg = format!("{}: {d}", rel.display());
            if rel.extension().is_some_and(|e| e == "h5") {
                msg.push('\n');
                msg.push_str(&h5diff_lines(&pa, &pb));
            } else if rel.extension().is_some_and(|e| e == "csv" || e == "json") {
                let ta = std::fs::read_to_string(&pa).unwrap_or_default();
                let tb = std::fs::read_to_string(&pb).unwrap_or_default();
                msg.push_str(&format!(
                    "\n--- expected ---\n{}\n--- actual ---\n{}",
                    tail(&ta, 20),
                    tail(&tb, 20)
                ));
            }
            problems.push(msg);
        }
    }
    assert!(
        problems.is_empty(),
        "{what}: {} differs from {}:\n{}",
        actual.display(),
        expected.display(),
        problems.join("\n\n")
    );
}

/// How two manifests (`.netbuild.json`) differ in what they list (files, folders), not in the
/// files' times and sizes (an HDF5 file's bytes depend on the writer: compared on their own);
/// `None` when they list the same.
fn manifest_difference(a: &Path, b: &Path) -> Option<String> {
    let listed = |p: &Path| {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let files: Vec<String> = json["files"]
            .as_object()
            .unwrap_or_else(|| panic!("{}: no \"files\"", p.display()))
            .keys()
            .cloned()
            .collect();
        (files, json["dirs"].clone())
    };
    let (la, lb) = (listed(a), listed(b));
    (la != lb).then(|| format!("lists {la:?} vs {lb:?}"))
}

/// The spec text with `line` added right after the `[build]` header.
pub fn with_build_key(spec_text: &str, line: &str) -> String {
    let mut out = String::new();
    let mut done = false;
    for l in spec_text.lines() {
        out.push_str(l);
        out.push('\n');
        if !done && l.trim() == "[build]" {
            out.push_str(line);
            out.push('\n');
            done = true;
        }
    }
    assert!(done, "the spec has no [build] section");
    out
}

/// The spec text with its `output_dir = ...` line replaced by `line`.
pub fn with_output_dir_line(spec_text: &str, line: &str) -> String {
    let mut found = false;
    let out: Vec<String> = spec_text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("output_dir") {
                found = true;
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(found, "the spec has no output_dir line");
    out.join("\n") + "\n"
}

/// A copy of the benchmark `name` shrunk to a cylinder of radius `radius` (micrometres) at the
/// same cell density: every `[[nodes]]` block drawn in a cylinder has its radius multiplied by
/// `radius` / the first cylinder's radius, and its N by the square of that; other blocks (the
/// background units) are kept. Written into `dir`.
pub fn small_radius_copy(name: &str, radius: f64, dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(example(name)).unwrap();
    let key = "cylinder = [";
    let radius_at = |line: &str| -> Option<(usize, usize, f64)> {
        let start = line.find(key)? + key.len();
        let len = line[start..].find(',')?;
        Some((start, len, line[start..start + len].trim().parse().ok()?))
    };
    let first = text
        .lines()
        .find_map(radius_at)
        .unwrap_or_else(|| panic!("{name}: no cylinder positions"))
        .2;
    let scale = radius / first;
    // Blocks start at `[[...]]` headers; only node blocks with a cylinder are shrunk.
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        if line.starts_with("[[") {
            blocks.push(Vec::new());
        }
        blocks.last_mut().unwrap().push(line);
    }
    let mut out = String::new();
    for block in blocks {
        let shrink = block.first().is_some_and(|h| h.starts_with("[[nodes]]"))
            && block.iter().any(|l| radius_at(l).is_some());
        for line in block {
            let new = match (shrink, line.strip_prefix("N = "), radius_at(line)) {
                (true, Some(n), _) => {
                    let n: f64 = n.trim().parse().unwrap();
                    format!("N = {}", (n * scale * scale).round().max(1.0))
                }
                (true, None, Some((start, len, r))) => {
                    format!("{}{:?}{}", &line[..start], r * scale, &line[start + len..])
                }
                _ => line.to_string(),
            };
            out.push_str(&new);
            out.push('\n');
        }
    }
    let path = dir.join(format!("{}_small.toml", name.trim_end_matches(".toml")));
    std::fs::write(&path, out).unwrap();
    path
}
