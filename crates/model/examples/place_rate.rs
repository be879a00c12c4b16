//! Synapse placements per second of CPU time on one core: what `[edges.locations]` costs per
//! synapse, measured three ways on real morphologies (BMTK's `bio_components`, `fix_axon`,
//! sections basal and apical, 30 to 150 um, as bio_450cells asks):
//!
//! - `table`: [`draw`] alone on one morphology's alias table, fed by one ChaCha8 stream;
//! - `keyed`: as the build draws, per target: its keyed stream (`stream(seed, edge type,
//!   target, SynLocation)`) then `SYNAPSES` draws from the target's table;
//! - `connect`: the model's whole path for an `all_to_all` edge type with `nsyns = SYNAPSES`
//!   and `[edges.locations]` (prepare, then `connect` every target: rule, keyed streams, the
//!   four location values per row, rows pushed into a sink that only counts), and the same edge
//!   type without locations (one row per connection, `nsyns` in it) for comparison.
//!
//! CPU time is the process's (`CLOCK_PROCESS_CPUTIME_ID`; the example runs one thread), so
//! other jobs on the machine change it little; the machine's load is printed with it.
//!
//! `cargo run --release -p netbuild-model --example place_rate -- [SWC_DIR] [DRAWS] [SYNAPSES]`
//! (defaults: ../shared/bio_components/morphologies, 100,000,000 draws per measure, 100
//! synapses per target).

use netbuild_model::morphology::{draw, Cell, CellOptions, Placement};
use netbuild_model::stream::{stream, Domain, Purpose};
use netbuild_model::{
    all_nodes, generate_networks, Circuit, Columns, EdgeRow, EdgeSink, NodeValues, Nsyns,
    PreparedEdgeType, Rule, Scalar, SynLocations,
};
use rand::{RngCore, SeedableRng};
use std::path::{Path, PathBuf};

/// CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a valid out pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// `f`'s CPU seconds.
fn timed(f: impl FnOnce()) -> f64 {
    let t0 = cpu_seconds();
    f();
    cpu_seconds() - t0
}

/// A sink that counts rows and synapses and folds their values (so nothing is optimised away).
#[derive(Default)]
struct Count {
    rows: u64,
    synapses: u64,
    check: f64,
}

impl EdgeSink for Count {
    type Error = std::convert::Infallible;
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), Self::Error> {
        self.rows += 1;
        self.synapses += u64::from(row.nsyns);
        self.check += row.properties.first().copied().unwrap_or(0.0);
        Ok(())
    }
}

const SECTIONS: [&str; 2] = ["basal", "apical"];
const RANGE: [f64; 2] = [30.0, 150.0];

/// The model's `connect` over every target of an `all_to_all` edge type from `sources` virtual
/// cells onto one cell of each morphology in `files` repeated `repeat` times, `synapses` per
/// connection, with or without locations: what the sink got, and the CPU seconds it took.
fn connect(
    dir: &Path,
    files: &[String],
    repeat: u64,
    sources: u64,
    synapses: u32,
    locations: bool,
) -> (Count, f64) {
    let mut c = Circuit::new(1);
    c.add_nodes("lgn", sources)
        .type_prop("model_type", Scalar::Str("virtual".into()));
    let n = files.len() as u64 * repeat;
    let morphologies = (0..n)
        .map(|i| Scalar::Str(files[i as usize % files.len()].clone()))
        .collect();
    c.add_nodes("bio", n)
        .type_prop("model_processing", Scalar::Str("aibs_perisomatic".into()))
        .prop("morphology", NodeValues::Array(morphologies));
    let e = c
        .add_edges(all_nodes("lgn"), all_nodes("bio"), Rule::AllToAll)
        .nsyns(Nsyns::Fixed(synapses));
    if locations {
        e.locations(SynLocations {
            sections: SECTIONS.map(String::from).to_vec(),
            distance_range: RANGE,
            morphology_dir: dir.to_path_buf(),
            dl: None,
            return_coords: false,
        });
    }
    let nets = generate_networks(&c).expect("networks");
    let mut cols = Columns::new(&nets);
    let p = PreparedEdgeType::prepare(0, &c.edge_types[0], c.seed, &mut cols).expect("prepare");
    let mut sink = Count::default();
    let secs = timed(|| {
        let state = p.prepare_block(0..n);
        let mut scratch = Default::default();
        for t in 0..n {
            p.connect(&state, t, &mut scratch, &mut sink)
                .expect("connect");
        }
    });
    std::hint::black_box(sink.check);
    (sink, secs)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "../shared/bio_components/morphologies".into()),
    );
    let n: u64 = args.next().map_or(Ok(100_000_000), |s| s.parse())?;
    let per_target: u32 = args.next().map_or(Ok(100), |s| s.parse())?;
    let mut files: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".swc"))
        .collect();
    files.sort();
    println!(
        "load average {} on {} cores; {n} draws per measure, {per_target} synapses per target",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        std::thread::available_parallelism().map_or(0, |p| p.get())
    );
    let sections = SECTIONS.map(String::from);
    let options = CellOptions {
        fix_axon: true,
        dl: None,
    };
    let mut tables = Vec::new();
    for f in &files {
        let cell = Cell::read(&dir.join(f), options)?;
        let place = Placement::new(&cell, &sections, RANGE)?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut check = 0u64;
        let secs = timed(|| {
            for _ in 0..n {
                let l = draw(&place.slots, rng.next_u64());
                check = check.wrapping_add(u64::from(l.section_id) ^ l.swc_id as u64);
            }
        });
        println!(
            "table   {f}: {} segments, {} candidates: {:.1} M placements per CPU second (checksum {check})",
            cell.segments.len(),
            place.slots.len(),
            n as f64 / secs / 1e6
        );
        tables.push(place);
    }
    // As the build: per target a keyed stream, then its synapses from its morphology's table.
    let targets = n / u64::from(per_target);
    let mut check = 0u64;
    let secs = timed(|| {
        for t in 0..targets {
            let mut rng = stream(1, Domain::EdgeType(0), t, Purpose::SynLocation);
            let table = &tables[t as usize % tables.len()].slots;
            for _ in 0..per_target {
                let l = draw(table, rng.next_u64());
                check = check.wrapping_add(u64::from(l.section_id) ^ l.swc_id as u64);
            }
        }
    });
    println!(
        "keyed   {targets} targets x {per_target}: {:.1} M placements per CPU second (checksum {check})",
        (targets * u64::from(per_target)) as f64 / secs / 1e6
    );
    // The model's whole path: 1,000 sources onto enough targets for about n / 10 synapses.
    let sources = 1000;
    let repeat = (n / 10 / (sources * u64::from(per_target) * files.len() as u64)).max(1);
    for locations in [true, false] {
        let (got, secs) = connect(&dir, &files, repeat, sources, per_target, locations);
        println!(
            "connect {} targets x {sources} sources x {per_target} synapses, {} locations: {} rows, {} synapses: {:.1} M rows per CPU second",
            repeat * files.len() as u64,
            if locations { "with" } else { "without" },
            got.rows,
            got.synapses,
            got.rows as f64 / secs / 1e6
        );
    }
    Ok(())
}
