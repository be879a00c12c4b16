//! The two JSON configs of a circuit folder, built from one list of nodes and edges files
//! ([`CircuitConfig`]), so that every client opens the folder from any working directory:
//!
//! - `circuit_config.json`, the SONATA circuit config, for libsonata (`CircuitConfig`),
//!   bluepysnap (`Circuit`) and NEST (`SonataNetwork`'s first argument). Its manifest is
//!   `"$BASE_DIR": "."`: libsonata joins relative paths to the config's own folder, NEST joins
//!   every manifest value to it. libsonata refuses BMTK's `"${configdir}"` (it would open
//!   `<folder>/${configdir}/...`). No `target_simulator`: libsonata accepts only NEURON or
//!   CORENEURON there.
//! - `simulation_config.json`, for the simulators: NEST (`sim_config=`) and BMTK PointNet
//!   (`PointNetwork.from_config`). BMTK resolves a manifest value `"."` against the *working
//!   directory* and only `"${configdir}"` against the config's folder; it also parses a
//!   `"network": "circuit_config.json"` child on its own (where `"."` is again the working
//!   directory) and lets the child's `networks` replace the parent's. So this file carries
//!   its own `networks`, `components` and `node_sets_file` under
//!   `"$BASE_DIR": "${configdir}"`, `"$NETWORK_DIR": "$BASE_DIR"`, and no `network` key
//!   (SONATA's default for it, `circuit_config.json` beside the file, is right anyway). NEST
//!   reads the same file: it replaces `$BASE_DIR` by `.` inside manifest values and joins them
//!   to the config's folder (the form of NEST's own SONATA example), so no path here is
//!   written with `$BASE_DIR` itself, only with the variables derived from it.
//!
//! Both name `components.point_neuron_models_dir` and `components.synaptic_models_dir` (the
//! folders are created, empty), `networks.nodes[]` / `networks.edges[]` with
//! `nodes_file`/`node_types_file` (`edges_file`/`edge_types_file`) and a `populations` dict
//! giving each population's `type` (libsonata ignores a population not listed there), and the
//! `node_sets_file` when there is one.

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
    /// The HDF5 nodes file.
    pub nodes_file: String,
    /// Its node types CSV, if any.
    pub node_types_file: Option<String>,
    /// (population name, type), e.g. `("v1", "point_neuron")`, `("lgn", "virtual")`.
    pub populations: Vec<(String, String)>,
}

/// One edges file: names are relative to the network folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdgesEntry {
    /// The HDF5 edges file.
    pub edges_file: String,
    /// Its edge types CSV, if any.
    pub edge_types_file: Option<String>,
    /// (population name, type): `"chemical"`, or `"electrical"` for gap junctions.
    pub populations: Vec<(String, String)>,
}

/// The circuit: its nodes and edges files, and its node sets file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CircuitConfig {
    /// `networks.nodes`, in order.
    pub nodes: Vec<NodesEntry>,
    /// `networks.edges`, in order.
    pub edges: Vec<EdgesEntry>,
    /// The node sets file (relative to the network folder), e.g. [`crate::NODE_SETS`].
    pub node_sets_file: Option<String>,
}

/// The `run` section of the simulation config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunParams {
    /// `tstop`: simulated time, in ms.
    pub tstop_ms: f64,
    /// `dt`: the time step, in ms.
    pub dt_ms: f64,
}

impl CircuitConfig {
    /// The circuit config document (without touching the file system).
    pub fn to_json(&self) -> Result<Value, SonataError> {
        let mut doc = json!({
            "manifest": {
                "$BASE_DIR": ".",
                "$NETWORK_DIR": "$BASE_DIR",
                "$COMPONENTS_DIR": "$BASE_DIR/components"
            },
        });
        self.add_circuit(&mut doc, Path::new(CIRCUIT_CONFIG))?;
        Ok(doc)
    }

    /// The simulation config document for NEST and BMTK PointNet (see the module docs).
    pub fn simulation_json(&self, run: RunParams) -> Result<Value, SonataError> {
        let mut doc = json!({
            "manifest": {
                "$BASE_DIR": "${configdir}",
                "$NETWORK_DIR": "$BASE_DIR",
                "$COMPONENTS_DIR": "$BASE_DIR/components",
                "$OUTPUT_DIR": "$BASE_DIR/output"
            },
            "target_simulator": "NEST",
            "run": { "tstop": run.tstop_ms, "dt": run.dt_ms },
            "output": { "output_dir": "$OUTPUT_DIR" },
        });
        self.add_circuit(&mut doc, Path::new(SIMULATION_CONFIG))?;
        Ok(doc)
    }

    /// Adds `components`, `node_sets_file` and `networks` to `doc`, in `$VAR/...` paths of the
    /// variables both configs define.
    fn add_circuit(&self, doc: &mut Value, cfg: &Path) -> Result<(), SonataError> {
        let Value::Object(m) = doc else {
            return Err(SonataError::invalid(cfg, "/", "not a JSON object"));
        };
        m.insert(
            "components".into(),
            json!({
                "point_neuron_models_dir": format!("$COMPONENTS_DIR/{POINT_NEURON_MODELS}"),
                "synaptic_models_dir": format!("$COMPONENTS_DIR/{SYNAPTIC_MODELS}")
            }),
        );
        if let Some(f) = &self.node_sets_file {
            m.insert("node_sets_file".into(), net_path(cfg, f)?);
        }
        m.insert("networks".into(), self.networks(cfg)?);
        Ok(())
    }

    fn networks(&self, cfg: &Path) -> Result<Value, SonataError> {
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
        Ok(json!({ "nodes": nodes, "edges": edges }))
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

/// Writes `<dir>/simulation_config.json` (see the module docs), for
/// `nest.SonataNetwork("circuit_config.json", sim_config="simulation_config.json")` and
/// `bmtk.simulator.pointnet.PointNetwork.from_config("simulation_config.json")`.
pub fn write_simulation_config(
    dir: &Path,
    config: &CircuitConfig,
    run: RunParams,
) -> Result<PathBuf, SonataError> {
    let path = dir.join(SIMULATION_CONFIG);
    write_json(&path, &config.simulation_json(run)?)?;
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
    write_json(&path, &value)?;
    Ok(path)
}

/// Writes `value` pretty-printed, with a final newline.
pub(crate) fn write_json(path: &Path, value: &Value) -> Result<(), SonataError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| SonataError::invalid(path, "/", format!("cannot serialize: {e}")))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| SonataError::io(path, e))
}
