//! Statistical and exact tests of every connection rule, through the builder API.
//!
//! Exact where the rule fixes a number (in-degree, out-degree, totals, all-to-all, one-to-one,
//! files); within a few standard deviations where it draws one (Bernoulli counts, distance
//! profiles, nsyns, generated properties).

use netbuild_model::{
    all_nodes, generate_networks, generator, Circuit, Columns, Dtype, EdgeValue, FileEdge,
    FileEdges, GenKind, IssueKind, NodeValues, Nsyns, PreparedEdgeType, Rule, Scalar, SelectorExt,
    Value, VecSink,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

type Row = (usize, u64, u64, u32, Vec<f64>);

/// Every row of every edge type, connecting targets block by block (`blocks` contiguous blocks).
fn run_blocks(c: &Circuit, blocks: u64) -> Vec<Row> {
    let nets = generate_networks(c).unwrap();
    let mut cols = Columns::new(&nets);
    let prepared: Vec<_> = c
        .edge_types
        .iter()
        .enumerate()
        .map(|(i, d)| PreparedEdgeType::prepare(i, d, c.seed, &mut cols).expect("prepare"))
        .collect();
    let mut sink = VecSink::default();
    for e in &prepared {
        let n = e.target_network().n;
        let step = n.div_ceil(blocks).max(1);
        let mut start = 0;
        while start < n {
            let end = (start + step).min(n);
            let state = e.prepare_block(start..end);
            let mut scratch = Default::default();
            for t in start..end {
                if e.is_target(t) {
                    e.connect(&state, t, &mut scratch, &mut sink).unwrap();
                }
            }
            start = end;
        }
    }
    sink.rows
}

fn run(c: &Circuit) -> Vec<Row> {
    run_blocks(c, 1)
}

fn uniform(lo: f64, hi: f64) -> NodeValues {
    NodeValues::Generator(generator(GenKind::Uniform { lo, hi }))
}

fn cube(c: &mut Circuit, net: &str, n: u64, side: f64, ei: &str) {
    c.add_nodes(net, n)
        .type_prop("ei", Scalar::Str(ei.into()))
        .prop("x", uniform(0.0, side))
        .prop("y", uniform(0.0, side))
        .prop("z", uniform(0.0, side));
}

fn within_sd(observed: f64, mean: f64, var: f64, k: f64) -> bool {
    (observed - mean).abs() <= k * var.sqrt().max(1e-9)
}

#[test]
fn bernoulli_constant_count_no_autapses_and_block_independence() {
    let mut c = Circuit::new(11);
    cube(&mut c, "net", 2000, 100.0, "e");
    c.add_edges(
        all_nodes("net"),
        all_nodes("net"),
        Rule::Probability(Value::Const(0.05)),
    );
    let rows = run(&c);
    let pairs = 2000.0 * 1999.0;
    assert!(
        within_sd(rows.len() as f64, pairs * 0.05, pairs * 0.05 * 0.95, 5.0),
        "{}",
        rows.len()
    );
    assert!(rows.iter().all(|r| r.1 != r.2), "autapse");
    // Sorted by target, then source, unique pairs.
    assert!(rows.windows(2).all(|w| (w[0].2, w[0].1) < (w[1].2, w[1].1)));
    assert_eq!(
        rows,
        run_blocks(&c, 7),
        "rows depend on how targets are split"
    );
}

#[test]
fn autapses_allowed_when_asked() {
    let mut c = Circuit::new(1);
    cube(&mut c, "net", 50, 10.0, "e");
    c.add_edges(all_nodes("net"), all_nodes("net"), Rule::AllToAll)
        .autapses(true);
    let rows = run(&c);
    assert_eq!(rows.len(), 2500);
    assert_eq!(rows.iter().filter(|r| r.1 == r.2).count(), 50);
}

#[test]
fn distance_profile_follows_the_expression_and_max_distance() {
    let mut c = Circuit::new(5);
    cube(&mut c, "net", 3000, 500.0, "e");
    let expr = netbuild_expr::Expr::parse("0.4 * exp(-d*d / (2 * 80 * 80))").unwrap();
    c.add_edges(
        all_nodes("net"),
        all_nodes("net"),
        Rule::Probability(Value::Expr(expr.clone())),
    )
    .max_distance(250.0);
    let rows = run(&c);
    let nets = generate_networks(&c).unwrap();
    let (x, y, z) = (
        nets[0].numeric("x"),
        nets[0].numeric("y"),
        nets[0].numeric("z"),
    );
    let dist = |a: usize, b: usize| {
        ((x[a] - x[b]).powi(2) + (y[a] - y[b]).powi(2) + (z[a] - z[b]).powi(2)).sqrt()
    };
    assert!(rows
        .iter()
        .all(|r| dist(r.1 as usize, r.2 as usize) <= 250.0));
    // Every pair binned by distance: expected = sum of p, variance = sum of p(1-p).
    let bins = 10usize;
    let width = 250.0 / bins as f64;
    let mut expected = vec![0.0; bins];
    let mut var = vec![0.0; bins];
    for a in 0..3000 {
        for b in 0..3000 {
            let d = dist(a, b);
            if a != b && d <= 250.0 {
                let p = 0.4 * (-d * d / (2.0 * 80.0 * 80.0)).exp();
                let k = ((d / width) as usize).min(bins - 1);
                expected[k] += p;
                var[k] += p * (1.0 - p);
            }
        }
    }
    let mut observed = vec![0.0; bins];
    for r in &rows {
        let k = ((dist(r.1 as usize, r.2 as usize) / width) as usize).min(bins - 1);
        observed[k] += 1.0;
    }
    for k in 0..bins {
        assert!(
            within_sd(observed[k], expected[k], var[k], 5.0),
            "bin {k}: {} vs {}",
            observed[k],
            expected[k]
        );
    }
}

#[test]
fn indegree_is_exact_distinct_and_uniform() {
    let mut c = Circuit::new(3);
    cube(&mut c, "net", 400, 100.0, "e");
    cube(&mut c, "net", 100, 100.0, "i");
    c.add_edges(
        all_nodes("net").filters_eq("ei", "e"),
        all_nodes("net"),
        Rule::Indegree(50),
    )
    .nsyns(Nsyns::Fixed(3));
    let rows = run(&c);
    let mut by_target: HashMap<u64, BTreeSet<u64>> = HashMap::new();
    for r in &rows {
        assert!(r.1 < 400, "source outside the selection");
        assert_ne!(r.1, r.2);
        assert_eq!(r.3, 3);
        assert!(
            by_target.entry(r.2).or_default().insert(r.1),
            "repeated source"
        );
    }
    assert_eq!(by_target.len(), 500);
    assert!(by_target.values().all(|s| s.len() == 50));
    // Each source is picked about 500*50/400 = 62.5 times.
    let mut hits = vec![0u32; 400];
    for r in &rows {
        hits[r.1 as usize] += 1;
    }
    assert!(hits.iter().all(|&h| (25..=110).contains(&h)), "{hits:?}");
}

#[test]
fn indegree_above_the_sources_is_refused() {
    let mut c = Circuit::new(3);
    cube(&mut c, "net", 10, 1.0, "e");
    c.add_edges(all_nodes("net"), all_nodes("net"), Rule::Indegree(10));
    let nets = generate_networks(&c).unwrap();
    let mut cols = Columns::new(&nets);
    let err = PreparedEdgeType::prepare(0, &c.edge_types[0], 3, &mut cols)
        .err()
        .expect("must fail");
    assert!(err.to_string().contains("indegree = 10"), "{err}");
}

#[test]
fn outdegree_is_exact_and_independent_of_blocks() {
    let mut c = Circuit::new(8);
    cube(&mut c, "a", 300, 1.0, "e");
    c.add_edges(all_nodes("a"), all_nodes("a"), Rule::Outdegree(20));
    let rows = run(&c);
    let mut by_source: HashMap<u64, BTreeSet<u64>> = HashMap::new();
    for r in &rows {
        assert_ne!(r.1, r.2);
        assert!(by_source.entry(r.1).or_default().insert(r.2));
    }
    assert!(by_source.values().all(|s| s.len() == 20));
    assert_eq!(by_source.len(), 300);
    assert_eq!(rows, run_blocks(&c, 5));
}

#[test]
fn total_is_exact_with_repeats_and_even_spread() {
    let mut c = Circuit::new(9);
    cube(&mut c, "a", 200, 1.0, "e");
    cube(&mut c, "b", 100, 1.0, "e");
    c.add_edges(all_nodes("a"), all_nodes("b"), Rule::Total(50_000))
        .autapses(true);
    let rows = run(&c);
    assert_eq!(rows.len(), 50_000);
    let mut per_target = vec![0.0f64; 100];
    for r in &rows {
        per_target[r.2 as usize] += 1.0;
    }
    // Multinomial: mean 500, sd ~22.
    assert!(
        per_target
            .iter()
            .all(|&n| within_sd(n, 500.0, 500.0 * 0.99, 5.0)),
        "{per_target:?}"
    );
    let distinct: BTreeSet<(u64, u64)> = rows.iter().map(|r| (r.1, r.2)).collect();
    assert!(
        distinct.len() < rows.len(),
        "repeats must be possible at 2.5 draws per pair"
    );
    assert_eq!(rows, run_blocks(&c, 3));
}

#[test]
fn all_to_all_one_to_one_and_count() {
    let mut c = Circuit::new(2);
    cube(&mut c, "a", 30, 1.0, "e");
    cube(&mut c, "b", 30, 1.0, "e");
    c.add_edges(all_nodes("a"), all_nodes("b"), Rule::AllToAll)
        .nsyns(Nsyns::Fixed(2));
    c.add_edges(all_nodes("a"), all_nodes("b"), Rule::OneToOne);
    c.add_edges(
        all_nodes("a"),
        all_nodes("b"),
        Rule::Count(Value::Const(4.0)),
    );
    let rows = run(&c);
    let of = |et: usize| rows.iter().filter(move |r| r.0 == et);
    assert_eq!(of(0).count(), 900);
    assert!(of(0).all(|r| r.3 == 2));
    assert_eq!(
        of(1).map(|r| (r.1, r.2)).collect::<Vec<_>>(),
        (0..30).map(|i| (i, i)).collect::<Vec<_>>()
    );
    assert_eq!(of(2).count(), 900);
    assert!(of(2).all(|r| r.3 == 4));
}

#[test]
fn count_expression_sets_nsyns() {
    let mut c = Circuit::new(2);
    c.add_nodes("a", 20).prop(
        "x",
        NodeValues::Generator(generator(GenKind::Linspace {
            start: 0.0,
            stop: 19.0,
        })),
    );
    let e = netbuild_expr::Expr::parse("if(d < 2.5, 3, 0)").unwrap();
    c.add_edges(all_nodes("a"), all_nodes("a"), Rule::Count(Value::Expr(e)));
    let rows = run(&c);
    assert!(rows
        .iter()
        .all(|r| r.3 == 3 && r.1.abs_diff(r.2) <= 2 && r.1 != r.2));
    assert_eq!(rows.len(), 2 * (19 + 18));
}

#[test]
fn file_rule_keeps_rows_and_nsyns() {
    let mut c = Circuit::new(2);
    cube(&mut c, "a", 5, 1.0, "e");
    let rows_in = vec![
        FileEdge {
            source: 4,
            target: 1,
            nsyns: Some(2),
            line: 2,
        },
        FileEdge {
            source: 0,
            target: 1,
            nsyns: Some(5),
            line: 3,
        },
        FileEdge {
            source: 2,
            target: 0,
            nsyns: None,
            line: 4,
        },
    ];
    let file = FileEdges::new("e.csv", rows_in);
    c.add_edges(all_nodes("a"), all_nodes("a"), Rule::File(Arc::new(file)))
        .nsyns(Nsyns::Fixed(7));
    let rows = run(&c);
    let got: Vec<_> = rows.iter().map(|r| (r.1, r.2, r.3)).collect();
    assert_eq!(got, vec![(2, 0, 7), (0, 1, 5), (4, 1, 2)]);
}

#[test]
fn nsyns_and_generated_properties_have_their_distributions() {
    let mut c = Circuit::new(4);
    cube(&mut c, "a", 300, 1.0, "e");
    let mut delay = generator(GenKind::Normal {
        mean: 1.5,
        sd: 0.75,
    });
    delay.min = Some(0.05);
    c.add_edges(
        all_nodes("a"),
        all_nodes("a"),
        Rule::Probability(Value::Const(0.2)),
    )
    .nsyns(Nsyns::UniformInt(1, 3))
    .edge_prop("delay", Dtype::F32, EdgeValue::Generator(delay))
    .edge_prop(
        "w",
        Dtype::F64,
        EdgeValue::Expr(netbuild_expr::Expr::parse("2 * trg.x + 1").unwrap()),
    );
    let rows = run(&c);
    // One row per synapse; consecutive rows of one pair.
    let mut pairs: Vec<(u64, u64)> = rows.iter().map(|r| (r.1, r.2)).collect();
    let n_rows = pairs.len();
    pairs.dedup();
    let mean_nsyns = n_rows as f64 / pairs.len() as f64;
    assert!((mean_nsyns - 2.0).abs() < 0.05, "{mean_nsyns}");
    let delays: Vec<f64> = rows.iter().map(|r| r.4[0]).collect();
    assert!(delays.iter().all(|&d| d >= 0.05));
    let m = delays.iter().sum::<f64>() / delays.len() as f64;
    assert!(m > 1.5 && m < 1.58, "truncated normal mean {m}");
    let nets = generate_networks(&c).unwrap();
    let x = nets[0].numeric("x");
    assert!(rows
        .iter()
        .all(|r| (r.4[1] - (2.0 * x[r.2 as usize] + 1.0)).abs() < 1e-12));
}

#[test]
fn custom_closure_rule() {
    let mut c = Circuit::new(4);
    c.add_nodes("a", 10).prop(
        "x",
        NodeValues::Generator(generator(GenKind::Linspace {
            start: 0.0,
            stop: 9.0,
        })),
    );
    c.add_edges(
        all_nodes("a"),
        all_nodes("a"),
        Rule::custom(|p| if p.source + 1 == p.target { 2 } else { 0 }),
    );
    let rows = run(&c);
    assert_eq!(
        rows.iter().map(|r| (r.1, r.2, r.3)).collect::<Vec<_>>(),
        (0..9).map(|i| (i, i + 1, 2)).collect::<Vec<_>>()
    );
}

/// The per-target and per-source closure shapes (BMTK's `all_to_one` and `one_to_all`
/// iterators) make the rows the per-pair closure makes for the same function, whatever the
/// split of targets into blocks; candidates exclude self-pairs unless autapses are allowed, and
/// respect `max_distance`.
#[test]
fn per_target_and_per_source_closures_match_the_per_pair_closure() {
    fn nsyns(s: u64, t: u64) -> u32 {
        ((s * 7 + t * 3) % 4) as u32
    }
    let mut c = Circuit::new(4);
    c.add_nodes("a", 12).prop(
        "x",
        NodeValues::Generator(generator(GenKind::Linspace {
            start: 0.0,
            stop: 110.0,
        })),
    );
    let both = |c: &mut Circuit, rule: Rule, autapses: bool| {
        c.add_edges(all_nodes("a"), all_nodes("a"), rule)
            .autapses(autapses)
            .max_distance(55.0);
    };
    for autapses in [false, true] {
        both(
            &mut c,
            Rule::custom(|p| nsyns(p.source, p.target)),
            autapses,
        );
        both(
            &mut c,
            Rule::CustomPerTarget(Arc::new(|t, sources: &[u64]| {
                sources.iter().map(|&s| nsyns(s, t)).collect()
            })),
            autapses,
        );
        both(
            &mut c,
            Rule::CustomPerSource(Arc::new(|s, targets: &[u64]| {
                targets.iter().map(|&t| nsyns(s, t)).collect()
            })),
            autapses,
        );
    }
    for blocks in [1, 3] {
        let rows = run_blocks(&c, blocks);
        let of = |k: usize| -> Vec<(u64, u64, u32)> {
            rows.iter()
                .filter(|r| r.0 == k)
                .map(|r| (r.1, r.2, r.3))
                .collect()
        };
        for base in [0, 3] {
            let pairs = of(base);
            assert!(!pairs.is_empty());
            assert!(pairs.iter().all(|&(s, t, _)| s.abs_diff(t) <= 5));
            assert_eq!(pairs.iter().any(|&(s, t, _)| s == t), base == 3);
            assert_eq!(of(base + 1), pairs, "per target, {blocks} blocks");
            assert_eq!(of(base + 2), pairs, "per source, {blocks} blocks");
        }
    }
}

#[test]
fn selectors_filter_on_type_and_node_properties() {
    let mut c = Circuit::new(1);
    c.add_nodes("a", 4)
        .type_prop("pop", Scalar::Str("p".into()))
        .prop(
            "layer",
            NodeValues::Array(vec![
                Scalar::Int(1),
                Scalar::Int(2),
                Scalar::Int(1),
                Scalar::Int(3),
            ]),
        );
    c.add_nodes("a", 2)
        .type_prop("pop", Scalar::Str("q".into()));
    c.add_edges(
        all_nodes("a").filters_eq("pop", "p"),
        all_nodes("a").filter_any("layer", vec![Scalar::Int(1), Scalar::Int(3)]),
        Rule::AllToAll,
    );
    let rows = run(&c);
    let targets: BTreeSet<u64> = rows.iter().map(|r| r.2).collect();
    let sources: BTreeSet<u64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(targets, [0, 2, 3].into());
    assert_eq!(sources, [0, 1, 2, 3].into());
}

/// A file's property columns follow their rows (one row per synapse); its self-connections are
/// left out and counted with their lines when autapses are off.
#[test]
fn file_rule_properties_follow_rows_and_self_connections_are_counted() {
    let mut c = Circuit::new(2);
    cube(&mut c, "a", 5, 1.0, "e");
    let edge = |source, target, nsyns, line| FileEdge {
        source,
        target,
        nsyns,
        line,
    };
    let mut file = FileEdges::new(
        "e.csv",
        vec![
            edge(3, 1, Some(2), 2),
            edge(2, 2, None, 3),
            edge(0, 1, None, 4),
            edge(4, 4, None, 5),
        ],
    );
    file.columns = vec![("w".into(), Dtype::F64), ("k".into(), Dtype::U32)];
    file.values = vec![0.5, 7.0, 9.0, 9.0, 1.25, 3.0, 9.0, 9.0];
    c.add_edges(all_nodes("a"), all_nodes("a"), Rule::File(Arc::new(file)))
        .edge_prop("w", Dtype::F64, EdgeValue::FileColumn(0))
        .edge_prop("k", Dtype::U32, EdgeValue::FileColumn(1));
    let rows = run(&c);
    let got: Vec<_> = rows.iter().map(|r| (r.1, r.2, r.4.clone())).collect();
    assert_eq!(
        got,
        vec![
            (0, 1, vec![1.25, 3.0]),
            (3, 1, vec![0.5, 7.0]),
            (3, 1, vec![0.5, 7.0])
        ]
    );
    let nets = generate_networks(&c).unwrap();
    let mut cols = Columns::new(&nets);
    let p = PreparedEdgeType::prepare(0, &c.edge_types[0], c.seed, &mut cols).unwrap();
    let issues: Vec<_> = p.issues.iter().collect();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].kind, IssueKind::SelfConnection);
    assert_eq!((issues[0].count, issues[0].first.clone()), (2, vec![3, 5]));
}

/// Values their dtype cannot hold are counted by the rule that makes them: NaN and infinite
/// (fatal), integers out of range (clamped); NaN probabilities connect nothing and are counted.
#[test]
fn values_that_do_not_fit_are_counted() {
    let mut c = Circuit::new(3);
    cube(&mut c, "a", 20, 1.0, "e");
    let x = |s: &str| EdgeValue::Expr(netbuild_expr::Expr::parse(s).unwrap());
    c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll)
        .edge_prop("nan", Dtype::F64, x("log(-1)"))
        .edge_prop("big", Dtype::F32, x("1e40"))
        .edge_prop("neg", Dtype::U32, x("-5"))
        .edge_prop("ok", Dtype::I32, x("2.5"));
    let p = netbuild_expr::Expr::parse("if(src.x < 0.5, log(-1), 1)").unwrap();
    c.add_edges(
        all_nodes("a"),
        all_nodes("a"),
        Rule::Probability(Value::Expr(p)),
    );
    let nets = generate_networks(&c).unwrap();
    let mut cols = Columns::new(&nets);
    let mut scratch = netbuild_model::Scratch::default();
    let mut sink = VecSink::default();
    let mut nan_sources = 0;
    for (i, def) in c.edge_types.iter().enumerate() {
        let e = PreparedEdgeType::prepare(i, def, c.seed, &mut cols).unwrap();
        let state = e.prepare_block(0..20);
        for t in 0..20 {
            e.connect(&state, t, &mut scratch, &mut sink).unwrap();
        }
        if i == 1 {
            nan_sources = e.sources.len();
        }
    }
    let xs = nets[0].numeric("x");
    let nan_pairs = 19 * xs.iter().filter(|&&x| x < 0.5).count() as u64;
    assert!(nan_pairs > 0 && nan_sources == 20);
    let got: Vec<_> = scratch
        .issues
        .iter()
        .map(|i| (i.edge_type, i.kind, i.count))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, IssueKind::Clamped(2), 380),
            (0, IssueKind::NonFinite(0), 380),
            (0, IssueKind::NonFinite(1), 380),
            (1, IssueKind::NanProbability, nan_pairs),
        ]
    );
    // Only pairs whose source has x >= 0.5 connect.
    assert!(sink
        .rows
        .iter()
        .filter(|r| r.0 == 1)
        .all(|r| xs[r.1 as usize] >= 0.5));
}
