//! Real multi-rank runs: `mpirun` on the `netbuild-comm-demo` binary (src/bin/comm_demo.rs).
//!
//! The demo is a `[[bin]]` of this crate, so cargo builds it before these tests and passes its
//! path in `CARGO_BIN_EXE_netbuild-comm-demo`, whatever filter `cargo test` is given. The tests
//! need OpenMPI's `mpirun` on PATH and fail, saying so, without it: netbuild requires real MPI.
//! They run one at a time (a lock) so the timings they check are not skewed by each other.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const DEMO: &str = env!("CARGO_BIN_EXE_netbuild-comm-demo");

/// How long a failing job may take to end, from the failure to mpirun's exit.
const FAIL_WITHIN: Duration = Duration::from_secs(10);
/// Past this, a run is declared hung and killed.
const HUNG_AFTER: Duration = Duration::from_secs(60);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn mpirun() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("mpirun"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "mpirun is not on PATH: netbuild-comm's tests need real MPI \
                 (apt-get install openmpi-bin libopenmpi-dev)"
            )
        })
}

/// `mpirun -n N --oversubscribe demo ARGS...`, allowed to run as root, with short panic output.
fn mpirun_demo(n: usize, args: &[&str]) -> Command {
    let mut c = Command::new(mpirun());
    c.args(["-n", &n.to_string(), "--oversubscribe"])
        .args(["-x", "NETBUILD_COMM_DEMO_PID_DIR", "-x", "RUST_BACKTRACE"])
        .arg(DEMO)
        .args(args);
    quiet_env(&mut c);
    c
}

/// The demo alone, no mpirun: OpenMPI singleton init.
fn singleton_demo(args: &[&str]) -> Command {
    let mut c = Command::new(DEMO);
    c.args(args);
    quiet_env(&mut c);
    c
}

fn quiet_env(c: &mut Command) {
    c.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("RUST_BACKTRACE", "0")
        .env("NETBUILD_COMM_DEMO_PID_DIR", std::env::temp_dir());
}

struct Running {
    child: Child,
    started: Instant,
    out: JoinHandle<String>,
    err: JoinHandle<String>,
    what: String,
}

struct Finished {
    status: ExitStatus,
    /// From `start` (or the moment given to `wait_from`) to the exit.
    elapsed: Duration,
    stdout: String,
    stderr: String,
}

fn drain(mut r: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        s.push_str(&String::from_utf8_lossy(&buf));
        s
    })
}

fn start(mut cmd: Command) -> Running {
    let what = format!("{cmd:?}");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let out = drain(child.stdout.take().expect("stdout is piped"));
    let err = drain(child.stderr.take().expect("stderr is piped"));
    Running {
        child,
        started,
        out,
        err,
        what,
    }
}

impl Running {
    /// Waits for the exit; kills the job and fails the test if it runs past [`HUNG_AFTER`].
    fn wait_from(mut self, from: Instant) -> Finished {
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if self.started.elapsed() > HUNG_AFTER => {
                    // SIGTERM first: mpirun forwards it to the ranks it started.
                    let _ = Command::new("kill")
                        .args(["-TERM", &self.child.id().to_string()])
                        .status();
                    std::thread::sleep(Duration::from_secs(3));
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    let err = self.err.join().unwrap_or_default();
                    panic!(
                        "{} hung for {HUNG_AFTER:?} and was killed; stderr:\n{err}",
                        self.what
                    );
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => panic!("waiting for {}: {e}", self.what),
            }
        };
        let elapsed = from.elapsed();
        Finished {
            status,
            elapsed,
            stdout: self.out.join().unwrap_or_default(),
            stderr: self.err.join().unwrap_or_default(),
        }
    }

    fn wait(self) -> Finished {
        let from = self.started;
        self.wait_from(from)
    }
}

impl Finished {
    fn report(&self) -> String {
        format!(
            "status {:?} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.elapsed, self.stdout, self.stderr
        )
    }

    fn assert_ok(&self, n: usize) {
        assert!(self.status.success(), "{}", self.report());
        for r in 0..n {
            let line = format!("ok rank {r} of {n}");
            assert!(
                self.stdout.lines().any(|l| l == line),
                "no {line:?}: {}",
                self.report()
            );
        }
    }

    /// Non-zero exit within [`FAIL_WITHIN`], no rank got past the failure, and stderr has `needle`.
    fn assert_failed_fast(&self, needle: &str) {
        eprintln!("job ended after {:?} with {:?}", self.elapsed, self.status);
        assert!(!self.status.success(), "exit 0: {}", self.report());
        assert!(
            self.elapsed < FAIL_WITHIN,
            "took {:?}: {}",
            self.elapsed,
            self.report()
        );
        assert!(
            !self.stdout.contains("survived"),
            "a rank got past the failure: {}",
            self.report()
        );
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}: {}",
            self.report()
        );
    }
}

#[test]
fn collectives_on_2_ranks() {
    let _g = serial();
    start(mpirun_demo(2, &["ok"])).wait().assert_ok(2);
}

#[test]
fn collectives_on_3_ranks_oversubscribed() {
    let _g = serial();
    start(mpirun_demo(3, &["ok"])).wait().assert_ok(3);
}

/// A rank that waits for a late peer (in a barrier, a send, a receive) sleeps: it uses a small
/// part of the time it waits in CPU. (OpenMPI's own waits spin: a whole core for as long. On a
/// loaded machine a spinning wait gets less CPU and could pass; a sleeping one never fails.)
#[test]
fn waiting_ranks_do_not_spin() {
    let _g = serial();
    let done = start(mpirun_demo(2, &["wait"])).wait();
    assert!(done.status.success(), "{}", done.report());
    for r in 0..2 {
        let prefix = format!("waited rank {r}: ");
        let line = done
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {prefix:?}: {}", done.report()));
        let nums: Vec<f64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let [cpu, wall] = nums[..] else {
            panic!("unreadable {line:?}");
        };
        assert!(
            wall >= 2.0,
            "rank {r} waited only {wall} s: {}",
            done.report()
        );
        assert!(
            cpu < wall / 4.0,
            "rank {r} used {cpu} s of CPU in {wall} s of waiting"
        );
    }
}

#[test]
fn singleton_without_mpirun() {
    let _g = serial();
    start(singleton_demo(&["ok"])).wait().assert_ok(1);
}

#[test]
fn panic_on_rank_1_ends_the_job() {
    let _g = serial();
    let f = start(mpirun_demo(3, &["panic", "1"])).wait();
    f.assert_failed_fast("netbuild: rank 1 of 3 failed: demo panic on rank 1 at ");
    // The location: file (relative to the workspace root) and line.
    assert!(f.stderr.contains("src/bin/comm_demo.rs:"), "{}", f.report());
}

#[test]
fn panic_on_a_worker_thread_ends_the_job() {
    let _g = serial();
    let f = start(mpirun_demo(2, &["panic-thread", "1"])).wait();
    f.assert_failed_fast("netbuild: rank 1 of 2 failed: demo worker panic on rank 1 at ");
    assert!(
        f.stderr.contains("(thread 'demo-worker')"),
        "{}",
        f.report()
    );
}

#[test]
fn panic_without_mpirun_ends_the_process() {
    let _g = serial();
    start(singleton_demo(&["panic", "0"]))
        .wait()
        .assert_failed_fast("netbuild: rank 0 of 1 failed: demo panic on rank 0 at ");
}

#[test]
fn abort_ends_the_job_with_its_message() {
    let _g = serial();
    let f = start(mpirun_demo(3, &["abort", "2"])).wait();
    f.assert_failed_fast("netbuild: rank 2 of 3 failed: demo error on rank 2");
    // OpenMPI's mpirun exits with the code given to MPI_Abort.
    assert_eq!(f.status.code(), Some(3), "{}", f.report());
}

#[test]
fn exit_without_finalize_ends_the_job() {
    let _g = serial();
    // No message of ours here (the rank just vanished); mpirun names it.
    start(mpirun_demo(3, &["exit", "1"]))
        .wait()
        .assert_failed_fast("exited with non-zero status");
}

#[test]
fn sigkill_of_one_rank_ends_the_job() {
    let _g = serial();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut cmd = mpirun_demo(3, &["sleep"]);
    cmd.env("NETBUILD_COMM_DEMO_PID_DIR", dir.path());
    let job = start(cmd);

    // Every rank writes its pid before the barrier it then sleeps behind.
    let pid_of = |r: usize| -> Option<String> {
        std::fs::read_to_string(dir.path().join(format!("rank-{r}.pid"))).ok()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while (0..3).any(|r| pid_of(r).is_none()) {
        assert!(
            Instant::now() < deadline,
            "the ranks never wrote their pids"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300)); // let them reach the sleep
    let victim = pid_of(1).unwrap_or_default();
    let killed_at = Instant::now();
    let status = Command::new("kill")
        .args(["-KILL", victim.trim()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -KILL {victim} failed");

    let f = job.wait_from(killed_at);
    f.assert_failed_fast("exited on signal 9");
    assert_pid_gone(dir.path(), 0);
    assert_pid_gone(dir.path(), 2);
}

/// The other ranks were torn down with the job.
fn assert_pid_gone(dir: &Path, rank: usize) {
    let pid = std::fs::read_to_string(dir.join(format!("rank-{rank}.pid"))).unwrap_or_default();
    let proc_dir = Path::new("/proc").join(pid.trim());
    let deadline = Instant::now() + Duration::from_secs(5);
    while proc_dir.exists() {
        let zombie_or_gone = std::fs::read_to_string(proc_dir.join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        if zombie_or_gone {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "rank {rank} (pid {}) outlived the job",
            pid.trim()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
