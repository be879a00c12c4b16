//! Files: edge list files, unreadable specs, `file` rules' property columns and dtypes, SONATA edge files.

use super::*;

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
