//! One read-only copy per host of data that every rank would otherwise hold: a [`HostRegion`].
//!
//! In: on the host's first rank (its *leader*), the bytes to share; on the host's other ranks,
//! nothing. Out: on every rank of the host, a read-only view of the same bytes.
//!
//! How: the leader writes the bytes to a new file in `/dev/shm` (memory, not disk), sends its
//! name to the other ranks of the host, every rank maps it (`MAP_SHARED`, read only), and once
//! all have mapped it the leader unlinks it. The pages then live as long as some rank maps them,
//! and no file is left behind, whatever happens later (a crash of any rank included). Only the
//! moment between creating the file and the host's barrier after mapping could leave one.

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

/// Where the leader writes the file: memory-backed `/dev/shm` where there is one.
fn shm_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Leader: writes `bytes` to a new file and returns its path.
pub(crate) fn leader_write(bytes: &[u8]) -> std::io::Result<PathBuf> {
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
        .and_then(|mut f| f.write_all(bytes));
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
}
