//! Synapse placements per second on one core: what `[edges.locations]` costs per synapse
//! (a keyed ChaCha8 draw, as the build makes, and an alias-table lookup).
//!
//! `cargo run --release -p netbuild-morphology --example place_rate -- [SWC_DIR] [N]`
//! (default: ../shared/bio_components/morphologies, 100,000,000 draws per morphology).

use netbuild_morphology::{Cell, CellOptions, Placement};
use rand::{RngCore, SeedableRng};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "../shared/bio_components/morphologies".into()),
    );
    let n: u64 = args.next().map_or(Ok(100_000_000), |s| s.parse())?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "swc"))
        .collect();
    files.sort();
    let sections = ["basal".to_string(), "apical".to_string()];
    for f in files {
        let t0 = Instant::now();
        let cell = Cell::read(
            &f,
            CellOptions {
                fix_axon: true,
                dl: None,
            },
        )?;
        let place = Placement::new(&cell, &sections, [30.0, 150.0])?;
        let prep = t0.elapsed();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut check = 0u64;
        let t1 = Instant::now();
        for _ in 0..n {
            let l = place.draw(rng.next_u64());
            check = check.wrapping_add(u64::from(l.section_id) ^ l.swc_id as u64);
        }
        let secs = t1.elapsed().as_secs_f64();
        println!(
            "{}: {} segments, {} candidates, read and tabled in {:.2} ms; {:.1} M placements/s (checksum {check})",
            f.file_name().unwrap_or_default().to_string_lossy(),
            cell.segments.len(),
            place.segments.len(),
            prep.as_secs_f64() * 1e3,
            n as f64 / secs / 1e6
        );
    }
    Ok(())
}
