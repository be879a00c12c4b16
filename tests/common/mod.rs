//! Shared helpers of the end-to-end tests (the root `tests/*.rs`, which run the binary): finding
//! the binary and the examples and making its commands (this file), running them with a deadline
//! (`process`), reading and comparing output folders (`folders`), editing specs (`specs`).
//! Everything is re-exported here: a test writes `common::run`, `common::assert_same_tree`.

#![allow(dead_code)]

mod folders;
mod process;
mod specs;

// Each test binary uses a part of the harness: what it leaves is not a warning.
#[allow(unused_imports)]
pub use folders::*;
#[allow(unused_imports)]
pub use process::*;
#[allow(unused_imports)]
pub use specs::*;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

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
