//! Reading the parts of a circuit folder that the report needs: which files hold which
//! populations (found by netbuild's one finder, [`netbuild_sonata::find_circuit`]), the type
//! tables, node properties (positions, selector and expression properties) and the shape of
//! each edge population. Edge rows themselves are streamed by `scan`.

use crate::ReportError;
use hdf5::types::{VarLenAscii, VarLenUnicode};
use netbuild_sonata::read::attr::string_attr;
use netbuild_sonata::read::circuit::{FindError, Severity};
use netbuild_sonata::{CircuitFiles, NetworkFile};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The files of the circuit in `dir`, as netbuild's one finder lists them
/// ([`netbuild_sonata::find_circuit`]). A file the config lists but that cannot be read is an
/// error; other problems of the config (which `validate` lists) are passed over.
pub fn find_files(dir: &Path) -> Result<CircuitFiles, ReportError> {
    let found = netbuild_sonata::find_circuit(dir).map_err(|e| match e {
        FindError::NotAFolder { dir } => ReportError::invalid(&dir, "not a folder"),
        FindError::CannotList { dir, source } => ReportError::io(&dir, source),
        FindError::ConfigUnreadable { path, source } => ReportError::io(&path, source),
        FindError::ConfigNotJson { path, source } => {
            ReportError::invalid(&path, format!("not JSON: {source}"))
        }
    })?;
    if let Some(p) = found
        .problems
        .iter()
        .find(|p| p.severity == Severity::Skipped)
    {
        let message = format!("{}: {}", p.object, p.message);
        return Err(ReportError::invalid(&dir.join(&p.file), message));
    }
    Ok(found.files)
}

/// A type table (`*_node_types.csv`, `*_edge_types.csv`): whitespace-separated, header first,
/// `"`-quoted fields with doubled inner quotes, `NULL` for a missing value (as BMTK writes).
#[derive(Debug, Clone, Default)]
pub struct TypeTable {
    /// Column names, the id column included.
    pub columns: Vec<String>,
    /// type id -> values, one per column (the id column included).
    pub rows: BTreeMap<i64, Vec<Option<String>>>,
}

impl TypeTable {
    /// Reads the table at `path`, keyed by `id_column`.
    pub fn read(path: &Path, id_column: &str) -> Result<TypeTable, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
        Self::parse(&text, id_column).map_err(|m| ReportError::invalid(path, m))
    }

    /// Parsed by the one type-table reader of netbuild (`netbuild_sonata::parse_type_table`).
    pub fn parse(text: &str, id_column: &str) -> Result<TypeTable, String> {
        let t = netbuild_sonata::parse_type_table(text, id_column)
            .map_err(|(line, m)| format!("{line}: {m}"))?;
        let id_at = t.columns.iter().position(|c| c == id_column).unwrap_or(0);
        let rows = t
            .rows
            .into_iter()
            .filter_map(|r| {
                let id = r.get(id_at)?.as_deref()?.parse::<i64>().ok()?;
                Some((id, r))
            })
            .collect();
        Ok(TypeTable {
            columns: t.columns,
            rows,
        })
    }

    /// The value of `column` for type `id`, if present and not `NULL`.
    pub fn get(&self, id: i64, column: &str) -> Option<&str> {
        let at = self.columns.iter().position(|c| c == column)?;
        self.rows.get(&id)?.get(at)?.as_deref()
    }
}

/// A node property for every node of a population.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    Num(f64),
    Str(String),
    Missing,
}

/// One node population: its per-node type and group columns, and its type table. Per-node
/// property columns are read on demand.
#[derive(Debug)]
pub struct NodePop {
    pub name: String,
    pub file: PathBuf,
    pub n: usize,
    pub type_id: Vec<i64>,
    group_id: Vec<i64>,
    group_index: Vec<u64>,
    pub types: TypeTable,
    positions: std::sync::OnceLock<Vec<[f64; 3]>>,
    /// Properties read so far: with hundreds of edge types selecting on the same few
    /// properties, each column is read from the file once.
    props: std::sync::Mutex<HashMap<String, Arc<Vec<Prop>>>>,
    /// Node selections made so far, by a key of the selection.
    selections: std::sync::Mutex<HashMap<String, Arc<Vec<u32>>>>,
}

/// Reads every node population of every nodes file.
pub fn read_node_pops(files: &[NetworkFile]) -> Result<BTreeMap<String, NodePop>, ReportError> {
    let mut pops = BTreeMap::new();
    for f in files {
        let (types, groups) = populations(f, "nodes", "node_type_id")?;
        for (name, g) in groups {
            let read_i64 = |ds: &str| -> Result<Vec<i64>, ReportError> {
                g.dataset(ds)
                    .and_then(|d| d.read_raw::<i64>())
                    .map_err(|e| ReportError::h5(&f.h5, format!("/nodes/{name}/{ds}: {e}")))
            };
            let type_id = read_i64("node_type_id")?;
            let n = type_id.len();
            let group_id = if g.link_exists("node_group_id") {
                read_i64("node_group_id")?
            } else {
                vec![0; n]
            };
            let group_index = if g.link_exists("node_group_index") {
                read_i64("node_group_index")?
                    .into_iter()
                    .map(|i| i.max(0) as u64)
                    .collect()
            } else {
                (0..n as u64).collect()
            };
            pops.insert(
                name.clone(),
                NodePop {
                    name,
                    file: f.h5.clone(),
                    n,
                    type_id,
                    group_id,
                    group_index,
                    types: types.clone(),
                    positions: std::sync::OnceLock::new(),
                    props: std::sync::Mutex::default(),
                    selections: std::sync::Mutex::default(),
                },
            );
        }
    }
    Ok(pops)
}

/// The type table of a nodes or edges file (`kind`: `"nodes"` or `"edges"`; empty when it has
/// none) and its population groups, by name.
fn populations(
    f: &NetworkFile,
    kind: &str,
    id_column: &str,
) -> Result<(TypeTable, Vec<(String, hdf5::Group)>), ReportError> {
    let types = match &f.types {
        Some(csv) if csv.is_file() => TypeTable::read(csv, id_column)?,
        _ => TypeTable::default(),
    };
    let top = open(&f.h5)?
        .group(kind)
        .map_err(|e| ReportError::h5(&f.h5, e))?;
    let names = top.member_names().map_err(|e| ReportError::h5(&f.h5, e))?;
    let groups = names
        .into_iter()
        .map(|name| {
            let g = top.group(&name).map_err(|e| ReportError::h5(&f.h5, e))?;
            Ok((name, g))
        })
        .collect::<Result<_, ReportError>>()?;
    Ok((types, groups))
}

/// Opens an HDF5 file for reading.
pub fn open(path: &Path) -> Result<hdf5::File, ReportError> {
    hdf5::File::open(path).map_err(|e| ReportError::h5(path, e))
}

impl NodePop {
    /// `name` for every node: the per-node column of the node's group if it has one (SONATA:
    /// it overrides the type), else the type table's value, else missing. Read once, then
    /// shared.
    pub fn prop(&self, name: &str) -> Result<Arc<Vec<Prop>>, ReportError> {
        let cached = |props: &HashMap<String, Arc<Vec<Prop>>>| props.get(name).cloned();
        if let Some(p) = self.props.lock().ok().and_then(|p| cached(&p)) {
            return Ok(p);
        }
        let read = Arc::new(self.read_prop(name)?);
        if let Ok(mut props) = self.props.lock() {
            props.insert(name.to_string(), read.clone());
        }
        Ok(read)
    }

    /// The selection called `key`, made by `make` the first time it is asked for.
    pub fn selection(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Vec<u32>, ReportError>,
    ) -> Result<Arc<Vec<u32>>, ReportError> {
        if let Some(s) = self
            .selections
            .lock()
            .ok()
            .and_then(|m| m.get(key).cloned())
        {
            return Ok(s);
        }
        let made = Arc::new(make()?);
        if let Ok(mut m) = self.selections.lock() {
            m.insert(key.to_string(), made.clone());
        }
        Ok(made)
    }

    /// The names of the node properties: the type table's columns and the per-node columns
    /// of the population's groups (positions included when present), sorted.
    pub fn property_names(&self) -> Result<Vec<String>, ReportError> {
        let mut names: std::collections::BTreeSet<String> =
            self.types.columns.iter().cloned().collect();
        let file = open(&self.file)?;
        let base = format!("nodes/{}", self.name);
        let mut gids: Vec<i64> = self.group_id.clone();
        gids.sort_unstable();
        gids.dedup();
        for gid in gids {
            let path = format!("{base}/{gid}");
            if !file.link_exists(&path) {
                continue;
            }
            let g = file
                .group(&path)
                .map_err(|e| ReportError::h5(&self.file, e))?;
            for m in g
                .member_names()
                .map_err(|e| ReportError::h5(&self.file, e))?
            {
                if g.dataset(&m).is_ok() {
                    names.insert(m);
                }
            }
        }
        Ok(names.into_iter().collect())
    }

    fn read_prop(&self, name: &str) -> Result<Vec<Prop>, ReportError> {
        let file = open(&self.file)?;
        let base = format!("nodes/{}", self.name);
        let mut groups: HashMap<i64, Option<Vec<Prop>>> = HashMap::new();
        for &gid in &self.group_id {
            if groups.contains_key(&gid) {
                continue;
            }
            let path = format!("{base}/{gid}/{name}");
            let column = if file.link_exists(&path) {
                let ds = file
                    .dataset(&path)
                    .map_err(|e| ReportError::h5(&self.file, e))?;
                read_column(&ds)
            } else {
                None
            };
            groups.insert(gid, column);
        }
        let mut type_values: HashMap<i64, Prop> = HashMap::new();
        let mut out = Vec::with_capacity(self.n);
        for i in 0..self.n {
            let per_node = groups
                .get(&self.group_id[i])
                .and_then(|c| c.as_ref())
                .and_then(|c| c.get(self.group_index[i] as usize));
            let v = match per_node {
                Some(v) => v.clone(),
                None => type_values
                    .entry(self.type_id[i])
                    .or_insert_with(|| match self.types.get(self.type_id[i], name) {
                        Some(s) => match s.parse::<f64>() {
                            Ok(x) => Prop::Num(x),
                            Err(_) => Prop::Str(s.to_string()),
                        },
                        None => Prop::Missing,
                    })
                    .clone(),
            };
            out.push(v);
        }
        Ok(out)
    }

    /// `name` as a number for every node: NaN where missing or a string, except that a missing
    /// coordinate `x`, `y`, `z` is 0 (as netbuild measures distances). Bools in the type table
    /// (`True`/`False`) are 1 and 0.
    pub fn numeric(&self, name: &str) -> Result<Vec<f64>, ReportError> {
        let missing = if ["x", "y", "z"].contains(&name) {
            0.0
        } else {
            f64::NAN
        };
        Ok(self
            .prop(name)?
            .iter()
            .map(|p| match p {
                Prop::Num(x) => *x,
                Prop::Str(s) => bool_value(s).unwrap_or(f64::NAN),
                Prop::Missing => missing,
            })
            .collect())
    }

    /// (x, y, z) of every node, missing coordinates 0; read once.
    pub fn positions(&self) -> Result<&[[f64; 3]], ReportError> {
        if let Some(p) = self.positions.get() {
            return Ok(p);
        }
        let (x, y, z) = (self.numeric("x")?, self.numeric("y")?, self.numeric("z")?);
        let p = (0..self.n).map(|i| [x[i], y[i], z[i]]).collect();
        Ok(self.positions.get_or_init(|| p))
    }

    /// Whether the population has any x, y or z at all.
    pub fn has_positions(&self) -> Result<bool, ReportError> {
        for c in ["x", "y", "z"] {
            if self.prop(c)?.iter().any(|p| matches!(p, Prop::Num(_))) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn bool_value(s: &str) -> Option<f64> {
    match s {
        "True" | "true" => Some(1.0),
        "False" | "false" => Some(0.0),
        _ => None,
    }
}

/// A per-node column as numbers, or as strings when it holds strings; `None` if neither.
fn read_column(ds: &hdf5::Dataset) -> Option<Vec<Prop>> {
    if let Ok(v) = ds.read_raw::<f64>() {
        return Some(v.into_iter().map(Prop::Num).collect());
    }
    if let Ok(v) = ds.read_raw::<VarLenUnicode>() {
        return Some(v.into_iter().map(|s| Prop::Str(s.to_string())).collect());
    }
    if let Ok(v) = ds.read_raw::<VarLenAscii>() {
        return Some(v.into_iter().map(|s| Prop::Str(s.to_string())).collect());
    }
    None
}

/// Whether a node property value equals a selector's value (as netbuild's selectors compare:
/// strings with strings, numbers and bools as numbers).
pub fn prop_matches(p: &Prop, accepted: &netbuild_spec::Scalar) -> bool {
    use netbuild_spec::Scalar;
    let number = match accepted {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        Scalar::Bool(b) => Some(f64::from(u8::from(*b))),
        Scalar::Str(_) => None,
    };
    match (p, accepted) {
        (Prop::Str(s), Scalar::Str(a)) => s == a,
        (Prop::Str(s), Scalar::Bool(_)) => bool_value(s) == number,
        // A type table does not say whether `123` was a string or a number.
        (Prop::Num(x), Scalar::Str(a)) => a.parse::<f64>().ok() == Some(*x),
        (Prop::Num(x), _) => number == Some(*x),
        _ => false,
    }
}

/// One edge population: where it is, its node populations and row count.
#[derive(Debug, Clone)]
pub struct EdgePop {
    pub name: String,
    pub file: PathBuf,
    pub source_pop: String,
    pub target_pop: String,
    pub rows: u64,
    pub types: TypeTable,
}

/// The `node_population` attribute of an id column, if it has a readable one.
fn population_attr(ids: &hdf5::Dataset) -> Option<String> {
    string_attr(ids, "node_population").ok().flatten()
}

pub fn read_edge_pops(files: &[NetworkFile]) -> Result<Vec<EdgePop>, ReportError> {
    let mut pops = Vec::new();
    for f in files {
        let (types, groups) = populations(f, "edges", "edge_type_id")?;
        for (name, g) in groups {
            let ds = |n: &str| {
                g.dataset(n)
                    .map_err(|e| ReportError::h5(&f.h5, format!("/edges/{name}/{n}: {e}")))
            };
            let src = ds("source_node_id")?;
            let trg = ds("target_node_id")?;
            let (from_name_src, from_name_trg) = match name.split_once("_to_") {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (String::new(), String::new()),
            };
            pops.push(EdgePop {
                source_pop: population_attr(&src).unwrap_or(from_name_src),
                target_pop: population_attr(&trg).unwrap_or(from_name_trg),
                rows: src.size() as u64,
                name,
                file: f.h5.clone(),
                types: types.clone(),
            });
        }
    }
    Ok(pops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_tables_as_bmtk_writes_them() {
        let t = TypeTable::parse(
            "edge_type_id target_query source_query model_template note\n\
             100 * ei=='e' static_synapse NULL\n\
             101 \"pop_name=='a b'\" ei=='i' static_synapse \"\"\"x\"\"\"\n",
            "edge_type_id",
        )
        .unwrap();
        assert_eq!(t.get(100, "source_query"), Some("ei=='e'"));
        assert_eq!(t.get(100, "note"), None);
        assert_eq!(t.get(101, "target_query"), Some("pop_name=='a b'"));
        assert_eq!(t.get(101, "note"), Some("\"x\""));
        assert!(TypeTable::parse("a b\n1 2\n", "edge_type_id").is_err());
    }

    #[test]
    fn selector_values_compare_as_netbuild_does() {
        use netbuild_spec::Scalar;
        assert!(prop_matches(
            &Prop::Str("e".into()),
            &Scalar::Str("e".into())
        ));
        assert!(prop_matches(&Prop::Num(3.0), &Scalar::Int(3)));
        assert!(prop_matches(&Prop::Str("True".into()), &Scalar::Bool(true)));
        assert!(!prop_matches(&Prop::Str("3".into()), &Scalar::Int(3)));
        assert!(!prop_matches(&Prop::Missing, &Scalar::Int(0)));
    }
}
