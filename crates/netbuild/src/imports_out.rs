//! Imported populations in the output: their node files copied (or left where they are), and
//! their entries, with the edges that already join them, in `circuit_config.json`.
//!
//! In: the circuit's `[[import]]` blocks, the temporary folder being written and the folder it
//! becomes. Out: the copied files, and the config entries of imported nodes and of the edge
//! populations found beside them that the build keeps (both ends in the circuit, not replaced
//! by a population of this build). Node ids and node type ids are the files' own: a copied
//! population is the stored one unchanged (the file's bytes when it holds only that
//! population, else its HDF5 group copied object by object).

use netbuild_model::{Circuit, ImportBlock, Network};
use netbuild_sonata as sonata;
use std::path::{Path, PathBuf};

/// The file names a copied population gets in the output folder.
fn copied_names(imp: &ImportBlock) -> (String, String) {
    let [h5, csv] = crate::output::names::nodes_files(&imp.network);
    (h5, csv)
}

/// Whether network `name` is imported (its files are not generated).
pub fn is_imported(circuit: &Circuit, name: &str) -> bool {
    circuit.imports.iter().any(|i| i.network == name)
}

/// Whether `a` and `b` are the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// An absolute form of `p` for a config entry outside the output folder.
fn absolute(p: &Path) -> PathBuf {
    p.canonicalize()
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// The copies of the populations imported with `copy = true` that a build into `target` makes:
/// (the imported network, source file, name in the folder, whether it is the nodes file). A file
/// already at its place in `target` is not copied.
fn copies<'a>(
    circuit: &'a Circuit,
    target: &'a Path,
) -> impl Iterator<Item = (&'a ImportBlock, &'a Path, String, bool)> + 'a {
    circuit
        .imports
        .iter()
        .filter(|i| i.copy)
        .flat_map(|imp| {
            let (h5, csv) = copied_names(imp);
            [
                (imp, imp.nodes_file.as_path(), h5, true),
                (imp, imp.node_types_file.as_path(), csv, false),
            ]
        })
        .filter(move |(_, from, name, _)| !same_file(from, &target.join(name)))
}

/// The names of the files [`place`] writes for a build into `target`.
pub fn copied_files(circuit: &Circuit, target: &Path) -> Vec<String> {
    copies(circuit, target)
        .map(|(_, _, name, _)| name)
        .collect()
}

/// Copies the populations imported with `copy = true` into `dir`, the temporary folder that
/// becomes `target`; one already at its place in `target` stays as it is.
pub fn place(
    circuit: &Circuit,
    dir: &Path,
    target: &Path,
    prov: &sonata::Provenance,
) -> Result<(), sonata::SonataError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| sonata::SonataError::Io { path, source }
    };
    for (imp, from, name, is_nodes) in copies(circuit, target) {
        if is_nodes && sonata::node_population_names(from)? != [imp.network.as_str()] {
            sonata::copy_node_population(from, &imp.network, &dir.join(&name), prov)?;
        } else {
            std::fs::copy(from, dir.join(&name)).map_err(io(from))?;
        }
        if is_nodes {
            tracing::info!(network = %imp.network, nodes = imp.nodes.n(), "imported nodes copied");
        }
    }
    Ok(())
}

/// The config entry of an imported network.
pub fn nodes_entry(imp: &ImportBlock, net: &Network) -> sonata::NodesEntry {
    let (h5, csv) = if imp.copy {
        copied_names(imp)
    } else {
        (
            absolute(&imp.nodes_file).to_string_lossy().into_owned(),
            absolute(&imp.node_types_file)
                .to_string_lossy()
                .into_owned(),
        )
    };
    sonata::NodesEntry {
        nodes_file: h5,
        node_types_file: Some(csv),
        populations: vec![(imp.network.clone(), crate::write::population_type(net))],
    }
}

/// The edges files found beside the imported nodes that the circuit keeps: every population
/// joins two of `networks`, none is one of `new_populations` (the check at load time refused
/// a file holding both), and the file is not one this build writes into `target`.
pub fn kept_edges(
    circuit: &Circuit,
    networks: &[Network],
    new_populations: &[(String, String)],
    target: &Path,
) -> Vec<sonata::EdgesEntry> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    let target_abs = absolute(target);
    let known = |n: &str| networks.iter().any(|net| net.name == n);
    for file in circuit.imports.iter().flat_map(|i| &i.existing_edges) {
        let path = absolute(&file.edges_file);
        if seen.contains(&path) {
            continue;
        }
        seen.push(path.clone());
        let replaced = file
            .populations
            .iter()
            .any(|p| new_populations.iter().any(|(name, _)| *name == p.name));
        let overwritten = new_populations
            .iter()
            .any(|(_, f)| same_file(&path, &target.join(f)));
        let joined = file
            .populations
            .iter()
            .all(|p| known(&p.source) && known(&p.target));
        if replaced || overwritten || !joined {
            continue;
        }
        // Inside the output folder a file keeps a relative name; elsewhere an absolute one.
        let name = |p: &Path| {
            let p = absolute(p);
            match (p.parent(), p.file_name()) {
                (Some(parent), Some(f)) if parent == target_abs => f.to_string_lossy().into_owned(),
                _ => p.to_string_lossy().into_owned(),
            }
        };
        out.push(sonata::EdgesEntry {
            edges_file: name(&file.edges_file),
            edge_types_file: file.edge_types_file.as_deref().map(name),
            populations: file
                .populations
                .iter()
                .map(|p| (p.name.clone(), "chemical".to_string()))
                .collect(),
        });
    }
    out
}
