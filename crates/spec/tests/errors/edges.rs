//! `[[edges]]`: selectors, rules and expressions.

use super::*;

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
