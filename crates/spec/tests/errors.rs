//! Malformed specs: each error has the exact line and column and says what was expected.

use netbuild_spec::*;
use std::path::{Path, PathBuf};

/// A valid network block: lines 1-5, so what follows starts on line 6.
const NET: &str = r#"[[nodes]]
network = "net"
N = 10
ei = "e"
x = { uniform = [0.0, 1.0] }
"#;

/// NET plus a valid edge block head (lines 6-8) for edge tests: what follows starts on line 9.
const EDGE: &str = r#"[[nodes]]
network = "net"
N = 10
ei = "e"
x = { uniform = [0.0, 1.0] }
[[edges]]
source = { network = "net", ei = "e" }
target = { network = "net" }
"#;

fn spec_path() -> PathBuf {
    PathBuf::from("/nonexistent/dir/spec.toml")
}

fn fails(src: &str) -> SpecError {
    match parse_str(src, &spec_path()) {
        Ok(_) => panic!("expected an error for:\n{src}"),
        Err(e) => e,
    }
}

#[track_caller]
fn check(src: &str, line: usize, col: usize, phrase: &str) {
    let e = fails(src);
    assert!(
        e.message.contains(phrase),
        "message {:?} lacks {phrase:?}\n(at {}:{})",
        e.message,
        e.loc.line,
        e.loc.col
    );
    assert_eq!(
        (e.loc.line, e.loc.col),
        (line, col),
        "wrong place for {:?}",
        e.message
    );
    assert_eq!(*e.loc.file, spec_path());
}

#[track_caller]
fn check_in_file(
    dir: &Path,
    src: &str,
    file: &str,
    line: usize,
    col: usize,
    phrase: &str,
) -> SpecError {
    let e = match parse_str(src, &dir.join("spec.toml")) {
        Ok(_) => panic!("expected an error for:\n{src}"),
        Err(e) => e,
    };
    assert!(
        e.message.contains(phrase),
        "message {:?} lacks {phrase:?}",
        e.message
    );
    assert_eq!(
        (e.loc.line, e.loc.col),
        (line, col),
        "wrong place for {:?}",
        e.message
    );
    assert_eq!(
        *e.loc.file,
        dir.join(file),
        "wrong file for {:?}",
        e.message
    );
    e
}

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

// ---- [[nodes]] ----

#[test]
fn negative_n() {
    check(
        "[[nodes]]\nnetwork = \"a\"\nN = -5\n",
        3,
        5,
        "expected an integer >= 0 for N, found the integer -5",
    );
}

#[test]
fn n_wrong_type() {
    check(
        "[[nodes]]\nnetwork = \"a\"\nN = \"ten\"\n",
        3,
        5,
        "expected an integer >= 0 for N, found a string",
    );
}

#[test]
fn missing_network() {
    check(
        "[[nodes]]\nN = 5\n",
        1,
        1,
        "missing required key 'network' in [[nodes]]",
    );
    check(
        "[[nodes]]\nnetwork = \"a\"\n",
        1,
        1,
        "missing required key 'N'",
    );
}

#[test]
fn misspelt_network_key() {
    check(
        "[[nodes]]\nnetwrk = \"a\"\nN = 1\n",
        2,
        1,
        "did you mean 'network' instead of 'netwrk'?",
    );
}

#[test]
fn bad_network_name() {
    check(
        "[[nodes]]\nnetwork = \"a/b\"\nN = 1\n",
        2,
        11,
        "invalid network name",
    );
    check(
        "[[nodes]]\nnetwork = \"\"\nN = 1\n",
        2,
        11,
        "expected a non-empty string for network",
    );
}

#[test]
fn array_of_wrong_length() {
    check(
        &format!("{NET}y = [1.0, 2.0, 3.0]\n"),
        6,
        5,
        "expected an array of N = 10 values for 'y', found 3",
    );
}

#[test]
fn mixed_array() {
    check(
        "[[nodes]]\nnetwork = \"a\"\nN = 3\ny = [1, \"two\", 3]\n",
        4,
        9,
        "expected numbers in 'y'",
    );
}

#[test]
fn arrays_are_read() {
    let s = parse_str(
        "[[nodes]]\nnetwork = \"a\"\nN = 3\ny = [1, 2.5, 3]\nk = [1, 2, 3]\n",
        &spec_path(),
    )
    .unwrap();
    match &s.nodes[0].node_props[0].1 {
        NodeValues::Array(v) => assert_eq!(
            v,
            &[Scalar::Float(1.0), Scalar::Float(2.5), Scalar::Float(3.0)]
        ),
        other => panic!("{other:?}"),
    }
    match &s.nodes[0].node_props[1].1 {
        NodeValues::Array(v) => assert_eq!(v, &[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn date_is_not_a_property() {
    check(
        &format!("{NET}born = 1979-05-27\n"),
        6,
        8,
        "expected a string, number, boolean, array or generator table for born, found a date-time",
    );
}

#[test]
fn reserved_node_property() {
    check(
        &format!("{NET}node_type_id = 5\n"),
        6,
        1,
        "'node_type_id' is assigned by netbuild",
    );
}

// ---- generators ----

#[test]
fn generator_with_two_kinds() {
    check(
        &format!("{NET}y = {{ uniform = [0, 1], normal = [0, 1] }}\n"),
        6,
        25,
        "two generators, 'uniform' and 'normal'",
    );
}

#[test]
fn generator_unknown_key() {
    check(
        &format!("{NET}y = {{ uniform = [0, 1], mni = 1 }}\n"),
        6,
        25,
        "unknown key 'mni' in the generator of 'y'; did you mean 'min'?",
    );
}

#[test]
fn generator_without_kind() {
    check(
        &format!("{NET}y = {{ min = 1 }}\n"),
        6,
        5,
        "expected a generator for 'y'",
    );
}

#[test]
fn uniform_reversed() {
    check(
        &format!("{NET}y = {{ uniform = [2.0, 1.0] }}\n"),
        6,
        17,
        "lo (2) is greater than hi (1)",
    );
}

#[test]
fn uniform_wrong_shape() {
    check(
        &format!("{NET}y = {{ uniform = [2.0] }}\n"),
        6,
        17,
        "expected an array of two numbers [lo, hi]",
    );
    check(
        &format!("{NET}y = {{ uniform = [0, \"a\"] }}\n"),
        6,
        21,
        "expected a finite number for 'uniform' of 'y'",
    );
}

#[test]
fn normal_negative_sd() {
    check(
        &format!("{NET}y = {{ normal = [0.0, -1.0] }}\n"),
        6,
        22,
        "expected a standard deviation >= 0",
    );
}

#[test]
fn unreachable_min() {
    check(
        &format!("{NET}y = {{ uniform = [0.0, 1.0], min = 2.0 }}\n"),
        6,
        29,
        "never gives a value in [2, inf]",
    );
    check(
        &format!("{NET}y = {{ normal = [0.0, 1.0], min = 40.0 }}\n"),
        6,
        28,
        "redrawing would never end",
    );
    check(
        &format!("{NET}y = {{ normal = [0.0, 1.0], min = 3.0, max = 1.0 }}\n"),
        6,
        28,
        "min (3) is greater than max (1)",
    );
}

#[test]
fn min_on_other_generators() {
    check(
        &format!("{NET}y = {{ uniform_int = [0, 5], min = 1 }}\n"),
        6,
        29,
        "apply to 'uniform' and 'normal' only",
    );
}

#[test]
fn bad_dtype() {
    check(
        &format!("{NET}y = {{ uniform = [0, 1], dtype = \"float\" }}\n"),
        6,
        33,
        "did you mean 'f32'?",
    );
    check(
        &format!("{NET}y = {{ uniform = [0, 1], dtype = \"f16\" }}\n"),
        6,
        33,
        "expected one of f32, f64, i32, i64, u32, u64 for dtype",
    );
}

#[test]
fn unsigned_dtype_of_negative_values() {
    check(
        &format!("{NET}y = {{ uniform_int = [-3, 3], dtype = \"u32\" }}\n"),
        6,
        38,
        "dtype u32 cannot hold negative values",
    );
    check(&format!("{NET}y = {{ normal = [1, 1], dtype = \"u64\" }}\n"), 6, 32, "dtype u64 cannot hold negative values, and this generator can give values in [-inf, inf] (add min = 0)");
}

#[test]
fn empty_choice() {
    check(&format!("{NET}y = {{ choice = [] }}\n"), 6, 16, "is empty");
}

#[test]
fn generators_are_read() {
    let s = parse_str(
        &format!("{NET}a = {{ normal = [5, 1], min = 0, dtype = \"f32\" }}\nb = {{ uniform_int = [1, 4] }}\nc = {{ linspace = [0, 9] }}\nd = {{ choice = [\"p\", \"q\"] }}\n"),
        &spec_path(),
    )
    .unwrap();
    let g = |i: usize| match &s.nodes[0].node_props[i].1 {
        NodeValues::Generator(g) => g.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(g(1).kind, GenKind::Normal { mean: 5.0, sd: 1.0 });
    assert_eq!(
        (g(1).min, g(1).max, g(1).dtype),
        (Some(0.0), None, Some(Dtype::F32))
    );
    assert_eq!(g(2).kind, GenKind::UniformInt { lo: 1, hi: 4 });
    assert_eq!(
        g(3).kind,
        GenKind::Linspace {
            start: 0.0,
            stop: 9.0
        }
    );
    assert_eq!(
        g(4).kind,
        GenKind::Choice(vec![Scalar::Str("p".into()), Scalar::Str("q".into())])
    );
}

// ---- csv columns ----

#[test]
fn csv_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!("{NET}y = {{ csv = \"nothere.csv\", column = \"y\" }}\n");
    check_in_file(dir.path(), &src, "spec.toml", 6, 7, "cannot read csv file");
}

#[test]
fn csv_wrong_rows_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cells.csv"), "id,depth\n0,1.5\n1,2\n2,3\n").unwrap();
    let src = format!("{NET}y = {{ csv = \"cells.csv\", column = \"depth\" }}\n");
    check_in_file(
        dir.path(),
        &src,
        "spec.toml",
        6,
        7,
        "has 3 data rows; expected exactly N = 10",
    );
    let src = format!("{NET}y = {{ csv = \"cells.csv\", column = \"dept\" }}\n");
    check_in_file(
        dir.path(),
        &src,
        "spec.toml",
        6,
        7,
        "no column 'dept'; did you mean 'depth'?",
    );
    let src = format!("{NET}y = {{ csv = \"cells.csv\" }}\n");
    check_in_file(dir.path(), &src, "spec.toml", 6, 7, "needs a 'column'");
}

#[test]
fn csv_column_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cells.csv"),
        "id,depth,name\n0,1.5,a\n1,2,b\n",
    )
    .unwrap();
    let src = "[[nodes]]\nnetwork = \"a\"\nN = 2\nid = { csv = \"cells.csv\", column = \"id\" }\ndepth = { csv = \"cells.csv\", column = \"depth\" }\nname = { csv = \"cells.csv\", column = \"name\" }\n";
    let s = parse_str(src, &dir.path().join("spec.toml")).unwrap();
    let col = |i: usize| match &s.nodes[0].node_props[i].1 {
        NodeValues::Generator(Generator {
            kind: GenKind::Csv(v),
            ..
        }) => v.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(col(0), vec![Scalar::Int(0), Scalar::Int(1)]);
    assert_eq!(col(1), vec![Scalar::Float(1.5), Scalar::Float(2.0)]);
    assert_eq!(
        col(2),
        vec![Scalar::Str("a".into()), Scalar::Str("b".into())]
    );
}

#[test]
fn csv_short_row_is_located_in_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cells.csv"), "id,depth\n0,1.5\n1\n").unwrap();
    let src =
        "[[nodes]]\nnetwork = \"a\"\nN = 2\ndepth = { csv = \"cells.csv\", column = \"depth\" }\n";
    check_in_file(
        dir.path(),
        src,
        "cells.csv",
        3,
        1,
        "this row has 1 fields; expected 2",
    );
}

// ---- [[edges]]: selectors ----

#[test]
fn unknown_network_in_selector() {
    check(
        &format!("{NET}[[edges]]\nsource = {{ network = \"nett\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\n"),
        7,
        22,
        "unknown network 'nett': no [[nodes]] block defines it; did you mean 'net'?",
    );
}

#[test]
fn selector_without_network() {
    check(
        &format!("{NET}[[edges]]\nsource = {{ ei = \"e\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\n"),
        7,
        10,
        "missing required key 'network' in source",
    );
}

#[test]
fn unknown_filter_property() {
    check(
        &format!("{NET}[[edges]]\nsource = {{ network = \"net\", eii = \"e\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\n"),
        7,
        29,
        "unknown property 'eii' in source selector: no [[nodes]] block of network 'net' defines it; did you mean 'ei'?",
    );
}

#[test]
fn node_ids_select_without_a_block_defining_them() {
    let s = parse_str(
        &format!("{NET}[[edges]]\nsource = {{ network = \"net\", node_id = [0, 2] }}\ntarget = {{ network = \"net\", node_type_id = 100 }}\nrule = {{ all_to_all = true }}\n"),
        &spec_path(),
    )
    .unwrap();
    assert_eq!(s.edges[0].source.filters[0].0, "node_id");
    assert_eq!(s.edges[0].target.filters[0].0, "node_type_id");
}

#[test]
fn filter_lists_are_read() {
    let s = parse_str(
        &format!("{EDGE}rule = {{ all_to_all = true }}\n"),
        &spec_path(),
    )
    .unwrap();
    assert!(matches!(s.edges[0].rule, Rule::AllToAll));
    let s = parse_str(
        &format!("{NET}[[edges]]\nsource = {{ network = \"net\", ei = [\"e\", \"i\"] }}\ntarget = {{ network = \"net\" }}\nrule = {{ one_to_one = true }}\n"),
        &spec_path(),
    )
    .unwrap();
    assert_eq!(
        s.edges[0].source.filters,
        vec![(
            "ei".to_string(),
            vec![Scalar::Str("e".into()), Scalar::Str("i".into())]
        )]
    );
}

// ---- [[edges]]: rules ----

#[test]
fn no_rule() {
    check(
        &format!("{EDGE}syn_weight = 1.0\n"),
        6,
        1,
        "missing required key 'rule' in [[edges]]",
    );
}

#[test]
fn empty_rule() {
    check(
        &format!("{EDGE}rule = {{ autapses = true }}\n"),
        9,
        8,
        "expected one connection rule",
    );
}

#[test]
fn two_rule_kinds() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1, indegree = 5 }}\n"),
        9,
        29,
        "rule has two kinds, 'probability' and 'indegree'",
    );
}

#[test]
fn misspelt_rule_key() {
    check(
        &format!("{EDGE}rule = {{ probabilty = 0.1 }}\n"),
        9,
        10,
        "unknown key 'probabilty' in rule; did you mean 'probability'?",
    );
}

#[test]
fn probability_out_of_range() {
    check(
        &format!("{EDGE}rule = {{ probability = 1.5 }}\n"),
        9,
        24,
        "expected a number in [0, 1] for probability, found 1.5",
    );
}

#[test]
fn constant_probability_expression_out_of_range() {
    check(
        &format!("{EDGE}rule = {{ probability = \"2 * 0.8\" }}\n"),
        9,
        24,
        "expected a number in [0, 1] for probability, found 1.6",
    );
    let s = parse_str(
        &format!("{EDGE}rule = {{ probability = \"0.5 * 0.5\" }}\n"),
        &spec_path(),
    )
    .unwrap();
    assert!(matches!(s.edges[0].rule, Rule::Probability(Value::Const(p)) if p == 0.25));
}

#[test]
fn one_to_one_false() {
    check(
        &format!("{EDGE}rule = {{ one_to_one = false }}\n"),
        9,
        23,
        "expected true for one_to_one",
    );
}

#[test]
fn indegree_negative() {
    check(
        &format!("{EDGE}rule = {{ indegree = -2 }}\n"),
        9,
        21,
        "expected an integer >= 0 for indegree",
    );
}

#[test]
fn bad_max_distance() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1, max_distance = -1.0 }}\n"),
        9,
        44,
        "expected a number > 0 (micrometres) for max_distance",
    );
}

#[test]
fn autapses_outside_rule() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\nautapses = true\n"),
        10,
        1,
        "'autapses' belongs inside the rule table",
    );
}

#[test]
fn misspelt_block_table() {
    check(
        &format!("{EDGE}rul = {{ probability = 0.1 }}\n"),
        9,
        1,
        "unknown key 'rul' in [[edges]]; did you mean 'rule'?",
    );
}

// ---- expressions ----

#[test]
fn bad_expression() {
    let e = fails(&format!("{EDGE}rule = {{ probability = \"0.1 * * d\" }}\n"));
    assert!(
        e.message.contains("invalid expression for probability"),
        "{}",
        e.message
    );
    assert_eq!(e.loc.line, 9);
    // The error lies inside the string, at or after the second '*' (column 31).
    assert!(
        (30..=33).contains(&e.loc.col),
        "col {}: {}",
        e.loc.col,
        e.message
    );
}

#[test]
fn unknown_function() {
    let e = fails(&format!(
        "{EDGE}rule = {{ probability = \"0.1 * exq(-d)\" }}\n"
    ));
    assert_eq!((e.loc.line, e.loc.col), (9, 31), "{}", e.message);
}

#[test]
fn unknown_variable_in_expression() {
    check(
        &format!("{EDGE}rule = {{ probability = \"0.1 * exp(-d / 100) * src.tuning\" }}\n"),
        9,
        47,
        "unknown property 'tuning' in src.tuning: no [[nodes]] block of source network 'net' defines it",
    );
    // x, y and z always exist.
    parse_str(
        &format!("{EDGE}rule = {{ probability = \"0.1 * (src.y < trg.z)\" }}\n"),
        &spec_path(),
    )
    .unwrap();
}

#[test]
fn misspelt_variable_suggests() {
    check(
        &format!("{NET}y = {{ uniform = [0, 1] }}\n[[edges]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ count = \"trg.yy > 0.5\" }}\n"),
        10,
        19,
        "did you mean 'y'?",
    );
}

#[test]
fn string_property_in_expression() {
    check(
        &format!("{EDGE}rule = {{ count = \"src.ei\" }}\n"),
        9,
        19,
        "src.ei reads a string property",
    );
}

#[test]
fn expression_column_after_escape() {
    // "\u0041" is one byte decoded but six in the file: the variable's column counts the raw text.
    check(
        &format!("{EDGE}rule = {{ count = \"\\u0031 + src.q\" }}\n"),
        9,
        28,
        "unknown property 'q'",
    );
}

#[test]
fn expression_in_edge_property() {
    check(
        &format!(
            "{EDGE}rule = {{ probability = 0.1 }}\n[edges.properties]\ndelay = \"1 + trg.depth\"\n"
        ),
        11,
        14,
        "unknown property 'depth' in trg.depth",
    );
}

// ---- nsyns and edge properties ----

#[test]
fn nsyns_zero() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\nnsyns = 0\n"),
        10,
        9,
        "expected an integer >= 1 or { uniform_int = [lo, hi] }",
    );
}

#[test]
fn nsyns_reversed_range() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\nnsyns = {{ uniform_int = [3, 1] }}\n"),
        10,
        25,
        "nsyns: lo (3) is greater than hi (1)",
    );
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\nnsyns = {{ uniform_int = [0, 1] }}\n"),
        10,
        26,
        "expected an integer >= 1",
    );
}

#[test]
fn edge_property_bad_dtype() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\n[edges.properties]\nw = {{ expr = \"1.0\", dtype = \"f8\" }}\n"),
        11,
        29,
        "expected one of f32, f64, i32, i64, u32, u64 for dtype",
    );
}

#[test]
fn edge_property_reserved() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\n[edges.properties]\nnsyns = \"2\"\n"),
        11,
        1,
        "'nsyns' is written by netbuild",
    );
}

#[test]
fn linspace_per_edge() {
    check(&format!("{EDGE}rule = {{ probability = 0.1 }}\n[edges.properties]\nw = {{ linspace = [0, 1] }}\n"), 11, 7, "only for [[nodes]] properties");
}

#[test]
fn edge_type_property_array() {
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\nsyn_weight = [1, 2]\n"),
        10,
        14,
        "expected a string, number or boolean (an edge-type property",
    );
}

#[test]
fn edge_properties_are_read() {
    let s = parse_str(
        &format!("{EDGE}rule = {{ count = \"randint(1, 3)\" }}\nnsyns = {{ uniform_int = [1, 3] }}\nsyn_weight = 0.5\n[edges.properties]\ndelay = \"1 + d / 100\"\nw = {{ expr = \"normal(1, 0.1)\", dtype = \"f32\" }}\nk = {{ uniform_int = [1, 5] }}\nc = 2.5\n"),
        &spec_path(),
    )
    .unwrap();
    let e = &s.edges[0];
    assert!(matches!(e.rule, Rule::Count(Value::Expr(_))));
    assert_eq!(e.nsyns, Nsyns::UniformInt(1, 3));
    assert_eq!(
        e.type_props,
        vec![("syn_weight".to_string(), Scalar::Float(0.5))]
    );
    let p: Vec<(&str, Dtype)> = e
        .edge_props
        .iter()
        .map(|p| (p.name.as_str(), p.dtype))
        .collect();
    assert_eq!(
        p,
        [
            ("delay", Dtype::F64),
            ("w", Dtype::F32),
            ("k", Dtype::F64),
            ("c", Dtype::F64)
        ]
    );
    assert!(
        matches!(&e.edge_props[2].value, EdgeValue::Generator(g) if g.kind == GenKind::UniformInt { lo: 1, hi: 5 })
    );
    assert!(matches!(&e.edge_props[3].value, EdgeValue::Expr(x) if x.constant() == Some(2.5)));
}

// ---- gap junctions ----

#[test]
fn gap_junction_without_resistance() {
    check(
        &format!("{NET}[[gap_junctions]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\n"),
        6,
        1,
        "[[gap_junctions]] needs 'resistance' (megaohm), 'conductance' (microsiemens) or, as BMTK stores it, 'syn_weight' (the conductance)",
    );
    check(
        &format!("{NET}[[gap_junctions]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\nsyn_weight = \"big\"\n"),
        10,
        14,
        "expected a finite number for syn_weight (the conductance",
    );
}

/// BMTK's `add_gap_junctions` keeps only `syn_weight` (1/resistance or the conductance).
#[test]
fn gap_junction_conductance_as_syn_weight() {
    let s = parse_str(
        &format!("{NET}[[gap_junctions]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\nsyn_weight = 0.0005\n"),
        &spec_path(),
    )
    .unwrap();
    assert_eq!(s.edges[0].gap, Some(Gap::SynWeight));
}

#[test]
fn gap_junction_with_both() {
    check(
        &format!("{NET}[[gap_junctions]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\nresistance = 1.0\nconductance = 2.0\n"),
        11,
        1,
        "both 'resistance' and 'conductance'",
    );
    check(
        &format!("{NET}[[gap_junctions]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\nconductance = 0\n"),
        10,
        15,
        "expected a number > 0 for conductance",
    );
}

#[test]
fn gap_blocks_follow_edge_blocks() {
    let s = parse_str(
        &format!("{NET}[[gap_junctions]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 0.1 }}\nconductance = 2.0\n[[edges]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ total = 7 }}\n"),
        &spec_path(),
    )
    .unwrap();
    assert!(matches!(s.edges[0].rule, Rule::Total(7)));
    assert_eq!(s.edges[0].gap, None);
    assert_eq!(s.edges[1].gap, Some(Gap::Conductance(2.0)));
    assert_eq!(s.edges[1].loc.line, 6);
}

// ---- edge list files ----

#[test]
fn edge_file_missing() {
    let dir = tempfile::tempdir().unwrap();
    check_in_file(
        dir.path(),
        &format!("{EDGE}rule = {{ file = \"e.csv\" }}\n"),
        "spec.toml",
        9,
        17,
        "cannot read edge file",
    );
}

#[test]
fn edge_file_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!("{EDGE}rule = {{ file = \"e.csv\" }}\n");
    std::fs::write(
        dir.path().join("e.csv"),
        "source_node_id,target_node_id,nsyns\n0,1,2\n3,x,1\n",
    )
    .unwrap();
    check_in_file(
        dir.path(),
        &src,
        "e.csv",
        3,
        3,
        "expected a node id (an integer >= 0) for target_node_id, found 'x'",
    );
    std::fs::write(
        dir.path().join("e.csv"),
        "source_node_id,target_node_id\n0,1\n10,2\n",
    )
    .unwrap();
    check_in_file(
        dir.path(),
        &src,
        "e.csv",
        3,
        1,
        "source_node_id 10 is not a node of network 'net'",
    );
    std::fs::write(dir.path().join("e.csv"), "0,1\n").unwrap();
    check_in_file(
        dir.path(),
        &src,
        "e.csv",
        1,
        1,
        "expected the header source_node_id,target_node_id[,nsyns]",
    );
    std::fs::write(
        dir.path().join("e.csv"),
        "source_node_id,target_node_id,nsyns\n0,1,0\n",
    )
    .unwrap();
    check_in_file(dir.path(), &src, "e.csv", 2, 5, "for nsyns");
}

#[test]
fn edge_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("e.csv"),
        "source_node_id,target_node_id,nsyns\n0,1,2\n9,0,1\n",
    )
    .unwrap();
    let s = parse_str(
        &format!("{EDGE}rule = {{ file = \"e.csv\" }}\n"),
        &dir.path().join("spec.toml"),
    )
    .unwrap();
    match &s.edges[0].rule {
        Rule::File(f) => assert_eq!(
            f.rows,
            &[
                FileEdge {
                    source: 0,
                    target: 1,
                    nsyns: Some(2),
                    line: 2
                },
                FileEdge {
                    source: 9,
                    target: 0,
                    nsyns: Some(1),
                    line: 3
                }
            ]
        ),
        other => panic!("{other:?}"),
    }
}

// ---- files ----

#[test]
fn load_reports_unreadable_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(&dir.path().join("missing.toml")).unwrap_err();
    assert!(
        e.message.contains("cannot read the spec file"),
        "{}",
        e.message
    );
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, b"[build]\nseed = \"\xff\"\n").unwrap();
    let e = load(&p).unwrap_err();
    assert!(e.message.contains("not UTF-8"), "{}", e.message);
    assert_eq!((e.loc.line, e.loc.col), (2, 9));
}

#[test]
fn display_is_file_line_col_message() {
    let e = fails("[build]\nsede = 1\n");
    assert_eq!(
        e.to_string(),
        "/nonexistent/dir/spec.toml:2:1: unknown key 'sede' in [build]; did you mean 'seed'?"
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let e = fails(&deep);
    assert!(e.message.contains("invalid TOML"), "{}", e.message);
    let deep = format!(
        "{EDGE}rule = {{ probability = \"{}d{}\" }}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let e = fails(&deep);
    assert!(e.message.contains("invalid expression"), "{}", e.message);
}

// ---- file rules: property columns, dtypes, SONATA files, warnings ----

#[test]
fn edge_file_property_columns_are_read_with_their_dtypes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("e.csv"),
        "source_node_id,target_node_id,syn_weight,delay\n0,1,0.1,2\n9,0,-3e-5,1.5\n",
    )
    .unwrap();
    let s = parse_str(
        &format!(
            "{EDGE}rule = {{ file = \"e.csv\", dtypes = {{ delay = \"f32\" }} }}\n[edges.properties]\nextra = \"1\"\n"
        ),
        &dir.path().join("spec.toml"),
    )
    .unwrap();
    let e = &s.edges[0];
    let Rule::File(f) = &e.rule else {
        panic!("{:?}", e.rule)
    };
    assert_eq!(
        f.columns,
        vec![
            ("syn_weight".into(), Dtype::F64),
            ("delay".into(), Dtype::F32)
        ]
    );
    assert_eq!(f.values, vec![0.1, 2.0, -3e-5, 1.5]);
    assert_eq!(f.row_values(1), &[-3e-5, 1.5]);
    assert_eq!(f.place(f.rows[1].line), "e.csv:3");
    let props: Vec<_> = e.edge_props.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(props, ["syn_weight", "delay", "extra"]);
    assert!(matches!(e.edge_props[1].value, EdgeValue::FileColumn(1)));
    assert_eq!(e.edge_props[1].dtype, Dtype::F32);
    assert_eq!((e.edge_props[1].loc.line, e.edge_props[1].loc.col), (1, 42));
    assert_eq!(*e.edge_props[1].loc.file, dir.path().join("e.csv"));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn edge_file_property_column_errors() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |text: &str| std::fs::write(dir.path().join("e.csv"), text).unwrap();
    let file_rule = |extra: &str| format!("{EDGE}rule = {{ file = \"e.csv\"{extra} }}\n");
    csv("source_node_id,target_node_id,w\n0,1,0.5\n2,3,abc\n");
    check_in_file(
        dir.path(),
        &file_rule(""),
        "e.csv",
        3,
        5,
        "expected a finite number (f64) for column 'w', found 'abc'",
    );
    csv("source_node_id,target_node_id,w\n0,1,inf\n");
    check_in_file(dir.path(), &file_rule(""), "e.csv", 2, 5, "found 'inf'");
    csv("source_node_id,target_node_id,w\n0,1,-5\n");
    check_in_file(
        dir.path(),
        &file_rule(", dtypes = { w = \"u32\" }"),
        "e.csv",
        2,
        5,
        "expected an integer in 0..=4294967295 (u32) for column 'w', found '-5'",
    );
    check_in_file(
        dir.path(),
        &file_rule(", dtypes = { ww = \"u32\" }"),
        "spec.toml",
        9,
        37,
        "dtypes names 'ww', which is not a property column of 'e.csv'; did you mean 'w'?",
    );
    check_in_file(
        dir.path(),
        &file_rule(", population = \"p\""),
        "spec.toml",
        9,
        26,
        "'population' names a population of a SONATA edges file (.h5)",
    );
    csv("source_node_id,target_node_id,w,w\n0,1,1,2\n");
    check_in_file(
        dir.path(),
        &file_rule(""),
        "e.csv",
        1,
        33,
        "column 'w' appears twice",
    );
    csv("source_node_id,target_node_id,edge_type_id\n0,1,1\n");
    check_in_file(
        dir.path(),
        &file_rule(""),
        "e.csv",
        1,
        31,
        "'edge_type_id' is written by netbuild",
    );
    csv("source_node_id,target_node_id,w\n0,1,1\n");
    check_in_file(
        dir.path(),
        &format!("{}[edges.properties]\nw = 2\n", file_rule("")),
        "spec.toml",
        11,
        5,
        "per-edge property 'w' is also a column of the rule's file (",
    );
    check(
        &format!("{EDGE}rule = {{ probability = 0.1, dtypes = {{ w = \"f32\" }} }}\n"),
        9,
        29,
        "'dtypes' belongs to a file rule; this rule is 'probability'",
    );
}

/// A SONATA edges file of a `file` rule is read by the loader itself (as `[[import]]`'s files
/// are): a missing one is an error at the file name, an unreadable one at the rule.
#[test]
fn sonata_edge_file_is_read_by_the_loader() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!("{EDGE}rule = {{ file = \"e.h5\", population = \"a_to_b\" }}\n");
    check_in_file(
        dir.path(),
        &src,
        "spec.toml",
        9,
        17,
        "cannot read SONATA edges file",
    );
    std::fs::write(dir.path().join("e.h5"), "").unwrap();
    let e = parse_str(&src, &dir.path().join("spec.toml")).unwrap_err();
    assert_eq!(e.loc.line, 9, "{e}");
    assert!(e.message.contains("e.h5: cannot open"), "{e}");
}

/// An expression reading a distance on a network without positions builds, with a warning at
/// the expression (every distance is then 0).
#[test]
fn distance_without_positions_warns() {
    let src = "[[nodes]]\nnetwork = \"n\"\nN = 5\n[[edges]]\nsource = { network = \"n\" }\ntarget = { network = \"n\" }\nrule = { probability = \"exp(-d)\" }\n[edges.properties]\nsyn_weight = \"1 / d\"\ndelay = 1\n";
    let s = parse_str(src, &spec_path()).unwrap();
    let w: Vec<_> = s
        .warnings
        .iter()
        .map(|w| (w.loc.line, w.loc.col, w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (7, 1, "the rule reads 'd' but network 'n' has no positions (x, y, z): every distance is 0"),
            (9, 14, "property 'syn_weight' reads 'd' but network 'n' has no positions (x, y, z): every distance is 0"),
        ]
    );
    // A network with positions: no warning.
    let placed = src.replace("N = 5\n", "N = 5\nx = 1.0\n");
    assert!(parse_str(&placed, &spec_path())
        .unwrap()
        .warnings
        .is_empty());
}

/// A block head (lines 1-3) for `positions` tests: the `positions` line is line 4.
fn positions(n: u64, table: &str) -> String {
    format!("[[nodes]]\nnetwork = \"net\"\nN = {n}\npositions = {table}\n")
}

#[test]
fn positions_are_read_as_written() {
    let src = positions(
        10,
        "{ cylinder = [400, 50.0, 169.0], center = [1, 2, 3], min_distance = 2.5 }",
    );
    let s = parse_str(&src, &spec_path()).unwrap();
    let b = &s.nodes[0];
    assert_eq!(
        b.positions,
        Some(Positions {
            shape: Shape::Cylinder {
                radius: 400.0,
                y_lo: 50.0,
                y_hi: 169.0
            },
            center: [1.0, 2.0, 3.0],
            min_distance: Some(2.5),
        })
    );
    assert_eq!(
        b.positions_loc.as_ref().map(|l| (l.line, l.col)),
        Some((4, 1))
    );
    assert!(b.node_props.is_empty() && b.type_props.is_empty());
    let s = parse_str(
        &positions(5, "{ box = [[0, 1], [2, 3.5], [-4, 4]] }"),
        &spec_path(),
    )
    .unwrap();
    assert_eq!(
        s.nodes[0]
            .positions
            .map(|p| (p.shape, p.center, p.min_distance)),
        Some((
            Shape::Box {
                lo: [0.0, 2.0, -4.0],
                hi: [1.0, 3.5, 4.0]
            },
            [0.0; 3],
            None
        ))
    );
    let s = parse_str(&positions(5, "{ sphere = 7 }"), &spec_path()).unwrap();
    assert_eq!(
        s.nodes[0].positions.map(|p| p.shape),
        Some(Shape::Sphere { radius: 7.0 })
    );
}

#[test]
fn positions_make_x_y_z_properties_of_the_network() {
    // A selector on a position names a property the network defines.
    let src = positions(10, "{ sphere = 7 }")
        + "[[edges]]\nsource = { network = \"net\", z = 0.0 }\ntarget = { network = \"net\" }\nrule = { probability = \"trg.y > src.x\" }\n";
    assert!(parse_str(&src, &spec_path()).is_ok());
}

#[test]
fn positions_shape_errors() {
    check(
        &positions(10, "{ cylinder = [-1.0, 0.0, 10.0] }"),
        4,
        27,
        "expected a radius >= 0 for 'cylinder' of 'positions', found the float -1",
    );
    check(
        &positions(10, "{ cylinder = [100.0, 50.0, 10.0] }"),
        4,
        26,
        "y_lo (50) is greater than y_hi (10)",
    );
    check(
        &positions(10, "{ cylinder = [100.0, 10.0] }"),
        4,
        26,
        "expected an array of three numbers [radius, y_lo, y_hi] for 'cylinder' of 'positions', found 2 values",
    );
    check(
        &positions(10, "{ cylinder = [100.0, \"a\", 5] }"),
        4,
        34,
        "expected a finite number for 'cylinder' of 'positions'",
    );
    check(
        &positions(10, "{ box = [[0, 1], [0, 1]] }"),
        4,
        21,
        "found 2 ranges",
    );
    check(
        &positions(10, "{ box = [[0, 1], [0, 1, 2], [0, 1]] }"),
        4,
        30,
        "expected an array of two numbers [y0, y1] for the y range of 'box' of 'positions'",
    );
    check(
        &positions(10, "{ box = [[0, 1], [0, 1], [5, -5]] }"),
        4,
        38,
        "z0 (5) is greater than z1 (-5)",
    );
    check(
        &positions(10, "{ sphere = -5 }"),
        4,
        24,
        "expected a radius >= 0 for 'sphere' of 'positions'",
    );
    check(
        &positions(10, "{ sphere = [5] }"),
        4,
        24,
        "expected a finite number for 'sphere' of 'positions'",
    );
}

#[test]
fn positions_table_errors() {
    check(
        &positions(10, "[1.0, 2.0, 3.0]"),
        4,
        13,
        "expected a table like { cylinder = [radius, y_lo, y_hi] }",
    );
    check(
        &positions(10, "{ cube = [[0, 1], [0, 1], [0, 1]] }"),
        4,
        15,
        "unknown key 'cube' in 'positions'; did you mean 'box'?",
    );
    check(
        &positions(10, "{ sphere = 1, radius = 2 }"),
        4,
        27,
        "unknown key 'radius' in 'positions' (expected one of: cylinder, box, sphere, center, min_distance)",
    );
    check(
        &positions(10, "{ sphere = 10.0, box = [[0, 1], [0, 1], [0, 1]] }"),
        4,
        30,
        "'positions' has two shapes, 'sphere' and 'box'; expected exactly one",
    );
    check(
        &positions(10, "{ center = [0, 0, 0] }"),
        4,
        13,
        "expected a shape for 'positions': one of cylinder, box, sphere",
    );
    check(
        &positions(10, "{ sphere = 5, center = [1.0, 2.0] }"),
        4,
        36,
        "expected an array of three numbers [cx, cy, cz] for 'center' of 'positions', found 2 values",
    );
    check(
        &positions(10, "{ sphere = 5, min_distance = -1 }"),
        4,
        42,
        "expected a distance >= 0 (micrometres) for 'min_distance' of 'positions'",
    );
}

#[test]
fn positions_exclude_x_y_z() {
    for (key, value) in [("x", "1.0"), ("y", "{ uniform = [0, 1] }"), ("z", "[1, 2]")] {
        let src = positions(2, "{ sphere = 5 }") + &format!("{key} = {value}\n");
        check(
            &src,
            5,
            1,
            &format!("'{key}' is drawn by 'positions' (line 4, column 1); give either 'positions' or x, y, z"),
        );
    }
    // The other order is refused too, at the position key.
    let src = "[[nodes]]\nnetwork = \"net\"\nN = 2\nx = [1, 2]\npositions = { sphere = 5 }\n";
    check(src, 4, 1, "'x' is drawn by 'positions' (line 5, column 1)");
}

/// BMTK's `add_nodes(positions=<N x 3 array>)`: one per-node property `positions` of N rows,
/// beside which x, y, z may still be given; expressions read x, y, z (from its columns).
#[test]
fn positions_as_rows_are_a_per_node_property() {
    let src = positions(2, "[[1, 2.5, 3], [4, 5, 6]]")
        + "x = [7, 8]\n[[edges]]\nsource = { network = \"net\" }\ntarget = { network = \"net\" }\nrule = { probability = \"d < trg.z\" }\n";
    let s = parse_str(&src, &spec_path()).unwrap();
    assert!(s.nodes[0].positions.is_none());
    match &s.nodes[0].node_props[0] {
        (name, NodeValues::Rows { width: 3, values }) if name == "positions" => assert_eq!(
            values,
            &[1.0, 2.5, 3.0, 4.0, 5.0, 6.0].map(Scalar::Float).to_vec()
        ),
        other => panic!("{other:?}"),
    }
    // Any other name, any width, integers kept as integers.
    let s = parse_str(
        "[[nodes]]\nnetwork = \"a\"\nN = 2\nids = [[1, 2], [3, 4]]\n",
        &spec_path(),
    )
    .unwrap();
    assert!(matches!(
        &s.nodes[0].node_props[0].1,
        NodeValues::Rows { width: 2, values } if values[3] == Scalar::Int(4)
    ));
}

#[test]
fn rows_errors() {
    check(
        &positions(3, "[[1, 2, 3], [4, 5, 6]]"),
        4,
        13,
        "expected an array of N = 3 rows for 'positions', found 2 rows",
    );
    check(
        &positions(2, "[[1, 2, 3], [4, 5]]"),
        4,
        25,
        "expected row 2 of 'positions' to have 3 values, like the first row, found 2",
    );
    check(
        &positions(2, "[[], []]"),
        4,
        14,
        "expected row 1 of 'positions' to hold at least one number, found an empty array",
    );
    check(
        &positions(2, "[[1, 2, 3], 4]"),
        4,
        25,
        "expected an array for row 2 of 'positions'",
    );
    check(
        &positions(1, "[[1, \"a\", 3]]"),
        4,
        18,
        "expected a number (rows of several values per node hold numbers)",
    );
    // Expressions and selectors use single values: x, y, z read the positions.
    let net = positions(2, "[[1, 2, 3], [4, 5, 6]]");
    check(
        &format!("{net}[[edges]]\nsource = {{ network = \"net\" }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = \"trg.positions > 1\" }}\n"),
        8,
        25,
        "trg.positions reads a property of several values per node (network 'net', line 4); expressions compute with single numbers; trg.x, trg.y and trg.z read its columns",
    );
    check(
        &format!("{net}[[edges]]\nsource = {{ network = \"net\", positions = 1 }}\ntarget = {{ network = \"net\" }}\nrule = {{ probability = 1 }}\n"),
        6,
        29,
        "source selector filters on 'positions', a property of several values per node",
    );
}

#[test]
fn positions_that_cannot_fit_are_refused_up_front() {
    // 100000 balls of diameter 10 in a 100 um cube: far past what random placement can reach.
    check(
        &positions(
            100_000,
            "{ box = [[0, 100], [0, 100], [0, 100]], min_distance = 10.0 }",
        ),
        4,
        53,
        "this box is too small for N = 100000 nodes at least 10 apart",
    );
    // The bound is the 30% fill of the cube grown by 5 um (1.324e6 um^3; a ball is 523.6 um^3):
    // 790 nodes (31.2%) are refused, 730 (28.9%) accepted.
    let cube = "{ box = [[0, 100], [0, 100], [0, 100]], min_distance = 10.0 }";
    check(
        &positions(790, cube),
        4,
        53,
        "would fill 31% of its volume (grown by 5 on every side), while placing nodes at random stalls at about 30%",
    );
    assert!(parse_str(&positions(730, cube), &spec_path()).is_ok());
}

/// Cutting a `positions` spec anywhere, or dropping one character, never panics.
#[test]
fn mangled_positions_never_panic() {
    let text = positions(
        50,
        "{ box = [[0, 1e3], [-2, 2], [5, 6.5]], center = [1, 2, 3], min_distance = 0.5 }",
    ) + "[[nodes]]\nnetwork = \"b\"\nN = 3\npositions = { cylinder = [1, 0, 0], min_distance = 1 }\n"
        + "[[nodes]]\nnetwork = \"c\"\nN = 3\npositions = { sphere = 7.5 }\n";
    let bounds: Vec<usize> = (0..=text.len()).collect();
    let mut refused = 0;
    for &i in &bounds {
        refused += usize::from(parse_str(&text[..i], &spec_path()).is_err());
    }
    for w in bounds.windows(2) {
        let mangled = format!("{}{}", &text[..w[0]], &text[w[1]..]);
        refused += usize::from(parse_str(&mangled, &spec_path()).is_err());
    }
    assert!(
        refused > text.len(),
        "most mangled texts are refused ({refused})"
    );
    assert!(parse_str(&text, &spec_path()).is_ok());
}

#[test]
fn edge_locations_defaults_and_mistakes() {
    let base = format!("{EDGE}rule = {{ probability = 0.1 }}\n[edges.locations]\n");
    // Lines 9-10 hold the rule and the header: keys start on line 11.
    let s = parse_str(&base, &spec_path()).expect("defaults");
    let (l, _) = s.edges[0].locations.clone().expect("locations");
    assert_eq!(l.sections, ["soma", "apical", "basal"]);
    assert_eq!(l.distance_range, [0.0, 1.0e20]);
    assert_eq!(
        l.morphology_dir,
        Path::new("/nonexistent/dir/components/morphologies")
    );
    assert_eq!(l.dl, None);
    let s = parse_str(
        &format!("{base}sections = [\"dend\", \"apic\"]\ndistance_range = [30, 150.5]\nmorphology_dir = \"m\"\ndL = 20\n"),
        &spec_path(),
    )
    .expect("given");
    let (l, _) = s.edges[0].locations.clone().expect("locations");
    assert_eq!(l.sections, ["dend", "apic"]);
    assert_eq!(l.distance_range, [30.0, 150.5]);
    assert_eq!(l.morphology_dir, Path::new("/nonexistent/dir/m"));
    assert_eq!(l.dl, Some(20.0));

    check(
        &format!("{base}sections = [\"basal\", \"dendrite\"]\n"),
        11,
        22,
        "unknown section name 'dendrite'",
    );
    check(
        &format!("{base}sections = []\n"),
        11,
        12,
        "at least one section name",
    );
    check(
        &format!("{base}distance_range = [150.0, 30.0]\n"),
        11,
        18,
        "lo <= hi",
    );
    check(
        &format!("{base}distance_range = [1.0]\n"),
        11,
        18,
        "[lo, hi]",
    );
    check(&format!("{base}dL = 0\n"), 11, 6, "a positive number");
    check(
        &format!("{base}return_coords = 1\n"),
        11,
        17,
        "true or false",
    );
    check(
        &format!("{base}distance = [1.0, 2.0]\n"),
        11,
        1,
        "unknown key 'distance' in [edges.locations]",
    );
    check(
        &format!("{EDGE}rule = {{ probability = 0.1 }}\n[edges.properties]\nafferent_swc_id = \"1\"\n[edges.locations]\n"),
        11,
        19,
        "is a column [edges.locations] writes",
    );
}
