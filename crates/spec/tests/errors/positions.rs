//! Positions: shapes, tables, rows, what cannot fit, and distance rules without them.

use super::*;

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
