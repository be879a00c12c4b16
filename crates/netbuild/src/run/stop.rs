//! Stopping a build on a signal (a SLURM time limit's SIGTERM, SIGUSR1 sent ahead of it, Ctrl-C)
//! while keeping what is finished, for `--resume`.
//!
//! In: the signals to watch ([`keep_on_signals`], installed once by the binary). Out: when one
//! arrives, the build's hidden folder is kept as `.netbuild-resume` with only its finished files
//! (see [`crate::output::resume`]), or removed when nothing is finished, a message says so, and the
//! process exits with [`STOPPED`] (or 128 + the signal when nothing was kept).
//!
//! Why at once rather than at the next safe point, with the ranks agreeing: what is finished is
//! on disk and listed in the resume state after every population, so nothing is gained by
//! waiting, and waiting is often impossible: mpirun answers SIGTERM by sending it to every rank
//! and SIGKILL one second later (`odls_base_sigkill_timeout`), a rank may be in a collective
//! write that lasts minutes, and when mpirun tears the job down because another rank died, no
//! collective will ever complete. Every rank handles the signal on its own; the folder is
//! renamed by whichever rank sees it (normally rank 0; another one when rank 0 was killed), the
//! others find nothing left to do.

use crate::output::{keep_in_progress, Kept};

/// The exit status of a build stopped by a signal that kept finished populations for
/// `--resume`.
pub const STOPPED: u8 = 3;

/// When one of `signals` arrives: keeps the finished files (or removes the hidden folder when
/// nothing is finished), says so on stderr and exits ([`stop_now`]). Called once by the
/// program (the binary), never by the build itself.
pub fn keep_on_signals(signals: &[i32]) {
    match signal_hook::iterator::Signals::new(signals) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    stop_now(sig);
                }
            });
        }
        Err(e) => tracing::warn!(
            "cannot watch for SIGTERM ({e}): a time limit will lose the build's progress"
        ),
    }
}

/// Keeps the build's finished files, tells the user how to continue and exits: [`STOPPED`]
/// when something was kept, else 128 + `signal`. The signal handler's work, also called by
/// the test hook `BuildOptions::stop_after_populations`.
pub fn stop_now(signal: i32) -> ! {
    match keep_in_progress() {
        Some(kept) => {
            if kept.here {
                eprintln!("netbuild: {}", message(signal, &kept));
            }
            std::process::exit(i32::from(STOPPED));
        }
        None => std::process::exit(128 + signal),
    }
}

/// "stopped by SIGTERM after 2 of 5 edge populations; ...".
pub fn message(signal: i32, kept: &Kept) -> String {
    format!(
        "stopped by {} after {} of {} edge populations; the finished files are kept in {}: \
         run the same command again with --resume to continue",
        signal_name(signal),
        kept.finished,
        kept.total,
        kept.dir.display()
    )
}

/// `SIGTERM`, `SIGUSR1`, ... for a message.
pub fn signal_name(signal: i32) -> String {
    use signal_hook::consts::*;
    match signal {
        SIGTERM => "SIGTERM".into(),
        SIGINT => "SIGINT".into(),
        SIGUSR1 => "SIGUSR1".into(),
        SIGUSR2 => "SIGUSR2".into(),
        SIGHUP => "SIGHUP".into(),
        s => format!("signal {s}"),
    }
}
