//! The serial writer: one process streams a whole edge population into its file.
//!
//! In: rows in edge order (`append_*`, an internal cursor) or anywhere (`write_*_at`), then
//! both indices as sorted (node, edge) pairs or runs. Out: the finished file, checked (every
//! dataset got exactly its rows, both indices written). Gzip chunks are compressed here on
//! every core and written raw, not by HDF5 on this thread.

use std::path::Path;
use std::sync::Arc;

use super::layout::{EdgePopulationLayout, EdgeRows, EdgesFile, IndexDatasets};
use super::INDEX_BLOCK_ROWS;
use crate::column::{ColumnSlice, Compression, Provenance};
use crate::error::SonataError;
use crate::h5::Io;
use crate::index::{IndexBuilder, IndexDirection};
use crate::index_rows::IndexRows;

/// Streams one edge population into an HDF5 file, from one process.
///
/// Every dataset is created at its final size in [`EdgesWriter::create`], so no call ever
/// extends one except `range_to_edge_id` in [`Self::write_index`].
pub struct EdgesWriter {
    file: EdgesFile,
    edge_cursor: u64,
    group_cursor: Vec<u64>,
}

impl EdgesWriter {
    /// Creates (or truncates) the file at `path` with every dataset of the layout.
    pub fn create(
        path: &Path,
        layout: &EdgePopulationLayout,
        compression: Compression,
        prov: &Provenance,
    ) -> Result<Self, SonataError> {
        let file = EdgesFile::create(path, layout, compression, prov, None)?;
        Ok(EdgesWriter {
            group_cursor: vec![0; layout.groups.len()],
            file,
            edge_cursor: 0,
        })
    }

    /// Compresses gzip chunks on `pool`'s threads rather than on rayon's global pool (before
    /// any row is written).
    pub fn set_compressors(&mut self, pool: Arc<rayon::ThreadPool>) {
        self.file.set_compressors(Some(pool));
    }

    /// The layout this writer was created with.
    pub fn layout(&self) -> &EdgePopulationLayout {
        &self.file.layout
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
        self.append_rows(EdgeRows {
            source,
            target,
            edge_type_id,
            edge_group_id,
            edge_group_index,
        })
    }

    /// As [`Self::append_edges`], the slices in one [`EdgeRows`].
    pub fn append_rows(&mut self, rows: EdgeRows<'_>) -> Result<(), SonataError> {
        self.write_edges_at(self.edge_cursor, rows)?;
        self.edge_cursor += rows.source.len() as u64;
        Ok(())
    }

    /// Writes rows `offset..offset + len` of the core datasets (all slices of length `len`).
    pub fn write_edges_at(&mut self, offset: u64, rows: EdgeRows<'_>) -> Result<(), SonataError> {
        self.file.write_edges_at(offset, rows, Io::INDEPENDENT)
    }

    /// Appends the next rows of group `g` (one slice per column of the layout, in layout
    /// order, all the same length).
    pub fn append_group(
        &mut self,
        g: usize,
        columns: &[ColumnSlice<'_>],
    ) -> Result<(), SonataError> {
        let at = *self
            .group_cursor
            .get(g)
            .ok_or_else(|| self.file.no_group(g))?;
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
        self.file
            .write_group_at(g, offset, columns, Io::INDEPENDENT)
    }

    /// Writes `indices/<direction>/{node_id_to_ranges, range_to_edge_id}` from `(node_id,
    /// edge_id)` pairs sorted by node id then edge id, streamed in blocks, and the hard link
    /// `node_id_to_range`. `node_id_to_ranges` has one row per node of that side's population
    /// (`[0, 0]` for a node without edges). `range_to_edge_id` is the one dataset of the file
    /// that grows while written (its length is only known at the end): it is chunked and
    /// extended block by block.
    pub fn write_index(
        &mut self,
        direction: IndexDirection,
        pairs: impl Iterator<Item = (u64, u64)>,
    ) -> Result<(), SonataError> {
        self.write_index_runs(direction, None, pairs.map(|(n, e)| (n, e..e + 1)))
    }

    /// Like [`Self::write_index`], from runs of consecutive edge ids per node: `(node,
    /// edges)`, sorted by node then edge. The side the rows are sorted by is one run per node.
    /// `ranges`, when the caller knows it, is the number of maximal runs (the rows of
    /// `range_to_edge_id`): the dataset is then made at its size, contiguous, rather than grown
    /// chunk by chunk; it is an error if the runs do not fill it exactly.
    pub fn write_index_runs(
        &mut self,
        direction: IndexDirection,
        ranges: Option<u64>,
        runs: impl Iterator<Item = (u64, std::ops::Range<u64>)>,
    ) -> Result<(), SonataError> {
        let IndexDatasets {
            group,
            full: ifull,
            node_id_to_ranges,
            range_to_edge_id,
        } = self.file.create_index(direction, ranges)?;
        let n_nodes = node_id_to_ranges.size() as u64 / 2;
        let path = self.file.path.clone();
        // One process compresses gzip chunks itself, on every core.
        let gzip = match self.file.compression {
            Compression::Gzip(level) if self.file.serial => Some(level),
            _ => None,
        };
        let mut n2r = IndexRows::new(
            &path,
            node_id_to_ranges,
            format!("{ifull}/node_id_to_ranges"),
            false,
            gzip,
            &self.file.compressors,
        );
        let mut r2e = IndexRows::new(
            &path,
            range_to_edge_id,
            format!("{ifull}/range_to_edge_id"),
            ranges.is_none(),
            gzip,
            &self.file.compressors,
        );
        let mut b = IndexBuilder::new(n_nodes, self.file.layout.n_edges);
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
        let ranges_written = r2e.finish()?;
        if ranges.is_some_and(|n| n != ranges_written) {
            let message = format!("{ranges_written} ranges written, {ranges:?} announced");
            return Err(SonataError::invalid(&path, &ifull, message));
        }
        debug_assert_eq!(nodes_written, n_nodes);
        self.file.link_index(direction, &group, &ifull)
    }

    /// Checks that every dataset got exactly its rows and both indices were written, then
    /// flushes and closes the file.
    pub fn finish(mut self) -> Result<(), SonataError> {
        self.file.flush_and_check()?;
        self.file.close()
    }
}
