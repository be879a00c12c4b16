//! Compression off the writer's critical path: gzip chunks compressed on every core with
//! libdeflate, then handed to HDF5 already filtered (`H5Dwrite_chunk`, "direct chunk write").
//!
//! In: the rows of a chunked dataset with HDF5's shuffle and deflate filters, appended in order.
//! Out: its chunks, byte-shuffled and zlib-wrapped exactly as HDF5's shuffle and deflate filters
//! store them, so every gzip-aware reader (h5py, libsonata, BMTK, NEST: both filters are built
//! into HDF5) reads the file as if HDF5 had compressed it. HDF5 alone compresses on the one
//! thread that calls `H5Dwrite`: the cost of gzip dominated compressed builds.
//!
//! Shuffle (byte k of every value together, for each k) turns the mostly-equal high bytes of
//! ids and counts into long runs: about a quarter fewer bytes, and deflate runs as fast or
//! faster on them (docs/SCALING.md, "gzip: what each choice costs").
//!
//! Order: chunks are handed out in index order, and only those [`LAG`] chunks behind the last
//! one cut (all of them at the end), so the order of the file's chunks depends on what was
//! pushed, never on which thread finished first.

use crate::column::{ColumnSlice, NumSlice};
use netbuild_types::each_num;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// Chunks being compressed at once per worker thread; past that, `push` waits for one.
const IN_FLIGHT_PER_THREAD: usize = 2;
/// At most this many chunks (1 MiB each) in flight per stream, whatever the threads: a file
/// has several streams, and a pool may span a host's many cores.
const MAX_IN_FLIGHT: usize = 16;
/// Chunks cut but not yet handed out: [`ChunkStream::compressed`] hands out chunk `i` once chunk
/// `i + LAG` is cut (or the stream is finished), waiting for it if need be.
const LAG: u64 = 16;

/// The threads gzip chunks are compressed on: rayon's global pool, or one of the caller's (the
/// rank-0 writer's spans every core of its host's ranks, where the global pool of a rank bound
/// to one core by `mpirun` has one thread).
pub type Compressors = Option<Arc<rayon::ThreadPool>>;

/// The chunks of one gzip dataset, cut from its values as they are appended and compressed in
/// the background on [`Compressors`]; the caller writes them as they come back, in any order.
pub(crate) struct ChunkStream {
    /// Values per chunk (the dataset's chunk shape).
    pub chunk_rows: u64,
    chunk_bytes: usize,
    /// Bytes per value, for the shuffle; 1 = no shuffle.
    elem: usize,
    level: u8,
    pending: Vec<u8>,
    next_chunk: u64,
    in_flight: usize,
    sender: Sender<Option<Chunk>>,
    results: Receiver<Option<Chunk>>,
    /// Compressed chunks received, not yet handed out, by index.
    done: std::collections::BTreeMap<u64, Chunk>,
    /// The next chunk to hand out.
    next_out: u64,
    /// Whether [`ChunkStream::finish`] was called: every chunk may go.
    finished: bool,
    /// Whether libdeflate refused a chunk (it never should).
    failed: bool,
    /// Where chunks are compressed.
    pool: Compressors,
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
    /// For a dataset of chunks of `chunk_rows` values of `elem` bytes, gzip `level`, the bytes
    /// of each value shuffled first if `shuffle` (the dataset must have HDF5's shuffle filter
    /// before deflate).
    pub(crate) fn new(chunk_rows: usize, elem: usize, level: u8, shuffle: bool) -> Self {
        let (sender, results) = channel();
        ChunkStream {
            chunk_rows: chunk_rows as u64,
            chunk_bytes: chunk_rows * elem,
            elem: if shuffle { elem } else { 1 },
            level,
            pending: Vec::new(),
            next_chunk: 0,
            in_flight: 0,
            sender,
            results,
            done: std::collections::BTreeMap::new(),
            next_out: 0,
            finished: false,
            failed: false,
            pool: None,
        }
    }

    /// Compresses on `pool`'s threads (before any value is pushed).
    pub(crate) fn set_pool(&mut self, pool: Compressors) {
        self.pool = pool;
    }

    /// Whether no value has been pushed yet.
    pub(crate) fn is_untouched(&self) -> bool {
        self.pending.is_empty() && self.next_chunk == 0
    }

    /// Appends the next values (as little-endian bytes); the chunks they complete go to be
    /// compressed.
    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        // Each byte is copied once, into the chunk it belongs to (cutting chunks off the front
        // of one buffer copied the rest again for each chunk: a batch of several chunks' bytes
        // was copied several times over).
        while !bytes.is_empty() {
            if self.pending.capacity() == 0 {
                self.pending.reserve_exact(self.chunk_bytes);
            }
            let take = (self.chunk_bytes - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == self.chunk_bytes {
                let full = std::mem::take(&mut self.pending);
                self.submit(full);
            }
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
        self.finished = true;
    }

    fn submit(&mut self, bytes: Vec<u8>) {
        let threads = self
            .pool
            .as_ref()
            .map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
        let max = (IN_FLIGHT_PER_THREAD * threads).min(MAX_IN_FLIGHT);
        while self.in_flight >= max {
            self.receive_one();
        }
        let chunk = Chunk {
            index: self.next_chunk,
            bytes,
        };
        self.next_chunk += 1;
        self.in_flight += 1;
        let (sender, level, elem) = (self.sender.clone(), self.level, self.elem);
        let job = move || {
            // The receiver only goes away with the stream, when nobody wants the chunk.
            let _ = sender.send(compress(chunk, level, elem));
        };
        match &self.pool {
            Some(pool) => pool.spawn(job),
            None => rayon::spawn(job),
        }
    }

    fn receive_one(&mut self) {
        // The stream holds a sender, so the channel never closes while chunks are in flight.
        if let Ok(result) = self.results.recv() {
            self.in_flight -= 1;
            self.keep(result);
        }
    }

    fn keep(&mut self, result: Option<Chunk>) {
        match result {
            Some(c) => {
                self.done.insert(c.index, c);
            }
            None => self.failed = true,
        }
    }

    /// The chunks due, in index order: those [`LAG`] or more behind the last one cut, or all of
    /// them once finished (waiting for those still in flight). `None` if libdeflate refused one.
    pub(crate) fn compressed(&mut self) -> Option<Vec<Chunk>> {
        let due = if self.finished {
            self.next_chunk
        } else {
            self.next_chunk.saturating_sub(LAG)
        };
        let mut out = Vec::new();
        while self.next_out < due && !self.failed {
            match self.done.remove(&self.next_out) {
                Some(c) => {
                    out.push(c);
                    self.next_out += 1;
                }
                None => self.receive_one(),
            }
        }
        (!self.failed).then_some(out)
    }
}

/// Compresses one chunk (shuffled by values of `elem` bytes first, unless 1; zlib format, as
/// HDF5's deflate filter writes it). `None` only if libdeflate refuses a buffer of its own bound
/// size, which it never should.
fn compress(c: Chunk, level: u8, elem: usize) -> Option<Chunk> {
    /// A thread's compressor with its level, and its buffers for the shuffled bytes and the
    /// compressed ones: made once, not once per chunk (the output depends only on the level
    /// and the input; fresh megabyte buffers cost a page fault per 4 KiB).
    #[derive(Default)]
    struct Scratch {
        compressor: Option<(u8, libdeflater::Compressor)>,
        shuffled: Vec<u8>,
        out: Vec<u8>,
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    let level = level.clamp(1, 9);
    let out = SCRATCH.with_borrow_mut(|s| {
        let z = match &mut s.compressor {
            Some((l, z)) if *l == level => z,
            slot => {
                let lvl = libdeflater::CompressionLvl::new(i32::from(level)).unwrap_or_default();
                &mut slot.insert((level, libdeflater::Compressor::new(lvl))).1
            }
        };
        let input: &[u8] = if elem > 1 {
            s.shuffled.resize(c.bytes.len(), 0);
            shuffle_into(&c.bytes, elem, &mut s.shuffled);
            &s.shuffled
        } else {
            &c.bytes
        };
        s.out.resize(z.zlib_compress_bound(input.len()), 0);
        let n = z.zlib_compress(input, &mut s.out).ok()?;
        Some(s.out[..n].to_vec())
    })?;
    Some(Chunk {
        index: c.index,
        bytes: out,
    })
}

/// HDF5's shuffle filter: byte `k` of every value of `elem` bytes, for `k = 0..elem`, one plane
/// after the other (a chunk is a whole number of values).
pub fn shuffle(bytes: &[u8], elem: usize) -> Vec<u8> {
    let mut out = vec![0u8; bytes.len()];
    shuffle_into(bytes, elem, &mut out);
    out
}

/// [`shuffle`] into `out` (of `bytes`'s length), every byte of which it sets.
fn shuffle_into(bytes: &[u8], elem: usize, out: &mut [u8]) {
    match elem {
        4 => shuffle_words::<4>(bytes, out),
        8 => shuffle_words::<8>(bytes, out),
        _ => shuffle_bytes(bytes, elem, out, 0),
    }
    // Bytes past the last whole value (none in a chunk) stay zero, as `shuffle` left them.
    let whole = bytes.len() / elem.max(1) * elem.max(1);
    out[whole..].fill(0);
}

/// [`shuffle`] of values `first..` one byte at a time (any width; the tail of the fast path).
fn shuffle_bytes(bytes: &[u8], elem: usize, out: &mut [u8], first: usize) {
    let n = bytes.len() / elem;
    for i in first..n {
        for k in 0..elem {
            out[k * n + i] = bytes[i * elem + k];
        }
    }
}

/// [`shuffle`] of `E`-byte values, 8 at a time: byte `k` of the 8 values gathered into one
/// word by shifts, each word stored whole into plane `k` (4x faster than a byte-wise
/// scatter, which cost a fifth of the time of compressing a chunk).
fn shuffle_words<const E: usize>(bytes: &[u8], out: &mut [u8]) {
    let n = bytes.len() / E;
    for (g, values) in bytes.chunks_exact(8 * E).enumerate() {
        let mut planes = [0u64; E];
        for (i, v) in values.chunks_exact(E).enumerate() {
            let mut word = [0u8; 8];
            word[..E].copy_from_slice(v);
            let v = u64::from_le_bytes(word);
            for (k, p) in planes.iter_mut().enumerate() {
                *p |= ((v >> (8 * k)) & 0xff) << (8 * i);
            }
        }
        for (k, p) in planes.iter().enumerate() {
            let at = k * n + 8 * g;
            out[at..at + 8].copy_from_slice(&p.to_le_bytes());
        }
    }
    shuffle_bytes(bytes, E, out, n / 8 * 8);
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
    // Sized once: collecting a `flat_map` over arrays grows the vector as it goes.
    each_num!(NumSlice, col, v => {
        let mut out = Vec::with_capacity(std::mem::size_of_val(v));
        for x in v {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_puts_each_byte_of_the_values_together() {
        let v: Vec<u8> = [0x0102u16, 0x0304, 0x0506]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert_eq!(shuffle(&v, 2), [2, 4, 6, 1, 3, 5]);
        assert_eq!(shuffle(&v, 1), v);
    }

    #[test]
    fn fast_shuffle_matches_the_byte_wise_one() {
        let v: Vec<u8> = (0..8 * 37 + 8u32).map(|i| (i * 7919 % 251) as u8).collect();
        for elem in [2, 4, 8] {
            // Whole groups of 8 values, and a tail of fewer.
            for len in [8 * elem * 4, elem * 37] {
                let mut slow = vec![0u8; len];
                shuffle_bytes(&v[..len], elem, &mut slow, 0);
                assert_eq!(shuffle(&v[..len], elem), slow, "elem {elem}, {len} bytes");
            }
        }
    }

    #[test]
    fn chunks_come_out_in_order_lagging_until_finished() {
        let mut s = ChunkStream::new(4, 1, 1, false);
        for i in 0..(LAG as u8 + 3) {
            s.push(&[i; 4]);
        }
        let first = s.compressed().unwrap();
        assert_eq!(
            first.iter().map(|c| c.index).collect::<Vec<_>>(),
            [0, 1, 2],
            "only chunks LAG behind the last one cut"
        );
        s.finish();
        let rest = s.compressed().unwrap();
        assert_eq!(rest.first().map(|c| c.index), Some(3));
        assert_eq!(rest.len() as u64, LAG);
        assert!(rest.windows(2).all(|w| w[0].index + 1 == w[1].index));
    }

    #[test]
    fn shuffled_chunks_unshuffle_to_the_values() {
        let mut s = ChunkStream::new(3, 4, 4, true);
        let v: Vec<u8> = [7u32, 8, 9].iter().flat_map(|x| x.to_le_bytes()).collect();
        s.push(&v);
        s.finish();
        let got = s.compressed().unwrap();
        assert_eq!(inflate(&got[0], 12), shuffle(&v, 4));
    }

    fn inflate(c: &Chunk, size: usize) -> Vec<u8> {
        let mut d = libdeflater::Decompressor::new();
        let mut out = vec![0u8; size];
        assert_eq!(d.zlib_decompress(&c.bytes, &mut out).unwrap(), size);
        out
    }

    #[test]
    fn chunks_are_cut_padded_and_compressed_as_zlib() {
        let mut s = ChunkStream::new(4, 2, 4, false);
        s.push(&[1; 6]);
        s.push(&[2; 6]);
        s.finish();
        let got = s.compressed().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(inflate(&got[0], 8), [1, 1, 1, 1, 1, 1, 2, 2]);
        assert_eq!(inflate(&got[1], 8), [2, 2, 2, 2, 0, 0, 0, 0]);
        assert!(s.compressed().unwrap().is_empty());
    }

    /// One push of several chunks' bytes and many small pushes cut the same chunks, and a
    /// thread's reused buffers leave nothing of an earlier chunk in a later one.
    #[test]
    fn chunks_do_not_depend_on_how_bytes_were_pushed() {
        let v: Vec<u8> = (0..4 * 1000 + 12u32)
            .map(|i| (i * 31 % 253) as u8)
            .collect();
        let mut whole = ChunkStream::new(100, 4, 4, true);
        whole.push(&v);
        whole.finish();
        let mut pieces = ChunkStream::new(100, 4, 4, true);
        for p in v.chunks(7) {
            pieces.push(p);
        }
        pieces.finish();
        let (a, b) = (whole.compressed().unwrap(), pieces.compressed().unwrap());
        assert_eq!(a.len(), 11);
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(x.bytes, y.bytes, "chunk {i}");
            let mut raw = v[i * 400..].iter().copied().take(400).collect::<Vec<_>>();
            raw.resize(400, 0);
            assert_eq!(inflate(x, 400), shuffle(&raw, 4), "chunk {i}");
        }
    }

    #[test]
    fn many_chunks_in_flight_all_come_back() {
        let mut s = ChunkStream::new(1024, 1, 4, false);
        for i in 0..200u8 {
            s.push(&[i; 1024]);
        }
        s.finish();
        let got = s.compressed().unwrap();
        assert_eq!(got.len(), 200);
        for (i, c) in got.iter().enumerate() {
            assert_eq!(c.index, i as u64);
            assert!(inflate(c, 1024).iter().all(|&b| b == i as u8));
        }
    }
}
