//! One read-only copy per host of data that every rank would otherwise hold: a [`HostRegion`];
//! and one array of counters per host that its ranks add to: [`HostCounters`].
//!
//! In: on the host's first rank (its *leader*), the bytes to share; on the host's other ranks,
//! nothing. Out: on every rank of the host, a read-only view of the same bytes.
//!
//! How: the leader writes the bytes to a new file in `/dev/shm` (memory, not disk), sends its
//! name to the other ranks of the host, every rank maps it (`MAP_SHARED`, read only), and once
//! all have mapped it the leader unlinks it. The pages then live as long as some rank maps them,
//! and no file is left behind, whatever happens later (a crash of any rank included). Only the
//! moment between creating the file and the host's barrier after mapping could leave one.
//! [`HostCounters`] are made the same way from a file of zeros, mapped for reading and writing.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes shared by the ranks of one host (or owned, where a rank is alone on its host).
/// Read only; `Send + Sync`, so worker threads may read it.
pub struct HostRegion {
    inner: Inner,
}

enum Inner {
    Owned(Vec<u8>),
    /// `len` bytes mapped at `ptr` (`len > 0`), unmapped on drop.
    Mapped {
        ptr: *const u8,
        len: usize,
    },
}

// SAFETY: the mapping is read only and private to this value until it is dropped; reading the
// same pages from several threads is fine.
unsafe impl Send for HostRegion {}
unsafe impl Sync for HostRegion {}

impl HostRegion {
    /// `bytes` held by this rank alone.
    pub fn owned(bytes: Vec<u8>) -> HostRegion {
        HostRegion {
            inner: Inner::Owned(bytes),
        }
    }

    /// Whether the bytes are mapped from the host's shared memory (rather than owned).
    pub fn is_shared(&self) -> bool {
        matches!(self.inner, Inner::Mapped { .. })
    }

    /// Maps all of `file` read only.
    fn map(file: &File) -> std::io::Result<HostRegion> {
        let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        if len == 0 {
            return Ok(HostRegion::owned(Vec::new()));
        }
        // SAFETY: a fresh read-only shared mapping of an open file; checked for failure below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(HostRegion {
            inner: Inner::Mapped {
                ptr: ptr as *const u8,
                len,
            },
        })
    }
}

impl std::ops::Deref for HostRegion {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.inner {
            Inner::Owned(v) => v,
            // SAFETY: `ptr` maps `len` readable bytes until drop; the file is never written
            // after it was mapped.
            Inner::Mapped { ptr, len } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
        }
    }
}

impl Drop for HostRegion {
    fn drop(&mut self) {
        if let Inner::Mapped { ptr, len } = self.inner {
            // SAFETY: unmaps exactly the mapping made in `map`, once.
            unsafe {
                libc::munmap(ptr as *mut libc::c_void, len);
            }
        }
    }
}

impl std::fmt::Debug for HostRegion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostRegion")
            .field("len", &self.len())
            .field("shared", &self.is_shared())
            .finish()
    }
}

/// `len` u64 counters, all zero at first, shared by the ranks of one host (or owned, where a
/// rank is alone on its host or sharing failed): every rank [`add`](HostCounters::add)s to the
/// same numbers. Once every rank of the host has stopped writing (a barrier after the last
/// write), [`HostCounters::freeze`] reads them as plain numbers.
pub struct HostCounters {
    inner: CountersInner,
}

enum CountersInner {
    Owned(Vec<AtomicU64>),
    /// `len` counters mapped read-write at `ptr` (`len > 0`, page aligned), unmapped on drop.
    Mapped {
        ptr: *mut AtomicU64,
        len: usize,
    },
}

// SAFETY: the counters are only touched through atomic operations while shared, and read as
// plain numbers only after every writer has stopped (see `freeze`).
unsafe impl Send for HostCounters {}
unsafe impl Sync for HostCounters {}

impl HostCounters {
    /// `len` zero counters held by this rank alone.
    pub fn owned(len: usize) -> HostCounters {
        HostCounters {
            inner: CountersInner::Owned((0..len).map(|_| AtomicU64::new(0)).collect()),
        }
    }

    /// Whether the counters are mapped from the host's shared memory (rather than owned).
    pub fn is_shared(&self) -> bool {
        matches!(self.inner, CountersInner::Mapped { .. })
    }

    fn slots(&self) -> &[AtomicU64] {
        match &self.inner {
            CountersInner::Owned(v) => v,
            // SAFETY: `ptr` maps `len` counters, readable and writable, until drop.
            CountersInner::Mapped { ptr, len } => unsafe {
                std::slice::from_raw_parts(*ptr as *const AtomicU64, *len)
            },
        }
    }

    /// How many counters.
    pub fn len(&self) -> usize {
        self.slots().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `n` to counter `i` (ignored past the end).
    #[inline]
    pub fn add(&self, i: usize, n: u64) {
        if let Some(c) = self.slots().get(i) {
            c.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counter `i` now (0 past the end).
    pub fn get(&self, i: usize) -> u64 {
        self.slots().get(i).map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Sets counter `i` (ignored past the end).
    pub fn set(&self, i: usize, n: u64) {
        if let Some(c) = self.slots().get(i) {
            c.store(n, Ordering::Relaxed);
        }
    }

    /// The counters as plain numbers, for reading. Call it only once no rank of the host writes
    /// to them any more (after a barrier that follows the last write): the numbers are then
    /// fixed for as long as any rank maps them.
    pub fn freeze(self) -> FrozenCounters {
        std::sync::atomic::fence(Ordering::SeqCst);
        FrozenCounters(self)
    }

    /// Maps all of `file` (a multiple of 8 bytes) for reading and writing.
    fn map(file: &File) -> std::io::Result<HostCounters> {
        let bytes = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        let len = bytes / 8;
        if len == 0 {
            return Ok(HostCounters::owned(0));
        }
        // SAFETY: a fresh read-write shared mapping of an open file; checked for failure below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len * 8,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(HostCounters {
            inner: CountersInner::Mapped {
                ptr: ptr as *mut AtomicU64,
                len,
            },
        })
    }
}

impl Drop for HostCounters {
    fn drop(&mut self) {
        if let CountersInner::Mapped { ptr, len } = self.inner {
            // SAFETY: unmaps exactly the mapping made in `map`, once.
            unsafe {
                libc::munmap(ptr as *mut libc::c_void, len * 8);
            }
        }
    }
}

impl std::fmt::Debug for HostCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostCounters")
            .field("len", &self.len())
            .field("shared", &self.is_shared())
            .finish()
    }
}

/// [`HostCounters`] that nobody writes any more, read as `[u64]`.
#[derive(Debug)]
pub struct FrozenCounters(HostCounters);

impl FrozenCounters {
    /// Counters of these values, owned (for tests and single processes).
    pub fn from_values(values: &[u64]) -> FrozenCounters {
        let c = HostCounters::owned(values.len());
        for (i, &v) in values.iter().enumerate() {
            c.set(i, v);
        }
        c.freeze()
    }

    /// Whether the numbers are mapped from the host's shared memory.
    pub fn is_shared(&self) -> bool {
        self.0.is_shared()
    }
}

impl std::ops::Deref for FrozenCounters {
    type Target = [u64];
    fn deref(&self) -> &[u64] {
        let slots = self.0.slots();
        // SAFETY: AtomicU64 has the size and alignment of u64, and `freeze`'s contract is that
        // nobody writes the counters any more.
        unsafe { std::slice::from_raw_parts(slots.as_ptr() as *const u64, slots.len()) }
    }
}

impl PartialEq for FrozenCounters {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

/// Where the leader writes the file: memory-backed `/dev/shm` where there is one.
fn shm_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Leader: a new file of `len` zero counters (sparse: its pages are made when first written).
pub(crate) fn leader_zeros(len: usize) -> std::io::Result<PathBuf> {
    leader_create(|f| f.set_len(len as u64 * 8))
}

/// Leader: writes `bytes` to a new file and returns its path.
pub(crate) fn leader_write(bytes: &[u8]) -> std::io::Result<PathBuf> {
    leader_create(|f| f.write_all(bytes))
}

/// A new file in [`shm_dir`], filled by `fill` (removed again if that fails).
fn leader_create(fill: impl FnOnce(&mut File) -> std::io::Result<()>) -> std::io::Result<PathBuf> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let path = shm_dir().join(format!(
        "netbuild-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = File::options()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| fill(&mut f));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    Ok(path)
}

/// Any rank: maps the file the leader wrote.
pub(crate) fn map_path(path: &Path) -> std::io::Result<HostRegion> {
    HostRegion::map(&File::open(path)?)
}

/// Any rank: maps the counters the leader made, for reading and writing.
pub(crate) fn map_counters(path: &Path) -> std::io::Result<HostCounters> {
    HostCounters::map(&File::options().read(true).write(true).open(path)?)
}

/// CPU time this process has used so far (user + system, every thread), in seconds. Logs and
/// benchmarks give it per stage: on a shared machine it says more than wall time.
pub fn process_cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut u = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_maps_back_and_unlinks() {
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let path = leader_write(&bytes).unwrap();
        let region = map_path(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(region.is_shared());
        assert_eq!(&region[..], &bytes[..], "still readable once unlinked");
        let empty = leader_write(&[]).unwrap();
        assert!(map_path(&empty).unwrap().is_empty());
        std::fs::remove_file(&empty).unwrap();
    }

    /// Two maps of one counters file (two ranks of a host) add to the same numbers.
    #[test]
    fn counters_mapped_twice_add_up() {
        let path = leader_zeros(1000).unwrap();
        let (a, b) = (map_counters(&path).unwrap(), map_counters(&path).unwrap());
        std::fs::remove_file(&path).unwrap();
        assert!(a.is_shared() && b.is_shared());
        assert_eq!(a.len(), 1000);
        a.add(7, 3);
        b.add(7, 4);
        b.add(999, 1);
        a.add(1000, 5); // past the end: ignored
        assert_eq!(b.get(7), 7);
        drop(b);
        let frozen = a.freeze();
        assert_eq!((frozen[7], frozen[999], frozen[0]), (7, 1, 0));
        assert_eq!(frozen, FrozenCounters::from_values(&frozen));
        let owned = HostCounters::owned(3);
        owned.add(1, 2);
        assert!(!owned.is_shared());
        assert_eq!(&owned.freeze()[..], &[0, 2, 0]);
    }
}
