//! Throughput check: `cargo run --release -p netbuild-sonata --example bench_edges -- N [gzip]`
//! writes N edges (one group: f32 weight, f64 delay) plus both indices into a temp file.

use std::time::Instant;

use netbuild_sonata::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map_or(Ok(10_000_000), |s| s.parse())?;
    let compression = match args.next().as_deref() {
        Some("gzip") => Compression::Gzip(4),
        _ => Compression::None,
    };
    let n_nodes = (n / 100).max(1);
    let layout = EdgePopulationLayout {
        name: "a_to_a".into(),
        source_population: "a".into(),
        target_population: "a".into(),
        n_edges: n,
        groups: vec![EdgeGroupLayout {
            columns: vec![
                ("syn_weight".into(), Dtype::F32.into()),
                ("delay".into(), Dtype::F64.into()),
            ],
            n_rows: n,
        }],
        n_source_nodes: n_nodes,
        n_target_nodes: n_nodes,
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench_edges.h5");
    let t0 = Instant::now();
    let mut w = EdgesWriter::create(&path, &layout, compression, &Provenance::default())?;
    let block = 1 << 20;
    let mut e = 0u64;
    while e < n {
        let k = block.min(n - e);
        let trg: Vec<u64> = (e..e + k).map(|i| i / 100).collect();
        let src: Vec<u64> = (e..e + k).map(|i| (i * 7919) % n_nodes).collect();
        let types = vec![100i64; k as usize];
        let gid = vec![0u32; k as usize];
        let gidx: Vec<u64> = (e..e + k).collect();
        let wgt: Vec<f32> = (e..e + k).map(|i| i as f32).collect();
        let dly: Vec<f64> = (e..e + k).map(|i| i as f64).collect();
        w.append_edges(&src, &trg, &types, &gid, &gidx)?;
        w.append_group(
            0,
            &[
                ColumnSlice::Num(NumSlice::F32(&wgt)),
                ColumnSlice::Num(NumSlice::F64(&dly)),
            ],
        )?;
        e += k;
    }
    let t1 = Instant::now();
    w.write_index(IndexDirection::TargetToSource, (0..n).map(|i| (i / 100, i)))?;
    let mut s2t: Vec<(u64, u64)> = (0..n).map(|i| ((i * 7919) % n_nodes, i)).collect();
    s2t.sort_unstable();
    let t2 = Instant::now();
    w.write_index(IndexDirection::SourceToTarget, s2t.into_iter())?;
    w.finish()?;
    let t3 = Instant::now();
    let size = std::fs::metadata(&path)?.len();
    println!(
        "{n} edges, {compression:?}: rows {:.2}s, t2s index {:.2}s, s2t index {:.2}s, file {:.0} MB ({:.0} MB/s for rows)",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        size as f64 / 1e6,
        (n as f64 * 44.0 / 1e6) / (t1 - t0).as_secs_f64()
    );
    Ok(())
}
