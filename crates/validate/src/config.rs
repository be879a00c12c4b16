//! Finding the files of a circuit: through `circuit_config.json`, or by file names.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{label, FileEntry, Sink};

pub const CIRCUIT_CONFIG: &str = "circuit_config.json";

#[derive(Debug, Default)]
pub(crate) struct Circuit {
    pub nodes: Vec<FileEntry>,
    pub edges: Vec<FileEntry>,
}

pub(crate) fn discover(dir: &Path, sink: &mut Sink) -> Circuit {
    if !dir.is_dir() {
        sink.error(&dir.display().to_string(), "", "not a folder");
        return Circuit::default();
    }
    let cfg = dir.join(CIRCUIT_CONFIG);
    if cfg.exists() {
        from_config(dir, &cfg, sink)
    } else {
        by_names(dir, sink)
    }
}

/// Every `*_nodes.h5` / `*_edges.h5` of the folder, with the type table beside it.
fn by_names(dir: &Path, sink: &mut Sink) -> Circuit {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect(),
        Err(e) => {
            sink.error(&dir.display().to_string(), "", format!("cannot list: {e}"));
            return Circuit::default();
        }
    };
    names.sort();
    let mut c = Circuit::default();
    for name in &names {
        for (suffix, types_suffix, list) in [
            ("_nodes.h5", "_node_types.csv", &mut c.nodes),
            ("_edges.h5", "_edge_types.csv", &mut c.edges),
        ] {
            if let Some(stem) = name.strip_suffix(suffix) {
                let types = dir.join(format!("{stem}{types_suffix}"));
                let types = if types.exists() {
                    Some(types)
                } else {
                    sink.error(
                        name,
                        "",
                        format!("no type table {stem}{types_suffix} beside it"),
                    );
                    None
                };
                list.push(FileEntry {
                    path: dir.join(name),
                    label: name.clone(),
                    types,
                    populations: None,
                });
            }
        }
    }
    if c.nodes.is_empty() {
        sink.error(
            &dir.display().to_string(),
            "",
            "no circuit_config.json and no *_nodes.h5 file: not a SONATA circuit folder",
        );
    }
    c
}

/// Resolves `$VAR`s of the manifest (and BMTK's `${configdir}`) in `s`.
fn substitute(s: &str, manifest: &[(String, String)], config_dir: &Path) -> String {
    let mut out = s.replace("${configdir}", &config_dir.display().to_string());
    // Longest names first, so that `$BASE_DIR2` is not read as `$BASE_DIR` + "2".
    for _ in 0..16 {
        let before = out.clone();
        for (k, v) in manifest {
            out = out.replace(k.as_str(), v);
        }
        out = out.replace("${configdir}", &config_dir.display().to_string());
        if out == before {
            break;
        }
    }
    out
}

fn from_config(dir: &Path, cfg: &Path, sink: &mut Sink) -> Circuit {
    let file = CIRCUIT_CONFIG;
    let mut c = Circuit::default();
    let text = match std::fs::read_to_string(cfg) {
        Ok(t) => t,
        Err(e) => {
            sink.error(file, "", format!("cannot read: {e}"));
            return c;
        }
    };
    let json: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            sink.error(file, "", format!("invalid JSON: {e}"));
            return c;
        }
    };
    let config_dir = cfg.parent().unwrap_or(dir).to_path_buf();

    let mut manifest: Vec<(String, String)> = Vec::new();
    match json.get("manifest") {
        None => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                match v.as_str() {
                    Some(s) => manifest.push((k.clone(), s.to_string())),
                    None => sink.error(file, &format!("/manifest/{k}"), "expected a string"),
                }
            }
        }
        Some(_) => sink.error(file, "/manifest", "expected an object"),
    }
    manifest.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    let resolve = |s: &str| -> PathBuf {
        let p = PathBuf::from(substitute(s, &manifest, &config_dir));
        if p.is_relative() {
            config_dir.join(p)
        } else {
            p
        }
    };

    if let Some(comp) = json.get("components") {
        match comp {
            Value::Object(m) => {
                for (k, v) in m {
                    let ptr = format!("/components/{k}");
                    match v.as_str() {
                        Some(s) => {
                            let p = resolve(s);
                            if s.contains('$')
                                && substitute(s, &manifest, &config_dir).contains('$')
                            {
                                sink.error(file, &ptr, format!("unresolved variable in {s:?}"));
                            } else if !p.exists() {
                                sink.error(
                                    file,
                                    &ptr,
                                    format!("{s:?} ({}) does not exist", label(dir, &p)),
                                );
                            }
                        }
                        None => sink.error(file, &ptr, "expected a path string"),
                    }
                }
            }
            _ => sink.error(file, "/components", "expected an object"),
        }
    }

    let Some(networks) = json.get("networks") else {
        sink.error(file, "/networks", "missing");
        return c;
    };
    for (kind, file_key, types_key) in [
        ("nodes", "nodes_file", "node_types_file"),
        ("edges", "edges_file", "edge_types_file"),
    ] {
        let list = match networks.get(kind) {
            Some(Value::Array(a)) => a.as_slice(),
            None if kind == "edges" => &[],
            None => {
                sink.error(file, &format!("/networks/{kind}"), "missing");
                continue;
            }
            Some(_) => {
                sink.error(file, &format!("/networks/{kind}"), "expected an array");
                continue;
            }
        };
        for (i, entry) in list.iter().enumerate() {
            let ptr = format!("/networks/{kind}/{i}");
            let Some(obj) = entry.as_object() else {
                sink.error(file, &ptr, "expected an object");
                continue;
            };
            let path_of = |key: &str, sink: &mut Sink| -> Option<PathBuf> {
                let v = obj.get(key)?;
                let kptr = format!("{ptr}/{key}");
                let Some(s) = v.as_str() else {
                    sink.error(file, &kptr, "expected a path string");
                    return None;
                };
                if substitute(s, &manifest, &config_dir).contains('$') {
                    sink.error(file, &kptr, format!("unresolved variable in {s:?}"));
                    return None;
                }
                let p = resolve(s);
                if !p.is_file() {
                    sink.error(
                        file,
                        &kptr,
                        format!("{s:?} ({}) does not exist", label(dir, &p)),
                    );
                    return None;
                }
                Some(p)
            };
            if !obj.contains_key(file_key) {
                sink.error(file, &ptr, format!("missing '{file_key}'"));
                continue;
            }
            let Some(h5) = path_of(file_key, sink) else {
                continue;
            };
            let types = if obj.contains_key(types_key) {
                path_of(types_key, sink)
            } else {
                sink.note(
                    file,
                    &ptr,
                    format!("no '{types_key}': type ids not checked"),
                );
                None
            };
            let mut pops = Some(Vec::new());
            match obj.get("populations") {
                Some(Value::Object(m)) => {
                    for (name, p) in m {
                        let pptr = format!("{ptr}/populations/{name}");
                        match p.get("type") {
                            Some(Value::String(_)) => {}
                            Some(_) => sink.error(file, &pptr, "'type' is not a string"),
                            None => sink.error(
                                file,
                                &pptr,
                                "no 'type' (libsonata silently skips such a population)",
                            ),
                        }
                        pops.get_or_insert_with(Vec::new).push(name.clone());
                    }
                }
                Some(_) => sink.error(file, &format!("{ptr}/populations"), "expected an object"),
                None => {
                    sink.error(
                        file,
                        &ptr,
                        "no 'populations' with their 'type' (libsonata silently skips the entry)",
                    );
                    pops = None;
                }
            }
            let entry = FileEntry {
                label: label(dir, &h5),
                path: h5,
                types,
                populations: pops,
            };
            if kind == "nodes" {
                c.nodes.push(entry);
            } else {
                c.edges.push(entry);
            }
        }
    }
    c
}
