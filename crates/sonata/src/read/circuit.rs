//! Finding the files of a circuit folder, for every reader of netbuild (`validate`, `report`).
//!
//! In: a folder. Out: its nodes and edges files with their type tables ([`CircuitFiles`]) and
//! what is wrong or worth knowing about how they are listed ([`Problem`]s, in the order they
//! are met), or a [`FindError`] when nothing can be listed at all.
//!
//! With `circuit_config.json`: the files its `networks.nodes[]` / `networks.edges[]` name,
//! the manifest's `$VAR`s and BMTK's `${configdir}` expanded ([`Manifest`]), relative paths
//! taken from the config's folder, with the populations each entry lists. Without one: every
//! `*_nodes.h5` / `*_edges.h5` of the folder, with the `*_node_types.csv` /
//! `*_edge_types.csv` beside it.
//!
//! Readers differ in what they make of a problem: `validate` lists them all; `report` stops at
//! a [`Severity::Skipped`] one (a listed file it would not read) and passes over the rest.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::config::CIRCUIT_CONFIG;

/// Why no file of a folder could be listed.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// The path is not a folder (or does not exist).
    #[error("{}: not a folder", dir.display())]
    NotAFolder {
        /// The path given.
        dir: PathBuf,
    },
    /// The folder cannot be listed.
    #[error("{}: cannot list: {source}", dir.display())]
    CannotList {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `circuit_config.json` cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    ConfigUnreadable {
        /// The config's path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `circuit_config.json` is not JSON.
    #[error("{}: invalid JSON: {source}", path.display())]
    ConfigNotJson {
        /// The config's path.
        path: PathBuf,
        /// Where and why the parser stopped.
        #[source]
        source: serde_json::Error,
    },
}

/// How much a [`Problem`] matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Allowed, but worth knowing.
    Note,
    /// Wrong, but the files are found as listed.
    Error,
    /// Wrong, and a listed file (or every file) is left out of [`CircuitFiles`].
    Skipped,
}

/// Something wrong or worth knowing about how a circuit lists its files: the file it is in
/// (relative to the folder), the object inside it (a JSON pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How much it matters.
    pub severity: Severity,
    /// `circuit_config.json`, an HDF5 file's name, or the folder.
    pub file: String,
    /// A JSON pointer into the config; empty for the file as a whole.
    pub object: String,
    /// What is wrong, or worth knowing.
    pub message: String,
}

/// One nodes or edges file of a circuit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkFile {
    /// The HDF5 file.
    pub h5: PathBuf,
    /// Its name for people: relative to the folder when inside it ([`label`]).
    pub label: String,
    /// Its type table, when one is named (config) or lies beside it (by name).
    pub types: Option<PathBuf>,
    /// The populations the config lists for it (`Some(empty)` when it lists none); `None`
    /// when the entry has no `populations` or the files were found by name.
    pub populations: Option<Vec<String>>,
}

/// The nodes and edges files of a circuit, in the order they are listed (by name: sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CircuitFiles {
    /// The nodes files.
    pub nodes: Vec<NetworkFile>,
    /// The edges files.
    pub edges: Vec<NetworkFile>,
}

/// What [`find_circuit`] found.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The files found.
    pub files: CircuitFiles,
    /// What is wrong or worth knowing, in the order met.
    pub problems: Vec<Problem>,
}

impl Found {
    fn problem(&mut self, severity: Severity, file: &str, object: &str, message: String) {
        self.problems.push(Problem {
            severity,
            file: file.to_string(),
            object: object.to_string(),
            message,
        });
    }
}

/// `path` relative to `dir` when inside it, else as given: how readers name a file to people.
pub fn label(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}

/// The files of the circuit in `dir` (see the module docs).
pub fn find_circuit(dir: &Path) -> Result<Found, FindError> {
    if !dir.is_dir() {
        return Err(FindError::NotAFolder {
            dir: dir.to_path_buf(),
        });
    }
    let cfg = dir.join(CIRCUIT_CONFIG);
    if cfg.exists() {
        from_config(dir, &cfg)
    } else {
        by_names(dir)
    }
}

/// Every `*_nodes.h5` / `*_edges.h5` of the folder, with the type table beside it.
fn by_names(dir: &Path) -> Result<Found, FindError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|source| FindError::CannotList {
            dir: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut found = Found::default();
    for name in &names {
        for (suffix, types_suffix, nodes) in [
            ("_nodes.h5", "_node_types.csv", true),
            ("_edges.h5", "_edge_types.csv", false),
        ] {
            let Some(stem) = name.strip_suffix(suffix) else {
                continue;
            };
            let types = dir.join(format!("{stem}{types_suffix}"));
            let types = if types.exists() {
                Some(types)
            } else {
                found.problem(
                    Severity::Error,
                    name,
                    "",
                    format!("no type table {stem}{types_suffix} beside it"),
                );
                None
            };
            let file = NetworkFile {
                h5: dir.join(name),
                label: name.clone(),
                types,
                populations: None,
            };
            if nodes {
                found.files.nodes.push(file);
            } else {
                found.files.edges.push(file);
            }
        }
    }
    if found.files.nodes.is_empty() {
        found.problem(
            Severity::Error,
            &dir.display().to_string(),
            "",
            "no circuit_config.json and no *_nodes.h5 file: not a SONATA circuit folder".into(),
        );
    }
    Ok(found)
}

/// The `manifest` of a circuit config: `$VAR`s and the paths they stand for, and the config's
/// folder, which BMTK's `${configdir}` and relative paths refer to.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// (`$VAR`, value), longest names first, so that `$BASE_DIR2` is not read as
    /// `$BASE_DIR` + "2".
    vars: Vec<(String, String)>,
    config_dir: PathBuf,
}

/// What stands for `${configdir}` before a path is taken from the config's folder: the
/// folder itself, so that a relative folder given on the command line is not joined twice.
const CONFIG_DIR_VAR: (&str, &str) = ("${configdir}", ".");

impl Manifest {
    /// The manifest of `config` (a circuit config document) in `config_dir`; a value that is
    /// not a string is left out and named in the second part, as (JSON pointer, message).
    pub fn parse(config: &Value, config_dir: &Path) -> (Manifest, Vec<(String, String)>) {
        let mut vars: Vec<(String, String)> = Vec::new();
        let mut bad = Vec::new();
        match config.get("manifest") {
            None => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    match v.as_str() {
                        Some(s) => vars.push((k.clone(), s.to_string())),
                        None => bad.push((format!("/manifest/{k}"), "expected a string".into())),
                    }
                }
            }
            Some(_) => bad.push(("/manifest".into(), "expected an object".into())),
        }
        vars.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let manifest = Manifest {
            vars,
            config_dir: config_dir.to_path_buf(),
        };
        (manifest, bad)
    }

    /// `s` with the manifest's variables (and `${configdir}`) replaced, repeatedly, as values
    /// may name other variables. A `$` left in the result is an unresolved variable.
    pub fn expand(&self, s: &str) -> String {
        let (configdir, here) = CONFIG_DIR_VAR;
        let mut out = s.replace(configdir, here);
        for _ in 0..16 {
            let before = out.clone();
            for (k, v) in &self.vars {
                out = out.replace(k.as_str(), v);
            }
            out = out.replace(configdir, here);
            if out == before {
                break;
            }
        }
        out
    }

    /// The path `s` names: expanded, and taken from the config's folder when relative.
    pub fn resolve(&self, s: &str) -> PathBuf {
        let p = PathBuf::from(self.expand(s));
        if p.is_relative() {
            self.config_dir.join(p)
        } else {
            p
        }
    }
}

fn from_config(dir: &Path, cfg: &Path) -> Result<Found, FindError> {
    let file = CIRCUIT_CONFIG;
    let text = std::fs::read_to_string(cfg).map_err(|source| FindError::ConfigUnreadable {
        path: cfg.to_path_buf(),
        source,
    })?;
    let json: Value = serde_json::from_str(&text).map_err(|source| FindError::ConfigNotJson {
        path: cfg.to_path_buf(),
        source,
    })?;
    let mut found = Found::default();
    let config_dir = cfg.parent().unwrap_or(dir);
    let (manifest, bad) = Manifest::parse(&json, config_dir);
    for (ptr, message) in bad {
        found.problem(Severity::Error, file, &ptr, message);
    }

    if let Some(comp) = json.get("components") {
        match comp {
            Value::Object(m) => {
                for (k, v) in m {
                    let ptr = format!("/components/{k}");
                    let message = match v.as_str() {
                        Some(s) if manifest.expand(s).contains('$') => {
                            format!("unresolved variable in {s:?}")
                        }
                        Some(s) => {
                            let p = manifest.resolve(s);
                            if p.exists() {
                                continue;
                            }
                            format!("{s:?} ({}) does not exist", label(dir, &p))
                        }
                        None => "expected a path string".into(),
                    };
                    found.problem(Severity::Error, file, &ptr, message);
                }
            }
            _ => found.problem(
                Severity::Error,
                file,
                "/components",
                "expected an object".into(),
            ),
        }
    }

    let Some(networks) = json.get("networks") else {
        found.problem(Severity::Skipped, file, "/networks", "missing".into());
        return Ok(found);
    };
    for (kind, file_key, types_key) in [
        ("nodes", "nodes_file", "node_types_file"),
        ("edges", "edges_file", "edge_types_file"),
    ] {
        let list = match networks.get(kind) {
            Some(Value::Array(a)) => a.as_slice(),
            None if kind == "edges" => &[],
            None => {
                found.problem(
                    Severity::Skipped,
                    file,
                    &format!("/networks/{kind}"),
                    "missing".into(),
                );
                continue;
            }
            Some(_) => {
                found.problem(
                    Severity::Skipped,
                    file,
                    &format!("/networks/{kind}"),
                    "expected an array".into(),
                );
                continue;
            }
        };
        for (i, entry) in list.iter().enumerate() {
            let ptr = format!("/networks/{kind}/{i}");
            let Some(obj) = entry.as_object() else {
                found.problem(Severity::Skipped, file, &ptr, "expected an object".into());
                continue;
            };
            // The file a key names, if it exists; else why not.
            let path_of = |key: &str| -> Option<Result<PathBuf, (String, String)>> {
                let v = obj.get(key)?;
                let kptr = format!("{ptr}/{key}");
                let Some(s) = v.as_str() else {
                    return Some(Err((kptr, "expected a path string".into())));
                };
                if manifest.expand(s).contains('$') {
                    return Some(Err((kptr, format!("unresolved variable in {s:?}"))));
                }
                let p = manifest.resolve(s);
                if !p.is_file() {
                    let m = format!("{s:?} ({}) does not exist", label(dir, &p));
                    return Some(Err((kptr, m)));
                }
                Some(Ok(p))
            };
            let h5 = match path_of(file_key) {
                None => {
                    let m = format!("missing '{file_key}'");
                    found.problem(Severity::Skipped, file, &ptr, m);
                    continue;
                }
                Some(Err((kptr, m))) => {
                    found.problem(Severity::Skipped, file, &kptr, m);
                    continue;
                }
                Some(Ok(p)) => p,
            };
            let types = match path_of(types_key) {
                None => {
                    let m = format!("no '{types_key}': type ids not checked");
                    found.problem(Severity::Note, file, &ptr, m);
                    None
                }
                Some(Err((kptr, m))) => {
                    found.problem(Severity::Error, file, &kptr, m);
                    None
                }
                Some(Ok(p)) => Some(p),
            };
            let populations = populations(obj, &ptr, &mut found);
            let entry = NetworkFile {
                label: label(dir, &h5),
                h5,
                types,
                populations,
            };
            if kind == "nodes" {
                found.files.nodes.push(entry);
            } else {
                found.files.edges.push(entry);
            }
        }
    }
    Ok(found)
}

/// The populations a `networks` entry lists, each with its `type`.
fn populations(
    entry: &serde_json::Map<String, Value>,
    ptr: &str,
    found: &mut Found,
) -> Option<Vec<String>> {
    let file = CIRCUIT_CONFIG;
    match entry.get("populations") {
        Some(Value::Object(m)) => {
            let mut pops = Vec::new();
            for (name, p) in m {
                let pptr = format!("{ptr}/populations/{name}");
                match p.get("type") {
                    Some(Value::String(_)) => {}
                    Some(_) => found.problem(
                        Severity::Error,
                        file,
                        &pptr,
                        "'type' is not a string".into(),
                    ),
                    None => found.problem(
                        Severity::Error,
                        file,
                        &pptr,
                        "no 'type' (libsonata silently skips such a population)".into(),
                    ),
                }
                pops.push(name.clone());
            }
            Some(pops)
        }
        Some(_) => {
            let pptr = format!("{ptr}/populations");
            found.problem(Severity::Error, file, &pptr, "expected an object".into());
            Some(Vec::new())
        }
        None => {
            found.problem(
                Severity::Error,
                file,
                ptr,
                "no 'populations' with their 'type' (libsonata silently skips the entry)".into(),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn manifest_variables_expand_longest_first_and_from_the_config_folder() {
        let config = json!({"manifest": {
            "$BASE_DIR": "${configdir}",
            "$BASE_DIR2": "/elsewhere",
            "$NETWORK_DIR": "$BASE_DIR/network",
            "$N": 3,
        }});
        let (m, bad) = Manifest::parse(&config, Path::new("/c"));
        assert_eq!(bad, [("/manifest/$N".into(), "expected a string".into())]);
        assert_eq!(m.expand("$NETWORK_DIR/a.h5"), "./network/a.h5");
        assert_eq!(m.resolve("$NETWORK_DIR/a.h5"), Path::new("/c/network/a.h5"));
        assert_eq!(m.resolve("$BASE_DIR2/b.h5"), Path::new("/elsewhere/b.h5"));
        assert_eq!(m.resolve("c.h5"), Path::new("/c/c.h5"));
        assert!(m.expand("$OTHER/x").contains('$'));
    }

    #[test]
    fn files_by_name_with_their_type_tables() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "a_nodes.h5",
            "a_node_types.csv",
            "a_a_edges.h5",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let found = find_circuit(dir.path()).unwrap();
        assert_eq!(found.files.nodes.len(), 1);
        assert_eq!(found.files.nodes[0].label, "a_nodes.h5");
        assert_eq!(
            found.files.nodes[0].types.as_deref(),
            Some(dir.path().join("a_node_types.csv").as_path())
        );
        assert_eq!(found.files.edges[0].types, None);
        assert_eq!(found.problems.len(), 1);
        assert_eq!(
            found.problems[0].message,
            "no type table a_a_edge_types.csv beside it"
        );
    }

    #[test]
    fn a_config_names_files_and_populations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a_nodes.h5"), "").unwrap();
        let config = json!({
            "manifest": {"$BASE_DIR": "${configdir}"},
            "networks": {
                "nodes": [
                    {"nodes_file": "$BASE_DIR/a_nodes.h5",
                     "populations": {"a": {"type": "point_neuron"}}},
                    {"nodes_file": "$BASE_DIR/gone_nodes.h5"}
                ]
            }
        });
        std::fs::write(dir.path().join(CIRCUIT_CONFIG), config.to_string()).unwrap();
        let found = find_circuit(dir.path()).unwrap();
        assert_eq!(found.files.nodes.len(), 1);
        assert_eq!(found.files.nodes[0].label, "a_nodes.h5");
        assert_eq!(found.files.nodes[0].populations, Some(vec!["a".into()]));
        let severities: Vec<Severity> = found.problems.iter().map(|p| p.severity).collect();
        assert_eq!(severities, [Severity::Note, Severity::Skipped]);
        assert_eq!(found.problems[1].object, "/networks/nodes/1/nodes_file");

        std::fs::write(dir.path().join(CIRCUIT_CONFIG), "{").unwrap();
        assert!(matches!(
            find_circuit(dir.path()),
            Err(FindError::ConfigNotJson { .. })
        ));
        assert!(matches!(
            find_circuit(&dir.path().join("a_nodes.h5")),
            Err(FindError::NotAFolder { .. })
        ));
    }
}
