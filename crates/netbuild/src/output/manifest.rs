//! `.netbuild.json`: the list of what netbuild wrote into an output folder, so that a later
//! build replaces or removes those files and nothing else.
//!
//! In: an output folder. Out: its [`Manifest`] (files and folders netbuild wrote there, as
//! relative paths, each file with its size and modification time: a file changed or replaced
//! since is no longer netbuild's), read and written atomically (written aside, then renamed). A folder without
//! one may still hold files of a netbuild from before manifests: [`written_by_netbuild`] says
//! which (see its rules).

use netbuild_sonata as sonata;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// The manifest's file name in the output folder.
pub const MANIFEST: &str = ".netbuild.json";

/// What netbuild wrote into a folder, relative to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Files netbuild wrote (`v1_nodes.h5`, `circuit_config.json`, ...), each as it left it.
    pub files: BTreeMap<String, Stamp>,
    /// Folders netbuild created (`components`, `components/synaptic_models`, ...): removed when
    /// empty and no longer written.
    pub dirs: BTreeSet<String>,
}

/// A file as netbuild left it: a file of the same name with another size or time was changed
/// or replaced since (a user's edit of `simulation_config.json`, another tool's file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Its size.
    pub bytes: u64,
    /// Its modification time, in nanoseconds since 1970.
    pub modified_ns: u64,
}

impl Stamp {
    /// The stamp of the file at `path` (`None`: no such file, or not a file).
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        let modified = meta.modified().ok()?;
        let ns = modified
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Some(Stamp {
            bytes: meta.len(),
            modified_ns: u64::try_from(ns).unwrap_or(u64::MAX),
        })
    }
}

/// Recorded beside the lists, for people reading the manifest.
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
        let outside = |key: &str, v: &dyn std::fmt::Display| {
            invalid(format!("\"{key}\" lists {v}, not a path inside the folder"))
        };
        let Some(dirs) = json.get("dirs").and_then(|v| v.as_array()) else {
            return Err(invalid("no list \"dirs\"".into()));
        };
        let dirs = dirs
            .iter()
            .map(|v| match v.as_str() {
                Some(s) if is_inside(s) => Ok(s.to_string()),
                _ => Err(outside("dirs", v)),
            })
            .collect::<Result<_, _>>()?;
        let Some(files) = json.get("files").and_then(|v| v.as_object()) else {
            return Err(invalid("no object \"files\"".into()));
        };
        let files = files
            .iter()
            .map(|(name, v)| {
                if !is_inside(name) {
                    return Err(outside("files", &format!("{name:?}")));
                }
                let field = |k: &str| v.get(k).and_then(|x| x.as_u64());
                match (field("bytes"), field("modified_ns")) {
                    (Some(bytes), Some(modified_ns)) => {
                        Ok((name.clone(), Stamp { bytes, modified_ns }))
                    }
                    _ => Err(invalid(format!(
                        "\"files\": {name:?} has no \"bytes\" and \"modified_ns\""
                    ))),
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(Manifest { files, dirs }))
    }

    /// Whether the file `rel` of `dir` is one this manifest lists, as netbuild left it.
    pub fn lists_unchanged(&self, dir: &Path, rel: &str) -> bool {
        self.files
            .get(rel)
            .is_some_and(|s| Stamp::of(&dir.join(rel)) == Some(*s))
    }

    /// Replaces `dir`'s manifest atomically (written aside in `dir`, then renamed).
    pub fn write(&self, dir: &Path, prov: &Provenance) -> Result<(), ManifestError> {
        let json = serde_json::json!({
            "about": "the files and folders netbuild wrote here: a build replaces or removes \
                      these, and never touches anything else",
            "netbuild_version": env!("CARGO_PKG_VERSION"),
            "netbuild_spec_sha256": prov.spec_sha256,
            "files": self
                .files
                .iter()
                .map(|(name, s)| {
                    let stamp = serde_json::json!({"bytes": s.bytes, "modified_ns": s.modified_ns});
                    (name.clone(), stamp)
                })
                .collect::<serde_json::Map<_, _>>(),
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

/// Whether the existing file `rel` of `dir` is netbuild's, given the folder's manifest
/// (`None`: it has none): listed and unchanged since, or, without a manifest, a file of a netbuild
/// from before manifests ([`written_by_netbuild`]). The one rule of the build's pre-check and of
/// the Python front's placing.
pub fn is_netbuilds(dir: &Path, manifest: Option<&Manifest>, rel: &str) -> bool {
    match manifest {
        Some(m) => m.lists_unchanged(dir, rel),
        None => written_by_netbuild(dir, rel),
    }
}

/// Whether the HDF5 file `path` carries netbuild's root attribute `netbuild_version`.
fn has_netbuild_version(path: &Path) -> bool {
    matches!(
        sonata::root_string_attrs(path, &["netbuild_version"]).as_deref(),
        Ok([Some(_)])
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
    if crate::output::names::CONFIGS.contains(&rel) {
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
        let stamp = |b| Stamp {
            bytes: b,
            modified_ns: 1_700_000_000_000_000_000,
        };
        let m = Manifest {
            files: [
                ("a_nodes.h5".to_string(), stamp(10)),
                ("circuit_config.json".into(), stamp(2)),
            ]
            .into(),
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
            r#"{"files": {"../x": {"bytes": 1, "modified_ns": 1}}, "dirs": []}"#,
            r#"{"files": {"/etc/passwd": {"bytes": 1, "modified_ns": 1}}, "dirs": []}"#,
            r#"{"files": {"a": {"bytes": 1}}, "dirs": []}"#,
            r#"{"files": {}, "dirs": ["a/../../b"]}"#,
            r#"{"files": {}}"#,
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
