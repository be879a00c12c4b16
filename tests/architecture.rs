//! The crate graph of docs/ARCHITECTURE.md, held: each library crate depends only on the
//! netbuild crates its table row allows, so the pipeline's layering cannot erode unnoticed.

use std::collections::BTreeMap;
use std::path::Path;

/// The netbuild crates each crate may depend on (normal dependencies; tests may use more).
const ALLOWED: &[(&str, &[&str])] = &[
    ("netbuild-types", &[]),
    ("netbuild-expr", &[]),
    ("netbuild-comm", &[]),
    ("netbuild-morphology", &[]),
    ("netbuild-sonata", &["netbuild-types", "netbuild-comm"]),
    (
        "netbuild-model",
        &[
            "netbuild-types",
            "netbuild-expr",
            "netbuild-sonata",
            "netbuild-morphology",
        ],
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
    ("netbuild-edges", &["netbuild-types", "netbuild-model"]),
    (
        "netbuild",
        &[
            "netbuild-types",
            "netbuild-expr",
            "netbuild-spec",
            "netbuild-model",
            "netbuild-edges",
            "netbuild-sonata",
            "netbuild-comm",
        ],
    ),
    ("netbuild-validate", &["netbuild-types", "netbuild-sonata"]),
];

/// Each workspace crate's name and its dependencies, from crates/*/Cargo.toml.
fn crate_graph() -> BTreeMap<String, Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut graph = BTreeMap::new();
    for dir in std::fs::read_dir(&root).expect("crates/ is readable") {
        let manifest = dir.expect("a crates/ entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let doc: toml::Table = text.parse().expect("a valid Cargo.toml");
        let name = doc["package"]["name"]
            .as_str()
            .expect("package.name")
            .to_string();
        let deps = doc
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default();
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn library_crates_depend_only_on_what_the_architecture_allows() {
    let graph = crate_graph();
    let mut wrong = Vec::new();
    for (name, allowed) in ALLOWED {
        let Some(deps) = graph.get(*name) else {
            wrong.push(format!("{name}: not found under crates/"));
            continue;
        };
        for d in deps.iter().filter(|d| d.starts_with("netbuild")) {
            if !allowed.contains(&d.as_str()) {
                wrong.push(format!("{name} depends on {d}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the crate graph breaks docs/ARCHITECTURE.md:\n{}",
        wrong.join("\n")
    );
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
