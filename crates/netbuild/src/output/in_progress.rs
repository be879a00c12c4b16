//! What a build leaves when it dies or is stopped: the hidden folder it writes into, removed
//! (a job killed, an error) or kept for `--resume` (a signal the binary watches for).
//!
//! In: the build in progress ([`set_in_progress`], by the build on every rank: each rank knows
//! where rank 0's hidden folder is). Out: [`remove_in_progress`] and [`keep_in_progress`] for a
//! signal handling thread or panic hook ([`crate::run::stop`], the Python module), the folder
//! removed or renamed to [`RESUME_DIR`] with the files its resume state lists ([`Kept`]).

use super::resume::{self, ResumeState, RESUME_DIR, STATE_FILE};
use super::PARTIAL_PREFIX;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a signal handler or panic hook removes when a build dies: its hidden folder, and the
/// output folder if the build created it (only while it is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProgress {
    /// The hidden folder the build writes into.
    pub partial: PathBuf,
    /// The output folder, when the build created it.
    pub created: Option<PathBuf>,
}

impl InProgress {
    /// What a build into `target` by this process (rank 0, the writer) will leave to remove.
    pub fn plan(target: &Path) -> InProgress {
        InProgress {
            partial: partial_path(target),
            created: (!target.exists()).then(|| target.to_path_buf()),
        }
    }

    /// For a broadcast to the other ranks.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![u8::from(self.created.is_some())];
        b.extend_from_slice(self.partial.to_string_lossy().as_bytes());
        b
    }

    /// The inverse of [`InProgress::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> InProgress {
        let (flag, path) = b.split_first().unwrap_or((&0, &[]));
        let partial = PathBuf::from(String::from_utf8_lossy(path).into_owned());
        let created = (*flag == 1)
            .then(|| partial.parent().map(Path::to_path_buf))
            .flatten();
        InProgress { partial, created }
    }

    /// Keeps the finished files of the hidden folder for `--resume` (renamed to
    /// [`RESUME_DIR`], the files its resume state does not list removed), when its state lists
    /// at least one finished population; else removes it as [`InProgress::remove`].
    pub(super) fn keep(&self) -> Option<Kept> {
        let state = ResumeState::read(&self.partial).filter(ResumeState::worth_keeping);
        let target = self.partial.parent()?;
        let dir = target.join(RESUME_DIR);
        let Some(state) = state else {
            if !self.partial.exists() && dir.join(STATE_FILE).is_file() {
                // Another rank kept it (and says so).
                return ResumeState::read(&dir).map(|s| Kept::of(&s, dir, false));
            }
            self.remove();
            return None;
        };
        if dir.join(STATE_FILE).is_file() {
            // Another rank kept it a moment ago (a build's start removes or takes up an older
            // kept folder, so one there now is this build's): it reports, not this one. Never
            // removed here: that raced with the other rank's rename and lost the kept files.
            return Some(Kept::of(&state, dir, false));
        }
        resume::remove_unlisted(&self.partial, Some(&state));
        // Fails when another rank was first (the folder is gone): it reports, not this one.
        if std::fs::rename(&self.partial, &dir).is_err() {
            // Another rank was first.
            return Some(Kept::of(&state, dir, false));
        }
        Some(Kept::of(&state, dir, true))
    }

    pub(super) fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.partial);
        if let Some(dir) = &self.created {
            // Only succeeds on an empty folder: never removes anything else.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// The build in progress, for a signal handler to clean up when the job is killed (mpirun
/// sends SIGTERM to every rank when one fails).
static IN_PROGRESS: Mutex<Option<InProgress>> = Mutex::new(None);

/// Removes the hidden folder of the build in progress, if any (and the output folder when the
/// build created it and it is empty). Safe to call from a signal handling thread: the worst case
/// is a folder removed twice.
pub fn remove_in_progress() {
    let p = IN_PROGRESS.lock().ok().and_then(|mut p| p.take());
    if let Some(p) = p {
        p.remove();
    }
}

/// What a stopped build kept for `--resume`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The folder it is in ([`RESUME_DIR`] in the output folder).
    pub dir: PathBuf,
    /// Edge populations finished.
    pub finished: usize,
    /// Edge populations of the build.
    pub total: usize,
    /// This process kept them (and reports it); else another rank did.
    pub here: bool,
}

impl Kept {
    fn of(state: &ResumeState, dir: PathBuf, here: bool) -> Kept {
        Kept {
            dir,
            finished: state.populations.len(),
            total: state.total_populations,
            here,
        }
    }
}

/// Keeps the finished files of the build in progress for `--resume` (see
/// [`crate::output::resume`]), or removes its hidden folder when nothing is finished; `Some` when
/// they are kept (by this call, or by another rank's: [`Kept::here`]). For a signal handling thread ([`crate::run::stop`]).
pub fn keep_in_progress() -> Option<Kept> {
    let p = IN_PROGRESS.lock().ok().and_then(|mut p| p.take())?;
    p.keep()
}

/// When the job is torn down by one of `signals` (mpirun sends SIGTERM to every rank once one
/// fails; a user presses Ctrl-C: SIGINT), removes the build's half-written output (on
/// rank 0, the writer) and exits with 128 + the signal. Called once by the program (the
/// Python module; the binary keeps finished populations instead: [`crate::run::stop`]), never by
/// the build itself.
pub fn remove_in_progress_on_signals(signals: &[i32]) {
    match signal_hook::iterator::Signals::new(signals) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    remove_in_progress();
                    std::process::exit(128 + sig);
                }
            });
        }
        Err(e) => tracing::warn!(
            "cannot watch for SIGTERM ({e}): a killed job may leave its temporary folder"
        ),
    }
}

/// Records (or clears) the build in progress, for [`remove_in_progress`].
pub fn set_in_progress(p: Option<InProgress>) {
    if let Ok(mut slot) = IN_PROGRESS.lock() {
        *slot = p;
    }
}

/// Where this process would write `target` aside (call it on rank 0, the writer).
pub fn partial_path(target: &Path) -> PathBuf {
    target.join(format!("{PARTIAL_PREFIX}{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_progress_round_trips_through_bytes() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let p = InProgress::plan(&target);
        assert_eq!(InProgress::from_bytes(&p.to_bytes()), p);
        assert_eq!(p.created.as_deref(), Some(target.as_path()));
        std::fs::create_dir(&target).unwrap();
        let p = InProgress::plan(&target);
        assert_eq!(InProgress::from_bytes(&p.to_bytes()), p);
        assert_eq!(p.created, None);
    }
}
