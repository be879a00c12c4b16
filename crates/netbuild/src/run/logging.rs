//! Logging for a front end (the binary, the Python module): `tracing` to stderr, filtered by
//! `RUST_LOG`. In: the rank. Out: the process's subscriber, unless one is set already.

/// Rank 0 tells the story; the other ranks speak up only for warnings, unless `RUST_LOG` says
/// more. Keeps a subscriber that is already set (another library of a Python interpreter may
/// have set one).
pub fn init_logging(rank: usize) {
    use tracing_subscriber::EnvFilter;
    let default = if rank == 0 { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
