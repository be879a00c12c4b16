//! Everything the page shows, gathered: the circuit's files read, the spec loaded and compared
//! with the circuit's provenance, the nodes grouped for the matrices, each edge population
//! measured (`measure`), the rules' expected side added.
//!
//! In: the circuit folder and the [`Options`]. Out: a [`Report`], with the notes the reader
//! should see (spec not the circuit's, missing node populations, estimated expectations, ...).

use crate::circuit::{self, NodePop};
use crate::matrix::{self, Matrices};
use crate::measure::{self, PopReport};
use crate::{expected, Options, ReportError, DEFAULT_GROUP_BY};
use netbuild_spec::Spec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the circuit came from: the root attributes netbuild writes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Provenance {
    pub version: Option<String>,
    pub seed: Option<String>,
    pub spec_sha256: Option<String>,
}

/// Everything the page shows.
pub(crate) struct Report {
    pub dir: PathBuf,
    pub provenance: Provenance,
    pub nodes: BTreeMap<String, NodePop>,
    pub edges: Vec<PopReport>,
    pub spec: Option<Spec>,
    pub matrices: Matrices,
    pub notes: Vec<String>,
    pub samples: usize,
}

/// Reads the circuit in `dir` (and the spec of `opts`) and measures it.
pub(crate) fn gather(dir: &Path, opts: &Options) -> Result<Report, ReportError> {
    let files = circuit::find_files(dir)?;
    if files.nodes.is_empty() && files.edges.is_empty() {
        return Err(ReportError::invalid(
            dir,
            "no SONATA files here (no circuit_config.json, *_nodes.h5 or *_edges.h5)",
        ));
    }
    let nodes = circuit::read_node_pops(&files.nodes)?;
    let edge_pops = circuit::read_edge_pops(&files.edges)?;
    let provenance = files
        .edges
        .iter()
        .chain(&files.nodes)
        .find_map(|f| provenance(&f.h5))
        .unwrap_or_default();

    let mut notes = Vec::new();
    let spec = match &opts.spec {
        Some(p) => Some(load_spec(p, &provenance, &mut notes)?),
        None => None,
    };

    let mut matrices = Matrices::new(
        group_nodes(&nodes, &edge_pops, opts.group_by.as_deref(), &mut notes)?,
        &edge_pops
            .iter()
            .map(|p| (p.source_pop.clone(), p.target_pop.clone()))
            .collect::<Vec<_>>(),
    );
    let mut edges = Vec::new();
    for (k, pop) in edge_pops.into_iter().enumerate() {
        edges.push(measure::measure(
            pop,
            (k, files.edges.len()),
            &nodes,
            spec.as_ref(),
            opts,
            &mut matrices,
            &mut notes,
        )?);
    }
    if !matrices.exact {
        notes.push(
            "the edges are sorted neither by target nor by source: a (source, target) pair \
             whose rows are not together is counted once per run, so the measured matrices \
             are upper bounds"
                .into(),
        );
    }
    match &spec {
        Some(spec) => add_expected(spec, &nodes, &mut matrices, &mut notes)?,
        None => notes.push(
            "no --spec given: the matrices show the measured connectivity only, and the \
             connection probability against distance is not drawn; both need the rules \
             (run `netbuild-mpi report DIR --spec SPEC.toml`)"
                .into(),
        ),
    }
    Ok(Report {
        dir: dir.to_path_buf(),
        provenance,
        nodes,
        edges,
        spec,
        notes,
        samples: opts.samples,
        matrices,
    })
}

/// The spec at `path`, with a note when the circuit does not say it was built from it.
fn load_spec(
    path: &Path,
    provenance: &Provenance,
    notes: &mut Vec<String>,
) -> Result<Spec, ReportError> {
    let spec = netbuild_spec::load(path)?;
    let sha = spec.sha256.clone();
    match &provenance.spec_sha256 {
        Some(built) if *built == sha => {}
        Some(built) => notes.push(format!(
            "the spec {} (sha256 {}) is not the one this circuit was built from \
             (netbuild_spec_sha256 = {}): rules and profiles may not match the edges",
            path.display(),
            &sha[..12],
            &built[..built.len().min(12)]
        )),
        None => notes.push(format!(
            "the circuit records no netbuild_spec_sha256: cannot tell whether {} built it",
            path.display()
        )),
    }
    Ok(spec)
}

/// The matrices' expected side, from the rules' expected connections per edge type. Rules
/// that cannot be prepared leave the measured matrices standing: said, not fatal.
fn add_expected(
    spec: &Spec,
    nodes: &BTreeMap<String, NodePop>,
    matrices: &mut Matrices,
    notes: &mut Vec<String>,
) -> Result<(), ReportError> {
    eprintln!("netbuild report: expected connections per edge type (as `check`)");
    let types = match expected::per_type(spec) {
        Ok(types) => types,
        Err(e) => {
            notes.push(format!("no expected matrices: {e}"));
            return Ok(());
        }
    };
    let sampled = types.iter().filter(|t| !t.exact).count();
    if sampled > 0 {
        let rest = if sampled < types.len() {
            ", the others are exact"
        } else {
            ""
        };
        notes.push(format!(
            "expected matrices: {sampled} of {} edge types are estimated \
             (sampled with the build's rule code, or p × pairs){rest}; \
             `netbuild-mpi check SPEC` lists them",
            types.len()
        ));
    }
    matrices.expected = Some(expected::per_cell(spec, &types, nodes, &matrices.grouping)?);
    Ok(())
}

/// The groups of the matrices: by `property`, or by [`DEFAULT_GROUP_BY`] when the circuit has
/// it, else by node population (said in `notes`). The node populations that receive edges
/// come first (the modelled network before its inputs).
pub(crate) fn group_nodes(
    nodes: &BTreeMap<String, NodePop>,
    edge_pops: &[circuit::EdgePop],
    property: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<matrix::Grouping, ReportError> {
    let receives = |n: &String| edge_pops.iter().any(|p| &p.target_pop == n);
    let order: Vec<String> = nodes
        .keys()
        .filter(|n| receives(n))
        .chain(nodes.keys().filter(|n| !receives(n)))
        .cloned()
        .collect();
    let property = match property {
        Some(p) => {
            if !matrix::has_property(nodes, p)? {
                let mut known = std::collections::BTreeSet::new();
                for pop in nodes.values() {
                    known.extend(pop.property_names()?);
                }
                return Err(ReportError::GroupBy {
                    property: p.to_string(),
                    known: known.into_iter().collect(),
                });
            }
            Some(p)
        }
        None if matrix::has_property(nodes, DEFAULT_GROUP_BY)? => Some(DEFAULT_GROUP_BY),
        None => {
            notes.push(format!(
                "no node has a {DEFAULT_GROUP_BY} property: the matrices group nodes by node \
                 population (choose a property with --group-by)"
            ));
            None
        }
    };
    matrix::grouping(nodes, &order, property)
}

fn provenance(h5: &Path) -> Option<Provenance> {
    let names = ["netbuild_version", "netbuild_seed", "netbuild_spec_sha256"];
    let [version, seed, spec_sha256]: [Option<String>; 3] =
        netbuild_sonata::root_string_attrs(h5, &names)
            .ok()?
            .try_into()
            .ok()?;
    let p = Provenance {
        version,
        seed,
        spec_sha256,
    };
    (p.version.is_some() || p.spec_sha256.is_some()).then_some(p)
}
