//! The cores the rank-0 writer compresses on: every core a rank of its host may run on.
//!
//! In: the ranks (collective: each says which host it is on and which cores it may use, its
//! CPU affinity). Out: on rank 0, a thread pool with one thread per core of that union, each
//! thread allowed on all of them; `None` on the other ranks.
//!
//! Why: `mpirun` binds each rank to cores of its own (2 ranks on 2 cores: one core each), so
//! rank 0's own thread pool had one thread, and while rank 0 compressed the whole edges file
//! the other ranks' cores sat idle (they only send their rows, then wait; waiting sleeps, see
//! `netbuild-comm`). The union is what the job was given on that host: a batch system's
//! cpuset still bounds it. The chunks' bytes do not depend on the threads (each is a function
//! of its values), nor does their order in the file (`netbuild-sonata`'s `deflate.rs`).

use netbuild_comm::Comm;
use std::sync::Arc;

/// The compression pool of the rank-0 writer (collective; `Some` on rank 0 only).
pub(crate) fn host_compressors(comm: &dyn Comm) -> Option<Arc<rayon::ThreadPool>> {
    let mine = encode(&host_name(), &allowed_cpus());
    let all = comm.all_gather_bytes(&mine);
    if comm.rank() != 0 {
        return None;
    }
    let (host, _) = decode(&mine);
    let mut cpus: Vec<usize> = all
        .iter()
        .map(|b| decode(b))
        .filter(|(h, _)| *h == host)
        .flat_map(|(_, c)| c)
        .collect();
    cpus.sort_unstable();
    cpus.dedup();
    let threads = cpus.len().max(1);
    let pinned = cpus.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("compress-{i}"))
        .start_handler(move |_| allow_cpus(&pinned))
        .build();
    match pool {
        Ok(p) => {
            tracing::info!(threads, cpus = ?cpus, "rank 0 compresses on the cores of its host's ranks");
            Some(Arc::new(p))
        }
        Err(e) => {
            tracing::warn!("no compression threads ({e}): rank 0 compresses on its own pool");
            None
        }
    }
}

/// `host`, a NUL, then each CPU as a little-endian u32.
fn encode(host: &str, cpus: &[usize]) -> Vec<u8> {
    let mut out = host.as_bytes().to_vec();
    out.push(0);
    for &c in cpus {
        out.extend_from_slice(&(c as u32).to_le_bytes());
    }
    out
}

/// What [`encode`] wrote.
fn decode(b: &[u8]) -> (&[u8], Vec<usize>) {
    let end = b.iter().position(|&x| x == 0).unwrap_or(b.len());
    let cpus = b
        .get(end + 1..)
        .unwrap_or_default()
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    (&b[..end], cpus)
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The CPUs this thread may run on (its affinity); empty where that cannot be read.
fn allowed_cpus() -> Vec<usize> {
    // SAFETY: sched_getaffinity writes at most size_of::<cpu_set_t>() bytes into `set`;
    // CPU_ISSET reads it.
    unsafe {
        let mut set = std::mem::zeroed::<libc::cpu_set_t>();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

/// Lets this thread run on `cpus` (best effort: a cpuset that forbids some keeps it where it
/// was, which only costs speed).
fn allow_cpus(cpus: &[usize]) {
    if cpus.is_empty() {
        return;
    }
    // SAFETY: CPU_SET writes within `set`; sched_setaffinity reads it.
    let r = unsafe {
        let mut set = std::mem::zeroed::<libc::cpu_set_t>();
        for &c in cpus {
            libc::CPU_SET(c, &mut set);
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    if r != 0 {
        tracing::debug!(
            "compression thread kept its cores: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_cpus_round_trip() {
        let b = encode("node-7", &[0, 3, 64]);
        assert_eq!(decode(&b), (&b"node-7"[..], vec![0, 3, 64]));
        assert_eq!(decode(&encode("", &[])), (&b""[..], vec![]));
    }

    #[test]
    fn this_thread_may_run_somewhere() {
        assert!(!allowed_cpus().is_empty());
    }
}
