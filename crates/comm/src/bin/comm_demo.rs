//! `netbuild-comm-demo MODE [RANK]`: exercises netbuild-comm under real MPI.
//!
//! Run as `mpirun -n K netbuild-comm-demo MODE` (or without mpirun: one rank). Modes:
//!
//! - `ok`: every method, twice (normal piece size, then 7-byte pieces so every transfer is split
//!   into many MPI calls), checking every result; prints `ok rank R of N`.
//! - `panic R`: after a barrier, rank R panics while the others wait in a second barrier.
//! - `panic-thread R`: the same, but the panic happens on a worker thread of rank R.
//! - `abort R`: after a barrier, rank R calls `Comm::abort(3, ..)` while the others wait.
//! - `exit R`: after a barrier, rank R calls `std::process::exit(4)` without finalising MPI.
//! - `sleep`: writes its pid to `$NETBUILD_COMM_DEMO_PID_DIR/rank-R.pid` (when set), waits in a
//!   barrier, sleeps 60 s, waits in a barrier: lets a test SIGKILL one rank.
//! - `wait` (2 ranks): each rank in turn arrives 1 s late to a barrier, a send and a receive
//!   while the other waits; each prints `waited rank R: C s of CPU in W s` (what its waits
//!   cost: near 0 when waiting sleeps, near W when it spins).

use std::time::Duration;

use netbuild_comm::{Comm, Mpi, PrefixSum};

fn main() {
    let comm = match netbuild_comm::init() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("netbuild-comm-demo: {e}");
            std::process::exit(1);
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = || -> usize {
        match args.get(1).map(|s| s.parse::<usize>()) {
            Some(Ok(r)) if r < comm.size() => r,
            _ => comm.abort(
                2,
                &format!(
                    "mode {:?} needs a rank below {} as its argument",
                    args[0],
                    comm.size()
                ),
            ),
        }
    };
    match args.first().map(String::as_str) {
        Some("ok") => ok(comm),
        Some("panic") => {
            let r = target();
            comm.barrier();
            if comm.rank() == r {
                panic!("demo panic on rank {r}");
            }
            comm.barrier();
            println!("survived rank {}", comm.rank());
        }
        Some("panic-thread") => {
            let r = target();
            comm.barrier();
            if comm.rank() == r {
                let worker = std::thread::Builder::new()
                    .name("demo-worker".into())
                    .spawn(move || panic!("demo worker panic on rank {r}"));
                if let Ok(w) = worker {
                    let _ = w.join();
                }
            }
            comm.barrier();
            println!("survived rank {}", comm.rank());
        }
        Some("abort") => {
            let r = target();
            comm.barrier();
            if comm.rank() == r {
                comm.abort(3, &format!("demo error on rank {r}"));
            }
            comm.barrier();
            println!("survived rank {}", comm.rank());
        }
        Some("exit") => {
            let r = target();
            comm.barrier();
            if comm.rank() == r {
                std::process::exit(4);
            }
            comm.barrier();
            println!("survived rank {}", comm.rank());
        }
        Some("sleep") => {
            if let Some(dir) = std::env::var_os("NETBUILD_COMM_DEMO_PID_DIR") {
                let path = std::path::Path::new(&dir).join(format!("rank-{}.pid", comm.rank()));
                let tmp = path.with_extension("tmp");
                let written = std::fs::write(&tmp, std::process::id().to_string())
                    .and_then(|()| std::fs::rename(&tmp, &path));
                if let Err(e) = written {
                    comm.abort(1, &format!("cannot write {}: {e}", path.display()));
                }
            }
            comm.barrier();
            std::thread::sleep(Duration::from_secs(60));
            comm.barrier();
            println!("slept rank {}", comm.rank());
        }
        Some("wait") => wait(&comm),
        _ => comm.abort(
            2,
            "usage: netbuild-comm-demo ok | panic R | panic-thread R | abort R | exit R | sleep \
             | wait",
        ),
    }
}

/// Mode `wait`: rank `late` sleeps 1 s before each step, the other waits in it; the waits'
/// CPU time and wall time are summed and printed.
fn wait(comm: &Mpi) {
    if comm.size() != 2 {
        comm.abort(2, "mode wait needs 2 ranks");
    }
    let me = comm.rank();
    let (mut cpu, mut wall) = (0.0, 0.0);
    // 4 MB: past every eager limit, so a send waits for its receiver.
    let data = pattern(7, 4 << 20);
    for late in [0, 1] {
        let steps: [&dyn Fn(); 3] = [
            &|| comm.barrier(),
            &|| {
                if me == 1 {
                    comm.send_bytes(0, 5, &data);
                } else {
                    assert_eq!(comm.recv_bytes(1, 5), data);
                }
            },
            &|| {
                if me == 0 {
                    comm.send_bytes(1, 6, &data);
                } else {
                    assert_eq!(comm.recv_bytes(0, 6), data);
                }
            },
        ];
        for step in steps {
            if me == late {
                std::thread::sleep(Duration::from_secs(1));
                step();
            } else {
                let (c0, t0) = (
                    netbuild_comm::process_cpu_seconds(),
                    std::time::Instant::now(),
                );
                step();
                cpu += netbuild_comm::process_cpu_seconds() - c0;
                wall += t0.elapsed().as_secs_f64();
            }
        }
    }
    println!("waited rank {me}: {cpu:.3} s of CPU in {wall:.3} s");
}

/// Deterministic test bytes: `len` bytes that depend on `key`.
fn pattern(key: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (key.wrapping_mul(31).wrapping_add(i.wrapping_mul(7)) % 251) as u8)
        .collect()
}

/// Checks `got == want` or ends the job naming `what`.
fn check<T: PartialEq + std::fmt::Debug>(comm: &Mpi, what: &str, got: T, want: T) {
    if got != want {
        let (g, w) = (format!("{got:?}"), format!("{want:?}"));
        let cut = |s: &str| s.chars().take(200).collect::<String>();
        comm.abort(1, &format!("{what}: got {} want {}", cut(&g), cut(&w)));
    }
}

fn ok(mut comm: Mpi) {
    run_checks(&comm, 1_500_000);
    comm.set_max_piece_bytes_for_tests(7);
    run_checks(&comm, 3_000);
    println!("ok rank {} of {}", comm.rank(), comm.size());
}

/// Every method of `comm` checked on every rank, by kind; `big`: the length of the largest
/// message (host-shared bytes, streamed bytes).
fn run_checks(comm: &Mpi, big: usize) {
    let (r, n) = (comm.rank(), comm.size());
    assert!(r < n);
    comm.barrier();
    collectives(comm);
    on_host(comm, big);
    point_to_point(comm, big);
    comm.barrier();
}

/// The collectives: gathers, reductions, votes, the prefix sum.
fn collectives(comm: &Mpi) {
    let (r, n) = (comm.rank(), comm.size());
    let want: Vec<u64> = (0..n as u64).map(|i| i * 10 + 1).collect();
    check(
        comm,
        "all_gather_u64",
        comm.all_gather_u64(r as u64 * 10 + 1),
        want,
    );

    let len_of = |i: usize| (i * 13) % 17 + if i == 1 { 40 } else { 0 };
    let want: Vec<Vec<u8>> = (0..n).map(|i| pattern(i, len_of(i))).collect();
    check(
        comm,
        "all_gather_bytes",
        comm.all_gather_bytes(&pattern(r, len_of(r))),
        want,
    );
    let want: Vec<Vec<u8>> = vec![Vec::new(); n];
    check(
        comm,
        "all_gather_bytes (empty)",
        comm.all_gather_bytes(&[]),
        want,
    );

    let v = [r as u64, 1, u64::MAX - r as u64];
    let nn = n as u64;
    let sum_r = nn * (nn - 1) / 2;
    check(
        comm,
        "all_reduce_sum_u64",
        comm.all_reduce_sum_u64(&v),
        vec![sum_r, nn, (u64::MAX).wrapping_mul(nn).wrapping_sub(sum_r)],
    );
    check(
        comm,
        "all_reduce_max_u64",
        comm.all_reduce_max_u64(&v),
        vec![nn - 1, 1, u64::MAX],
    );
    check(
        comm,
        "all_reduce_min_u64",
        comm.all_reduce_min_u64(&v),
        vec![0, 1, u64::MAX - (nn - 1)],
    );
    check(
        comm,
        "all_reduce (empty)",
        comm.all_reduce_sum_u64(&[]),
        vec![],
    );
    check(comm, "any", comm.any(r == n - 1), true);
    check(comm, "any (none)", comm.any(false), false);
    check(comm, "all", comm.all(r == 0), n == 1);
    check(
        comm,
        "exclusive_prefix_sum",
        comm.exclusive_prefix_sum(r as u64 + 1),
        PrefixSum {
            offset: (r * (r + 1) / 2) as u64,
            total: nn * (nn + 1) / 2,
        },
    );
}

/// What ranks of one host share: mapped bytes, and counters every rank adds to.
fn on_host(comm: &Mpi, big: usize) {
    let (r, n) = (comm.rank(), comm.size());
    // The tests run every rank on one host: all share the leader's bytes, mapped, and the
    // leader's file is gone once everybody has them.
    check(comm, "ranks_on_host", comm.ranks_on_host(), n);
    check(comm, "host_leader", comm.host_leader(), r == 0);
    for len in [big, 0] {
        let offered = comm.host_leader().then(|| pattern(7, len));
        let shared = comm
            .share_on_host(offered.as_deref())
            .unwrap_or_else(|e| comm.abort(1, &format!("share_on_host: {e}")));
        check(comm, "share_on_host", &shared[..], &pattern(7, len)[..]);
        check(
            comm,
            "share_on_host mapped",
            shared.is_shared(),
            n > 1 && len > 0,
        );
    }
    if comm.host_leader() {
        let own = format!("netbuild-{}-", std::process::id());
        let left = std::fs::read_dir("/dev/shm")
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(&own));
        check(comm, "share_on_host left a file in /dev/shm", left, false);
    }

    // Every rank adds its rank + 1 to each counter (and 1000 more to counter r): on one host,
    // every rank reads the host's sums once all have added.
    let counters = comm
        .counters_on_host(1000)
        .unwrap_or_else(|e| comm.abort(1, &format!("counters_on_host: {e}")));
    check(comm, "counters_on_host mapped", counters.is_shared(), n > 1);
    for i in 0..1000 {
        counters.add(i, r as u64 + 1);
    }
    counters.add(r, 1000);
    comm.barrier();
    let sums = counters.freeze();
    if comm.ranks_on_host() == n {
        let all = (n * (n + 1) / 2) as u64;
        let want: Vec<u64> = (0..1000)
            .map(|i| all + if i < n { 1000 } else { 0 })
            .collect();
        check(comm, "counters_on_host sums", &sums[..], &want[..]);
    }
    drop(sums);
}

/// Bytes from one rank to others: broadcast, all-to-all exchange, a ring of sends, a stream
/// to a writer rank.
fn point_to_point(comm: &Mpi, big: usize) {
    let (r, n) = (comm.rank(), comm.size());
    let root = n - 1;
    let mine = if r == root {
        pattern(99, 23)
    } else {
        Vec::new()
    };
    check(
        comm,
        "broadcast_bytes",
        comm.broadcast_bytes(root, &mine),
        pattern(99, 23),
    );

    let out: Vec<Vec<u8>> = (0..n)
        .map(|j| pattern(r * 100 + j, (r + 2 * j) % 9))
        .collect();
    let want: Vec<Vec<u8>> = (0..n)
        .map(|i| pattern(i * 100 + r, (i + 2 * r) % 9))
        .collect();
    check(comm, "exchange_bytes", comm.exchange_bytes(out), want);

    // A ring: rank 0 sends first, every other rank receives first, so no blocking send waits
    // on a rank that is itself sending.
    let next = (r + 1) % n;
    let prev = (r + n - 1) % n;
    let ring = |i: usize| pattern(1000 + i, 3000 + i);
    if r == 0 {
        comm.send_bytes(next, 7, &ring(r));
        check(comm, "ring recv", comm.recv_bytes(prev, 7), ring(prev));
    } else {
        check(comm, "ring recv", comm.recv_bytes(prev, 7), ring(prev));
        comm.send_bytes(next, 7, &ring(r));
    }

    // Streaming to a writer rank, which also "sends" to itself, under two tags.
    comm.send_bytes(0, 9, &pattern(r, big + r));
    comm.send_bytes(0, 10, b"");
    if r == 0 {
        for i in 0..n {
            check(
                comm,
                "stream recv",
                comm.recv_bytes(i, 9),
                pattern(i, big + i),
            );
            check(
                comm,
                "stream recv (empty)",
                comm.recv_bytes(i, 10),
                Vec::new(),
            );
        }
    }
}
