//! The size limits of the project brief: no source file over 700 lines, no Rust function over
//! 150 lines (from the line of its `fn` to the line of its closing brace; braces in strings,
//! chars and comments do not count: `lexer`).
//!
//! The files checked: `.rs` under src/, crates/, tests/, benches/, fuzz/ and examples/; `.py` of
//! the Python front (crates/python/python/) and scripts/*.py. Build output and caches (target/,
//! .venv/, __pycache__/, hidden folders) are not sources.

use crate::lexer::{code_only, functions};
use std::path::{Path, PathBuf};

pub const MAX_FILE_LINES: usize = 700;
pub const MAX_FN_LINES: usize = 150;

/// Files under `dir` (recursively, unless `deep` is false) whose name ends in `.{ext}`.
fn files(dir: &Path, ext: &str, deep: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            let skip = name.starts_with('.') || name == "target" || name == "__pycache__";
            if deep && !skip {
                files(&path, ext, deep, out);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every source file the limits apply to, sorted.
pub fn sources(repo: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["src", "crates", "tests", "benches", "fuzz", "examples"] {
        files(&repo.join(dir), "rs", true, &mut out);
    }
    files(&repo.join("crates/python/python"), "py", true, &mut out);
    files(&repo.join("scripts"), "py", false, &mut out);
    out.sort();
    out
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shown(path: &Path) -> String {
    let repo = repo();
    path.strip_prefix(&repo)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn no_source_file_is_over_700_lines() {
    let sources = sources(&repo());
    assert!(sources.len() > 100, "only {} sources found", sources.len());
    let long: Vec<String> = sources
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let n = text.lines().count();
            (n > MAX_FILE_LINES).then(|| format!("  {}: {n} lines", shown(p)))
        })
        .collect();
    assert!(
        long.is_empty(),
        "{} source files are over {MAX_FILE_LINES} lines (split them by job):\n{}",
        long.len(),
        long.join("\n")
    );
}

#[test]
fn no_rust_function_is_over_150_lines() {
    let mut long = Vec::new();
    for path in sources(&repo()) {
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a readable source");
            for f in functions(&code_only(&text)) {
                if f.lines > MAX_FN_LINES {
                    long.push(format!(
                        "  {}:{}: fn {}: {} lines",
                        shown(&path),
                        f.line,
                        f.name,
                        f.lines
                    ));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "{} functions are over {MAX_FN_LINES} lines (split them into steps):\n{}",
        long.len(),
        long.join("\n")
    );
}
