//! `.netbuild.json`: the list of what netbuild wrote into an output folder, so that a later
//! build replaces or removes those files and nothing else.
//!
//! In: an output folder. Out: its [`Manifest`] (files and folders netbuild wrote there, as
//! relative paths), read and written atomically (written aside, then renamed). A folder without
//! one may still hold files of a netbuild from before manifests: [`written_by_netbuild`] says
//! which (see its rules).

use netbuild_sonata as sonata;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// The manifest's file name in the output folder.
pub const MANIFEST: &str = ".netbuild.json";

/// What netbuild wrote into a folder, relative to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Files netbuild wrote (`v1_nodes.h5`, `circuit_config.json`, ...).
    pub files: BTreeSet<String>,
    /// Folders netbuild created (`components`, `components/synaptic_models`, ...): removed when
    /// empty and no longer written.
    pub dirs: BTreeSet<String>,
}

/// Recorded beside the lists, for people reading the manifest. No time: the same spec gives the
/// same bytes in every file of the folder, this one too (the file's own time says when).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// `netbuild_spec_sha256` of the last build.
    pub spec_sha256: Option<String>,
}

/// A manifest that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The manifest.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Not a manifest netbuild wrote.
    #[error(
        "{path}: {message}; netbuild cannot tell which files of the folder are its own \
         (remove the file to have the folder treated as one without a manifest)"
    )]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Whether `rel` names a place inside a folder: relative, no `..`. A manifest listing
/// anything else is refused: netbuild removes files it lists.
fn is_inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

impl Manifest {
    /// The manifest of `dir`: `Ok(None)` when it has none.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, ManifestError> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ManifestError::Io { path, source }),
        };
        let invalid = |message: String| ManifestError::Invalid {
            path: path.clone(),
            message,
        };
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let list = |key: &str| -> Result<BTreeSet<String>, ManifestError> {
            let Some(items) = json.get(key).and_then(|v| v.as_array()) else {
                return Err(invalid(format!("no list \"{key}\"")));
            };
            items
                .iter()
                .map(|v| match v.as_str() {
                    Some(s) if is_inside(s) => Ok(s.to_string()),
                    _ => Err(invalid(format!(
                        "\"{key}\" lists {v}, not a path inside the folder"
                    ))),
                })
                .collect()
        };
        Ok(Some(Manifest {
            files: list("files")?,
            dirs: list("dirs")?,
        }))
    }

    /// Replaces `dir`'s manifest atomically (written aside in `dir`, then renamed).
    pub fn write(&self, dir: &Path, prov: &Provenance) -> Result<(), ManifestError> {
        let json = serde_json::json!({
            "about": "the files and folders netbuild wrote here: a build replaces or removes \
                      these, and never touches anything else",
            "netbuild_version": env!("CARGO_PKG_VERSION"),
            "netbuild_spec_sha256": prov.spec_sha256,
            "files": self.files,
            "dirs": self.dirs,
        });
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        let path = dir.join(MANIFEST);
        let aside = dir.join(format!("{MANIFEST}.{}", std::process::id()));
        let io = |source| ManifestError::Io {
            path: path.clone(),
            source,
        };
        std::fs::write(&aside, text).map_err(io)?;
        std::fs::rename(&aside, &path).map_err(|e| {
            let _ = std::fs::remove_file(&aside);
            io(e)
        })
    }
}

/// Whether the HDF5 file `path` carries netbuild's root attribute `netbuild_version`.
fn has_netbuild_version(path: &Path) -> bool {
    let Ok(file) = hdf5::File::open(path) else {
        return false;
    };
    matches!(
        sonata::read::attr::string_attr(&file, "netbuild_version"),
        Ok(Some(_))
    )
}

/// In a folder without a manifest (written by a netbuild from before manifests, which replaced
/// the whole folder, or by something else), whether the file `rel` of `dir` is netbuild's:
/// - an `.h5` file whose root carries the attribute `netbuild_version`;
/// - `<x>_node_types.csv` / `<x>_edge_types.csv` beside such an `<x>_nodes.h5` / `<x>_edges.h5`;
/// - a config file (`circuit_config.json`, `simulation_config.json`, `node_sets.json`) of a
///   folder whose `.h5` files are all netbuild's (at least one).
///
/// Anything else (a BMTK-written file, a user's) is not.
pub fn written_by_netbuild(dir: &Path, rel: &str) -> bool {
    let path = dir.join(rel);
    if rel.ends_with(".h5") {
        return has_netbuild_version(&path);
    }
    for (csv, h5) in [
        ("_node_types.csv", "_nodes.h5"),
        ("_edge_types.csv", "_edges.h5"),
    ] {
        if let Some(stem) = rel.strip_suffix(csv) {
            return has_netbuild_version(&dir.join(format!("{stem}{h5}")));
        }
    }
    if crate::names::CONFIGS.contains(&rel) {
        let h5: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "h5") && p.is_file())
            .collect();
        return !h5.is_empty() && h5.iter().all(|p| has_netbuild_version(p));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), None);
        let m = Manifest {
            files: ["a_nodes.h5".to_string(), "circuit_config.json".into()].into(),
            dirs: ["components".to_string()].into(),
        };
        m.write(dir.path(), &Provenance::default()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), Some(m));
        // Only the manifest: the file written aside was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_manifest_naming_outside_files_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            r#"{"files": ["../x"], "dirs": []}"#,
            r#"{"files": ["/etc/passwd"], "dirs": []}"#,
            r#"{"files": [], "dirs": ["a/../../b"]}"#,
            r#"{"files": []}"#,
            "not json",
        ] {
            std::fs::write(dir.path().join(MANIFEST), bad).unwrap();
            let e = Manifest::read(dir.path()).unwrap_err();
            assert!(matches!(e, ManifestError::Invalid { .. }), "{bad}: {e}");
            assert!(e.to_string().contains(MANIFEST), "{e}");
        }
    }

    #[test]
    fn without_a_manifest_only_files_that_say_netbuild() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "a_nodes.h5",
            "a_node_types.csv",
            "notes.txt",
            "circuit_config.json",
        ] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        for f in [
            "a_nodes.h5",
            "a_node_types.csv",
            "notes.txt",
            "circuit_config.json",
        ] {
            assert!(!written_by_netbuild(dir.path(), f), "{f}");
        }
    }
}
