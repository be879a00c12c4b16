//! String per-edge properties end to end through the library: a circuit whose edge types carry
//! string properties (codes into each edge type's own vocabulary; two edge types share an edge
//! group with different strings, one of them with 2 synapses per pair) built on one process,
//! in memory and spilled, sorted by target and by source, uncompressed and gzip, read back:
//! every row's string is its edge type's string for that pair, stored as variable-length UTF-8,
//! and the spilled build writes what the in-memory one does.

use netbuild::comm::Local;
use netbuild::model::{all_nodes, Circuit, Dtype, EdgeValue, Nsyns, Rule, Value, Vocabulary};
use netbuild::run::budget::{Budget, BudgetSource};
use netbuild::run::options::{Compression, SortBy};
use netbuild::BuildOptions;
use std::path::Path;
use std::sync::Arc;

fn vocabulary(words: &[&str]) -> Vocabulary {
    words.iter().map(|w| w.to_string()).collect()
}

const FIRST: [&str; 2] = ["AMPA", "NMDA_é"];
const SECOND: [&str; 3] = ["GABA_A", "GABA_B", "GABA_C"];

/// The string of a row of edge type `e` (0 or 1) between `source` and `target`.
fn expected(e: usize, source: u64, target: u64) -> &'static str {
    match e {
        0 => FIRST[((source + target) % 2) as usize],
        _ => SECOND[(target % 3) as usize],
    }
}

fn circuit() -> Circuit {
    let mut c = Circuit::new(5);
    c.add_nodes("a", 400);
    c.add_edges(
        all_nodes("a"),
        all_nodes("a"),
        Rule::Probability(Value::Const(0.1)),
    )
    .string_prop(
        "receptor",
        vocabulary(&FIRST),
        EdgeValue::Custom(Arc::new(|p, _| ((p.source + p.target) % 2) as f64)),
    )
    .edge_prop(
        "syn_weight",
        Dtype::F32,
        EdgeValue::Custom(Arc::new(|p, _| p.source as f64)),
    );
    c.add_edges(all_nodes("a"), all_nodes("a"), Rule::Indegree(7))
        .nsyns(Nsyns::Fixed(2))
        .string_prop(
            "receptor",
            vocabulary(&SECOND),
            EdgeValue::Custom(Arc::new(|p, _| (p.target % 3) as f64)),
        )
        .edge_prop(
            "syn_weight",
            Dtype::F32,
            EdgeValue::Custom(Arc::new(|p, _| p.source as f64)),
        );
    c
}

/// Builds into `dir/out`; `budget`: bytes per rank (small ones spill).
fn build(dir: &Path, budget: u64, sort_by: SortBy, compression: Compression) -> Vec<String> {
    let mut o = BuildOptions::new(dir.join("out"));
    o.memory_budget = Some(Budget {
        bytes: budget,
        source: BudgetSource::Cli,
    });
    o.spill_dir = Some(dir.to_path_buf());
    o.sort_edges_by = sort_by;
    o.compression = compression;
    netbuild::build(&circuit(), &o, &Local::new()).unwrap();

    let f = hdf5::File::open(dir.join("out/a_a_edges.h5")).unwrap();
    let p = f.group("edges/a_to_a").unwrap();
    let read = |name: &str| p.dataset(name).unwrap();
    let ds = p.group("0").unwrap().dataset("receptor").unwrap();
    assert_eq!(
        ds.dtype().unwrap().to_descriptor().unwrap(),
        hdf5::types::TypeDescriptor::VarLenUnicode
    );
    assert_eq!(
        p.member_names()
            .unwrap()
            .iter()
            .filter(|n| n.parse::<u32>().is_ok())
            .count(),
        1
    );
    let strings: Vec<String> = ds
        .read_raw::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    let types = read("edge_type_id").read_raw::<i64>().unwrap();
    let sources = read("source_node_id").read_raw::<u64>().unwrap();
    let targets = read("target_node_id").read_raw::<u64>().unwrap();
    let index = read("edge_group_index").read_raw::<u64>().unwrap();
    assert!(types.contains(&100) && types.contains(&101));
    for i in 0..types.len() {
        let e = (types[i] - 100) as usize;
        assert_eq!(
            strings[index[i] as usize],
            expected(e, sources[i], targets[i]),
            "row {i}"
        );
    }
    strings
}

#[test]
fn strings_are_written_as_their_edge_types_say_however_the_rows_travel() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let in_memory = build(dirs[0].path(), 1 << 30, SortBy::Target, Compression::None);
    let spilled = build(dirs[1].path(), 64 << 10, SortBy::Target, Compression::None);
    assert_eq!(in_memory, spilled);
    let gzip = build(
        dirs[2].path(),
        64 << 10,
        SortBy::Target,
        Compression::Gzip(4),
    );
    assert_eq!(in_memory, gzip);
    let mut by_source = build(dirs[3].path(), 64 << 10, SortBy::Source, Compression::None);
    let mut sorted = in_memory.clone();
    by_source.sort();
    sorted.sort();
    assert_eq!(by_source, sorted);
    assert!(
        in_memory.len() > 10_000,
        "{} rows: the budget spills",
        in_memory.len()
    );
    assert!(in_memory.iter().any(|s| s == "NMDA_é"));
}
