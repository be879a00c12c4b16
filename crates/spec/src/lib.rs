//! Reads a `spec.toml` (SPEC.md) and checks it completely before any work starts.
//!
//! In: a path (or, for tests, a text and the path it stands for). Out: a [`Spec`] in which
//! everything is typed, located, resolved and compiled, or a [`SpecError`] that names file, line,
//! column and what was expected.
//!
//! Modules, in the order the loader uses them:
//! - `located`: TOML text → a tree of values with byte spans; offsets → line:col.
//! - `values`, `suggest`: typed reading of values, unknown/missing keys, "did you mean".
//! - `build`: `[build]`.
//! - `nodes` (with `generator`, `csvfile`, `positions`): `[[nodes]]` and the catalog of networks.
//! - `import`: `[[import]]`, existing node populations read whole, registered as networks.
//! - `edges` (with `rule`, `exprs`): `[[edges]]` and `[[gap_junctions]]`.
//! - `file_rules`: last, the SONATA edges files that `file` rules name, read whole. With
//!   `import`, every file a spec names is read here, in the loader: no front end reads one.
//!
//! The types it produces are the builder API's (`netbuild_model`, `netbuild_types`), so that a
//! checked spec becomes a circuit without conversion; [`ast`] adds the blocks' locations.

#![warn(missing_docs)]

pub mod ast;
pub use ast::*;

mod build;
mod csvfile;
mod edges;
mod exprs;
mod file_rules;
mod generator;
#[cfg(feature = "hdf5")]
pub mod import;
mod located;
mod locations;
mod nodes;
mod positions;
mod rule;
mod suggest;
mod values;

pub use build::{parse_size, parse_writer, WRITER_EXPECTED};
#[cfg(feature = "hdf5")]
pub use import::{open_import, ImportError};
pub use netbuild_model::{ExistingEdges, ImportBlock, ImportedNodes};

use located::{Kind, Source};
use std::path::Path;

/// A spec mistake, located. Display: `file:line:col: message`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{loc}: {message}")]
pub struct SpecError {
    /// Where the mistake is.
    pub loc: Loc,
    /// What is wrong and what was expected.
    pub message: String,
}

/// The SHA-256 of `bytes` in lower-case hex: a spec file's identity ([`Spec::sha256`], the
/// `netbuild_spec_sha256` attribute of the files built from it).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The top-level keys of a spec.
const TOP_KEYS: [&str; 5] = ["build", "nodes", "import", "edges", "gap_junctions"];

/// Reads and checks the spec at `path`.
pub fn load(path: &Path) -> Result<Spec, SpecError> {
    let at_start = |message: String| SpecError {
        loc: Loc {
            file: std::sync::Arc::new(path.to_path_buf()),
            line: 1,
            col: 1,
        },
        message,
    };
    let bytes =
        std::fs::read(path).map_err(|e| at_start(format!("cannot read the spec file: {e}")))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let src = Source::new(path, prefix);
            return Err(src.err_at(valid, "the spec file is not UTF-8 text"));
        }
    };
    parse_str(&text, path)
}

/// Checks the spec text `src` as if read from `path` (which gives the folder that relative paths
/// start from, and the file name in errors).
pub fn parse_str(src: &str, path: &Path) -> Result<Spec, SpecError> {
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let source = Source::new(path, text.to_string());
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let root = located::parse(&source)?;

    for e in &root.entries {
        if !TOP_KEYS.contains(&e.key.as_str()) {
            let hint = if build::KEYS.contains(&e.key.as_str()) {
                format!("; '{}' belongs in the [build] table", e.key)
            } else {
                suggest::did_you_mean(&e.key, TOP_KEYS)
            };
            let what = match &e.value.kind {
                Kind::Table(_) => format!("table [{}]", e.key),
                Kind::Array(a) if a.iter().all(|b| b.as_table().is_some()) && !a.is_empty() => {
                    format!("table [[{}]]", e.key)
                }
                _ => format!("key '{}'", e.key),
            };
            return Err(source.err(
                &e.key_span,
                format!(
                    "unknown {what} at the top level (expected [build], [[nodes]], [[import]], [[edges]], [[gap_junctions]]){hint}"
                ),
            ));
        }
    }

    let build = match root.get("build") {
        Some(e) => {
            let t = values::table(&source, &e.value, "build")?;
            build::read(&source, t, &dir)?
        }
        None => build::defaults(&dir),
    };

    // `[[import]]` adds its networks (with the `hdf5` feature only).
    #[cfg_attr(not(feature = "hdf5"), allow(unused_mut))]
    let (nodes, mut nets) = match root.get("nodes") {
        Some(e) => nodes::read(&source, &e.value, &dir)?,
        None => (Vec::new(), nodes::Networks::default()),
    };
    let imports = match root.get("import") {
        #[cfg(feature = "hdf5")]
        Some(e) => import::read(&source, &e.value, &dir, &mut nets)?,
        #[cfg(not(feature = "hdf5"))]
        Some(e) => {
            return Err(source.err(
                &e.key_span,
                "[[import]] reads HDF5 files, and this build of netbuild-spec has no HDF5 (feature `hdf5`)",
            ))
        }
        None => Vec::new(),
    };
    if nodes.is_empty() && imports.is_empty() {
        return Err(source.err(
            &(0..0),
            "the spec has no [[nodes]] block; expected at least one",
        ));
    }

    let mut edges = Vec::new();
    let mut warnings = Vec::new();
    for (key, gap) in [("edges", false), ("gap_junctions", true)] {
        if let Some(e) = root.get(key) {
            edges.extend(edges::read(
                &source,
                &e.value,
                gap,
                &nets,
                &dir,
                &mut warnings,
            )?);
        }
    }
    #[cfg(feature = "hdf5")]
    import::check_existing_edges(&imports, &edges)?;
    file_rules::read_sonata_rules(&nodes, &mut edges)?;

    Ok(Spec {
        path: path.to_path_buf(),
        sha256: sha256_hex(src.as_bytes()),
        build,
        nodes,
        imports,
        edges,
        warnings,
    })
}
