//! Reads the populations of existing SONATA files, for `[[import]]`: a node population with
//! its per-node columns (or a copy of it), and the edge populations a file holds.
//!
//! In: paths to files written by netbuild, BMTK (gzip-compressed datasets, an N x 3 `positions`
//! dataset, string columns, several node groups) or BBP tools (group `0` only, uint64 ids, no
//! `node_id` dataset). Out: the same [`NodePopulation`] the writer takes, so
//! that an imported population is described exactly as a generated one.
//!
//! Per-node columns keep their stored type where the writer has one (f32, f64, i32, i64, u32,
//! u64, strings); narrower integers widen to 32 bits, and an N x 3 `positions` dataset becomes
//! the three columns `x`, `y`, `z` (f64). Datasets of other shapes and sub-groups (BMTK's
//! `dynamics_params`) are not node properties and are skipped.

use std::path::Path;

use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};

use crate::column::{Column, ColumnData, NumColumn};
use crate::error::SonataError;
use crate::nodes::{NodeGroup, NodePopulation};
use crate::read::attr::string_attr;
pub use netbuild_types::EdgePopulationInfo;

/// Names of the node populations in a nodes file (the members of `/nodes`), sorted.
pub fn node_population_names(path: &Path) -> Result<Vec<String>, SonataError> {
    let (_, names) = population_group(path, &open(path)?, "nodes")?;
    Ok(names)
}

/// The group `/kind` of an open file and the names of its members (the populations), sorted.
fn population_group(
    path: &Path,
    file: &hdf5::File,
    kind: &str,
) -> Result<(hdf5::Group, Vec<String>), SonataError> {
    let at = format!("/{kind}");
    let group = file
        .group(kind)
        .map_err(|e| SonataError::hdf5(path, &at, e))?;
    let mut names = group
        .member_names()
        .map_err(|e| SonataError::hdf5(path, &at, e))?;
    names.sort();
    Ok((group, names))
}

/// The edge populations of an HDF5 file (none if it has no `/edges` group), sorted by name.
pub fn edge_populations(path: &Path) -> Result<Vec<EdgePopulationInfo>, SonataError> {
    let file = open(path)?;
    if !file.link_exists("edges") {
        return Ok(Vec::new());
    }
    let (edges, names) = population_group(path, &file, "edges")?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let end = |ds: &str| -> String {
            edges
                .dataset(&format!("{name}/{ds}"))
                .ok()
                .and_then(|d| string_attr(&d, "node_population").ok().flatten())
                .unwrap_or_default()
        };
        out.push(EdgePopulationInfo {
            source: end("source_node_id"),
            target: end("target_node_id"),
            name,
        });
    }
    Ok(out)
}

/// Writes node population `name` of `src` alone into a new nodes file `dst`, unchanged: the
/// HDF5 group is copied object by object (`H5Ocopy`: same datasets, types, chunks and
/// filters), under SONATA root attributes and `prov`.
pub fn copy_node_population(
    src: &Path,
    name: &str,
    dst: &Path,
    prov: &crate::column::Provenance,
) -> Result<(), SonataError> {
    let from = open(src)?;
    let root = format!("/nodes/{name}");
    let pop = from
        .group(&root)
        .map_err(|e| SonataError::hdf5(src, &root, e))?;
    let to = crate::h5::create_file(dst, None)?;
    crate::h5::write_root_attrs(dst, &to, prov)?;
    let nodes = crate::h5::create_group(dst, &to, "nodes", "/nodes")?;
    crate::h5::check_name(dst, &root, name)?;
    let cname = std::ffi::CString::new(name)
        .map_err(|_| SonataError::invalid(dst, &root, "a name with a NUL byte"))?;
    let dot = c".";
    // SAFETY: both ids are open objects held by `pop` and `nodes` for the whole call; the
    // names are NUL-terminated; H5P_DEFAULT property lists.
    let status = hdf5::sync::sync(|| unsafe {
        hdf5_sys::h5o::H5Ocopy(
            pop.id(),
            dot.as_ptr(),
            nodes.id(),
            cname.as_ptr(),
            hdf5_sys::h5p::H5P_DEFAULT,
            hdf5_sys::h5p::H5P_DEFAULT,
        )
    });
    if status < 0 {
        return Err(SonataError::invalid(
            dst,
            &root,
            format!("HDF5 could not copy the population from {}", src.display()),
        ));
    }
    drop((pop, nodes, from));
    crate::h5::close_file(dst, to)
}

pub(crate) fn open(path: &Path) -> Result<hdf5::File, SonataError> {
    hdf5::File::open(path).map_err(|e| SonataError::hdf5(path, "/", e))
}

/// The per-node index of a node population: each node's type, group and row in its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeIndex {
    /// Each node's type id.
    pub node_type_id: Vec<i64>,
    /// Each node's group (`0` for every node when the file has no `node_group_id`).
    pub node_group_id: Vec<u32>,
    /// Each node's row in its group (its own row when the file has no `node_group_index`).
    pub node_group_index: Vec<u64>,
}

/// Reads the [`NodeIndex`] of node population `name` of the nodes file at `path`.
///
/// Checks what netbuild relies on: `node_type_id` present; `node_id`, when present, equal to
/// the row number (SONATA's node ids; edges files refer to them); the three columns of equal
/// length. Without `node_group_id` / `node_group_index` (allowed when there is one group)
/// every node is row i of group `0`.
pub fn read_node_index(path: &Path, name: &str) -> Result<NodeIndex, SonataError> {
    let file = open(path)?;
    let root = format!("/nodes/{name}");
    let g = file
        .group(&root)
        .map_err(|e| SonataError::hdf5(path, &root, e))?;
    node_index(path, &root, &g)
}

fn node_index(path: &Path, root: &str, g: &hdf5::Group) -> Result<NodeIndex, SonataError> {
    let ints = |ds: &str| -> Result<Option<Vec<i64>>, SonataError> {
        if !g.link_exists(ds) {
            return Ok(None);
        }
        let obj = format!("{root}/{ds}");
        let d = g
            .dataset(ds)
            .map_err(|e| SonataError::hdf5(path, &obj, e))?;
        read_ints(&d)
            .map(Some)
            .map_err(|m| SonataError::invalid(path, obj, m))
    };
    let node_type_id = ints("node_type_id")?.ok_or_else(|| {
        SonataError::invalid(path, root, "no node_type_id dataset: not a node population")
    })?;
    let n = node_type_id.len();
    if let Some(ids) = ints("node_id")? {
        let bad = ids.len() != n || ids.iter().enumerate().any(|(i, &id)| id != i as i64);
        if bad {
            return Err(SonataError::invalid(
                path,
                format!("{root}/node_id"),
                "node ids are not 0, 1, ..., n-1 in row order, which edges files refer to",
            ));
        }
    }
    let node_group_id: Vec<u32> = match ints("node_group_id")? {
        Some(v) => v
            .into_iter()
            .map(|x| u32::try_from(x).unwrap_or(u32::MAX))
            .collect(),
        None => vec![0; n],
    };
    let node_group_index: Vec<u64> = match ints("node_group_index")? {
        Some(v) => v
            .into_iter()
            .map(|x| u64::try_from(x).unwrap_or(u64::MAX))
            .collect(),
        None => (0..n as u64).collect(),
    };
    if node_group_id.len() != n || node_group_index.len() != n {
        return Err(SonataError::invalid(
            path,
            root,
            "node_group_id, node_group_index and node_type_id differ in length",
        ));
    }
    Ok(NodeIndex {
        node_type_id,
        node_group_id,
        node_group_index,
    })
}

/// The names of the datasets of group `group` of node population `population` (sub-groups
/// such as `dynamics_params` left out), sorted; `None` when the population has no such group.
pub fn node_group_columns(
    path: &Path,
    population: &str,
    group: u32,
) -> Result<Option<Vec<String>>, SonataError> {
    let file = open(path)?;
    let at = format!("/nodes/{population}/{group}");
    if !file.link_exists(&at) {
        return Ok(None);
    }
    let g = file
        .group(&at)
        .map_err(|e| SonataError::hdf5(path, &at, e))?;
    dataset_names(path, &at, &g).map(Some)
}

/// The names of the datasets of group `g` (at `at` in the file at `path`), sorted.
pub(crate) fn dataset_names(
    path: &Path,
    at: &str,
    g: &hdf5::Group,
) -> Result<Vec<String>, SonataError> {
    let mut names = g
        .member_names()
        .map_err(|e| SonataError::hdf5(path, at, e))?;
    names.retain(|n| g.dataset(n).is_ok());
    names.sort();
    Ok(names)
}

/// Dataset `name` of group `group` of node population `population`, in the writer's types
/// (every value, whatever its shape); `None` when the group has no such dataset.
pub fn read_node_column(
    path: &Path,
    population: &str,
    group: u32,
    name: &str,
) -> Result<Option<ColumnData>, SonataError> {
    let file = open(path)?;
    let at = format!("/nodes/{population}/{group}/{name}");
    if !file.link_exists(&at) {
        return Ok(None);
    }
    let ds = file
        .dataset(&at)
        .map_err(|e| SonataError::hdf5(path, &at, e))?;
    read_column(&ds)
        .map(Some)
        .map_err(|m| SonataError::invalid(path, at, m))
}

/// The string attributes `names` of the file's root (`None` for one it lacks or that is not
/// a readable string), in the order asked: what says who wrote a file (`netbuild_version`, ...).
pub fn root_string_attrs(path: &Path, names: &[&str]) -> Result<Vec<Option<String>>, SonataError> {
    let file = open(path)?;
    Ok(names
        .iter()
        .map(|n| string_attr(&file, n).ok().flatten())
        .collect())
}

/// Reads node population `name` of the nodes file at `path`: its [`NodeIndex`]
/// ([`read_node_index`], checked as there) and every group's per-node columns, each node's row
/// within its group present.
pub fn read_node_population(path: &Path, name: &str) -> Result<NodePopulation, SonataError> {
    let file = open(path)?;
    let root = format!("/nodes/{name}");
    let g = file
        .group(&root)
        .map_err(|e| SonataError::hdf5(path, &root, e))?;
    let NodeIndex {
        node_type_id,
        node_group_id,
        node_group_index,
    } = node_index(path, &root, &g)?;

    let n_groups = node_group_id
        .iter()
        .map(|&g| g as usize + 1)
        .max()
        .unwrap_or(0);
    let mut groups = Vec::with_capacity(n_groups);
    for gi in 0..n_groups {
        let gname = gi.to_string();
        let gpath = format!("{root}/{gname}");
        let columns = if g.link_exists(&gname) {
            let grp = g
                .group(&gname)
                .map_err(|e| SonataError::hdf5(path, &gpath, e))?;
            read_group(path, &gpath, &grp)?
        } else {
            Vec::new()
        };
        groups.push(NodeGroup { columns });
    }
    // Every node's row must exist in its group (when the group has columns at all).
    for (i, (&gid, &row)) in node_group_id.iter().zip(&node_group_index).enumerate() {
        let rows = groups[gid as usize].columns.first().map(|c| c.data.len());
        if rows.is_some_and(|r| row >= r as u64) {
            return Err(SonataError::invalid(
                path,
                format!("{root}/node_group_index"),
                format!("node {i} points at row {row} of group {gid}, which has fewer rows"),
            ));
        }
    }
    Ok(NodePopulation {
        name: name.to_string(),
        node_type_id,
        node_group_id,
        node_group_index,
        groups,
    })
}

/// The per-node columns of one node group, in name order.
fn read_group(path: &Path, gpath: &str, grp: &hdf5::Group) -> Result<Vec<Column>, SonataError> {
    let mut names = grp
        .member_names()
        .map_err(|e| SonataError::hdf5(path, gpath, e))?;
    names.sort();
    let mut columns: Vec<Column> = Vec::new();
    for name in names {
        let obj = format!("{gpath}/{name}");
        let Ok(ds) = grp.dataset(&name) else {
            continue; // a sub-group such as dynamics_params
        };
        let shape = ds.shape();
        if name == "positions" && shape.len() == 2 && shape[1] == 3 {
            let flat: Vec<f64> = ds
                .read_raw::<f64>()
                .map_err(|e| SonataError::hdf5(path, &obj, e))?;
            for (k, axis) in ["x", "y", "z"].into_iter().enumerate() {
                // An explicit x/y/z column wins over the positions dataset.
                if !columns.iter().any(|c| c.name == axis) {
                    let data = flat.iter().skip(k).step_by(3).copied().collect();
                    columns.push(Column::new(axis, ColumnData::Num(NumColumn::F64(data))));
                }
            }
            continue;
        }
        if shape.len() != 1 {
            continue;
        }
        let data = read_column(&ds).map_err(|m| SonataError::invalid(path, &obj, m))?;
        columns.retain(|c| c.name != name);
        columns.push(Column::new(name, data));
    }
    let rows = columns.first().map(|c| c.data.len());
    if let Some(c) = columns.iter().find(|c| Some(c.data.len()) != rows) {
        return Err(SonataError::invalid(
            path,
            format!("{gpath}/{}", c.name),
            "the columns of this node group differ in length",
        ));
    }
    Ok(columns)
}

fn read_ints(ds: &hdf5::Dataset) -> Result<Vec<i64>, String> {
    let t = descriptor(ds)?;
    match t {
        TypeDescriptor::Integer(_) => ds.read_raw::<i64>().map_err(|e| e.to_string()),
        TypeDescriptor::Unsigned(_) => {
            let v = ds.read_raw::<u64>().map_err(|e| e.to_string())?;
            v.into_iter()
                .map(|x| i64::try_from(x).map_err(|_| format!("id {x} is out of range")))
                .collect()
        }
        other => Err(format!("expected integers, found {other}")),
    }
}

fn descriptor(ds: &hdf5::Dataset) -> Result<TypeDescriptor, String> {
    ds.dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| e.to_string())
}

/// One 1-D per-node column, in the writer's types.
fn read_column(ds: &hdf5::Dataset) -> Result<ColumnData, String> {
    use hdf5::types::{FloatSize, IntSize};
    let e = |e: hdf5::Error| e.to_string();
    Ok(match descriptor(ds)? {
        TypeDescriptor::Float(FloatSize::U4) => {
            ColumnData::Num(NumColumn::F32(ds.read_raw().map_err(e)?))
        }
        TypeDescriptor::Float(_) => ColumnData::Num(NumColumn::F64(ds.read_raw().map_err(e)?)),
        TypeDescriptor::Integer(IntSize::U8) => {
            ColumnData::Num(NumColumn::I64(ds.read_raw().map_err(e)?))
        }
        TypeDescriptor::Integer(_) => ColumnData::Num(NumColumn::I32(ds.read_raw().map_err(e)?)),
        TypeDescriptor::Unsigned(IntSize::U8) => {
            ColumnData::Num(NumColumn::U64(ds.read_raw().map_err(e)?))
        }
        TypeDescriptor::Unsigned(_) => ColumnData::Num(NumColumn::U32(ds.read_raw().map_err(e)?)),
        TypeDescriptor::Boolean => ColumnData::Num(NumColumn::U32(
            ds.read_raw::<bool>()
                .map_err(e)?
                .into_iter()
                .map(u32::from)
                .collect(),
        )),
        TypeDescriptor::Enum(_) => ColumnData::Num(NumColumn::I64(ds.read_raw().map_err(e)?)),
        TypeDescriptor::VarLenUnicode => strings(ds.read_raw::<VarLenUnicode>().map_err(e)?),
        TypeDescriptor::VarLenAscii => strings(ds.read_raw::<VarLenAscii>().map_err(e)?),
        TypeDescriptor::FixedAscii(_) => strings(ds.read_raw::<FixedAscii<1024>>().map_err(e)?),
        TypeDescriptor::FixedUnicode(_) => strings(ds.read_raw::<FixedUnicode<1024>>().map_err(e)?),
        other => {
            return Err(format!(
                "a per-node column of type {other}, which netbuild cannot read"
            ))
        }
    })
}

fn strings<S: std::fmt::Display>(v: Vec<S>) -> ColumnData {
    ColumnData::Str(v.into_iter().map(|s| s.to_string()).collect())
}
