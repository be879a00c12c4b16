//! The output folder while a build writes it: [`OutputDir`], created (or taken up for
//! `--resume`) before any work, checked against what the build will write, committed file by
//! file when the build is complete, removed if dropped without a commit.
//!
//! In: the folder the user asked for, an [`OutputPolicy`] and how the build starts ([`Start`]).
//! Out: the hidden folder the build writes into ([`OutputDir::path`]), and at the commit the
//! files in place, the folder's manifest updated ([`Committed`]).

use super::in_progress::{partial_path, set_in_progress, InProgress};
use super::listing::walk;
use super::manifest::{self, Manifest, Stamp};
use super::resume::{self, ResumeError, ResumeKey, ResumeState, RESUME_DIR, STATE_FILE};
use super::{io, OutputError, OutputPolicy, Overwrite, PARTIAL_PREFIX};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A build's output folder while it is written.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    temp: PathBuf,
    /// The output folder did not exist: the build created it.
    created: bool,
    /// The folder's manifest before this build (`None`: it had none).
    before: Option<Manifest>,
    policy: OutputPolicy,
    committed: bool,
    /// The hidden folder holds a stopped build's finished files (`--resume`).
    resumed: bool,
}

/// What a commit put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The output folder.
    pub dir: PathBuf,
    /// The files this build wrote (path in the folder, bytes), sorted.
    pub files: Vec<(String, u64)>,
}

impl OutputDir {
    /// Creates the output folder if needed (with its parents) and the hidden folder inside it,
    /// and reads the folder's manifest. This is also the check, before any work, that the
    /// output can be written at all.
    pub fn create(target: &Path, policy: OutputPolicy) -> Result<OutputDir, OutputError> {
        Self::create_for(target, policy, Start::Fresh).map(|(out, _)| out)
    }

    /// [`OutputDir::create`], continuing a stopped build with [`Start::Resume`]: its kept
    /// folder (or the hidden folder of a build that was killed) becomes this build's, with the
    /// finished files that are unchanged, listed in the returned state. [`Start::Fresh`]
    /// removes a stopped build's folder.
    pub fn create_for(
        target: &Path,
        policy: OutputPolicy,
        start: Start<'_>,
    ) -> Result<(OutputDir, Option<ResumeState>), OutputError> {
        let created = !target.exists();
        std::fs::create_dir_all(target).map_err(io(target))?;
        let mut out = OutputDir {
            target: target.to_path_buf(),
            temp: partial_path(target),
            created,
            before: None,
            policy,
            committed: false,
            resumed: false,
        };
        set_in_progress(Some(InProgress {
            partial: out.temp.clone(),
            created: created.then(|| target.to_path_buf()),
        }));
        let found = match start {
            Start::Resume(key) => resumable(target, key)?,
            Start::Fresh => {
                let kept = target.join(RESUME_DIR);
                if kept.join(STATE_FILE).is_file() {
                    tracing::warn!(
                        "removing {}: a stopped build's files (--resume would have continued it)",
                        kept.display()
                    );
                    std::fs::remove_dir_all(&kept).map_err(io(&kept))?;
                }
                None
            }
        };
        if out.temp.exists() {
            std::fs::remove_dir_all(&out.temp).map_err(io(&out.temp))?;
        }
        let state = match found {
            Some((dir, state)) => {
                std::fs::rename(&dir, &out.temp).map_err(io(&dir))?;
                out.resumed = true;
                tracing::info!(
                    "resuming from {}: {} of {} edge populations finished",
                    dir.display(),
                    state.populations.len(),
                    state.total_populations
                );
                Some(state)
            }
            None => {
                if matches!(start, Start::Resume(_)) {
                    tracing::info!(
                        "--resume: no stopped build in {}: building from the start",
                        target.display()
                    );
                }
                std::fs::create_dir(&out.temp).map_err(io(&out.temp))?;
                None
            }
        };
        remove_dead_partials(target);
        out.before = Manifest::read(target)?;
        Ok((out, state))
    }

    /// Records what is finished in the hidden folder (rank 0, after the nodes and after each
    /// edge population), for a stop to keep.
    pub fn record(&self, state: &ResumeState) -> Result<(), OutputError> {
        Ok(state.write(&self.temp)?)
    }

    /// Where to write the files now.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Where the files will be.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Refuses (naming the first such file) when a file of `files` (paths in the folder that
    /// the build would write) exists and may not be replaced: it is not netbuild's, or the
    /// policy replaces nothing.
    pub fn check<S: AsRef<str>>(&self, files: &[S]) -> Result<(), OutputError> {
        files.iter().try_for_each(|f| self.may_replace(f.as_ref()))
    }

    fn may_replace(&self, rel: &str) -> Result<(), OutputError> {
        let path = self.target.join(rel);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(());
        }
        if !manifest::is_netbuilds(&self.target, self.before.as_ref(), rel) {
            return Err(OutputError::NotNetbuilds { path });
        }
        let config = crate::output::names::CONFIGS.contains(&rel);
        if self.policy.overwrite == Overwrite::Never && !config {
            return Err(OutputError::Exists { path });
        }
        Ok(())
    }

    /// Moves the finished files into the output folder one by one (each rename atomic), after
    /// checking them again (a file may have appeared since [`OutputDir::check`]). The manifest
    /// lists the union of the earlier and the new files while they move, then (with
    /// [`OutputPolicy::remove_stale`]) the earlier files this build did not write, and the
    /// empty folders it no longer creates, are removed, and the manifest lists this build's.
    pub fn commit(mut self, prov: &manifest::Provenance) -> Result<Committed, OutputError> {
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        walk(&self.temp, "", &mut files, &mut dirs)?;
        // The resume state (and its copy being written) stays behind, removed with the folder.
        files.retain(|f| !f.starts_with(STATE_FILE));
        self.check(&files)?;
        // A rename keeps a file's size and time: the stamps of the files in place.
        let mut written = std::collections::BTreeMap::new();
        for f in &files {
            let p = self.temp.join(f);
            let stamp = Stamp::of(&p).ok_or_else(|| OutputError::Io {
                path: p.clone(),
                source: std::io::ErrorKind::NotFound.into(),
            })?;
            written.insert(f.clone(), stamp);
        }
        let before = self.before.clone().unwrap_or_default();
        // Only the earlier files still as netbuild left them are its own.
        let earlier: Vec<String> = before
            .files
            .keys()
            .filter(|f| !written.contains_key(*f) && before.lists_unchanged(&self.target, f))
            .cloned()
            .collect();
        let mut moving = before.clone();
        moving
            .files
            .extend(written.iter().map(|(f, s)| (f.clone(), *s)));
        moving.write(&self.target, prov)?;

        let mut created = BTreeSet::new();
        // Parents before children: `walk` lists a folder before what it holds.
        for d in &dirs {
            let to = self.target.join(d);
            if !to.is_dir() {
                std::fs::create_dir(&to).map_err(io(&to))?;
                created.insert(d.clone());
            }
        }
        for f in &files {
            let to = self.target.join(f);
            std::fs::rename(self.temp.join(f), &to).map_err(io(&to))?;
        }
        self.committed = true;
        set_in_progress(None);
        let _ = std::fs::remove_dir_all(&self.temp);

        let placed = written.iter().map(|(f, s)| (f.clone(), s.bytes)).collect();
        let mut after = Manifest {
            files: written,
            dirs: before.dirs.union(&created).cloned().collect(),
        };
        if self.policy.remove_stale {
            for stale in &earlier {
                let p = self.target.join(stale);
                std::fs::remove_file(&p).map_err(io(&p))?;
                tracing::info!(file = %p.display(), "removed: an earlier build's, not written by this one");
            }
            let used: BTreeSet<&String> = dirs.iter().collect();
            // Children before parents.
            for d in before.dirs.iter().rev().filter(|d| !used.contains(d)) {
                // Only succeeds on an empty folder: a folder holding a user's file stays.
                if std::fs::remove_dir(self.target.join(d)).is_ok() {
                    after.dirs.remove(d);
                }
            }
        } else {
            for f in earlier {
                after.files.insert(f.clone(), before.files[&f]);
            }
        }
        after.dirs.retain(|d| self.target.join(d).is_dir());
        after.write(&self.target, prov)?;
        Ok(Committed {
            dir: self.target.clone(),
            files: placed,
        })
    }
}

/// How a build starts in its output folder.
#[derive(Debug, Clone, Copy)]
pub enum Start<'a> {
    /// From nothing: a stopped build's kept files are removed.
    Fresh,
    /// Continuing a stopped build made with this key (`--resume`), if there is one.
    Resume(&'a ResumeKey),
}

/// The stopped build of `target` to continue: its kept folder ([`RESUME_DIR`]), else the hidden
/// folder of a killed build (process gone) with a resume state; its state verified against the
/// files and `key` (another key is an error naming the differences), the files it does not
/// list removed.
fn resumable(
    target: &Path,
    key: &ResumeKey,
) -> Result<Option<(PathBuf, ResumeState)>, OutputError> {
    let mut candidates = vec![target.join(RESUME_DIR)];
    candidates.extend(dead_partials(target));
    for dir in candidates {
        let Some(state) = ResumeState::read(&dir) else {
            continue;
        };
        let differences = state.key.differences(key);
        if !differences.is_empty() {
            return Err(ResumeError::Mismatch {
                path: dir,
                differences,
            }
            .into());
        }
        let state = state.verified(&dir);
        resume::remove_unlisted(&dir, Some(&state));
        return Ok(Some((dir, state)));
    }
    Ok(None)
}

/// The `.netbuild-partial-PID` folders of `target` whose process is gone.
fn dead_partials(target: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(target) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = file
                .strip_prefix(PARTIAL_PREFIX)
                .and_then(|p| p.parse::<u32>().ok())
            else {
                return false;
            };
            let alive = Path::new("/proc").join(pid.to_string()).exists();
            !alive && pid != std::process::id() && entry.path().is_dir()
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// Removes `.netbuild-partial-PID` folders left in `target` by builds whose process is gone
/// (killed with SIGKILL, say), so that no debris accumulates.
fn remove_dead_partials(target: &Path) {
    for dir in dead_partials(target) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let p = InProgress {
                partial: self.temp.clone(),
                created: self.created.then(|| self.target.clone()),
            };
            // An error in a resumed build must not lose what the stopped one finished; any
            // other failed build starts over next time (an error would recur).
            if self.resumed {
                let _ = p.keep();
            } else {
                p.remove();
            }
            set_in_progress(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::manifest::Provenance;

    const FULL: OutputPolicy = OutputPolicy {
        overwrite: Overwrite::Netbuilds,
        remove_stale: true,
    };

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    /// Writes `files` (name, text) through an OutputDir into `target` and commits.
    fn build(target: &Path, policy: OutputPolicy, files: &[(&str, &str)]) -> Committed {
        let o = OutputDir::create(target, policy).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.0).collect();
        o.check(&names).unwrap();
        for (name, text) in files {
            let p = o.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        o.commit(&Provenance::default()).unwrap()
    }

    #[test]
    fn foreign_files_survive_and_own_files_are_replaced() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir_all(target.join("sub")).unwrap();
        std::fs::write(target.join("mine.txt"), "mine").unwrap();
        std::fs::write(target.join("sub/precious.txt"), "precious").unwrap();
        let c = build(
            &target,
            FULL,
            &[("a_nodes.h5", "1"), ("components/x/y", "y")],
        );
        assert_eq!(
            c.files,
            [("a_nodes.h5".into(), 1), ("components/x/y".into(), 1)]
        );
        build(&target, FULL, &[("a_nodes.h5", "2")]);
        assert_eq!(read(&target.join("a_nodes.h5")), "2");
        assert_eq!(read(&target.join("mine.txt")), "mine");
        assert_eq!(read(&target.join("sub/precious.txt")), "precious");
        // The folders the first build created went with their (stale) file.
        assert!(!target.join("components").exists());
        let m = Manifest::read(&target).unwrap().unwrap();
        assert_eq!(m.files.keys().collect::<Vec<_>>(), ["a_nodes.h5"]);
        assert!(m.dirs.is_empty());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn stale_files_removed_or_kept_by_policy() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        build(&target, FULL, &[("a.h5", "a"), ("b.h5", "b")]);
        let partial = OutputPolicy {
            overwrite: Overwrite::Netbuilds,
            remove_stale: false,
        };
        build(&target, partial, &[("c.h5", "c")]);
        let m = Manifest::read(&target).unwrap().unwrap();
        assert_eq!(m.files.len(), 3, "{m:?}");
        // A user edits b.h5: no longer netbuild's, it stays, and the manifest forgets it.
        std::fs::write(target.join("b.h5"), "edited").unwrap();
        build(&target, FULL, &[("a.h5", "A")]);
        assert_eq!(read(&target.join("b.h5")), "edited");
        assert!(!target.join("c.h5").exists());
        assert_eq!(read(&target.join("a.h5")), "A");
        let m = Manifest::read(&target).unwrap().unwrap();
        assert_eq!(m.files.keys().collect::<Vec<_>>(), ["a.h5"]);
        // ... and a build that would write it again is refused.
        let o = OutputDir::create(&target, FULL).unwrap();
        let e = o.check(&["b.h5"]).unwrap_err();
        assert!(matches!(e, OutputError::NotNetbuilds { .. }), "{e}");
    }

    #[test]
    fn refuses_foreign_and_never_policy_before_work() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("a_nodes.h5"), "theirs").unwrap();
        let o = OutputDir::create(&target, FULL).unwrap();
        let e = o.check(&["a_nodes.h5"]).unwrap_err();
        assert!(matches!(e, OutputError::NotNetbuilds { .. }), "{e}");
        assert!(e.to_string().contains("a_nodes.h5"), "{e}");
        drop(o);
        assert_eq!(read(&target.join("a_nodes.h5")), "theirs");
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1);

        build(
            &target,
            FULL,
            &[("b.h5", "b"), ("circuit_config.json", "{}")],
        );
        let never = OutputPolicy {
            overwrite: Overwrite::Never,
            remove_stale: false,
        };
        let o = OutputDir::create(&target, never).unwrap();
        o.check(&["circuit_config.json"]).unwrap();
        let e = o.check(&["b.h5"]).unwrap_err();
        assert!(matches!(e, OutputError::Exists { .. }), "{e}");
    }

    #[test]
    fn a_failed_build_leaves_what_was_there() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        {
            let o = OutputDir::create(&target, FULL).unwrap();
            std::fs::write(o.path().join("half.h5"), "x").unwrap();
            // dropped: an error happened
        }
        assert!(!target.exists(), "the folder it created, empty, is removed");
        build(&target, FULL, &[("a.h5", "old")]);
        {
            let o = OutputDir::create(&target, FULL).unwrap();
            std::fs::write(o.path().join("a.h5"), "half").unwrap();
        }
        assert_eq!(read(&target.join("a.h5")), "old");
        let mut names: Vec<_> = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [manifest::MANIFEST, "a.h5"]);
    }
}
