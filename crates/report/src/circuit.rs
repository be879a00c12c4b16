//! Reading the parts of a circuit folder that the report needs, all through netbuild's one
//! SONATA reader (`netbuild_sonata::read`): which files hold which populations
//! ([`netbuild_sonata::find_circuit`]), the type tables ([`TypesById`]), node properties
//! (positions, selector and expression properties, a column at a time) and the shape of each
//! edge population. Edge rows themselves are streamed by `scan`.
//!
//! Selectors are matched by the model's comparison ([`netbuild::model::nodes::scalar_eq`]),
//! on values typed as an `[[import]]` of the circuit types them
//! ([`netbuild_spec::import::type_cell`]): the report selects the nodes a build would.

use crate::ReportError;
use netbuild_sonata::read::circuit::{FindError, Severity};
use netbuild_sonata::{CircuitFiles, ColumnData, EdgeFile, NetworkFile, SonataError, TypesById};
use netbuild_spec::Scalar;
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
    group_id: Vec<u32>,
    group_index: Vec<u64>,
    pub types: TypesById,
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
        let types = type_table(f, "node_type_id")?;
        for name in netbuild_sonata::node_population_names(&f.h5).map_err(sonata_err)? {
            let index = netbuild_sonata::read_node_index(&f.h5, &name).map_err(sonata_err)?;
            pops.insert(
                name.clone(),
                NodePop {
                    name,
                    file: f.h5.clone(),
                    n: index.node_type_id.len(),
                    type_id: index.node_type_id,
                    group_id: index.node_group_id,
                    group_index: index.node_group_index,
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

/// The type table of a nodes or edges file (empty when it has none), keyed by `id_column`.
fn type_table(f: &NetworkFile, id_column: &str) -> Result<TypesById, ReportError> {
    match &f.types {
        Some(csv) if csv.is_file() => TypesById::read(csv, id_column).map_err(sonata_err),
        _ => Ok(TypesById::default()),
    }
}

/// The reader's error as the report's: about the file it names.
pub(crate) fn sonata_err(e: SonataError) -> ReportError {
    match e {
        SonataError::Io { path, source } => ReportError::io(&path, source),
        SonataError::Hdf5 {
            file,
            object,
            source,
        } => ReportError::h5(&file, format!("{object}: {source}")),
        SonataError::Invalid {
            file,
            object,
            message,
        } => ReportError::invalid(&file, format!("{object}: {message}")),
        SonataError::NotMpi { file } => ReportError::invalid(&file, "needs an MPI job"),
    }
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
            self.types.columns().iter().cloned().collect();
        let mut gids: Vec<u32> = self.group_id.clone();
        gids.sort_unstable();
        gids.dedup();
        for gid in gids {
            let columns = netbuild_sonata::node_group_columns(&self.file, &self.name, gid)
                .map_err(sonata_err)?;
            names.extend(columns.into_iter().flatten());
        }
        Ok(names.into_iter().collect())
    }

    fn read_prop(&self, name: &str) -> Result<Vec<Prop>, ReportError> {
        let mut groups: HashMap<u32, Option<Vec<Prop>>> = HashMap::new();
        for &gid in &self.group_id {
            if groups.contains_key(&gid) {
                continue;
            }
            // A column the reader cannot read (not numbers, not strings) is missing.
            let column = netbuild_sonata::read_node_column(&self.file, &self.name, gid, name)
                .ok()
                .flatten()
                .map(props_of);
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

/// A per-node column's values: numbers (as f64), or strings.
fn props_of(data: ColumnData) -> Vec<Prop> {
    match data {
        ColumnData::Num(c) => (0..c.len()).map(|i| Prop::Num(c.get_f64(i))).collect(),
        ColumnData::Str(v) => v.into_iter().map(Prop::Str).collect(),
    }
}

/// A node's value as the model sees it, `None` when missing: a number; a string that is not
/// a number is a bool when it reads as one in a type table (`True`, `false`: as an import
/// types it, [`netbuild_spec::import::type_cell`]), else a string.
fn scalar_of(p: &Prop) -> Option<Scalar> {
    match p {
        Prop::Num(x) => Some(Scalar::Float(*x)),
        Prop::Str(s) => Some(match bool_value(s) {
            Some(_) => netbuild_spec::import::type_cell(s),
            None => Scalar::Str(s.clone()),
        }),
        Prop::Missing => None,
    }
}

/// Whether a node property value is one a selector accepts, by the model's comparison
/// ([`netbuild::model::nodes::scalar_eq`]) on the value as the model sees it ([`scalar_of`]).
pub fn prop_matches(p: &Prop, accepted: &Scalar) -> bool {
    scalar_of(p).is_some_and(|v| netbuild::model::nodes::scalar_eq(accepted, &v))
}

/// One edge population: where it is, its node populations and row count.
#[derive(Debug, Clone)]
pub struct EdgePop {
    pub name: String,
    pub file: PathBuf,
    pub source_pop: String,
    pub target_pop: String,
    pub rows: u64,
    pub types: TypesById,
}

/// Every edge population of every edges file: its node populations (the `node_population`
/// attributes of its id columns, else the two halves of a `<source>_to_<target>` name) and
/// its row count.
pub fn read_edge_pops(files: &[NetworkFile]) -> Result<Vec<EdgePop>, ReportError> {
    let mut pops = Vec::new();
    for f in files {
        let types = type_table(f, "edge_type_id")?;
        let file = EdgeFile::open(&f.h5).map_err(sonata_err)?;
        for name in file.population_names().map_err(sonata_err)? {
            let pop = file.population(&name).map_err(sonata_err)?;
            let rows = pop.len_of("source_node_id").map_err(sonata_err)?;
            pop.len_of("target_node_id").map_err(sonata_err)?;
            let (from_name_src, from_name_trg) = match name.split_once("_to_") {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (String::new(), String::new()),
            };
            pops.push(EdgePop {
                source_pop: pop
                    .node_population("source_node_id")
                    .unwrap_or(from_name_src),
                target_pop: pop
                    .node_population("target_node_id")
                    .unwrap_or(from_name_trg),
                rows,
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

    /// The report once matched a selector's `"123"` with a node's 123 (a type table's cell);
    /// the model does not (a string never equals a number), and neither does the report now:
    /// both decide by the model's comparison, on the values an import of the circuit reads.
    #[test]
    fn a_string_selector_value_does_not_select_a_number_as_in_the_model() {
        use netbuild::model::nodes::scalar_eq;
        use netbuild_spec::import::type_cell;
        let accepted = Scalar::Str("123".into());
        let cell = "123";
        let model = scalar_eq(&accepted, &type_cell(cell));
        let report = prop_matches(&Prop::Num(123.0), &accepted);
        assert!(!model);
        assert_eq!(report, model);
        // And where they agreed before, they still do: 123 selects 123, true selects True.
        for (cell, prop, accepted) in [
            ("123", Prop::Num(123.0), Scalar::Int(123)),
            ("True", Prop::Str("True".into()), Scalar::Bool(true)),
            ("True", Prop::Str("True".into()), Scalar::Int(1)),
            ("e", Prop::Str("e".into()), Scalar::Str("e".into())),
        ] {
            let model = scalar_eq(&accepted, &type_cell(cell));
            assert!(model, "{cell} {accepted:?}");
            assert_eq!(prop_matches(&prop, &accepted), model, "{cell} {accepted:?}");
        }
    }
}
