//! Nodes files: one population, written whole from memory.
//!
//! Layout: root attributes `magic`, `version` (+ provenance); `/nodes/<pop>/node_id` (u64,
//! 0..n), `node_type_id` (i64), `node_group_id` (u32), `node_group_index` (u64), and
//! `/nodes/<pop>/<g>/<column>` for each group `g` named `"0"`, `"1"`, ... (a group with no
//! columns still exists as an empty HDF5 group); a column of rows of k values (BMTK's
//! `positions`) is an N x k dataset.

use std::path::Path;

use crate::column::{Column, ColumnSlice, Compression, NumSlice, Provenance};
use crate::error::SonataError;
use crate::h5::{self, Io, Shape};

pub use netbuild_types::{NodeGroup, NodePopulation};

/// Writes a nodes file at `path` (created or truncated).
pub fn write_nodes(
    path: &Path,
    pop: &NodePopulation,
    compression: Compression,
    prov: &Provenance,
) -> Result<(), SonataError> {
    let root = format!("/nodes/{}", pop.name);
    validate(path, &root, pop)?;
    let n = pop.node_type_id.len() as u64;

    let file = h5::create_file(path, None)?;
    h5::write_root_attrs(path, &file, prov)?;
    let nodes = h5::create_group(path, &file, "nodes", "/nodes")?;
    let g = h5::create_group(path, &nodes, &pop.name, &root)?;

    let node_id: Vec<u64> = (0..n).collect();
    let core: [(&str, ColumnSlice<'_>); 4] = [
        ("node_id", ColumnSlice::Num(NumSlice::U64(&node_id))),
        (
            "node_type_id",
            ColumnSlice::Num(NumSlice::I64(&pop.node_type_id)),
        ),
        (
            "node_group_id",
            ColumnSlice::Num(NumSlice::U32(&pop.node_group_id)),
        ),
        (
            "node_group_index",
            ColumnSlice::Num(NumSlice::U64(&pop.node_group_index)),
        ),
    ];
    for (name, col) in core {
        write_whole(
            path,
            &g,
            &format!("{root}/{name}"),
            name,
            col,
            1,
            compression,
        )?;
    }
    for (gi, group) in pop.groups.iter().enumerate() {
        let gname = gi.to_string();
        let gfull = format!("{root}/{gname}");
        let grp = h5::create_group(path, &g, &gname, &gfull)?;
        for col in &group.columns {
            let full = format!("{gfull}/{}", col.name);
            write_whole(
                path,
                &grp,
                &full,
                &col.name,
                col.data.as_slice(),
                col.width,
                compression,
            )?;
        }
    }
    drop((g, nodes));
    h5::close_file(path, file)
}

/// Writes `col` as a dataset of rows of `width` values (1: a 1-D dataset).
fn write_whole(
    path: &Path,
    parent: &hdf5::Group,
    full: &str,
    name: &str,
    col: ColumnSlice<'_>,
    width: usize,
    compression: Compression,
) -> Result<(), SonataError> {
    let shape = Shape {
        rows: (col.len() / width) as u64,
        width: width as u64,
        resizable: false,
    };
    let ds = h5::create_dataset(path, parent, full, name, col.dtype(), shape, compression)?;
    h5::write_column(path, &ds, full, 0, col, width as u64, Io::INDEPENDENT)
}

fn validate(path: &Path, root: &str, pop: &NodePopulation) -> Result<(), SonataError> {
    h5::check_name(path, root, &pop.name)?;
    let n = pop.node_type_id.len();
    if pop.node_group_id.len() != n || pop.node_group_index.len() != n {
        return Err(SonataError::invalid(
            path,
            root,
            format!(
                "node_type_id has {n} rows, node_group_id {}, node_group_index {}",
                pop.node_group_id.len(),
                pop.node_group_index.len()
            ),
        ));
    }
    let mut lens = Vec::with_capacity(pop.groups.len());
    for (gi, group) in pop.groups.iter().enumerate() {
        let len = group.columns.first().map(Column::n_rows);
        let mut seen = std::collections::HashSet::new();
        for col in &group.columns {
            let full = format!("{root}/{gi}/{}", col.name);
            h5::check_name(path, &full, &col.name)?;
            if !seen.insert(col.name.as_str()) {
                return Err(SonataError::invalid(path, full, "duplicate column"));
            }
            if col.width == 0 || col.data.len() % col.width != 0 {
                return Err(SonataError::invalid(
                    path,
                    full,
                    format!(
                        "{} values are not whole rows of {}",
                        col.data.len(),
                        col.width
                    ),
                ));
            }
            if Some(col.n_rows()) != len {
                return Err(SonataError::invalid(
                    path,
                    full,
                    format!(
                        "has {} rows, the group's first column {}",
                        col.n_rows(),
                        len.unwrap_or(0)
                    ),
                ));
            }
        }
        lens.push(len);
    }
    for (i, (&g, &idx)) in pop
        .node_group_id
        .iter()
        .zip(&pop.node_group_index)
        .enumerate()
    {
        let ok = match lens.get(g as usize) {
            None => false,
            // A group without columns has no row count to check against.
            Some(None) => true,
            Some(Some(len)) => idx < *len as u64,
        };
        if !ok {
            return Err(SonataError::invalid(
                path,
                root,
                format!("node {i}: group {g} row {idx} does not exist"),
            ));
        }
    }
    Ok(())
}
