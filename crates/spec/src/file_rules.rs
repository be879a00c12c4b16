//! `file` rules that name a SONATA edges file: its rows read in, so that an edges population
//! can be re-sorted, re-indexed and converted (gzip to uncompressed) by netbuild.
//!
//! In: the checked `[[edges]]` blocks of a spec, whose `file` rules name `.h5` files (recorded
//! by `rule.rs`), and the `[[nodes]]` blocks. Out: those rules' rows, property columns (every
//! dataset of the population's edge group but `nsyns`, dtype as stored unless the rule's
//! `dtypes` says otherwise) and the matching per-edge properties filled in; or an error at the
//! rule naming what is wrong with the file.
//!
//! Called by the spec loader itself, last (after `[[import]]` and every other check), so that
//! every front end gets a spec whose imports and file rules are both read, in one step.

use crate::{
    Dtype, EdgeBlock, EdgeProp, EdgeValue, FileEdge, FileEdges, NodeBlock, Rule, SpecError,
};
use netbuild_sonata::{EdgeFile, EdgePopulationReader, SonataError};

/// Reads every SONATA edges file that a `file` rule of the spec's `edges` names (`nodes`: the
/// spec's `[[nodes]]` blocks, which give the networks' sizes).
pub(crate) fn read_sonata_rules(
    nodes: &[NodeBlock],
    edges: &mut [EdgeBlock],
) -> Result<(), SpecError> {
    let size = |net: &str| {
        nodes
            .iter()
            .filter(|b| b.network == net)
            .map(|b| b.n)
            .sum::<u64>()
    };
    let sizes: Vec<(u64, u64)> = edges
        .iter()
        .map(|b| (size(&b.source.network), size(&b.target.network)))
        .collect();
    for (block, (n_src, n_trg)) in edges.iter_mut().zip(sizes) {
        let Rule::File(f) = &mut block.rule else {
            continue;
        };
        // The spec's own, unshared: filled in place.
        let f = std::sync::Arc::make_mut(f);
        if f.population.is_none() {
            continue;
        }
        let at = |message: String| SpecError {
            loc: block.rule_loc.clone(),
            message,
        };
        read(f, n_src, n_trg).map_err(|m| at(format!("{}: {m}", f.path.display())))?;
        let mut props: Vec<EdgeProp> = f
            .columns
            .iter()
            .enumerate()
            .map(|(k, (name, dtype))| EdgeProp {
                name: name.clone(),
                dtype: *dtype,
                value: EdgeValue::FileColumn(k),
                loc: block.rule_loc.clone(),
            })
            .collect();
        if let Some(p) = block
            .edge_props
            .iter()
            .find(|p| props.iter().any(|f| f.name == p.name))
        {
            return Err(SpecError {
                loc: p.loc.clone(),
                message: format!(
                    "per-edge property '{}' is also a column of the rule's file",
                    p.name
                ),
            });
        }
        props.append(&mut block.edge_props);
        block.edge_props = props;
    }
    Ok(())
}

/// Datasets of an edge group that are not per-edge properties.
const NOT_PROPERTIES: [&str; 1] = ["nsyns"];

/// Fills `f` from its SONATA file, read by netbuild's one reader
/// ([`netbuild_sonata::EdgeFile`]); errors are sentences about the file.
fn read(f: &mut FileEdges, n_src: u64, n_trg: u64) -> Result<(), String> {
    let file = EdgeFile::open(&f.path).map_err(|e| format!("cannot open: {}", why(e)))?;
    if !file.has_edges() {
        return Err("not a SONATA edges file (no /edges group)".to_string());
    }
    let names = file.population_names().map_err(why)?;
    let wanted = f.population.clone().unwrap_or_default();
    let pop_name = match (wanted.as_str(), names.as_slice()) {
        ("", [one]) => one.clone(),
        ("", _) => {
            return Err(format!(
                "it has {} edges populations ({}); name one with population = \"...\"",
                names.len(),
                names.join(", ")
            ))
        }
        (w, _) if names.iter().any(|n| n == w) => w.to_string(),
        (w, _) => {
            return Err(format!(
                "no edges population '{w}' (it has: {})",
                names.join(", ")
            ))
        }
    };
    let pop = file.population(&pop_name).map_err(why)?;
    let ids = |name: &str| pop.read::<u64>(name, None).map_err(why);
    let sources = ids("source_node_id")?;
    let targets = ids("target_node_id")?;
    if sources.len() != targets.len() {
        return Err(format!(
            "/edges/{pop_name}: {} source ids but {} target ids",
            sources.len(),
            targets.len()
        ));
    }
    let groups = pop.group_names().map_err(why)?;
    let group = match groups.as_slice() {
        [] => None,
        [g] => Some(g),
        _ => {
            return Err(format!(
            "/edges/{pop_name} has {} edge groups; only a population with one group can be read",
            groups.len()
        ))
        }
    };
    let rows = sources.len();
    let (nsyns, columns) = match group {
        Some(g) => group_columns(f, &pop, g, rows)?,
        None => (None, Vec::new()),
    };
    if let Some((k, _)) = f
        .dtypes
        .iter()
        .find(|(k, _)| !columns.iter().any(|c| c.0 == *k))
    {
        return Err(format!(
            "dtypes names '{k}', which is not a property of /edges/{pop_name}"
        ));
    }
    let mut out = Vec::with_capacity(rows);
    for (i, (&s, &t)) in sources.iter().zip(&targets).enumerate() {
        if s >= n_src || t >= n_trg {
            let (id, side, n) = if s >= n_src {
                (s, "source", n_src)
            } else {
                (t, "target", n_trg)
            };
            return Err(format!(
                "row {i}: {side} node {id} is not a node of the {side} network, which has {n} nodes"
            ));
        }
        let n = match &nsyns {
            Some(v) if v[i] == 0 => return Err(format!("row {i}: nsyns is 0; expected >= 1")),
            Some(v) => Some(v[i]),
            None => None,
        };
        out.push(FileEdge {
            source: s,
            target: t,
            nsyns: n,
            line: i as u64,
        });
    }
    f.rows = out;
    f.columns = columns.iter().map(|(n, d, _)| (n.clone(), *d)).collect();
    f.values = Vec::with_capacity(rows * columns.len());
    for i in 0..rows {
        f.values.extend(columns.iter().map(|c| c.2[i]));
    }
    Ok(())
}

/// What the reader says is wrong, without the file's path (the rule's error names it first).
fn why(e: SonataError) -> String {
    match e {
        SonataError::Hdf5 { object, source, .. } if object == "/" => source.to_string(),
        SonataError::Hdf5 { object, source, .. } => format!("{object}: {source}"),
        SonataError::Invalid {
            object, message, ..
        } => format!("{object}: {message}"),
        other => other.to_string(),
    }
}

/// A property column read from the file: (name, dtype, values).
type PropColumn = (String, Dtype, Vec<f64>);

/// The `nsyns` column and the property columns of edge group `g`, each of `rows` values, in
/// name order; a column's dtype is the rule's `dtypes` entry, else as stored.
fn group_columns(
    f: &FileEdges,
    pop: &EdgePopulationReader,
    g: &str,
    rows: usize,
) -> Result<(Option<Vec<u32>>, Vec<PropColumn>), String> {
    let mut nsyns = None;
    let mut columns = Vec::new();
    for name in pop.group_columns(g).map_err(why)? {
        let Some(col) = pop.column(g, &name).map_err(why)? else {
            continue;
        };
        let at = col.at().to_string();
        if col.len() != rows as u64 {
            return Err(format!("{at} has {} rows; expected {rows}", col.len()));
        }
        if NOT_PROPERTIES.contains(&name.as_str()) {
            nsyns = Some(col.read::<u32>(None).map_err(why)?);
            continue;
        }
        let stored = match col.dtype().map_err(why)? {
            Ok(d) => d,
            Err(stored) => {
                return Err(format!(
                    "{at} holds {stored}; per-edge properties read from a file must be numbers"
                ))
            }
        };
        let dtype = f
            .dtypes
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(stored, |(_, d)| *d);
        let values = col.read::<f64>(None).map_err(why)?;
        if let Some(i) = values
            .iter()
            .position(|&x| !(x.is_finite() && dtype.holds(x)))
        {
            return Err(format!(
                "{at} row {i}: {} does not fit {}",
                values[i],
                format!("{dtype:?}").to_lowercase()
            ));
        }
        columns.push((name, dtype, values));
    }
    Ok((nsyns, columns))
}
