//! `[[nodes]]`: network blocks, property generators and csv columns.

use super::*;

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
