//! The shape of the code, held by tests:
//! - the crate graph of docs/ARCHITECTURE.md: every crate (each under crates/, and the binary,
//!   the root package) has a row of the netbuild crates it may depend on, and a crate without a
//!   row fails the test (this file);
//! - no circle of files in any crate's module import graph (`imports`);
//! - no source file over 700 lines, no Rust function over 150 lines (`sizes`, over `lexer`).
//!
//! Each failure names its offenders: the crate and the dependency, the files of the circle with
//! the line of each reference, the file and its length, the function and its line.

mod imports;
mod lexer;
mod reexports;
mod sizes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The libraries: what the report, the binary and the Python front may depend on.
const LIBRARIES: &[&str] = &[
    "netbuild-types",
    "netbuild-expr",
    "netbuild-comm",
    "netbuild-morphology",
    "netbuild-sonata",
    "netbuild-model",
    "netbuild-spec",
    "netbuild-spill",
    "netbuild",
    "netbuild-validate",
    "netbuild-report",
];

/// The netbuild crates each crate may depend on (normal dependencies; tests may use more).
/// One row per crate of the workspace, as docs/ARCHITECTURE.md's table.
const ALLOWED: &[(&str, &[&str])] = &[
    ("netbuild-types", &[]),
    ("netbuild-expr", &[]),
    ("netbuild-comm", &[]),
    ("netbuild-morphology", &[]),
    ("netbuild-sonata", &["netbuild-types", "netbuild-comm"]),
    (
        "netbuild-model",
        &["netbuild-types", "netbuild-expr", "netbuild-morphology"],
    ),
    (
        "netbuild-spec",
        &[
            "netbuild-types",
            "netbuild-expr",
            "netbuild-model",
            "netbuild-sonata",
        ],
    ),
    ("netbuild-spill", &["netbuild-types", "netbuild-model"]),
    (
        "netbuild",
        &[
            "netbuild-types",
            "netbuild-expr",
            "netbuild-spec",
            "netbuild-model",
            "netbuild-spill",
            "netbuild-sonata",
            "netbuild-comm",
        ],
    ),
    ("netbuild-validate", &["netbuild-types", "netbuild-sonata"]),
    ("netbuild-report", LIBRARIES),
    // The binary (src/, the root package) and the Python extension (crates/python, a cdylib
    // whose tests are Python): fronts over the libraries.
    ("netbuild-mpi", LIBRARIES),
    ("netbuild-python", LIBRARIES),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The package folders of the workspace: the root (the binary) and each crates/* with a Cargo.toml.
fn packages() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("crates"))
        .expect("crates/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs.insert(0, repo());
    dirs
}

/// A package's name and its normal dependencies (a renamed one by its `package` name).
fn manifest(dir: &Path) -> (String, Vec<String>) {
    let path = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).expect("a readable Cargo.toml");
    let doc: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = doc["package"]["name"]
        .as_str()
        .expect("package.name")
        .to_string();
    let deps = doc
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| {
            d.iter()
                .map(|(key, spec)| {
                    spec.get("package")
                        .and_then(|p| p.as_str())
                        .unwrap_or(key)
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    (name, deps)
}

/// Each workspace crate's name and its dependencies.
fn crate_graph() -> BTreeMap<String, Vec<String>> {
    packages().iter().map(|dir| manifest(dir)).collect()
}

/// What is wrong with `graph` against the rows `allowed`: a crate without a row, a row without
/// a crate, a netbuild dependency its row does not allow.
fn graph_errors(graph: &BTreeMap<String, Vec<String>>, allowed: &[(&str, &[&str])]) -> Vec<String> {
    let mut wrong = Vec::new();
    for name in graph.keys() {
        if !allowed.iter().any(|(row, _)| row == name) {
            wrong.push(format!(
                "{name}: no row in tests/architecture/main.rs's ALLOWED (add it, and to docs/ARCHITECTURE.md's table)"
            ));
        }
    }
    for (name, allowed) in allowed {
        let Some(deps) = graph.get(*name) else {
            wrong.push(format!(
                "{name}: has a row but no crate (not under crates/, not the root package)"
            ));
            continue;
        };
        for d in deps.iter().filter(|d| d.starts_with("netbuild")) {
            if !allowed.contains(&d.as_str()) {
                wrong.push(format!("{name} depends on {d}"));
            }
        }
    }
    wrong
}

#[test]
fn every_crate_depends_only_on_what_the_architecture_allows() {
    let graph = crate_graph();
    assert!(graph.len() >= 13, "only {} crates found", graph.len());
    let wrong = graph_errors(&graph, ALLOWED);
    assert!(
        wrong.is_empty(),
        "the crate graph breaks docs/ARCHITECTURE.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_crate_without_a_row_a_row_without_a_crate_and_a_forbidden_arrow_fail() {
    let graph: BTreeMap<String, Vec<String>> = [
        ("netbuild-a", vec!["netbuild-b", "serde"]),
        ("netbuild-b", vec![]),
        ("netbuild-new", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    let rows: &[(&str, &[&str])] = &[
        ("netbuild-a", &[]),
        ("netbuild-b", &[]),
        ("netbuild-gone", &[]),
    ];
    let wrong = graph_errors(&graph, rows);
    assert_eq!(wrong.len(), 3, "{wrong:?}");
    assert!(wrong[0].starts_with("netbuild-new: no row"));
    assert!(wrong[1].starts_with("netbuild-a depends on netbuild-b"));
    assert!(wrong[2].starts_with("netbuild-gone: has a row but no crate"));
}

#[test]
fn the_builder_api_does_not_pull_in_the_spec_parser() {
    // The model is what Rust users (and the Python front) build circuits with: no TOML.
    let graph = crate_graph();
    let model = &graph["netbuild-model"];
    assert!(
        !model.iter().any(|d| d == "netbuild-spec" || d == "toml"),
        "{model:?}"
    );
}

#[test]
fn no_circle_of_files_in_any_crate() {
    let repo = repo();
    let mut found = Vec::new();
    let mut roots = 0;
    for dir in packages() {
        for root in imports::crate_roots(&dir) {
            roots += 1;
            let files = imports::module_tree(&repo, &root);
            let arrows = imports::arrows(&files);
            for circle in imports::circles(files.len(), &arrows) {
                found.push(format!("  {}", imports::describe(&files, &arrows, &circle)));
            }
        }
    }
    assert!(roots >= 13, "only {roots} crate roots found");
    assert!(
        found.is_empty(),
        "{} circles of files (file:line of each reference -> the file it names; import the \
         defining crate or module directly, or move the shared part into its own file):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn only_the_sonata_crate_and_validate_open_hdf5() {
    // One SONATA reader and writer (netbuild-sonata); validate checks possibly broken files
    // object by object, below what a reader accepts (crates/validate/src/lib.rs says why).
    let graph = crate_graph();
    let with_hdf5: Vec<&str> = graph
        .iter()
        .filter(|(_, deps)| deps.iter().any(|d| d.starts_with("hdf5")))
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(with_hdf5, ["netbuild-sonata", "netbuild-validate"]);
}
