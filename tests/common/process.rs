//! Running a command to its end or alongside the test: every external process runs under a
//! timeout (spawned in its own process group, polled with `try_wait`; on timeout the whole group,
//! and any `mpirun` it started, is killed and the test fails), its output collected on threads.
//! Also signals, the process table (`/proc`) and polling for a condition.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

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
