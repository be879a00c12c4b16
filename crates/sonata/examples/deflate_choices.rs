//! What each gzip choice costs, in time and bytes, on the columns of a real edges file: libdeflate
//! level, byte shuffle (HDF5's built-in shuffle filter) before deflate, chunk size. One thread.
//!
//! `cargo run --release -p netbuild-sonata --example deflate_choices -- EDGES.h5 [ROWS]`
//! (ROWS: the first rows of each dataset to use, default 2,000,000). Prints a Markdown table:
//! per choice, compressed bytes and compression seconds summed over the datasets, and MB/s of
//! input; docs/SCALING.md ("gzip: what each choice costs") holds a run's table.
//!
//! `... -- EDGES.h5 ROWS per-dataset [LEVEL]`: instead, netbuild's choice (shuffled, 1 MiB
//! chunks, level 4 unless given) per dataset: bytes, and CPU seconds of this thread to shuffle and compress (CPU time,
//! not wall time, so that other jobs on the machine do not count).

use hdf5::{Dataset, File, Group};
use std::time::Instant;

/// Every dataset under `g`, with its path.
fn datasets(g: &Group, prefix: &str, out: &mut Vec<(String, Dataset)>) {
    for name in g.member_names().unwrap_or_default() {
        let path = format!("{prefix}/{name}");
        if let Ok(ds) = g.dataset(&name) {
            out.push((path, ds));
        } else if let Ok(sub) = g.group(&name) {
            datasets(&sub, &path, out);
        }
    }
}

/// The first `rows` rows of `ds` as little-endian bytes, and the size of one value.
fn raw(ds: &Dataset, rows: usize) -> Option<(Vec<u8>, usize)> {
    let n = ds.shape().first().copied().unwrap_or(0).min(rows);
    let width: usize = ds.shape().iter().skip(1).product();
    let dt = ds.dtype().ok()?;
    let size = dt.size();
    macro_rules! read {
        ($t:ty) => {{
            let v: Vec<$t> = if ds.ndim() == 1 {
                ds.read_slice_1d::<$t, _>(0..n).ok()?.to_vec()
            } else {
                ds.read_slice_2d::<$t, _>((0..n, 0..width))
                    .ok()?
                    .iter()
                    .copied()
                    .collect()
            };
            v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>()
        }};
    }
    let bytes = if dt.is::<u64>() {
        read!(u64)
    } else if dt.is::<i64>() {
        read!(i64)
    } else if dt.is::<u32>() {
        read!(u32)
    } else if dt.is::<f32>() {
        read!(f32)
    } else if dt.is::<f64>() {
        read!(f64)
    } else {
        return None;
    };
    Some((bytes, size))
}

/// CPU seconds this thread has used.
fn thread_cpu_seconds() -> f64 {
    // SAFETY: clock_gettime writes the struct it is given.
    let t = unsafe {
        let mut t = std::mem::zeroed::<libc::timespec>();
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t);
        t
    };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Shuffled, 1 MiB chunks, gzip `level`: each dataset's bytes and CPU seconds.
fn per_dataset(data: &[(String, Vec<u8>, usize, bool)], level: i32) {
    println!("| dataset | raw MB | compressed MB (%) | CPU s: shuffle | CPU s: deflate | MB/s |");
    println!("|---|---:|---:|---:|---:|---:|");
    let lvl = libdeflater::CompressionLvl::new(level).expect("a level");
    let mut z = libdeflater::Compressor::new(lvl);
    let mut total = (0usize, 0usize, 0.0, 0.0);
    for (name, bytes, size, _) in data {
        let (mut out_bytes, mut t_shuffle, mut t_deflate) = (0usize, 0.0, 0.0);
        for c in bytes.chunks((1 << 20) / size * size) {
            let t0 = thread_cpu_seconds();
            let c = netbuild_sonata::shuffle(c, *size);
            let t1 = thread_cpu_seconds();
            let mut out = vec![0u8; z.zlib_compress_bound(c.len())];
            out_bytes += z.zlib_compress(&c, &mut out).expect("compressed");
            t_shuffle += t1 - t0;
            t_deflate += thread_cpu_seconds() - t1;
        }
        let raw = bytes.len();
        println!(
            "| {name} | {:.1} | {:.1} ({:.1} %) | {t_shuffle:.2} | {t_deflate:.2} | {:.0} |",
            raw as f64 / 1e6,
            out_bytes as f64 / 1e6,
            100.0 * out_bytes as f64 / raw as f64,
            raw as f64 / 1e6 / (t_shuffle + t_deflate)
        );
        total = (
            total.0 + raw,
            total.1 + out_bytes,
            total.2 + t_shuffle,
            total.3 + t_deflate,
        );
    }
    let (raw, out, ts, td) = total;
    println!(
        "| all | {:.1} | {:.1} ({:.1} %) | {ts:.2} | {td:.2} | {:.0} |",
        raw as f64 / 1e6,
        out as f64 / 1e6,
        100.0 * out as f64 / raw as f64,
        raw as f64 / 1e6 / (ts + td)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: deflate_choices EDGES.h5 [ROWS]");
        std::process::exit(2);
    };
    let rows: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let file = File::open(path).expect("an HDF5 file");
    let mut all = Vec::new();
    datasets(&file, "", &mut all);
    let data: Vec<(String, Vec<u8>, usize, bool)> = all
        .iter()
        .filter_map(|(name, ds)| {
            let (bytes, size) = raw(ds, rows)?;
            let float = ds.dtype().ok()?.is::<f32>() || ds.dtype().ok()?.is::<f64>();
            Some((name.clone(), bytes, size, float))
        })
        .collect();
    let input: usize = data.iter().map(|d| d.1.len()).sum();
    if args.get(3).map(String::as_str) == Some("per-dataset") {
        let level = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(4);
        per_dataset(&data, level);
        return;
    }
    println!(
        "{} datasets, first {rows} rows each: {:.1} MB uncompressed\n",
        data.len(),
        input as f64 / 1e6
    );
    println!("| level | shuffle | chunk | bytes (% of raw) | ids only: bytes | seconds | MB/s |");
    println!("|---|---|---|---|---|---|---|");
    for chunk in [256usize << 10, 1 << 20, 4 << 20] {
        for level in [1, 2, 4, 6] {
            for shuf in ["none", "ids", "all"] {
                let lvl = libdeflater::CompressionLvl::new(level).expect("a level");
                let mut z = libdeflater::Compressor::new(lvl);
                let (mut out_bytes, mut id_bytes) = (0usize, 0usize);
                let t = Instant::now();
                for (_, bytes, size, float) in &data {
                    let on = match shuf {
                        "none" => false,
                        "ids" => !float,
                        _ => true,
                    };
                    for c in bytes.chunks(chunk / size * size) {
                        let c = if on {
                            netbuild_sonata::shuffle(c, *size)
                        } else {
                            c.to_vec()
                        };
                        let mut out = vec![0u8; z.zlib_compress_bound(c.len())];
                        let n = z.zlib_compress(&c, &mut out).expect("compressed");
                        out_bytes += n;
                        if !float {
                            id_bytes += n;
                        }
                    }
                }
                let secs = t.elapsed().as_secs_f64();
                println!(
                    "| {level} | {shuf} | {} KiB | {} ({:.1} %) | {} | {secs:.2} | {:.0} |",
                    chunk >> 10,
                    out_bytes,
                    100.0 * out_bytes as f64 / input as f64,
                    id_bytes,
                    input as f64 / 1e6 / secs
                );
            }
        }
    }
}
