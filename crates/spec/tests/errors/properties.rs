//! Edge properties: nsyns, properties, gap junctions and synapse locations (`[edges.locations]`).

use super::*;

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
