//! `file` rules that name a SONATA edges file: its rows read in, so that an edges population
//! can be re-sorted, re-indexed and converted (gzip to uncompressed) by netbuild.
//!
//! In: a checked [`Spec`] whose `file` rules name `.h5` files (the spec crate records them
//! without reading HDF5). Out: the same spec with those rules' rows, property columns (every
//! dataset of the population's edge group but `nsyns`, dtype as stored unless the rule's
//! `dtypes` says otherwise) and the matching per-edge properties filled in; or an error at the
//! rule naming what is wrong with the file.

use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use netbuild_spec::{Dtype, EdgeProp, EdgeValue, FileEdge, FileEdges, Rule, Spec, SpecError};

/// Reads every SONATA edges file that a `file` rule of `spec` names.
pub fn read_sonata_rules(spec: &mut Spec) -> Result<(), SpecError> {
    let size = |net: &str| {
        spec.nodes
            .iter()
            .filter(|b| b.network == net)
            .map(|b| b.n)
            .sum::<u64>()
    };
    let sizes: Vec<(u64, u64)> = spec
        .edges
        .iter()
        .map(|b| (size(&b.source.network), size(&b.target.network)))
        .collect();
    for (block, (n_src, n_trg)) in spec.edges.iter_mut().zip(sizes) {
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

/// Fills `f` from its SONATA file; errors are sentences about the file.
fn read(f: &mut FileEdges, n_src: u64, n_trg: u64) -> Result<(), String> {
    let file = hdf5::File::open(&f.path).map_err(|e| format!("cannot open: {e}"))?;
    let edges = file
        .group("edges")
        .map_err(|_| "not a SONATA edges file (no /edges group)".to_string())?;
    let names = edges.member_names().map_err(|e| e.to_string())?;
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
    let pop = edges.group(&pop_name).map_err(|e| e.to_string())?;
    let ids = |name: &str| -> Result<Vec<u64>, String> {
        pop.dataset(name)
            .and_then(|d| d.read_raw::<u64>())
            .map_err(|e| format!("/edges/{pop_name}/{name}: {e}"))
    };
    let sources = ids("source_node_id")?;
    let targets = ids("target_node_id")?;
    if sources.len() != targets.len() {
        return Err(format!(
            "/edges/{pop_name}: {} source ids but {} target ids",
            sources.len(),
            targets.len()
        ));
    }
    let mut groups: Vec<String> = pop
        .member_names()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|n| n.parse::<u64>().is_ok() && pop.group(n).is_ok())
        .collect();
    groups.sort();
    let group = match groups.as_slice() {
        [] => None,
        [g] => Some(pop.group(g).map_err(|e| e.to_string())?),
        _ => {
            return Err(format!(
            "/edges/{pop_name} has {} edge groups; only a population with one group can be read",
            groups.len()
        ))
        }
    };
    let rows = sources.len();
    let mut nsyns: Option<Vec<u32>> = None;
    let mut columns: Vec<(String, Dtype, Vec<f64>)> = Vec::new();
    if let Some(g) = &group {
        let mut members = g.member_names().map_err(|e| e.to_string())?;
        members.sort();
        for name in members {
            let Ok(ds) = g.dataset(&name) else {
                continue; // a subgroup such as dynamics_params
            };
            let at = format!(
                "/edges/{pop_name}/{}/{name}",
                g.name().rsplit('/').next().unwrap_or("")
            );
            if ds.size() != rows {
                return Err(format!("{at} has {} rows; expected {rows}", ds.size()));
            }
            if NOT_PROPERTIES.contains(&name.as_str()) {
                nsyns = Some(ds.read_raw::<u32>().map_err(|e| format!("{at}: {e}"))?);
                continue;
            }
            let stored = ds
                .dtype()
                .and_then(|t| t.to_descriptor())
                .map_err(|e| format!("{at}: {e}"))?;
            let Some(stored) = dtype_of(&stored) else {
                return Err(format!(
                    "{at} holds {stored}; per-edge properties read from a file must be numbers"
                ));
            };
            let dtype = f
                .dtypes
                .iter()
                .find(|(k, _)| *k == name)
                .map_or(stored, |(_, d)| *d);
            let values = ds.read_raw::<f64>().map_err(|e| format!("{at}: {e}"))?;
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
    }
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

/// The dtype a numeric dataset is stored with.
fn dtype_of(t: &TypeDescriptor) -> Option<Dtype> {
    Some(match t {
        TypeDescriptor::Float(FloatSize::U4) => Dtype::F32,
        TypeDescriptor::Float(FloatSize::U8) => Dtype::F64,
        TypeDescriptor::Integer(IntSize::U8) => Dtype::I64,
        TypeDescriptor::Integer(_) => Dtype::I32,
        TypeDescriptor::Unsigned(IntSize::U8) => Dtype::U64,
        TypeDescriptor::Unsigned(_) => Dtype::U32,
        TypeDescriptor::Boolean => Dtype::U32,
        _ => return None,
    })
}
