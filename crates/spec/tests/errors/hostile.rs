//! The hostile corpus (`hostile/NN_name.toml`, each spec wrong in one way, its message in
//! `NN_name.expected`) read by the spec loader: a case the loader refuses must be refused with the
//! message the binary prints (`netbuild: error: ` and the error, the corpus folder's path
//! removed). A case the loader accepts is wrong in a way found later (by the model or the
//! build): the root `tests/hostile.rs`, which runs the binary on every case, checks it.

use super::*;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors/hostile")
}

#[test]
fn the_loader_refuses_the_hostile_specs_as_the_binary_says() {
    let dir = corpus();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the hostile corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 100, "only {} hostile specs", cases.len());
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    let (mut wrong, mut later) = (Vec::new(), Vec::new());
    for spec in &cases {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = std::fs::read_to_string(spec.with_extension("expected"))
            .unwrap_or_else(|e| panic!("{name}.toml has no {name}.expected: {e}"));
        let expected = expected.lines().next().unwrap_or("");
        match load(spec) {
            Ok(_) => later.push(name),
            Err(e) => {
                let found = format!("netbuild: error: {e}").replace(&prefix, "");
                if found != expected {
                    wrong.push(format!(
                        "  {name}:\n    found:    {found:?}\n    expected: {expected:?}"
                    ));
                }
            }
        }
    }
    eprintln!(
        "{} hostile specs refused by the loader; {} found later (checked by tests/hostile.rs): {}",
        cases.len() - later.len(),
        later.len(),
        later.join(", ")
    );
    assert!(
        wrong.is_empty(),
        "{} hostile specs refused with another message:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
