//! Compression off the writer's critical path: gzip chunks compressed on every core with
//! libdeflate, then handed to HDF5 already filtered (`H5Dwrite_chunk`, "direct chunk write").
//!
//! In: the rows of a 1-D chunked, deflate-filtered dataset, appended in order. Out: its chunks,
//! zlib-wrapped exactly as HDF5's deflate filter stores them, so every gzip-aware reader (h5py,
//! BMTK, NEST) reads the file as if HDF5 had compressed it. HDF5 alone compresses on the one
//! thread that calls `H5Dwrite`: the cost of gzip dominated compressed builds.

use crate::column::{ColumnSlice, NumSlice};
use netbuild_types::each_num;
use std::sync::mpsc::{channel, Receiver, Sender};

/// Chunks being compressed at once per worker thread; past that, `push` waits for one.
const IN_FLIGHT_PER_THREAD: usize = 2;

/// The chunks of one gzip dataset, cut from its values as they are appended and compressed in
/// the background on rayon's threads; the caller writes them as they come back, in any order.
pub(crate) struct ChunkStream {
    /// Values per chunk (the dataset's chunk shape).
    pub chunk_rows: u64,
    chunk_bytes: usize,
    level: u8,
    pending: Vec<u8>,
    next_chunk: u64,
    in_flight: usize,
    sender: Sender<Option<Chunk>>,
    results: Receiver<Option<Chunk>>,
    /// Compressed chunks received while waiting for room, not yet handed out.
    done: Vec<Chunk>,
    /// Whether libdeflate refused a chunk (it never should).
    failed: bool,
}

/// A chunk: its index in the dataset and its (raw, then compressed) bytes.
pub(crate) struct Chunk {
    pub index: u64,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for ChunkStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkStream")
            .field("chunk_rows", &self.chunk_rows)
            .field("next_chunk", &self.next_chunk)
            .field("in_flight", &self.in_flight)
            .finish()
    }
}

impl ChunkStream {
    /// For a dataset of chunks of `chunk_rows` values of `elem` bytes, gzip `level`.
    pub(crate) fn new(chunk_rows: usize, elem: usize, level: u8) -> Self {
        let (sender, results) = channel();
        ChunkStream {
            chunk_rows: chunk_rows as u64,
            chunk_bytes: chunk_rows * elem,
            level,
            pending: Vec::new(),
            next_chunk: 0,
            in_flight: 0,
            sender,
            results,
            done: Vec::new(),
            failed: false,
        }
    }

    /// Whether no value has been pushed yet.
    pub(crate) fn is_untouched(&self) -> bool {
        self.pending.is_empty() && self.next_chunk == 0
    }

    /// Appends the next values (as little-endian bytes); the chunks they complete go to be
    /// compressed.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        while self.pending.len() >= self.chunk_bytes {
            let rest = self.pending.split_off(self.chunk_bytes);
            let full = std::mem::replace(&mut self.pending, rest);
            self.submit(full);
        }
    }

    /// Sends the last, partial chunk, padded to a whole chunk (HDF5 ignores what lies past the
    /// end), to be compressed.
    pub(crate) fn finish(&mut self) {
        if !self.pending.is_empty() {
            let mut bytes = std::mem::take(&mut self.pending);
            bytes.resize(self.chunk_bytes, 0);
            self.submit(bytes);
        }
    }

    fn submit(&mut self, bytes: Vec<u8>) {
        let max = IN_FLIGHT_PER_THREAD * rayon::current_num_threads();
        while self.in_flight >= max {
            self.receive_one();
        }
        let chunk = Chunk {
            index: self.next_chunk,
            bytes,
        };
        self.next_chunk += 1;
        self.in_flight += 1;
        let (sender, level) = (self.sender.clone(), self.level);
        rayon::spawn(move || {
            // The receiver only goes away with the stream, when nobody wants the chunk.
            let _ = sender.send(compress(chunk, level));
        });
    }

    fn receive_one(&mut self) {
        // The stream holds a sender, so the channel never closes while chunks are in flight.
        if let Ok(result) = self.results.recv() {
            self.in_flight -= 1;
            match result {
                Some(c) => self.done.push(c),
                None => self.failed = true,
            }
        }
    }

    /// The chunks compressed so far (all of them, waiting for those in flight, if `wait`).
    /// `None` if libdeflate refused one.
    pub(crate) fn compressed(&mut self, wait: bool) -> Option<Vec<Chunk>> {
        while let Ok(result) = self.results.try_recv() {
            self.in_flight -= 1;
            match result {
                Some(c) => self.done.push(c),
                None => self.failed = true,
            }
        }
        while wait && self.in_flight > 0 {
            self.receive_one();
        }
        (!self.failed).then(|| std::mem::take(&mut self.done))
    }
}

/// Compresses one chunk (zlib format, as HDF5's deflate filter writes it). `None` only if
/// libdeflate refuses a buffer of its own bound size, which it never should.
fn compress(c: Chunk, level: u8) -> Option<Chunk> {
    let lvl = libdeflater::CompressionLvl::new(i32::from(level.clamp(1, 9))).unwrap_or_default();
    let mut z = libdeflater::Compressor::new(lvl);
    let mut out = vec![0u8; z.zlib_compress_bound(c.bytes.len())];
    let n = z.zlib_compress(&c.bytes, &mut out).ok()?;
    out.truncate(n);
    Some(Chunk {
        index: c.index,
        bytes: out,
    })
}

/// The values of a column as little-endian bytes (HDF5's native layout here); `None` for
/// strings, which HDF5 stores as pointers to their bytes.
pub(crate) fn le_bytes(col: ColumnSlice<'_>) -> Option<Vec<u8>> {
    match col {
        ColumnSlice::Num(v) => Some(num_le_bytes(v)),
        ColumnSlice::Str(_) => None,
    }
}

/// The values of a numeric column as little-endian bytes.
pub(crate) fn num_le_bytes(col: NumSlice<'_>) -> Vec<u8> {
    each_num!(NumSlice, col, v => v.iter().flat_map(|x| x.to_le_bytes()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate(c: &Chunk, size: usize) -> Vec<u8> {
        let mut d = libdeflater::Decompressor::new();
        let mut out = vec![0u8; size];
        assert_eq!(d.zlib_decompress(&c.bytes, &mut out).unwrap(), size);
        out
    }

    #[test]
    fn chunks_are_cut_padded_and_compressed_as_zlib() {
        let mut s = ChunkStream::new(4, 2, 4);
        s.push(&[1; 6]);
        s.push(&[2; 6]);
        s.finish();
        let mut got = s.compressed(true).unwrap();
        got.sort_by_key(|c| c.index);
        assert_eq!(got.len(), 2);
        assert_eq!(inflate(&got[0], 8), [1, 1, 1, 1, 1, 1, 2, 2]);
        assert_eq!(inflate(&got[1], 8), [2, 2, 2, 2, 0, 0, 0, 0]);
        assert!(s.compressed(true).unwrap().is_empty());
    }

    #[test]
    fn many_chunks_in_flight_all_come_back() {
        let mut s = ChunkStream::new(1024, 1, 4);
        for i in 0..200u8 {
            s.push(&[i; 1024]);
        }
        s.finish();
        let mut got = s.compressed(true).unwrap();
        got.sort_by_key(|c| c.index);
        assert_eq!(got.len(), 200);
        for (i, c) in got.iter().enumerate() {
            assert_eq!(c.index, i as u64);
            assert!(inflate(c, 1024).iter().all(|&b| b == i as u8));
        }
    }
}
