//! Edges files: one population, streamed (sizes known up front, datasets created at full size).
//!
//! Layout: root attributes `magic`, `version` (+ provenance); under `/edges/<pop>`:
//! `source_node_id` (u64, attribute `node_population` = source population, a variable-length
//! UTF-8 string as h5py writes), `target_node_id` (u64, same attribute), `edge_type_id` (i64),
//! `edge_group_id` (u32), `edge_group_index` (u64), one group `<g>` per edge group with one
//! dataset per column (datasets exist even with 0 rows), and
//! `indices/{source_to_target,target_to_source}/{node_id_to_ranges,range_to_edge_id}` (u64,
//! `[n, 2]`) plus a hard link `node_id_to_range` -> `node_id_to_ranges` (BMTK's name).

use std::path::{Path, PathBuf};

use hdf5::{Dataset, File, Group};
use hdf5_sys::h5i::hid_t;

use crate::column::{ColumnSlice, Compression, Dtype, Provenance};
use crate::deflate::{self, ChunkStream};
use crate::error::SonataError;
use crate::h5::{self, Io, Shape};
use crate::index::{IndexBuilder, IndexDirection};
use crate::index_rows::IndexRows;

/// Rows per block when streaming an index to disk.
const INDEX_BLOCK_ROWS: usize = 1 << 16;

/// One process's part of an index written by several ([`EdgesWriter::write_index_part`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPart {
    /// The node ids whose rows of `node_id_to_ranges` this process writes.
    pub nodes: std::ops::Range<u64>,
    /// The first of its ranges (rows of `range_to_edge_id`): the ranges of the parts before.
    pub first_range: u64,
    /// Its ranges.
    pub ranges: u64,
    /// Ranges of all parts.
    pub total_ranges: u64,
    /// Range blocks every process writes: the largest [`IndexPart::blocks_for`] of any part.
    pub rounds: u64,
}

impl IndexPart {
    /// How many range blocks a part of `ranges` ranges writes (the last one maybe empty).
    pub fn blocks_for(ranges: u64) -> u64 {
        ranges / INDEX_BLOCK_ROWS as u64 + 1
    }
}

/// The columns and row count of one edge group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdgeGroupLayout {
    pub columns: Vec<(String, Dtype)>,
    pub n_rows: u64,
}

/// Everything about an edge population that must be known before writing it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdgePopulationLayout {
    pub name: String,
    pub source_population: String,
    pub target_population: String,
    pub n_edges: u64,
    pub groups: Vec<EdgeGroupLayout>,
    /// Node count of the source population (rows of `indices/source_to_target/node_id_to_ranges`).
    pub n_source_nodes: u64,
    /// Node count of the target population (rows of `indices/target_to_source/node_id_to_ranges`).
    pub n_target_nodes: u64,
}

/// A dataset with its expected and written row counts.
struct Tracked {
    ds: Dataset,
    full: String,
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
        dtype: Dtype,
        compression: Compression,
        serial: bool,
    ) -> Self {
        let direct = match compression {
            Compression::Gzip(level) if serial && rows > 0 => {
                let chunk_rows = h5::chunk_rows_for(dtype, 1).min(rows as usize);
                Some(ChunkStream::new(chunk_rows, dtype.size(), level))
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

    /// Writes the chunks compressed so far (all of them, once those in flight are done, if
    /// `wait`).
    fn write_compressed(&mut self, path: &Path, wait: bool) -> Result<(), SonataError> {
        match &mut self.direct {
            Some(stream) => {
                h5::write_compressed(path, &self.ds, &self.full, stream, wait, 1, || Ok(()))
            }
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
                t.write_compressed(path, false)?;
            }
            _ => h5::write_column(path, &t.ds, &t.full, offset, *col, io)?,
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
        t.write_compressed(path, true)?;
    }
    Ok(())
}

/// An owned dataset transfer property list (collective MPI-IO).
struct Xfer(hid_t);

impl Drop for Xfer {
    fn drop(&mut self) {
        // SAFETY: the id came from H5Pcreate and is closed once, under the library lock.
        hdf5::sync::sync(|| unsafe {
            hdf5_sys::h5p::H5Pclose(self.0);
        });
    }
}

/// Streams one edge population into an HDF5 file.
///
/// Rows go in edge order through `append_*` (an internal cursor), or anywhere through the
/// positioned `write_*_at` (for several writers sharing one file through MPI-IO, opened with
/// [`EdgesWriter::create_with_fapl`]). Every dataset is created at its final size in
/// `create`, so no call ever extends one except `range_to_edge_id` in [`Self::write_index`].
pub struct EdgesWriter {
    path: PathBuf,
    file: File,
    pop: Group,
    root: String,
    layout: EdgePopulationLayout,
    compression: Compression,
    /// source_node_id, target_node_id, edge_type_id, edge_group_id, edge_group_index.
    core: Vec<Tracked>,
    groups: Vec<Vec<Tracked>>,
    edge_cursor: u64,
    group_cursor: Vec<u64>,
    index_done: [bool; 2],
    xfer: Option<Xfer>,
    /// Whether this process alone writes the file (no MPI-IO file access list).
    serial: bool,
}

const CORE: [(&str, Dtype); 5] = [
    ("source_node_id", Dtype::U64),
    ("target_node_id", Dtype::U64),
    ("edge_type_id", Dtype::I64),
    ("edge_group_id", Dtype::U32),
    ("edge_group_index", Dtype::U64),
];

impl EdgesWriter {
    /// Creates (or truncates) the file at `path` with every dataset of the layout.
    pub fn create(
        path: &Path,
        layout: &EdgePopulationLayout,
        compression: Compression,
        prov: &Provenance,
    ) -> Result<Self, SonataError> {
        Self::create_with_fapl(path, layout, compression, prov, None)
    }

    /// As [`Self::create`], with a file access property list: e.g. one with the MPI-IO driver
    /// (`FileAccess::build().mpio(comm, None)`), in which case every rank must call this with
    /// the same arguments (HDF5 creates groups, datasets and attributes collectively).
    pub fn create_with_fapl(
        path: &Path,
        layout: &EdgePopulationLayout,
        compression: Compression,
        prov: &Provenance,
        fapl: Option<&hdf5::plist::FileAccess>,
    ) -> Result<Self, SonataError> {
        let root = format!("/edges/{}", layout.name);
        validate_layout(path, &root, layout)?;

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
                dtype,
                compression,
                fapl.is_none(),
            ));
        }
        h5::string_attr(
            path,
            &core[0].ds,
            &core[0].full,
            "node_population",
            &layout.source_population,
        )?;
        h5::string_attr(
            path,
            &core[1].ds,
            &core[1].full,
            "node_population",
            &layout.target_population,
        )?;

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
                    fapl.is_none(),
                ));
            }
            groups.push(cols);
        }

        Ok(EdgesWriter {
            path: path.to_path_buf(),
            file,
            pop,
            root,
            layout: layout.clone(),
            compression,
            core,
            group_cursor: vec![0; groups.len()],
            groups,
            edge_cursor: 0,
            index_done: [false; 2],
            xfer: None,
            serial: fapl.is_none(),
        })
    }

    /// The layout this writer was created with.
    pub fn layout(&self) -> &EdgePopulationLayout {
        &self.layout
    }

    /// Switches block writes to collective MPI-IO (needed for compressed datasets with the
    /// MPI-IO driver). Then every rank must make the same sequence of `write_*_at` calls; a
    /// rank with no rows passes empty slices.
    pub fn set_collective(&mut self, collective: bool) -> Result<(), SonataError> {
        if !collective {
            self.xfer = None;
            return Ok(());
        }
        use hdf5_sys::h5p::{H5FD_mpio_xfer_t, H5Pcreate, H5Pset_dxpl_mpio};
        let id = hdf5::sync::sync(|| {
            // SAFETY: plain HDF5 property list calls.
            unsafe {
                let id = hdf5::h5check(H5Pcreate(*hdf5::globals::H5P_DATASET_XFER))?;
                let x = Xfer(id);
                hdf5::h5check(H5Pset_dxpl_mpio(
                    x.0,
                    H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE,
                ))?;
                Ok(x)
            }
        })
        .map_err(|e| SonataError::hdf5(&self.path, "dataset transfer list", e))?;
        self.xfer = Some(id);
        Ok(())
    }

    fn io(&self) -> Io {
        match &self.xfer {
            Some(x) => Io {
                xfer: x.0,
                collective: true,
            },
            None => Io::INDEPENDENT,
        }
    }

    /// Appends the next rows of the population's core datasets, in edge order.
    pub fn append_edges(
        &mut self,
        source: &[u64],
        target: &[u64],
        edge_type_id: &[i64],
        edge_group_id: &[u32],
        edge_group_index: &[u64],
    ) -> Result<(), SonataError> {
        let at = self.edge_cursor;
        self.write_edges_at(
            at,
            source,
            target,
            edge_type_id,
            edge_group_id,
            edge_group_index,
        )?;
        self.edge_cursor += source.len() as u64;
        Ok(())
    }

    /// Writes rows `offset..offset + len` of the core datasets (all slices of length `len`).
    pub fn write_edges_at(
        &mut self,
        offset: u64,
        source: &[u64],
        target: &[u64],
        edge_type_id: &[i64],
        edge_group_id: &[u32],
        edge_group_index: &[u64],
    ) -> Result<(), SonataError> {
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
        if let Some(i) = source.iter().position(|&s| s >= self.layout.n_source_nodes) {
            return Err(self.invalid(
                &self.core[0].full,
                format!(
                    "edge {}: source node {} >= {} nodes",
                    offset + i as u64,
                    source[i],
                    self.layout.n_source_nodes
                ),
            ));
        }
        if let Some(i) = target.iter().position(|&t| t >= self.layout.n_target_nodes) {
            return Err(self.invalid(
                &self.core[1].full,
                format!(
                    "edge {}: target node {} >= {} nodes",
                    offset + i as u64,
                    target[i],
                    self.layout.n_target_nodes
                ),
            ));
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
            ColumnSlice::U64(source),
            ColumnSlice::U64(target),
            ColumnSlice::I64(edge_type_id),
            ColumnSlice::U32(edge_group_id),
            ColumnSlice::U64(edge_group_index),
        ];
        let io = self.io();
        write_tracked(&self.path, &mut self.core, offset, &cols, io)
    }

    /// Appends the next rows of group `g` (one slice per column of the layout, in layout
    /// order, all the same length).
    pub fn append_group(
        &mut self,
        g: usize,
        columns: &[ColumnSlice<'_>],
    ) -> Result<(), SonataError> {
        let at = *self.group_cursor.get(g).ok_or_else(|| self.no_group(g))?;
        self.write_group_at(g, at, columns)?;
        let n = columns.first().map_or(0, |c| c.len()) as u64;
        self.group_cursor[g] += n;
        Ok(())
    }

    /// Writes rows `offset..offset + len` of every column of group `g`.
    pub fn write_group_at(
        &mut self,
        g: usize,
        offset: u64,
        columns: &[ColumnSlice<'_>],
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
        let io = self.io();
        write_tracked(&self.path, &mut self.groups[g], offset, columns, io)
    }

    /// Writes `indices/<direction>/{node_id_to_ranges, range_to_edge_id}` from `(node_id,
    /// edge_id)` pairs sorted by node id then edge id, streamed in blocks, and the hard link
    /// `node_id_to_range`. `node_id_to_ranges` has one row per node of that side's population
    /// (`[0, 0]` for a node without edges). `range_to_edge_id` is the one dataset of the file
    /// that grows while written (its length is only known at the end): it is chunked and
    /// extended block by block, so call this from one process only (or write the index
    /// yourself).
    pub fn write_index(
        &mut self,
        direction: IndexDirection,
        pairs: impl Iterator<Item = (u64, u64)>,
    ) -> Result<(), SonataError> {
        self.write_index_runs(direction, pairs.map(|(n, e)| (n, e..e + 1)))
    }

    /// Like [`Self::write_index`], from runs of consecutive edge ids per node: `(node,
    /// edges)`, sorted by node then edge. The side the rows are sorted by is one run per node.
    pub fn write_index_runs(
        &mut self,
        direction: IndexDirection,
        runs: impl Iterator<Item = (u64, std::ops::Range<u64>)>,
    ) -> Result<(), SonataError> {
        let (grp, ifull, n2r, r2e) = self.create_index(direction, None)?;
        let n_nodes = n2r.size() as u64 / 2;
        let path = self.path.clone();
        // One process compresses gzip chunks itself, on every core; MPI-IO writers leave it
        // to HDF5.
        let gzip = match self.compression {
            Compression::Gzip(level) if self.serial => Some(level),
            _ => None,
        };
        let mut n2r = IndexRows::new(
            &path,
            n2r,
            format!("{ifull}/node_id_to_ranges"),
            false,
            gzip,
        );
        let mut r2e = IndexRows::new(&path, r2e, format!("{ifull}/range_to_edge_id"), true, gzip);
        let mut b = IndexBuilder::new(n_nodes, self.layout.n_edges);
        for (node, edges) in runs {
            b.push_run(node, edges)
                .map_err(|e| SonataError::invalid(&path, &ifull, e.to_string()))?;
            if b.node_rows.len() >= 2 * INDEX_BLOCK_ROWS {
                n2r.append(&b.node_rows)?;
                b.node_rows.clear();
            }
            if b.ranges.len() >= 2 * INDEX_BLOCK_ROWS {
                r2e.append(&b.ranges)?;
                b.ranges.clear();
            }
        }
        b.finish();
        n2r.append(&b.node_rows)?;
        r2e.append(&b.ranges)?;
        let nodes_written = n2r.finish()?;
        r2e.finish()?;
        debug_assert_eq!(nodes_written, n_nodes);
        self.link_index(direction, &grp, &ifull)
    }

    /// Writes this process's part of an index that several processes write together
    /// (collective: every process calls it, in the same order of directions). `part` says
    /// which node rows and ranges are this process's; `runs` are its `(node, edges)`, sorted.
    /// Each process holds its node rows in memory (16 bytes a node) and writes its ranges in
    /// blocks, as many writes as [`IndexPart::rounds`] says, so that the collective calls match.
    pub fn write_index_part(
        &mut self,
        direction: IndexDirection,
        part: &IndexPart,
        runs: impl Iterator<Item = (u64, std::ops::Range<u64>)>,
    ) -> Result<(), SonataError> {
        let (grp, ifull, n2r, r2e) = self.create_index(direction, Some(part.total_ranges))?;
        let path = self.path.clone();
        let io = self.io();
        let r2e_full = format!("{ifull}/range_to_edge_id");
        let mut b =
            IndexBuilder::for_part(part.nodes.clone(), part.first_range, self.layout.n_edges);
        // (next range row, writes made)
        let mut done = (part.first_range, 0u64);
        let write_block = |values: &[u64], done: &mut (u64, u64)| -> Result<(), SonataError> {
            if done.1 == part.rounds {
                return Err(SonataError::invalid(
                    &path,
                    &r2e_full,
                    format!("more range blocks than the {} agreed", part.rounds),
                ));
            }
            h5::write_rows(&path, &r2e, &r2e_full, done.0, 2, values, io)?;
            done.0 += (values.len() / 2) as u64;
            done.1 += 1;
            Ok(())
        };
        for (node, edges) in runs {
            b.push_run(node, edges)
                .map_err(|e| SonataError::invalid(&path, &ifull, e.to_string()))?;
            if b.ranges.len() >= 2 * INDEX_BLOCK_ROWS {
                let rest = b.ranges.split_off(2 * INDEX_BLOCK_ROWS);
                write_block(&b.ranges, &mut done)?;
                b.ranges = rest;
            }
        }
        b.finish();
        // The last block (maybe empty), then empty ones until every process has made as many
        // writes as the busiest.
        write_block(&b.ranges, &mut done)?;
        while done.1 < part.rounds {
            write_block(&[], &mut done)?;
        }
        if done.0 != part.first_range + part.ranges {
            return Err(SonataError::invalid(
                &path,
                &r2e_full,
                format!(
                    "{} ranges written, {} announced",
                    done.0 - part.first_range,
                    part.ranges
                ),
            ));
        }
        let n2r_full = format!("{ifull}/node_id_to_ranges");
        h5::write_rows(
            &path,
            &n2r,
            &n2r_full,
            part.nodes.start,
            2,
            &b.node_rows,
            io,
        )?;
        self.link_index(direction, &grp, &ifull)
    }

    /// Creates `indices/<direction>` with its two datasets: `range_to_edge_id` of
    /// `ranges` rows, or growing from 0 if `None`.
    fn create_index(
        &mut self,
        direction: IndexDirection,
        ranges: Option<u64>,
    ) -> Result<(Group, String, Dataset, Dataset), SonataError> {
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
        Ok((grp, ifull, n2r, r2e))
    }

    /// The `node_id_to_range` hard link (BMTK's name), and the index marked done.
    fn link_index(
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

    /// Checks that every dataset got exactly its rows and both indices were written, then
    /// flushes and closes the file.
    pub fn finish(mut self) -> Result<(), SonataError> {
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
        self.finish_unchecked()
    }

    /// Flushes and closes without checking row counts: for one of several processes that
    /// each wrote a part of the rows (the caller checks the totals across processes).
    pub fn finish_unchecked(self) -> Result<(), SonataError> {
        let EdgesWriter {
            path,
            file,
            pop,
            core,
            groups,
            xfer,
            ..
        } = self;
        drop((core, groups, pop, xfer));
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

    fn invalid(&self, object: &str, message: impl Into<String>) -> SonataError {
        SonataError::invalid(&self.path, object, message)
    }

    fn no_group(&self, g: usize) -> SonataError {
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
