//! The TOML itself, the top level and `[build]`.

use super::*;

// ---- TOML and top level ----

#[test]
fn toml_syntax_error() {
    check("[build]\nseed = = 3\n", 2, 8, "invalid TOML");
}

#[test]
fn toml_duplicate_key() {
    check("[build]\nseed = 1\nseed = 2\n", 3, 1, "invalid TOML");
}

#[test]
fn unknown_top_level_table() {
    check(
        "[[node]]\nnetwork = \"a\"\nN = 1\n",
        1,
        3,
        "unknown table [[node]]",
    );
    check(
        "[[node]]\nnetwork = \"a\"\nN = 1\n",
        1,
        3,
        "did you mean 'nodes'?",
    );
    check("[biuld]\nseed = 1\n", 1, 2, "did you mean 'build'?");
}

#[test]
fn build_key_at_top_level() {
    check("seed = 3\n", 1, 1, "'seed' belongs in the [build] table");
}

#[test]
fn count_must_be_whole() {
    check(
        &format!("{EDGE}rule = {{ count = 2.5 }}\n"),
        9,
        18,
        "expected an integer >= 0 or an expression string for count, found the float 2.5",
    );
    check(
        &format!("{EDGE}rule = {{ count = \"5 / 2\" }}\n"),
        9,
        18,
        "expected an integer from 0 to 65535 (synapses per pair) for count, found 2.5",
    );
    check(
        &format!("{EDGE}rule = {{ count = -1 }}\n"),
        9,
        18,
        "expected an integer from 0 to 65535 (synapses per pair) for count, found -1",
    );
}

#[test]
fn nodes_as_single_table() {
    check(
        "[nodes]\nnetwork = \"a\"\nN = 1\n",
        1,
        1,
        "expected an array of tables",
    );
}

// ---- [build] ----

#[test]
fn unknown_build_key_suggests() {
    check(
        "[build]\nsede = 1\n",
        2,
        1,
        "unknown key 'sede' in [build]; did you mean 'seed'?",
    );
}

#[test]
fn seed_wrong_type() {
    check(
        "[build]\nseed = \"one\"\n",
        2,
        8,
        "expected an integer >= 0 for seed, found a string",
    );
    check(
        "[build]\nseed = -1\n",
        2,
        8,
        "expected an integer >= 0 for seed",
    );
}

#[test]
fn bad_compression() {
    check(
        "[build]\ncompression = \"gzip:12\"\n",
        2,
        15,
        "\"gzip:N\" with N in 1..9",
    );
    check(
        "[build]\ncompression = \"zstd\"\n",
        2,
        15,
        "expected \"none\", \"gzip\"",
    );
}

#[test]
fn bad_memory_budget() {
    check(
        "[build]\nmemory_budget = \"12 parsecs\"\n",
        2,
        17,
        "expected a size such as",
    );
    check("[build]\nmemory_budget = 0\n", 2, 17, "for memory_budget");
}

#[test]
fn a_spec_without_nodes_is_refused() {
    check(
        "[build]\nseed = 1\n",
        1,
        1,
        "the spec has no [[nodes]] block",
    );
}

#[test]
fn network_size_is_bounded() {
    check(
        "[[nodes]]\nnetwork = \"a\"\nN = 4294967296\n",
        3,
        5,
        "at most 4294967295 nodes per network",
    );
    check(
        "[[nodes]]\nnetwork = \"a\"\nN = 4294967295\n[[nodes]]\nnetwork = \"a\"\nN = 1\n",
        6,
        5,
        "network 'a' would have 4294967296 nodes",
    );
}

#[test]
fn bad_sort_edges_by() {
    check(
        "[build]\nsort_edges_by = \"sideways\"\n",
        2,
        17,
        "\"target\" or \"source\"",
    );
}

#[test]
fn build_values_are_read() {
    let s = parse_str(
        "[build]\nseed = 9\ncompression = \"gzip\"\nmemory_budget = \"1.5 GiB\"\nspill_dir = \"spill\"\noutput_dir = \"/abs/out\"\nsort_edges_by = \"source\"\n[[nodes]]\nnetwork = \"n\"\nN = 1\n",
        &spec_path(),
    )
    .unwrap();
    assert_eq!(s.build.seed, 9);
    assert_eq!(s.build.compression, Compression::Gzip(4));
    assert_eq!(s.build.memory_budget, Some(1_610_612_736));
    assert_eq!(
        s.build.spill_dir,
        Some(PathBuf::from("/nonexistent/dir/spill"))
    );
    assert_eq!(s.build.output_dir, PathBuf::from("/abs/out"));
    assert_eq!(s.build.sort_edges_by, SortBy::Source);
    let s = parse_str(
        "[build]\ncompression = \"gzip:9\"\nmemory_budget = 1000\n[[nodes]]\nnetwork = \"n\"\nN = 1\n",
        &spec_path(),
    )
    .unwrap();
    assert_eq!(s.build.compression, Compression::Gzip(9));
    assert_eq!(s.build.memory_budget, Some(1000));
    assert_eq!(
        s.build.output_dir,
        PathBuf::from("/nonexistent/dir/network")
    );
}
