//! What an edges file holds and the file itself, as both writers share it.
//!
//! In: an [`EdgePopulationLayout`] (sizes known up front). Out: an [`EdgesFile`], every dataset
//! created at its final size (only `range_to_edge_id` of an index written by one process grows
//! while written), with the positioned writes of rows and the index groups that the serial
//! ([`super::EdgesWriter`]) and parallel ([`super::ParallelEdgesWriter`]) writers build on.
//!
//! Layout: root attributes `magic`, `version` (+ provenance); under `/edges/<pop>`:
//! `source_node_id` (u64, attribute `node_population` = source population, a variable-length
//! UTF-8 string as h5py writes), `target_node_id` (u64, same attribute), `edge_type_id` (i64),
//! `edge_group_id` (u32), `edge_group_index` (u64), one group `<g>` per edge group with one
//! dataset per column (datasets exist even with 0 rows; a string column is variable-length
//! UTF-8, as h5py writes `h5py.string_dtype()` and BMTK a string property), and
//! `indices/{source_to_target,target_to_source}/{node_id_to_ranges,range_to_edge_id}` (u64,
//! `[n, 2]`) plus a hard link `node_id_to_range` -> `node_id_to_ranges` (BMTK's name).

use std::path::{Path, PathBuf};

use hdf5::{Dataset, File, Group};

use crate::column::{ColumnSlice, ColumnType, Compression, Dtype, NumSlice, Provenance};
use crate::deflate::{self, ChunkStream, Compressors};
use crate::error::SonataError;
use crate::h5::{self, Io, Shape};
use crate::index::IndexDirection;

/// The columns and row count of one edge group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdgeGroupLayout {
    /// Each column's name and type (numbers or strings), in file order.
    pub columns: Vec<(String, ColumnType)>,
    /// Rows of every column of the group.
    pub n_rows: u64,
}

/// Everything about an edge population that must be known before writing it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdgePopulationLayout {
    /// The population's name (`/edges/<name>`).
    pub name: String,
    /// The node population of `source_node_id`.
    pub source_population: String,
    /// The node population of `target_node_id`.
    pub target_population: String,
    /// Rows of the core datasets.
    pub n_edges: u64,
    /// The edge groups, in `edge_group_id` order; their rows add up to `n_edges`.
    pub groups: Vec<EdgeGroupLayout>,
    /// Node count of the source population (rows of `indices/source_to_target/node_id_to_ranges`).
    pub n_source_nodes: u64,
    /// Node count of the target population (rows of `indices/target_to_source/node_id_to_ranges`).
    pub n_target_nodes: u64,
}

/// Consecutive rows of the core datasets, one slice per dataset, all of the same length.
#[derive(Debug, Clone, Copy)]
pub struct EdgeRows<'a> {
    /// `source_node_id`.
    pub source: &'a [u64],
    /// `target_node_id`.
    pub target: &'a [u64],
    /// `edge_type_id`.
    pub edge_type_id: &'a [i64],
    /// `edge_group_id`.
    pub edge_group_id: &'a [u32],
    /// `edge_group_index`.
    pub edge_group_index: &'a [u64],
}

/// A dataset with its expected and written row counts.
pub(super) struct Tracked {
    ds: Dataset,
    pub(super) full: String,
    rows: u64,
    written: u64,
    /// For gzip datasets written by one process: chunks compressed here, in parallel
    /// (`deflate.rs`), instead of by HDF5 on this thread.
    direct: Option<ChunkStream>,
}

impl Tracked {
    fn new(
        ds: Dataset,
        full: String,
        rows: u64,
        dtype: ColumnType,
        compression: Compression,
        serial: bool,
    ) -> Self {
        // Strings go through HDF5's own filter: their rows are not fixed-size bytes.
        let direct = match (compression, dtype) {
            (Compression::Gzip(level), ColumnType::Num(_)) if serial && rows > 0 => {
                let chunk_rows = h5::chunk_rows_for(dtype, 1).min(rows as usize);
                Some(ChunkStream::new(chunk_rows, dtype.size(), level, true))
            }
            _ => None,
        };
        Tracked {
            ds,
            full,
            rows,
            written: 0,
            direct,
        }
    }

    /// Writes the chunks due (all of them once the stream is finished).
    fn write_compressed(&mut self, path: &Path) -> Result<(), SonataError> {
        match &mut self.direct {
            Some(stream) => h5::write_compressed(path, &self.ds, &self.full, stream, 1, || Ok(())),
            None => Ok(()),
        }
    }
}

/// Writes rows `offset..` of each column into its dataset: through HDF5, or, for direct-chunk
/// datasets, cut into chunks that are compressed in the background on every core and written
/// raw as they come back.
fn write_tracked(
    path: &Path,
    tracked: &mut [Tracked],
    offset: u64,
    cols: &[ColumnSlice<'_>],
    io: Io,
) -> Result<(), SonataError> {
    for (t, col) in tracked.iter_mut().zip(cols) {
        // Positioned, out-of-order writes (several writers) go through HDF5's own filter.
        if offset != t.written && t.direct.as_ref().is_some_and(ChunkStream::is_untouched) {
            t.direct = None;
        }
        match (&mut t.direct, deflate::le_bytes(*col)) {
            (Some(stream), Some(bytes)) => {
                if offset != t.written {
                    return Err(SonataError::invalid(
                        path,
                        &t.full,
                        format!(
                            "compressed rows must come in order: row {offset} after {}",
                            t.written
                        ),
                    ));
                }
                stream.push(&bytes);
                t.write_compressed(path)?;
            }
            _ => h5::write_column(path, &t.ds, &t.full, offset, *col, 1, io)?,
        }
        t.written += col.len() as u64;
    }
    Ok(())
}

/// Compresses and writes the last, partial chunk of every direct-chunk dataset, and every
/// chunk still in flight.
fn flush_tracked(path: &Path, tracked: &mut [Tracked]) -> Result<(), SonataError> {
    for t in tracked {
        if let Some(stream) = &mut t.direct {
            stream.finish();
        }
        t.write_compressed(path)?;
    }
    Ok(())
}

const CORE: [(&str, Dtype); 5] = [
    ("source_node_id", Dtype::U64),
    ("target_node_id", Dtype::U64),
    ("edge_type_id", Dtype::I64),
    ("edge_group_id", Dtype::U32),
    ("edge_group_index", Dtype::U64),
];

/// One edge population's open file: its datasets, what was written of them, and which
/// indices are done.
pub(super) struct EdgesFile {
    pub(super) path: PathBuf,
    file: File,
    pop: Group,
    pub(super) root: String,
    pub(super) layout: EdgePopulationLayout,
    pub(super) compression: Compression,
    /// source_node_id, target_node_id, edge_type_id, edge_group_id, edge_group_index.
    core: Vec<Tracked>,
    groups: Vec<Vec<Tracked>>,
    index_done: [bool; 2],
    /// Whether this process alone writes the file (no MPI-IO file access list).
    pub(super) serial: bool,
    /// Where gzip chunks compressed here are compressed.
    pub(super) compressors: Compressors,
}

/// An index group being written: the group, its path, `node_id_to_ranges` and
/// `range_to_edge_id`.
pub(super) struct IndexDatasets {
    pub(super) group: Group,
    pub(super) full: String,
    pub(super) node_id_to_ranges: Dataset,
    pub(super) range_to_edge_id: Dataset,
}

impl EdgesFile {
    /// Creates (or truncates) the file at `path` with every dataset of the layout; through
    /// `fapl` (the MPI-IO driver) when several processes write it, in which case every one of
    /// them must call this with the same arguments (HDF5 creates objects collectively).
    pub(super) fn create(
        path: &Path,
        layout: &EdgePopulationLayout,
        compression: Compression,
        prov: &Provenance,
        fapl: Option<&hdf5::plist::FileAccess>,
    ) -> Result<Self, SonataError> {
        let root = format!("/edges/{}", layout.name);
        validate_layout(path, &root, layout)?;
        let serial = fapl.is_none();

        let file = h5::create_file(path, fapl)?;
        h5::write_root_attrs(path, &file, prov)?;
        let edges = h5::create_group(path, &file, "edges", "/edges")?;
        let pop = h5::create_group(path, &edges, &layout.name, &root)?;

        let mut core = Vec::with_capacity(CORE.len());
        for (name, dtype) in CORE {
            let full = format!("{root}/{name}");
            let shape = Shape {
                rows: layout.n_edges,
                width: 1,
                resizable: false,
            };
            let ds = h5::create_dataset(path, &pop, &full, name, dtype, shape, compression)?;
            core.push(Tracked::new(
                ds,
                full,
                layout.n_edges,
                dtype.into(),
                compression,
                serial,
            ));
        }
        for (t, population) in core
            .iter()
            .zip([&layout.source_population, &layout.target_population])
        {
            h5::string_attr(path, &t.ds, &t.full, "node_population", population)?;
        }

        let mut groups = Vec::with_capacity(layout.groups.len());
        for (gi, gl) in layout.groups.iter().enumerate() {
            let gname = gi.to_string();
            let gfull = format!("{root}/{gname}");
            let grp = h5::create_group(path, &pop, &gname, &gfull)?;
            let mut cols = Vec::with_capacity(gl.columns.len());
            for (name, dtype) in &gl.columns {
                let full = format!("{gfull}/{name}");
                let shape = Shape {
                    rows: gl.n_rows,
                    width: 1,
                    resizable: false,
                };
                let ds = h5::create_dataset(path, &grp, &full, name, *dtype, shape, compression)?;
                cols.push(Tracked::new(
                    ds,
                    full,
                    gl.n_rows,
                    *dtype,
                    compression,
                    serial,
                ));
            }
            groups.push(cols);
        }

        Ok(EdgesFile {
            path: path.to_path_buf(),
            file,
            pop,
            root,
            layout: layout.clone(),
            compression,
            core,
            groups,
            index_done: [false; 2],
            serial,
            compressors: None,
        })
    }

    /// Compresses every direct-chunk dataset's chunks (and the indices') on `pool`.
    pub(super) fn set_compressors(&mut self, pool: Compressors) {
        for t in self.core.iter_mut().chain(self.groups.iter_mut().flatten()) {
            if let Some(stream) = &mut t.direct {
                stream.set_pool(pool.clone());
            }
        }
        self.compressors = pool;
    }

    /// Writes rows `offset..offset + len` of the core datasets (all slices of length `len`).
    pub(super) fn write_edges_at(
        &mut self,
        offset: u64,
        rows: EdgeRows<'_>,
        io: Io,
    ) -> Result<(), SonataError> {
        let EdgeRows {
            source,
            target,
            edge_type_id,
            edge_group_id,
            edge_group_index,
        } = rows;
        let n = source.len();
        if [
            target.len(),
            edge_type_id.len(),
            edge_group_id.len(),
            edge_group_index.len(),
        ]
        .iter()
        .any(|&l| l != n)
        {
            return Err(self.invalid(
                &self.root,
                format!(
                    "core slices differ in length: source {n}, target {}, edge_type_id {}, \
                     edge_group_id {}, edge_group_index {}",
                    target.len(),
                    edge_type_id.len(),
                    edge_group_id.len(),
                    edge_group_index.len()
                ),
            ));
        }
        self.check_rows(&self.root, offset, n as u64, self.layout.n_edges)?;
        let sides = [
            ("source", source, self.layout.n_source_nodes),
            ("target", target, self.layout.n_target_nodes),
        ];
        for (dataset, (side, ids, n_nodes)) in self.core.iter().zip(sides) {
            if let Some(i) = ids.iter().position(|&id| id >= n_nodes) {
                return Err(self.invalid(
                    &dataset.full,
                    format!(
                        "edge {}: {side} node {} >= {n_nodes} nodes",
                        offset + i as u64,
                        ids[i]
                    ),
                ));
            }
        }
        for (i, (&g, &idx)) in edge_group_id.iter().zip(edge_group_index).enumerate() {
            let ok = self
                .layout
                .groups
                .get(g as usize)
                .is_some_and(|gl| idx < gl.n_rows);
            if !ok {
                return Err(self.invalid(
                    &self.root,
                    format!(
                        "edge {}: group {g} row {idx} does not exist",
                        offset + i as u64
                    ),
                ));
            }
        }
        let cols = [
            ColumnSlice::Num(NumSlice::U64(source)),
            ColumnSlice::Num(NumSlice::U64(target)),
            ColumnSlice::Num(NumSlice::I64(edge_type_id)),
            ColumnSlice::Num(NumSlice::U32(edge_group_id)),
            ColumnSlice::Num(NumSlice::U64(edge_group_index)),
        ];
        write_tracked(&self.path, &mut self.core, offset, &cols, io)
    }

    /// Writes rows `offset..offset + len` of every column of group `g`.
    pub(super) fn write_group_at(
        &mut self,
        g: usize,
        offset: u64,
        columns: &[ColumnSlice<'_>],
        io: Io,
    ) -> Result<(), SonataError> {
        let gl = self.layout.groups.get(g).ok_or_else(|| self.no_group(g))?;
        let gfull = format!("{}/{g}", self.root);
        if columns.len() != gl.columns.len() {
            return Err(self.invalid(
                &gfull,
                format!(
                    "{} column slices given, the layout has {}",
                    columns.len(),
                    gl.columns.len()
                ),
            ));
        }
        let n = columns.first().map_or(0, |c| c.len());
        for (col, (name, dtype)) in columns.iter().zip(&gl.columns) {
            let full = format!("{gfull}/{name}");
            if col.dtype() != *dtype {
                return Err(self.invalid(
                    &full,
                    format!("slice of {} given, the column is {}", col.dtype(), dtype),
                ));
            }
            if col.len() != n {
                return Err(self.invalid(
                    &full,
                    format!("slice of {} rows, the first column's has {n}", col.len()),
                ));
            }
        }
        self.check_rows(&gfull, offset, n as u64, gl.n_rows)?;
        write_tracked(&self.path, &mut self.groups[g], offset, columns, io)
    }

    /// Creates `indices/<direction>` with its two datasets: `range_to_edge_id` of
    /// `ranges` rows, or growing from 0 if `None`.
    pub(super) fn create_index(
        &mut self,
        direction: IndexDirection,
        ranges: Option<u64>,
    ) -> Result<IndexDatasets, SonataError> {
        let dir = direction.group_name();
        let ifull = format!("{}/indices/{dir}", self.root);
        if self.index_done[direction.slot()] {
            return Err(self.invalid(&ifull, "index written twice"));
        }
        let n_nodes = match direction {
            IndexDirection::SourceToTarget => self.layout.n_source_nodes,
            IndexDirection::TargetToSource => self.layout.n_target_nodes,
        };
        let path = &self.path;
        let indices = if self.pop.link_exists("indices") {
            self.pop
                .group("indices")
                .map_err(|e| SonataError::hdf5(path, format!("{}/indices", self.root), e))?
        } else {
            h5::create_group(
                path,
                &self.pop,
                "indices",
                &format!("{}/indices", self.root),
            )?
        };
        let grp = h5::create_group(path, &indices, dir, &ifull)?;
        let n2r = h5::create_dataset(
            path,
            &grp,
            &format!("{ifull}/node_id_to_ranges"),
            "node_id_to_ranges",
            Dtype::U64,
            Shape {
                rows: n_nodes,
                width: 2,
                resizable: false,
            },
            self.compression,
        )?;
        let r2e = h5::create_dataset(
            path,
            &grp,
            &format!("{ifull}/range_to_edge_id"),
            "range_to_edge_id",
            Dtype::U64,
            Shape {
                rows: ranges.unwrap_or(0),
                width: 2,
                resizable: ranges.is_none(),
            },
            self.compression,
        )?;
        Ok(IndexDatasets {
            group: grp,
            full: ifull,
            node_id_to_ranges: n2r,
            range_to_edge_id: r2e,
        })
    }

    /// The `node_id_to_range` hard link (BMTK's name), and the index marked done.
    pub(super) fn link_index(
        &mut self,
        direction: IndexDirection,
        grp: &Group,
        ifull: &str,
    ) -> Result<(), SonataError> {
        grp.link_hard("node_id_to_ranges", "node_id_to_range")
            .map_err(|e| SonataError::hdf5(&self.path, format!("{ifull}/node_id_to_range"), e))?;
        self.index_done[direction.slot()] = true;
        Ok(())
    }

    /// Writes what direct-chunk datasets still hold, then checks that every dataset got
    /// exactly its rows and both indices were written.
    pub(super) fn flush_and_check(&mut self) -> Result<(), SonataError> {
        flush_tracked(&self.path, &mut self.core)?;
        for g in &mut self.groups {
            flush_tracked(&self.path, g)?;
        }
        for t in self.core.iter().chain(self.groups.iter().flatten()) {
            if t.written != t.rows {
                return Err(self.invalid(
                    &t.full,
                    format!("{} rows written, {} expected", t.written, t.rows),
                ));
            }
        }
        for dir in [
            IndexDirection::SourceToTarget,
            IndexDirection::TargetToSource,
        ] {
            if !self.index_done[dir.slot()] {
                return Err(self.invalid(
                    &format!("{}/indices/{}", self.root, dir.group_name()),
                    "index not written",
                ));
            }
        }
        Ok(())
    }

    /// Flushes and closes the file (its datasets and groups first).
    pub(super) fn close(self) -> Result<(), SonataError> {
        let EdgesFile {
            path,
            file,
            pop,
            core,
            groups,
            ..
        } = self;
        drop((core, groups, pop));
        h5::close_file(&path, file)
    }

    fn check_rows(&self, object: &str, offset: u64, n: u64, total: u64) -> Result<(), SonataError> {
        match offset.checked_add(n) {
            Some(end) if end <= total => Ok(()),
            _ => Err(self.invalid(
                object,
                format!("rows {offset}..{offset}+{n} past the {total} rows of the layout"),
            )),
        }
    }

    pub(super) fn invalid(&self, object: &str, message: impl Into<String>) -> SonataError {
        SonataError::invalid(&self.path, object, message)
    }

    pub(super) fn no_group(&self, g: usize) -> SonataError {
        self.invalid(
            &self.root,
            format!("no group {g} (the layout has {})", self.layout.groups.len()),
        )
    }
}

fn validate_layout(
    path: &Path,
    root: &str,
    layout: &EdgePopulationLayout,
) -> Result<(), SonataError> {
    h5::check_name(path, root, &layout.name)?;
    let total: u64 = layout.groups.iter().map(|g| g.n_rows).sum();
    if total != layout.n_edges {
        return Err(SonataError::invalid(
            path,
            root,
            format!(
                "groups hold {total} rows in all, the population has {} edges",
                layout.n_edges
            ),
        ));
    }
    for (gi, g) in layout.groups.iter().enumerate() {
        let mut seen = std::collections::HashSet::new();
        for (name, _) in &g.columns {
            let full = format!("{root}/{gi}/{name}");
            h5::check_name(path, &full, name)?;
            if !seen.insert(name.as_str()) {
                return Err(SonataError::invalid(path, full, "duplicate column"));
            }
        }
    }
    Ok(())
}
