//! This process's resident memory, read from `/proc/self/status`, and the heap memory it can give
//! back to the system.
//!
//! In: nothing (the process itself). Out: the peak (VmHWM) for the build's summary, the current
//! and peak sizes for debug logs, and [`release_free_memory`] between generation and writing.
//! Where `/proc` is missing the readings are `None`.

/// This process's peak resident memory (VmHWM of /proc/self/status), in bytes.
pub fn peak_resident_bytes() -> Option<u64> {
    Some(status_kib("VmHWM:")? * 1024)
}

/// A memory field of /proc/self/status (`"VmRSS:"`, `"VmHWM:"`), in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Gives the heap memory that generation freed back to the system before writing starts.
///
/// Why: the worker threads' run buffers are freed into their own malloc arenas, which glibc
/// keeps mapped; without this they would count twice towards the peak, once during
/// generation and again under the writer's buffers and indices.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; no pointer is involved.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// This process's (VmRSS, VmHWM) in KiB, for debug logs.
pub fn resident_kib() -> Option<(u64, u64)> {
    Some((status_kib("VmRSS:")?, status_kib("VmHWM:")?))
}
