//! The rows of one index dataset (`node_id_to_ranges` or `range_to_edge_id`, two `u64` per
//! row), appended in order as the [`crate::IndexBuilder`] emits them.
//!
//! In: blocks of flattened `[begin, end]` rows. Out: the dataset, written either through HDF5
//! (its deflate filter, if any, runs on this thread) or, for a gzip file written by one
//! process, as direct chunks compressed on every core (`deflate.rs`). `range_to_edge_id`
//! grows as rows come: its extent follows the rows written, never past them, so no chunk is
//! ever cut back.

use crate::column::NumSlice;
use crate::deflate::{self, ChunkStream, Compressors};
use crate::error::SonataError;
use crate::h5::{self, Io};
use hdf5::Dataset;
use std::path::Path;

pub(crate) struct IndexRows<'a> {
    path: &'a Path,
    ds: Dataset,
    full: String,
    resizable: bool,
    written: u64,
    /// Direct chunk writes: chunks compressed in the background.
    direct: Option<ChunkStream>,
}

impl<'a> IndexRows<'a> {
    /// For `ds` (at `full` in `path`); `gzip` is the level when chunks are to be compressed
    /// here (on `pool`), `None` to write through HDF5.
    pub(crate) fn new(
        path: &'a Path,
        ds: Dataset,
        full: String,
        resizable: bool,
        gzip: Option<u8>,
        pool: &Compressors,
    ) -> Self {
        let chunk_rows = ds.chunk().and_then(|c| c.first().copied());
        let direct = match (gzip, chunk_rows) {
            (Some(level), Some(rows)) if rows > 0 => {
                let mut stream = ChunkStream::new(rows * 2, 8, level, true);
                stream.set_pool(pool.clone());
                Some(stream)
            }
            _ => None,
        };
        IndexRows {
            path,
            ds,
            full,
            resizable,
            written: 0,
            direct,
        }
    }

    /// Appends rows (`values.len() / 2` of them).
    pub(crate) fn append(&mut self, values: &[u64]) -> Result<(), SonataError> {
        let k = (values.len() / 2) as u64;
        if k == 0 {
            return Ok(());
        }
        match &mut self.direct {
            None => {
                self.extend_to(self.written + k)?;
                h5::write_rows(
                    self.path,
                    &self.ds,
                    &self.full,
                    self.written,
                    2,
                    values,
                    Io::INDEPENDENT,
                )?;
                self.written += k;
            }
            Some(stream) => {
                stream.push(&deflate::num_le_bytes(NumSlice::U64(values)));
                self.written += k;
                self.write_compressed()?;
            }
        }
        Ok(())
    }

    /// Writes what is left (the last chunk padded); returns the rows written.
    pub(crate) fn finish(mut self) -> Result<u64, SonataError> {
        if let Some(stream) = &mut self.direct {
            stream.finish();
            self.write_compressed()?;
        }
        Ok(self.written)
    }

    fn extend_to(&self, rows: u64) -> Result<(), SonataError> {
        if self.resizable {
            self.ds
                .resize([rows as usize, 2])
                .map_err(|e| SonataError::hdf5(self.path, &self.full, e))?;
        }
        Ok(())
    }

    /// Writes the chunks due (all of them once the stream is finished). Each lies within the
    /// rows written so far, to which the extent grows first.
    fn write_compressed(&mut self) -> Result<(), SonataError> {
        let Some(mut stream) = self.direct.take() else {
            return Ok(());
        };
        let grow = || self.extend_to(self.written);
        let written = h5::write_compressed(self.path, &self.ds, &self.full, &mut stream, 2, grow);
        self.direct = Some(stream);
        written
    }
}
