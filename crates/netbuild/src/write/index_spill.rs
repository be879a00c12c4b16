//! An index of the side rows are not sorted by, out of core: (node, edge) pairs go to bucket
//! files by node range as rows stream past; then each bucket, small enough for its share of the
//! memory plan, is read back and grouped by node in memory.
//!
//! In: (node, edge) pairs in any order, and each node's edge count. Out: the pairs node-major,
//! edges ascending within a node, bucket after bucket. Bucket files are anonymous (unlinked).
//!
//! Reading back is a thread of its own, one bucket ahead of the caller: rank 0 reads and groups
//! bucket `b + 1` while bucket `b`'s pairs become index rows and are compressed (at 10^9 edges,
//! 12 GB of pairs: reading them on the writing thread left the compressors idle).

use super::buckets::NodeBuckets;
use super::pairs::{decode_pair, encode_pair, PAIR_BYTES};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Pairs read from a bucket file at a time (a whole number of pairs, ~1 MiB).
const READ_PAIRS: usize = 1 << 16;

/// [`super::index::ByNode`] out of core, for indices larger than their share of the memory plan.
pub(super) struct SpilledByNode {
    /// Each node's edges (shared with the thread that reads the buckets back).
    counts: Arc<[u64]>,
    buckets: NodeBuckets,
    /// Each node's bucket, looked up once per edge (a binary search over the buckets per edge
    /// cost more than writing the pair).
    bucket_of: Vec<u32>,
    /// One file per bucket.
    files: Vec<BufWriter<File>>,
}

impl SpilledByNode {
    /// For nodes with `counts[n]` edges each, using about `share` bytes of memory per bucket,
    /// with bucket files in `dir`.
    pub(super) fn new(counts: &[u64], share: u64, dir: &std::path::Path) -> std::io::Result<Self> {
        // The buckets as they always were (sized for a bucket read whole, 12 bytes per pair,
        // then grouped at 16): grouped at 8 bytes per pair, the two buckets held at once (the
        // one being used, the one read ahead) take less than that.
        let buckets = NodeBuckets::cut(counts, (share / (2 * PAIR_BYTES as u64)).max(1));
        let files = (0..buckets.len())
            .map(|_| tempfile::tempfile_in(dir).map(|f| BufWriter::with_capacity(1 << 16, f)))
            .collect::<std::io::Result<_>>()?;
        let mut bucket_of = vec![0u32; counts.len()];
        for (b, nodes) in buckets.ranges().enumerate() {
            bucket_of[nodes.start as usize..nodes.end as usize].fill(b as u32);
        }
        Ok(SpilledByNode {
            counts: counts.into(),
            buckets,
            bucket_of,
            files,
        })
    }

    /// How many bucket files.
    pub(super) fn buckets(&self) -> usize {
        self.buckets.len()
    }

    /// Records that edge `edge` belongs to `node`.
    #[inline]
    pub(super) fn push(&mut self, node: u64, edge: u64) -> std::io::Result<()> {
        let b = self.bucket_of[node as usize] as usize;
        self.files[b].write_all(&encode_pair(node, edge))
    }

    /// (node, edge) pairs, node-major, edges ascending within a node; bucket by bucket, read
    /// back from the files each time (so the pairs can be walked twice), one bucket ahead on a
    /// thread of its own. An I/O error ends the iteration early and is left in `error`.
    pub(super) fn pairs<'a>(
        &'a mut self,
        error: &'a std::cell::RefCell<Option<std::io::Error>>,
    ) -> impl Iterator<Item = (u64, u64)> + 'a {
        let mut jobs = Vec::with_capacity(self.files.len());
        for (file, nodes) in self.files.iter_mut().zip(self.buckets.ranges()) {
            let job = file.flush().and_then(|()| file.get_ref().try_clone());
            match job {
                Ok(f) => jobs.push((f, nodes)),
                Err(e) => {
                    *error.borrow_mut() = Some(e);
                    jobs.clear();
                    break;
                }
            }
        }
        Pairs {
            ahead: ReadAhead::spawn(jobs, Arc::clone(&self.counts)),
            bucket: Bucket::default(),
            node: 0,
            left: 0,
            at: 0,
            error,
        }
    }
}

/// The pairs of the buckets as [`ReadAhead`] hands them over: one node's edges after the other
/// (a loop of its own rather than nested `flat_map`s, whose bookkeeping per pair cost as much as
/// the index builder that takes the pairs).
struct Pairs<'a> {
    ahead: ReadAhead,
    bucket: Bucket,
    /// The node being walked (index into `bucket.counts`) and its edges not yet yielded.
    node: usize,
    left: u64,
    /// The next edge id of `bucket.ids`.
    at: usize,
    error: &'a std::cell::RefCell<Option<std::io::Error>>,
}

impl Iterator for Pairs<'_> {
    type Item = (u64, u64);

    #[inline]
    fn next(&mut self) -> Option<(u64, u64)> {
        while self.left == 0 {
            if self.node + 1 < self.bucket.counts.len() {
                self.node += 1;
            } else {
                match self.ahead.next()? {
                    Ok(b) => self.bucket = b,
                    Err(e) => {
                        *self.error.borrow_mut() = Some(e);
                        return None;
                    }
                }
                (self.node, self.at) = (0, 0);
                if self.bucket.counts.is_empty() {
                    continue;
                }
            }
            self.left = self.bucket.counts[self.node];
        }
        self.left -= 1;
        let e = *self.bucket.ids.get(self.at)?;
        self.at += 1;
        Some((self.bucket.first + self.node as u64, e))
    }
}

/// One bucket grouped by node: its first node, each node's edge count, the edge ids node-major.
#[derive(Default)]
struct Bucket {
    first: u64,
    counts: Vec<u64>,
    ids: Vec<u64>,
}

impl Bucket {
    /// Reads the bucket of `nodes` from `file` (pairs of those nodes, `counts[n]` for each
    /// node n of the whole side): a counting sort, then each node's edges sorted (they come
    /// ascending from one writer, in any order from the ranks of the parallel writer).
    fn read(mut file: File, nodes: Range<u64>, counts: &[u64]) -> std::io::Result<Bucket> {
        let counts = counts[nodes.start as usize..nodes.end as usize].to_vec();
        let mut slot: Vec<usize> = Vec::with_capacity(counts.len());
        let mut total = 0usize;
        for &c in &counts {
            slot.push(total);
            total += c as usize;
        }
        let mut ids = vec![0u64; total];
        file.seek(SeekFrom::Start(0))?;
        let mut block = vec![0u8; READ_PAIRS * PAIR_BYTES];
        loop {
            let n = read_pairs(&mut file, &mut block)?;
            for p in block[..n].chunks_exact(PAIR_BYTES) {
                let (node, e) = decode_pair(p);
                let i = (node - nodes.start) as usize;
                if let Some(id) = ids.get_mut(slot[i]) {
                    *id = e;
                }
                slot[i] += 1;
            }
            if n < block.len() {
                break;
            }
        }
        let mut start = 0usize;
        for &c in &counts {
            let end = (start + c as usize).min(ids.len());
            ids[start..end].sort_unstable();
            start = end;
        }
        Ok(Bucket {
            first: nodes.start,
            counts,
            ids,
        })
    }
}

/// Fills `block` with whole pairs from `file`; returns the bytes read (fewer only at its end).
fn read_pairs(file: &mut File, block: &mut [u8]) -> std::io::Result<usize> {
    let mut at = 0;
    while at < block.len() {
        match file.read(&mut block[at..]) {
            Ok(0) => break,
            Ok(n) => at += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(at - at % PAIR_BYTES)
}

/// The buckets, read and grouped on a thread of their own one ahead of the caller (the channel
/// holds none: the thread waits with the next bucket grouped until the caller takes it).
/// Dropping it stops the thread and waits for it.
struct ReadAhead {
    buckets: Option<Receiver<std::io::Result<Bucket>>>,
    thread: Option<JoinHandle<()>>,
}

impl ReadAhead {
    fn spawn(jobs: Vec<(File, Range<u64>)>, counts: Arc<[u64]>) -> Self {
        let (give, buckets) = sync_channel(0);
        let thread = std::thread::spawn(move || {
            for (file, nodes) in jobs {
                let bucket = Bucket::read(file, nodes, &counts);
                let failed = bucket.is_err();
                // The caller stopped taking buckets: nothing more to read.
                if give.send(bucket).is_err() || failed {
                    return;
                }
            }
        });
        ReadAhead {
            buckets: Some(buckets),
            thread: Some(thread),
        }
    }
}

impl Iterator for ReadAhead {
    type Item = std::io::Result<Bucket>;

    fn next(&mut self) -> Option<Self::Item> {
        self.buckets.as_ref()?.recv().ok()
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // The receiver first, so that a thread waiting to hand over a bucket stops.
        self.buckets = None;
        if let Some(t) = self.thread.take() {
            // A panic of the reader is the caller's, unless the caller is already unwinding.
            if let Err(panic) = t.join() {
                if !std::thread::panicking() {
                    std::panic::resume_unwind(panic);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::index::{scattered, ByNode};
    use super::*;

    #[test]
    fn spilled_index_equals_the_in_memory_one() {
        let (sources, counts) = scattered(5000, 101, 7919);
        let dir = tempfile::tempdir().unwrap();
        let mut mem = ByNode::new(&counts);
        // 600 bytes per bucket: many buckets.
        let mut disk = SpilledByNode::new(&counts, 600, dir.path()).unwrap();
        assert!(disk.buckets() > 10);
        for (e, &s) in sources.iter().enumerate() {
            mem.push(s, e as u64);
            disk.push(s, e as u64).unwrap();
        }
        let err = std::cell::RefCell::new(None);
        let a: Vec<_> = mem.pairs().collect();
        let b: Vec<_> = disk.pairs(&err).collect();
        assert!(err.borrow().is_none());
        assert_eq!(a, b);
        // A second walk reads the same.
        let again: Vec<_> = disk.pairs(&err).collect();
        assert_eq!(a, again);
        // A walk left half way stops its reading thread; the next walk is whole.
        let part: Vec<_> = disk.pairs(&err).take(100).collect();
        assert_eq!(part[..], a[..100]);
        assert_eq!(disk.pairs(&err).count(), a.len());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// Buckets larger than one read block come back whole.
    #[test]
    fn buckets_past_one_read_block() {
        let edges = 3 * READ_PAIRS as u64 + 17;
        let (sources, counts) = scattered(edges, 7, 3);
        let dir = tempfile::tempdir().unwrap();
        let mut disk = SpilledByNode::new(&counts, u64::MAX / 2, dir.path()).unwrap();
        assert_eq!(disk.buckets(), 1);
        let mut mem = ByNode::new(&counts);
        for (e, &s) in sources.iter().enumerate() {
            mem.push(s, e as u64);
            disk.push(s, e as u64).unwrap();
        }
        let err = std::cell::RefCell::new(None);
        assert!(mem.pairs().eq(disk.pairs(&err)));
        assert!(err.borrow().is_none());
    }
}
