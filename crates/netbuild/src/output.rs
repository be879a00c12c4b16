//! The output folder: written aside, renamed into place only when complete.
//!
//! In: the folder the user asked for. Out: a hidden temporary folder beside it (same filesystem,
//! so the final rename is atomic); [`OutputDir::commit`] swaps it into place, replacing an
//! older build. Dropped without commit (an error), the temporary folder is removed: a
//! half-written circuit never sits where a finished one would.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary folder of the build in progress, for a signal handler to remove when the job
/// is killed (mpirun sends SIGTERM to every rank when one fails).
static IN_PROGRESS: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Removes the temporary folder of the build in progress, if any. Safe to call from a signal
/// handling thread: the worst case is a folder removed twice.
pub fn remove_in_progress() {
    let path = IN_PROGRESS.lock().ok().and_then(|mut p| p.take());
    if let Some(p) = path {
        let _ = std::fs::remove_dir_all(p);
    }
}

/// Records (or clears) the temporary folder of the build in progress, for
/// [`remove_in_progress`].
pub fn set_in_progress(p: Option<PathBuf>) {
    if let Ok(mut slot) = IN_PROGRESS.lock() {
        *slot = p;
    }
}

/// A build's output folder while it is written: the temporary folder beside the target.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
}

fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "network".into());
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Where this process would write `target` aside (call it on rank 0, the writer).
pub fn partial_path(target: &Path) -> PathBuf {
    sibling(target, "partial")
}

impl OutputDir {
    /// Creates the temporary folder beside `target` (and `target`'s parents). This is also the
    /// check, before any work, that the output can be written at all.
    pub fn create(target: &Path) -> std::io::Result<OutputDir> {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        remove_stale_siblings(target);
        let temp = sibling(target, "partial");
        if temp.exists() {
            std::fs::remove_dir_all(&temp)?;
        }
        std::fs::create_dir(&temp)?;
        set_in_progress(Some(temp.clone()));
        Ok(OutputDir {
            target: target.to_path_buf(),
            temp,
            committed: false,
        })
    }

    /// Where to write the files now.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Where the files will be.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished folder into place, replacing what was there.
    pub fn commit(mut self) -> std::io::Result<PathBuf> {
        let old = sibling(&self.target, "old");
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)?;
        }
        std::fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        set_in_progress(None);
        if had_old {
            // The new build is in place; a failure to delete the old one loses nothing.
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(self.target.clone())
    }
}

impl OutputDir {
    /// Moves the finished files into `target` one by one (each rename atomic), keeping the
    /// files already there that this build did not write: how a spec with `[[import]]` adds
    /// edge populations to an existing circuit's folder.
    pub fn commit_merge(mut self) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.target)?;
        merge_into(&self.temp, &self.target)?;
        self.committed = true;
        set_in_progress(None);
        let _ = std::fs::remove_dir_all(&self.temp);
        Ok(self.target.clone())
    }
}

/// Renames every file of `from` to the same place under `to`, creating folders as needed.
fn merge_into(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dst = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&dst)?;
            merge_into(&entry.path(), &dst)?;
        } else {
            std::fs::rename(entry.path(), &dst)?;
        }
    }
    Ok(())
}

/// Removes `.NAME.partial-PID` / `.NAME.old-PID` folders left beside `target` by builds whose
/// process is gone (killed with SIGKILL, say), so that no debris accumulates.
fn remove_stale_siblings(target: &Path) {
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = ["partial", "old"]
            .iter()
            .find_map(|tag| file.strip_prefix(&format!(".{name}.{tag}-")));
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if !alive && pid != std::process::id() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
            set_in_progress(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_cleans_up() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        {
            let o = OutputDir::create(&target).unwrap();
            std::fs::write(o.path().join("half.h5"), "x").unwrap();
            // dropped: an error happened
        }
        assert!(target.join("old.txt").exists());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
        let o = OutputDir::create(&target).unwrap();
        std::fs::write(o.path().join("new.txt"), "new").unwrap();
        o.commit().unwrap();
        assert!(target.join("new.txt").exists());
        assert!(!target.join("old.txt").exists());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn commit_merge_keeps_other_files() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir_all(target.join("components")).unwrap();
        std::fs::write(target.join("kept.h5"), "kept").unwrap();
        std::fs::write(target.join("same.h5"), "old").unwrap();
        let o = OutputDir::create(&target).unwrap();
        std::fs::create_dir_all(o.path().join("components/a")).unwrap();
        std::fs::write(o.path().join("same.h5"), "new").unwrap();
        o.commit_merge().unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("kept.h5")).unwrap(),
            "kept"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("same.h5")).unwrap(),
            "new"
        );
        assert!(target.join("components/a").is_dir());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
