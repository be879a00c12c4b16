//! The last stage (rank 0): the folder's `node_sets.json`, `circuit_config.json` and
//! `simulation_config.json` written, then the output folder put in place
//! ([`crate::output::OutputDir::commit`]) and its manifest updated.
//!
//! In: the build ([`Build`]), its edges populations and the [`Folder`] (consumed). Out: where the
//! folder is and the files written (rank 0; the output folder and no files elsewhere).

use super::folder::Folder;
use super::{Build, BuildError};
use crate::plan::EdgePopulation;
use crate::write::{node_set_values, population_type};
use netbuild_model::{Circuit, Network};
use netbuild_sonata as sonata;
use std::path::{Path, PathBuf};

/// Writes the configs and commits the folder on rank 0: (the output folder, the files written).
pub(super) fn finish(
    b: &Build,
    populations: &[EdgePopulation],
    folder: Folder,
) -> Result<(PathBuf, Vec<(String, u64)>), BuildError> {
    let options = b.options;
    let Some(out) = folder.out else {
        return Ok((options.output_dir.clone(), Vec::new()));
    };
    let node_sets: Vec<_> = b.networks.iter().map(node_set_values).collect();
    let config = circuit_config(b.circuit, b.networks, populations, out.target());
    write_configs(out.path(), &config, &node_sets)?;
    let committed = out
        .commit(&crate::output::manifest::Provenance {
            spec_sha256: options.spec_text_hash.clone(),
        })
        .map_err(|source| BuildError::Output {
            path: options.output_dir.clone(),
            source,
        })?;
    Ok((committed.dir, committed.files))
}

/// Writes the folder's `node_sets.json` (from `node_sets`), `circuit_config.json` and
/// `simulation_config.json` (naming `config`'s files). Rank 0 only.
fn write_configs(
    dir: &Path,
    config: &sonata::CircuitConfig,
    node_sets: &[sonata::PopulationValues],
) -> Result<(), BuildError> {
    let sets = sonata::NodeSets::of(node_sets);
    for (name, why) in &sets.skipped {
        tracing::warn!("node_sets.json: no set named '{name}': {why}");
    }
    sonata::write_node_sets(dir, &sets)?;
    sonata::write_circuit_config(dir, config)?;
    // netbuild has no spec key for the run: NEST and BMTK need one, users edit it.
    let run = sonata::RunParams {
        tstop_ms: 1000.0,
        dt_ms: 0.1,
    };
    sonata::write_simulation_config(dir, config, run)?;
    Ok(())
}

/// The circuit config: every network (imported ones where they are or were copied to), the
/// edges joining imported networks that were there already, and the new edge populations.
fn circuit_config(
    circuit: &Circuit,
    networks: &[Network],
    populations: &[EdgePopulation],
    target: &Path,
) -> sonata::CircuitConfig {
    let new_populations: Vec<(String, String)> = populations
        .iter()
        .map(|p| {
            let [h5, _] = crate::output::names::edges_files(&p.file_stem);
            (p.name.clone(), h5)
        })
        .collect();
    let kept = crate::imports_out::kept_edges(circuit, networks, &new_populations, target);
    sonata::CircuitConfig {
        nodes: networks
            .iter()
            .map(
                |n| match circuit.imports.iter().find(|i| i.network == n.name) {
                    Some(imp) => crate::imports_out::nodes_entry(imp, n),
                    None => {
                        let [h5, csv] = crate::output::names::nodes_files(&n.name);
                        sonata::NodesEntry {
                            nodes_file: h5,
                            node_types_file: Some(csv),
                            populations: vec![(n.name.clone(), population_type(n))],
                        }
                    }
                },
            )
            .collect(),
        edges: kept
            .into_iter()
            .chain(populations.iter().map(|p| {
                let all_gap = p
                    .edge_types
                    .iter()
                    .all(|&i| circuit.edge_types[i].gap.is_some());
                let [h5, csv] = crate::output::names::edges_files(&p.file_stem);
                sonata::EdgesEntry {
                    edges_file: h5,
                    edge_types_file: Some(csv),
                    populations: vec![(
                        p.name.clone(),
                        if all_gap { "electrical" } else { "chemical" }.to_string(),
                    )],
                }
            }))
            .collect(),
        node_sets_file: Some(sonata::NODE_SETS.to_string()),
    }
}
