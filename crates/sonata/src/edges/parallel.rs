//! The parallel writer: every rank of an MPI job writes its own rows of one edge population
//! into the one shared file, through parallel HDF5 (the MPI-IO driver) with collective writes.
//!
//! In: the group of ranks ([`netbuild_comm::Comm`], whose MPI communicator opens the file),
//! then each rank's rows at their positions (`write_*_at`) and its part of each index
//! ([`IndexPart`]). Out: the file, written by all ranks together; checking the totals across
//! ranks is the caller's job. HDF5 and MPI-IO stay inside this crate: the caller sees only a
//! `Comm`.
//!
//! Collective calls match by order: every rank makes the same sequence of calls (a rank with no
//! rows passes empty slices), and the file must be on a filesystem every rank sees.
//!
//! Block writes are collective only where MPI-IO needs them, for filtered (gzip) datasets.
//! Unfiltered datasets are contiguous and each rank's rows are one stretch of them, so each rank
//! writes its stretch on its own (independent transfers): collective ones made the rank that
//! finished its part first spin in OpenMPI's progress loop until the other arrived (half the
//! CPU of writing v1full on a 2-core host went there) and copied every row between ranks for
//! two-phase I/O.

use std::path::Path;

use hdf5_sys::h5i::hid_t;
use netbuild_comm::Comm;

use super::layout::{EdgePopulationLayout, EdgeRows, EdgesFile, IndexDatasets};
use super::IndexPart;
use crate::column::{ColumnSlice, Compression, Provenance};
use crate::error::SonataError;
use crate::h5::{self, Io};
use crate::index::{IndexBuilder, IndexDirection};

/// An owned dataset transfer property list (MPI-IO, collective or independent).
struct Xfer(hid_t);

impl Drop for Xfer {
    fn drop(&mut self) {
        // SAFETY: the id came from H5Pcreate and is closed once, under the library lock.
        hdf5::sync::sync(|| unsafe {
            hdf5_sys::h5p::H5Pclose(self.0);
        });
    }
}

/// One rank's handle on an edges file that every rank of the job writes together.
pub struct ParallelEdgesWriter {
    file: EdgesFile,
    xfer: Xfer,
    /// Whether block writes are collective (filtered datasets) or independent.
    collective: bool,
}

impl ParallelEdgesWriter {
    /// Creates (or truncates) the file at `path` (the same on every rank) with every dataset
    /// of the layout, opened through MPI-IO over `comm`'s ranks, with collective block writes
    /// when compressed (which filtered datasets need under MPI-IO), independent ones otherwise.
    /// Collective: every rank calls it with the same arguments. An error if `comm` is not an
    /// MPI job.
    pub fn create(
        comm: &dyn Comm,
        path: &Path,
        layout: &EdgePopulationLayout,
        compression: Compression,
        prov: &Provenance,
    ) -> Result<Self, SonataError> {
        let world = comm.raw_mpi_world().ok_or_else(|| SonataError::NotMpi {
            file: path.to_path_buf(),
        })?;
        let access = hdf5::plist::FileAccess::build()
            .mpio(world, None)
            .finish()
            .map_err(|e| SonataError::hdf5(path, "MPI-IO file access list", e))?;
        let file = EdgesFile::create(path, layout, compression, prov, Some(&access))?;
        use hdf5_sys::h5p::{H5FD_mpio_xfer_t, H5Pcreate, H5Pset_dxpl_mpio};
        let collective = compression != Compression::None;
        let mode = if collective {
            H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE
        } else {
            H5FD_mpio_xfer_t::H5FD_MPIO_INDEPENDENT
        };
        let xfer = hdf5::sync::sync(|| {
            // SAFETY: plain HDF5 property list calls.
            unsafe {
                let id = hdf5::h5check(H5Pcreate(*hdf5::globals::H5P_DATASET_XFER))?;
                let x = Xfer(id);
                hdf5::h5check(H5Pset_dxpl_mpio(x.0, mode))?;
                Ok(x)
            }
        })
        .map_err(|e| SonataError::hdf5(path, "dataset transfer list", e))?;
        Ok(ParallelEdgesWriter {
            file,
            xfer,
            collective,
        })
    }

    /// The layout this writer was created with.
    pub fn layout(&self) -> &EdgePopulationLayout {
        &self.file.layout
    }

    fn io(&self) -> Io {
        Io {
            xfer: self.xfer.0,
            collective: self.collective,
        }
    }

    /// Writes rows `offset..offset + len` of the core datasets (all slices of length `len`).
    /// Collective.
    pub fn write_edges_at(&mut self, offset: u64, rows: EdgeRows<'_>) -> Result<(), SonataError> {
        let io = self.io();
        self.file.write_edges_at(offset, rows, io)
    }

    /// Writes rows `offset..offset + len` of every column of group `g`. Collective.
    pub fn write_group_at(
        &mut self,
        g: usize,
        offset: u64,
        columns: &[ColumnSlice<'_>],
    ) -> Result<(), SonataError> {
        let io = self.io();
        self.file.write_group_at(g, offset, columns, io)
    }

    /// Writes this process's part of an index that every rank writes together
    /// (collective: every rank calls it, in the same order of directions). `part` says
    /// which node rows and ranges are this rank's; `runs` are its `(node, edges)`, sorted.
    /// Each rank holds its node rows in memory (16 bytes a node) and writes its ranges in
    /// blocks, as many writes as [`IndexPart::rounds`] says, so that the collective calls match.
    pub fn write_index_part(
        &mut self,
        direction: IndexDirection,
        part: &IndexPart,
        runs: impl Iterator<Item = (u64, std::ops::Range<u64>)>,
    ) -> Result<(), SonataError> {
        let IndexDatasets {
            group: grp,
            full: ifull,
            node_id_to_ranges: n2r,
            range_to_edge_id: r2e,
        } = self.file.create_index(direction, Some(part.total_ranges))?;
        let path = self.file.path.clone();
        let io = self.io();
        let r2e_full = format!("{ifull}/range_to_edge_id");
        let mut b = IndexBuilder::for_part(
            part.nodes.clone(),
            part.first_range,
            self.file.layout.n_edges,
        );
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
            if b.ranges.len() >= 2 * super::INDEX_BLOCK_ROWS {
                let rest = b.ranges.split_off(2 * super::INDEX_BLOCK_ROWS);
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
        self.file.link_index(direction, &grp, &ifull)
    }

    /// Flushes and closes this rank's handle. No row counts are checked: each rank wrote a
    /// part of the rows (the caller checks the totals across ranks). Collective.
    pub fn finish(self) -> Result<(), SonataError> {
        let ParallelEdgesWriter { file, xfer, .. } = self;
        drop(xfer);
        file.close()
    }
}
