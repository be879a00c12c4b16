//! `circuit_config.json`, in the form libsonata's `CircuitConfig`, BMTK and NEST's
//! `SonataNetwork` all read:
//!
//! - `manifest` with `"$BASE_DIR": "."` (NEST joins manifest values to the config's folder),
//!   `"$NETWORK_DIR": "$BASE_DIR"`, `"$COMPONENTS_DIR": "$BASE_DIR/components"`; every path
//!   is written as `$VAR/...`;
//! - no `target_simulator`: libsonata's `CircuitConfig` accepts only NEURON or CORENEURON there
//!   and refuses the file otherwise. NEST reads it from the simulation config it merges with the
//!   circuit config, so `simulation_config.json` (written beside it) carries `"NEST"`;
//! - `components.point_neuron_models_dir` and `components.synaptic_models_dir` (the folders
//!   are created, empty);
//! - `networks.nodes[]` / `networks.edges[]` with `nodes_file`/`node_types_file`
//!   (`edges_file`/`edge_types_file`) and a `populations` dict giving each population's `type`
//!   (libsonata ignores a population not listed there).

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::error::SonataError;

/// The file name of the circuit config inside the output folder.
pub const CIRCUIT_CONFIG: &str = "circuit_config.json";
const POINT_NEURON_MODELS: &str = "point_neuron_models";
const SYNAPTIC_MODELS: &str = "synaptic_models";

/// One nodes file: names are relative to the network folder (where the config is written), or
/// absolute for files outside it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodesEntry {
    pub nodes_file: String,
    pub node_types_file: Option<String>,
    /// (population name, type), e.g. `("v1", "point_neuron")`, `("lgn", "virtual")`.
    pub populations: Vec<(String, String)>,
}

/// One edges file: names are relative to the network folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdgesEntry {
    pub edges_file: String,
    pub edge_types_file: Option<String>,
    /// (population name, type): `"chemical"`, or `"electrical"` for gap junctions.
    pub populations: Vec<(String, String)>,
}

/// The circuit: its nodes and edges files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CircuitConfig {
    pub nodes: Vec<NodesEntry>,
    pub edges: Vec<EdgesEntry>,
}

impl CircuitConfig {
    /// The JSON document (without touching the file system).
    pub fn to_json(&self) -> Result<Value, SonataError> {
        let cfg = Path::new(CIRCUIT_CONFIG);
        let mut nodes = Vec::new();
        for n in &self.nodes {
            let mut m = Map::new();
            m.insert("nodes_file".into(), net_path(cfg, &n.nodes_file)?);
            if let Some(t) = &n.node_types_file {
                m.insert("node_types_file".into(), net_path(cfg, t)?);
            }
            m.insert("populations".into(), populations(cfg, &n.populations)?);
            nodes.push(Value::Object(m));
        }
        let mut edges = Vec::new();
        for e in &self.edges {
            let mut m = Map::new();
            m.insert("edges_file".into(), net_path(cfg, &e.edges_file)?);
            if let Some(t) = &e.edge_types_file {
                m.insert("edge_types_file".into(), net_path(cfg, t)?);
            }
            m.insert("populations".into(), populations(cfg, &e.populations)?);
            edges.push(Value::Object(m));
        }
        Ok(json!({
            "manifest": {
                "$BASE_DIR": ".",
                "$NETWORK_DIR": "$BASE_DIR",
                "$COMPONENTS_DIR": "$BASE_DIR/components"
            },
            "components": {
                "point_neuron_models_dir": format!("$COMPONENTS_DIR/{POINT_NEURON_MODELS}"),
                "synaptic_models_dir": format!("$COMPONENTS_DIR/{SYNAPTIC_MODELS}")
            },
            "networks": {
                "nodes": nodes,
                "edges": edges
            }
        }))
    }
}

fn net_path(cfg: &Path, name: &str) -> Result<Value, SonataError> {
    let p = Path::new(name);
    // A file kept outside the folder (an imported population with `copy = false`).
    if p.is_absolute() {
        return Ok(Value::String(name.to_string()));
    }
    let ok = !name.is_empty()
        && p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !ok {
        return Err(SonataError::invalid(
            cfg,
            name,
            "file names must be relative to the network folder, without '..'",
        ));
    }
    Ok(Value::String(format!("$NETWORK_DIR/{name}")))
}

fn populations(cfg: &Path, pops: &[(String, String)]) -> Result<Value, SonataError> {
    let mut m = Map::new();
    for (name, ty) in pops {
        if m.insert(name.clone(), json!({ "type": ty })).is_some() {
            return Err(SonataError::invalid(cfg, name, "population listed twice"));
        }
    }
    Ok(Value::Object(m))
}

/// The file name of the simulation config written beside the circuit config.
pub const SIMULATION_CONFIG: &str = "simulation_config.json";

/// Writes `<dir>/simulation_config.json`, the minimal simulation config NEST's `SonataNetwork`
/// needs beside the circuit config (`target_simulator`, `run.dt`, `run.tstop`), for
/// `nest.SonataNetwork("circuit_config.json", sim_config="simulation_config.json")`.
pub fn write_simulation_config(
    dir: &Path,
    tstop_ms: f64,
    dt_ms: f64,
) -> Result<PathBuf, SonataError> {
    let value = json!({
        "manifest": { "$BASE_DIR": ".", "$OUTPUT_DIR": "$BASE_DIR/output" },
        "target_simulator": "NEST",
        "run": { "tstop": tstop_ms, "dt": dt_ms },
        "output": { "output_dir": "$OUTPUT_DIR" },
        "network": format!("$BASE_DIR/{CIRCUIT_CONFIG}")
    });
    let path = dir.join(SIMULATION_CONFIG);
    let mut text = serde_json::to_string_pretty(&value)
        .map_err(|e| SonataError::invalid(&path, "/", format!("cannot serialize: {e}")))?;
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| SonataError::io(&path, e))?;
    Ok(path)
}

/// Writes `<dir>/circuit_config.json` and creates the (empty) component folders
/// `<dir>/components/{point_neuron_models,synaptic_models}`. Returns the config's path.
pub fn write_circuit_config(dir: &Path, config: &CircuitConfig) -> Result<PathBuf, SonataError> {
    let value = config.to_json()?;
    for sub in [POINT_NEURON_MODELS, SYNAPTIC_MODELS] {
        let d = dir.join("components").join(sub);
        std::fs::create_dir_all(&d).map_err(|e| SonataError::io(&d, e))?;
    }
    let path = dir.join(CIRCUIT_CONFIG);
    let mut text = serde_json::to_string_pretty(&value)
        .map_err(|e| SonataError::invalid(&path, "/", format!("cannot serialize: {e}")))?;
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| SonataError::io(&path, e))?;
    Ok(path)
}
