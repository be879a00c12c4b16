//! Compression off the writer's critical path: gzip chunks compressed on every core with
//! libdeflate, then handed to HDF5 already filtered (`H5Dwrite_chunk`, "direct chunk write").
//!
//! In: the rows of a 1-D chunked, deflate-filtered dataset, appended in order. Out: its chunks,
//! zlib-wrapped exactly as HDF5's deflate filter stores them, so every gzip-aware reader (h5py,
//! BMTK, NEST) reads the file as if HDF5 had compressed it. HDF5 alone compresses on the one
//! thread that calls `H5Dwrite`: the cost of gzip dominated compressed builds.

use rayon::prelude::*;

/// The not yet full chunk of one dataset.
#[derive(Debug)]
pub(crate) struct ChunkStream {
    /// Values per chunk (the dataset's chunk shape).
    pub chunk_rows: u64,
    chunk_bytes: usize,
    pending: Vec<u8>,
    next_chunk: u64,
}

/// A chunk ready to be written: its index in the dataset and its (raw, then compressed) bytes.
pub(crate) struct Chunk {
    pub index: u64,
    pub bytes: Vec<u8>,
}

impl ChunkStream {
    /// For a dataset of chunks of `chunk_rows` values of `elem` bytes.
    pub(crate) fn new(chunk_rows: usize, elem: usize) -> Self {
        ChunkStream {
            chunk_rows: chunk_rows as u64,
            chunk_bytes: chunk_rows * elem,
            pending: Vec::new(),
            next_chunk: 0,
        }
    }

    /// Whether no value has been pushed yet.
    pub(crate) fn is_untouched(&self) -> bool {
        self.pending.is_empty() && self.next_chunk == 0
    }

    /// Appends the next values (as little-endian bytes); returns the chunks they complete.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Vec<Chunk> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        while self.pending.len() >= self.chunk_bytes {
            let rest = self.pending.split_off(self.chunk_bytes);
            let full = std::mem::replace(&mut self.pending, rest);
            out.push(Chunk {
                index: self.next_chunk,
                bytes: full,
            });
            self.next_chunk += 1;
        }
        out
    }

    /// The last, partial chunk, padded to a whole chunk (HDF5 ignores what lies past the end).
    pub(crate) fn finish(&mut self) -> Option<Chunk> {
        if self.pending.is_empty() {
            return None;
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.resize(self.chunk_bytes, 0);
        self.next_chunk += 1;
        Some(Chunk {
            index: self.next_chunk - 1,
            bytes,
        })
    }
}

/// Compresses `chunks` in parallel (zlib format, as HDF5's deflate filter writes it). `None`
/// only if libdeflate refuses a buffer of its own bound size, which it never should.
pub(crate) fn compress(chunks: Vec<(usize, Chunk)>, level: u8) -> Option<Vec<(usize, Chunk)>> {
    chunks
        .into_par_iter()
        .map(|(which, c)| {
            let lvl =
                libdeflater::CompressionLvl::new(i32::from(level.clamp(1, 9))).unwrap_or_default();
            let mut z = libdeflater::Compressor::new(lvl);
            let mut out = vec![0u8; z.zlib_compress_bound(c.bytes.len())];
            let n = z.zlib_compress(&c.bytes, &mut out).ok()?;
            out.truncate(n);
            Some((
                which,
                Chunk {
                    index: c.index,
                    bytes: out,
                },
            ))
        })
        .collect()
}

/// The values of a numeric column as little-endian bytes (HDF5's native layout here).
pub(crate) fn le_bytes(col: crate::column::ColumnSlice<'_>) -> Option<Vec<u8>> {
    use crate::column::ColumnSlice as C;
    macro_rules! le {
        ($v:expr) => {
            $v.iter().flat_map(|x| x.to_le_bytes()).collect()
        };
    }
    Some(match col {
        C::F32(v) => le!(v),
        C::F64(v) => le!(v),
        C::I32(v) => le!(v),
        C::I64(v) => le!(v),
        C::U32(v) => le!(v),
        C::U64(v) => le!(v),
        C::Str(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_cut_and_padded() {
        let mut s = ChunkStream::new(4, 2);
        assert!(s.push(&[1; 6]).is_empty());
        let full = s.push(&[2; 6]);
        assert_eq!(full.len(), 1);
        assert_eq!(full[0].index, 0);
        assert_eq!(full[0].bytes, [1, 1, 1, 1, 1, 1, 2, 2]);
        let last = s.finish().unwrap();
        assert_eq!(last.index, 1);
        assert_eq!(last.bytes, [2, 2, 2, 2, 0, 0, 0, 0]);
        assert!(s.finish().is_none());
    }

    #[test]
    fn compressed_chunks_are_zlib_streams() {
        let c = compress(
            vec![(
                0,
                Chunk {
                    index: 3,
                    bytes: vec![7u8; 4096],
                },
            )],
            4,
        )
        .unwrap();
        let mut d = libdeflater::Decompressor::new();
        let mut out = vec![0u8; 4096];
        assert_eq!(d.zlib_decompress(&c[0].1.bytes, &mut out).unwrap(), 4096);
        assert!(out.iter().all(|&b| b == 7));
        assert_eq!(c[0].1.index, 3);
    }
}
