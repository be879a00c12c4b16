//! Malformed specs: each error has the exact line and column and says what was expected.
//!
//! The home of the spec's errors (tests/README.md): a file per part of the spec checked, the
//! helpers here; the hostile corpus in `hostile/` (whole spec files, each with its exact message)
//! is read by the loader in `hostile.rs` and run through the binary by the root `tests/hostile.rs`.

mod edges;
mod files;
mod hostile;
mod nodes;
mod positions;
mod properties;
mod top;

use netbuild_spec::*;
use std::path::{Path, PathBuf};

/// A valid network block: lines 1-5, so what follows starts on line 6.
const NET: &str = r#"[[nodes]]
network = "net"
N = 10
ei = "e"
x = { uniform = [0.0, 1.0] }
"#;

/// NET plus a valid edge block head (lines 6-8) for edge tests: what follows starts on line 9.
const EDGE: &str = r#"[[nodes]]
network = "net"
N = 10
ei = "e"
x = { uniform = [0.0, 1.0] }
[[edges]]
source = { network = "net", ei = "e" }
target = { network = "net" }
"#;

fn spec_path() -> PathBuf {
    PathBuf::from("/nonexistent/dir/spec.toml")
}

fn fails(src: &str) -> SpecError {
    match parse_str(src, &spec_path()) {
        Ok(_) => panic!("expected an error for:\n{src}"),
        Err(e) => e,
    }
}

#[track_caller]
fn check(src: &str, line: usize, col: usize, phrase: &str) {
    let e = fails(src);
    assert!(
        e.message.contains(phrase),
        "message {:?} lacks {phrase:?}\n(at {}:{})",
        e.message,
        e.loc.line,
        e.loc.col
    );
    assert_eq!(
        (e.loc.line, e.loc.col),
        (line, col),
        "wrong place for {:?}",
        e.message
    );
    assert_eq!(*e.loc.file, spec_path());
}

#[track_caller]
fn check_in_file(
    dir: &Path,
    src: &str,
    file: &str,
    line: usize,
    col: usize,
    phrase: &str,
) -> SpecError {
    let e = match parse_str(src, &dir.join("spec.toml")) {
        Ok(_) => panic!("expected an error for:\n{src}"),
        Err(e) => e,
    };
    assert!(
        e.message.contains(phrase),
        "message {:?} lacks {phrase:?}",
        e.message
    );
    assert_eq!(
        (e.loc.line, e.loc.col),
        (line, col),
        "wrong place for {:?}",
        e.message
    );
    assert_eq!(
        *e.loc.file,
        dir.join(file),
        "wrong file for {:?}",
        e.message
    );
    e
}
