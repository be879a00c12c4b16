//! `[[import]]` blocks: node populations that already exist (BMTK's `import_nodes`).
//!
//! In: the located value of the top-level `import` key, the spec folder, and the networks the
//! `[[nodes]]` blocks define. Out: one [`ImportBlock`] per block, its population read whole
//! (node types, per-node columns, positions), its network registered so that `[[edges]]`
//! selectors and expressions are checked against its real properties, and the edge
//! populations already beside its nodes file (so that [`check_existing_edges`] can refuse to
//! overwrite one silently).
//!
//! The files are read at check time, as `{ csv = ... }` columns are: a missing file, an
//! unknown population or an unreadable column is a located error before any work starts.

use crate::located::{Kind, Node, Source};
use crate::nodes::{self, Networks};
use crate::suggest;
use crate::values::{self, R};
use crate::{EdgeBlock, Loc, Scalar, SpecError};
pub use netbuild_model::{ExistingEdges, ImportBlock, ImportedNodes};
use netbuild_sonata::{self as sonata, ColumnData, EdgePopulationInfo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const KEYS: [&str; 5] = ["nodes", "node_types", "population", "copy", "replace_edges"];

/// Why an import cannot be read, by the input at fault (the spec loader points at its key).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImportError {
    /// The nodes file: missing, not HDF5, not a readable population, too large.
    #[error("{0}")]
    Nodes(String),
    /// The node types CSV: unreadable, or lacking a type the population uses.
    #[error("{0}")]
    NodeTypes(String),
    /// The population asked for is not in the file, or none was asked for among several.
    #[error("{0}")]
    Population(String),
}

/// Reads population `population` (or the file's only one) of `nodes_file` with its node types
/// from `node_types_file`, and lists the edges files beside it. `copy` and `replace_edges`
/// start at their defaults (`true`, `false`).
pub fn open_import(
    nodes_file: &Path,
    node_types_file: &Path,
    population: Option<&str>,
) -> Result<ImportBlock, ImportError> {
    let fail = |e: sonata::SonataError| ImportError::Nodes(e.to_string());
    if !nodes_file.is_file() {
        return Err(ImportError::Nodes(format!(
            "nodes file {} does not exist",
            nodes_file.display()
        )));
    }
    let names = sonata::node_population_names(nodes_file).map_err(fail)?;
    let network = match population {
        Some(p) if names.iter().any(|n| n == p) => p.to_string(),
        Some(p) => {
            let hint = suggest::did_you_mean(p, names.iter().map(String::as_str));
            return Err(ImportError::Population(format!(
                "{} has no node population '{p}'{hint} (it has: {})",
                nodes_file.display(),
                names.join(", ")
            )));
        }
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(ImportError::Population(format!(
                "{} holds {} node populations ({}); say which with population = \"...\"",
                nodes_file.display(),
                names.len(),
                names.join(", ")
            )))
        }
    };
    let population = sonata::read_node_population(nodes_file, &network).map_err(fail)?;
    let table = sonata::read_type_table(node_types_file, "node_type_id")
        .map_err(|e| ImportError::NodeTypes(e.to_string()))?;
    let mut types = BTreeMap::new();
    for row in &table.rows {
        let mut id = None;
        let mut props = Vec::new();
        for (col, cell) in table.columns.iter().zip(row) {
            match (col.as_str(), cell) {
                ("node_type_id", Some(c)) => id = c.parse::<i64>().ok(),
                (_, Some(c)) => props.push((col.clone(), type_cell(c))),
                (_, None) => {}
            }
        }
        if let Some(id) = id {
            types.insert(id, props);
        }
    }
    if let Some(id) = population
        .node_type_id
        .iter()
        .find(|id| !types.contains_key(id))
    {
        return Err(ImportError::NodeTypes(format!(
            "node_type_id {id} of population '{network}' has no row in {}",
            node_types_file.display()
        )));
    }
    let max = u64::from(u32::MAX);
    let nodes = ImportedNodes { population, types };
    if nodes.n() > max {
        return Err(ImportError::Nodes(format!(
            "population '{network}' has {} nodes (at most {max} per network)",
            nodes.n()
        )));
    }
    let folder = match nodes_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Ok(ImportBlock {
        network,
        nodes_file: nodes_file.to_path_buf(),
        node_types_file: node_types_file.to_path_buf(),
        copy: true,
        replace_edges: false,
        nodes: Arc::new(nodes),
        existing_edges: existing_edges(folder),
        loc: Loc {
            file: Arc::new(nodes_file.to_path_buf()),
            line: 1,
            col: 1,
        },
    })
}

/// A type-table cell as BMTK means it: an integer, a float, a Python bool, else a string.
/// A type table's cell as a value, as an import types it: an integer, else a number, else a
/// bool (`True`/`true`, `False`/`false`, as BMTK writes Python's), else the text. A type table
/// does not say whether `123` was written as a string or a number: it is read as a number.
pub fn type_cell(cell: &str) -> Scalar {
    if let Ok(i) = cell.parse::<i64>() {
        Scalar::Int(i)
    } else if let Ok(f) = cell.parse::<f64>() {
        Scalar::Float(f)
    } else {
        match cell {
            "True" | "true" => Scalar::Bool(true),
            "False" | "false" => Scalar::Bool(false),
            _ => Scalar::Str(cell.to_string()),
        }
    }
}

/// The HDF5 files of `folder` that hold edge populations, sorted by name. Files that are not
/// HDF5 or hold no `/edges` group are not edges files.
fn existing_edges(folder: &Path) -> Vec<ExistingEdges> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return out;
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "h5"))
        .collect();
    files.sort();
    for f in files {
        let Ok(populations) = sonata::edge_populations(&f) else {
            continue;
        };
        if populations.is_empty() {
            continue;
        }
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let edge_types_file = name
            .as_deref()
            .and_then(|n| n.strip_suffix("_edges.h5"))
            .map(|stem| f.with_file_name(format!("{stem}_edge_types.csv")))
            .filter(|p| p.is_file());
        out.push(ExistingEdges {
            edges_file: f,
            edge_types_file,
            populations,
        });
    }
    out
}

/// Reads the value of the top-level `import` key and registers each population as a network.
pub fn read(src: &Source, v: &Node, dir: &Path, nets: &mut Networks) -> R<Vec<ImportBlock>> {
    let blocks = match &v.kind {
        Kind::Array(a) => a,
        _ => {
            return Err(values::expected(
                src,
                v,
                "an array of tables ([[import]] blocks)",
                "import",
            ))
        }
    };
    let mut out: Vec<ImportBlock> = Vec::with_capacity(blocks.len());
    for b in blocks {
        let block = block(src, b, dir)?;
        let at = |key: &str| {
            b.as_table()
                .and_then(|t| t.get(key))
                .map_or(b.span.clone(), |e| e.value.span.clone())
        };
        let name_at = if b.as_table().and_then(|t| t.get("population")).is_some() {
            at("population")
        } else {
            at("nodes")
        };
        nodes::check_network_name(src, &name_at, &block.network)?;
        let props = properties(&block.nodes);
        if !nets.insert_imported(&block.network, block.nodes.n(), props, &name_at) {
            let how = if out.iter().any(|o| o.network == block.network) {
                "another [[import]] block"
            } else {
                "[[nodes]] blocks"
            };
            return Err(src.err(
                &name_at,
                format!(
                    "network '{}' is already defined by {how}; an imported population cannot be extended or imported twice",
                    block.network
                ),
            ));
        }
        out.push(block);
    }
    Ok(out)
}

fn block(src: &Source, b: &Node, dir: &Path) -> R<ImportBlock> {
    let ctx = "[[import]]";
    let t = values::table(src, b, "an [[import]] block")?;
    values::check_keys(src, t, &KEYS, ctx)?;
    let nodes_e = values::require(src, t, "nodes", ctx, &b.span)?;
    let types_e = values::require(src, t, "node_types", ctx, &b.span)?;
    let nodes_file = dir.join(values::nonempty_string(src, &nodes_e.value, "nodes")?);
    let node_types_file = dir.join(values::nonempty_string(src, &types_e.value, "node_types")?);
    let population = match t.get("population") {
        Some(e) => Some((
            values::nonempty_string(src, &e.value, "population")?,
            &e.value.span,
        )),
        None => None,
    };
    let copy = match t.get("copy") {
        Some(e) => values::boolean(src, &e.value, "copy")?,
        None => true,
    };
    let replace_edges = match t.get("replace_edges") {
        Some(e) => values::boolean(src, &e.value, "replace_edges")?,
        None => false,
    };
    if !node_types_file.is_file() {
        return Err(src.err(
            &types_e.value.span,
            format!(
                "node types file {} does not exist",
                node_types_file.display()
            ),
        ));
    }
    let mut block =
        open_import(&nodes_file, &node_types_file, population.map(|p| p.0)).map_err(|e| {
            let span = match (&e, population) {
                (ImportError::Population(_), Some((_, span))) => span,
                (ImportError::NodeTypes(_), _) => &types_e.value.span,
                _ => &nodes_e.value.span,
            };
            src.err(span, format!("cannot import: {e}"))
        })?;
    block.copy = copy;
    block.replace_edges = replace_edges;
    block.loc = src.loc(b.span.start);
    Ok(block)
}

/// The properties an imported network defines, each with whether it holds strings
/// (expressions compute with numbers only).
fn properties(nodes: &ImportedNodes) -> Vec<(String, bool)> {
    let mut props: BTreeMap<String, bool> = BTreeMap::new();
    for row in nodes.types.values() {
        for (k, v) in row {
            *props.entry(k.clone()).or_default() |= matches!(v, Scalar::Str(_));
        }
    }
    for g in &nodes.population.groups {
        for c in &g.columns {
            *props.entry(c.name.clone()).or_default() |= matches!(c.data, ColumnData::Str(_));
        }
    }
    props.into_iter().collect()
}

/// The edge population name `[[edges]]` between two networks write (BMTK's).
fn population_name(e: &EdgeBlock) -> String {
    format!("{}_to_{}", e.source.network, e.target.network)
}

/// Refuses an edge population that already exists beside an imported nodes file, unless that
/// import says `replace_edges = true`; and, when it does, a file that holds both replaced and
/// kept populations (netbuild cannot drop half a file from the circuit).
pub fn check_existing_edges(imports: &[ImportBlock], edges: &[EdgeBlock]) -> R<()> {
    for imp in imports {
        for file in &imp.existing_edges {
            let replaced: Vec<&EdgePopulationInfo> = file
                .populations
                .iter()
                .filter(|p| edges.iter().any(|e| population_name(e) == p.name))
                .collect();
            let Some(first) = replaced.first() else {
                continue;
            };
            let e = edges
                .iter()
                .find(|e| population_name(e) == first.name)
                .expect("found above");
            if !imp.replace_edges {
                return Err(SpecError {
                    loc: e.loc.clone(),
                    message: format!(
                        "edge population '{}' already exists in {} (beside the nodes imported at line {}); set replace_edges = true in that [[import]] block to replace it",
                        first.name,
                        file.edges_file.display(),
                        imp.loc.line
                    ),
                });
            }
            if replaced.len() != file.populations.len() {
                return Err(SpecError {
                    loc: e.loc.clone(),
                    message: format!(
                        "edge population '{}' is one of several in {}; netbuild replaces only whole files",
                        first.name,
                        file.edges_file.display()
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use netbuild_sonata::{Column, NodeGroup, NodePopulation, NumColumn};

    /// A two-type population `v1` (CSV `layer` numeric, `ei` strings; per-node `x`) in `dir`.
    fn write_v1(dir: &Path) {
        let pop = NodePopulation {
            name: "v1".into(),
            node_type_id: vec![100, 100, 101],
            node_group_id: vec![0, 0, 0],
            node_group_index: vec![0, 1, 2],
            groups: vec![NodeGroup {
                columns: vec![Column::new(
                    "x",
                    ColumnData::Num(NumColumn::F64(vec![1.0, 2.0, 3.0])),
                )],
            }],
        };
        sonata::write_nodes(
            &dir.join("v1_nodes.h5"),
            &pop,
            sonata::Compression::None,
            &sonata::Provenance::default(),
        )
        .unwrap();
        std::fs::write(
            dir.join("v1_node_types.csv"),
            "node_type_id layer ei\n100 4 e\n101 5 \"i i\"\n",
        )
        .unwrap();
    }

    #[test]
    fn selectors_on_imported_properties_match_what_the_files_hold() {
        let tmp = tempfile::tempdir().unwrap();
        write_v1(tmp.path());
        let spec = r#"
[[import]]
nodes = "v1_nodes.h5"
node_types = "v1_node_types.csv"

[[edges]]
source = { network = "v1", layer = "4" }
target = { network = "v1", ei = "i i" }
rule = { probability = "src.x / 10" }
"#;
        let s = crate::parse_str(spec, &tmp.path().join("s.toml")).unwrap();
        assert_eq!(s.imports.len(), 1);
        let imp = &s.imports[0];
        assert_eq!(
            (imp.network.as_str(), imp.nodes.n(), imp.copy),
            ("v1", 3, true)
        );
        assert_eq!(
            imp.nodes.types[&101],
            [
                ("layer".to_string(), Scalar::Int(5)),
                ("ei".to_string(), Scalar::Str("i i".into()))
            ]
        );
        // "4" in the spec is the 4 of the type table.
        assert_eq!(
            s.edges[0].source.filters,
            [("layer".into(), vec![Scalar::Int(4)])]
        );

        // A string property read in an expression is refused, located.
        let bad = spec.replace("src.x / 10", "src.ei");
        let e = crate::parse_str(&bad, &tmp.path().join("s.toml")).unwrap_err();
        assert_eq!((e.loc.line, e.loc.col), (9, 25), "{e}");
    }
}
