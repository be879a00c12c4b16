//! The law of expression rules walked through the source tree (exact spatial pruning) is that of
//! evaluating every pair: per rule shape, many independent builds (one seed each) are compared
//! pair by pair with the probabilities computed by brute force.
//!
//! Shapes: a gaussian in distance without cut-off, Allen's anisotropic gaussian rotated by the
//! target's `tuning_angle`, the same times a like-to-like orientation term on both nodes'
//! angles, a gaussian mixed with `max_distance`, and a count expression (exact, not random).

use netbuild_expr::Expr;
use netbuild_model::{
    all_nodes, generate_networks, generator, Circuit, Columns, GenKind, NodeValues,
    PreparedEdgeType, Rule, Value, VecSink,
};
use rand::rngs::mock::StepRng;

const N: u64 = 300;
const SEEDS: u64 = 200;

/// 300 nodes spread over 700 x 200 x 700 um (x and z the wide axes, as in a cortical column),
/// with a `tuning_angle` from 0 to 360 in id order, as the V1 examples give it.
fn circuit(seed: u64, rule: Rule, max_distance: Option<f64>) -> Circuit {
    let mut c = Circuit::new(seed);
    let uniform = |lo, hi| NodeValues::Generator(generator(GenKind::Uniform { lo, hi }));
    c.add_nodes("v1", N)
        .prop("x", uniform(-350.0, 350.0))
        .prop("y", uniform(0.0, 200.0))
        .prop("z", uniform(-350.0, 350.0))
        .prop(
            "tuning_angle",
            NodeValues::Generator(generator(GenKind::Linspace {
                start: 0.0,
                stop: 360.0,
            })),
        );
    let e = c.add_edges(all_nodes("v1"), all_nodes("v1"), rule);
    if let Some(r) = max_distance {
        e.max_distance(r);
    }
    c
}

/// Connections per (source, target) over `SEEDS` builds of the edges (seeds 0..SEEDS, on the
/// nodes of seed 0), and the value of `expr` per pair by brute force (0 beyond `max_distance`
/// and on the diagonal).
fn counts_and_values(
    expr: &str,
    count_rule: bool,
    max_distance: Option<f64>,
) -> (Vec<f64>, Vec<f64>) {
    let e = Expr::parse(expr).unwrap();
    let rule = |e: &Expr| {
        if count_rule {
            Rule::Count(Value::Expr(e.clone()))
        } else {
            Rule::Probability(Value::Expr(e.clone()))
        }
    };
    let nodes = circuit(0, rule(&e), max_distance);
    let nets = generate_networks(&nodes).unwrap();
    let (x, y, z, ta) = (
        nets[0].numeric("x"),
        nets[0].numeric("y"),
        nets[0].numeric("z"),
        nets[0].numeric("tuning_angle"),
    );
    let n = N as usize;
    let mut values = vec![0.0; n * n];
    let mut vars = Vec::new();
    for s in 0..n {
        for t in 0..n {
            let (dx, dy, dz) = (x[t] - x[s], y[t] - y[s], z[t] - z[s]);
            let d = (dx * dx + dy * dy + dz * dz).sqrt();
            if s == t || max_distance.is_some_and(|r| d > r) {
                continue;
            }
            vars.clear();
            for v in e.variables() {
                vars.push(match &v.var {
                    netbuild_expr::Var::D => d,
                    netbuild_expr::Var::Dx => dx,
                    netbuild_expr::Var::Dy => dy,
                    netbuild_expr::Var::Dz => dz,
                    netbuild_expr::Var::Src(_) => ta[s],
                    netbuild_expr::Var::Trg(_) => ta[t],
                });
            }
            values[s * n + t] = e.eval(&vars, &mut StepRng::new(0, 0));
        }
    }
    let mut counts = vec![0.0; n * n];
    for seed in 0..SEEDS {
        let mut cols = Columns::new(&nets);
        let p = PreparedEdgeType::prepare(0, &nodes.edge_types[0], seed, &mut cols).unwrap();
        let block = p.prepare_block(0..N);
        let mut sink = VecSink::default();
        let mut scratch = Default::default();
        for t in 0..N {
            p.connect(&block, t, &mut scratch, &mut sink).unwrap();
        }
        let mut last = None;
        for r in &sink.rows {
            let key = (r.2, r.1);
            assert!(
                last < Some(key),
                "rows by target, sources ascending, once each"
            );
            last = Some(key);
            counts[r.1 as usize * n + r.2 as usize] +=
                if count_rule { f64::from(r.3) } else { 1.0 };
        }
    }
    (counts, values)
}

/// Pair by pair, the connections over `SEEDS` builds against Binomial(SEEDS, p): the sum of
/// squared standardized deviations (mean 1 per pair, variance 2 + 1 / (SEEDS p (1 - p)) <= 3
/// for the pairs counted) within 6 sd of its mean, and the total within 5 sd; a pair with p = 0
/// never connects.
fn assert_law(expr: &str, max_distance: Option<f64>) {
    let (counts, p) = counts_and_values(expr, false, max_distance);
    let (mut chi2, mut dof, mut total, mut expected, mut var) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (&k, &p) in counts.iter().zip(&p) {
        let p = p.clamp(0.0, 1.0);
        total += k;
        expected += SEEDS as f64 * p;
        var += SEEDS as f64 * p * (1.0 - p);
        if p == 0.0 {
            assert_eq!(k, 0.0, "{expr}: a pair with p = 0 connected");
        } else if p < 1.0 && SEEDS as f64 * p >= 1.0 {
            let m = SEEDS as f64 * p;
            chi2 += (k - m).powi(2) / (m * (1.0 - p));
            dof += 1.0;
        }
    }
    assert!(dof > 1000.0, "{expr}: too few informative pairs ({dof})");
    assert!(
        (total - expected).abs() <= 5.0 * var.sqrt(),
        "{expr}: {total} connections, expected {expected:.0} +- {:.0}",
        var.sqrt()
    );
    assert!(
        (chi2 - dof).abs() <= 6.0 * (3.0 * dof).sqrt(),
        "{expr}: chi-square {chi2:.0} over {dof} pairs"
    );
}

#[test]
fn gaussian_without_cutoff() {
    assert_law("0.5 * exp(-d * d / (2 * 120 * 120))", None);
}

#[test]
fn anisotropic_gaussian_rotated_by_the_target() {
    assert_law(
        "0.4 * exp(-((-dx - 50 * cos(trg.tuning_angle * pi / 180)) ^ 2 + (-dz - 50 * sin(trg.tuning_angle * pi / 180)) ^ 2) / 18663.12)",
        None,
    );
}

#[test]
fn rotated_gaussian_times_an_orientation_term() {
    assert_law(
        "0.3 * exp(-0.5 * (((50 * cos(trg.tuning_angle * pi / 180) - dx) * cos(trg.tuning_angle * pi / 180) + (50 * sin(trg.tuning_angle * pi / 180) - dz) * sin(trg.tuning_angle * pi / 180)) ^ 2 / 7168.44 + ((50 * sin(trg.tuning_angle * pi / 180) - dz) * cos(trg.tuning_angle * pi / 180) - (50 * cos(trg.tuning_angle * pi / 180) - dx) * sin(trg.tuning_angle * pi / 180)) ^ 2 / 36290.25)) * (1.333333 - 0.00740741 * min(abs(src.tuning_angle - trg.tuning_angle) % 180, 180 - abs(src.tuning_angle - trg.tuning_angle) % 180))",
        None,
    );
}

#[test]
fn gaussian_mixed_with_max_distance() {
    assert_law("0.6 * exp(-d * d / (2 * 150 * 150))", Some(200.0));
}

#[test]
fn count_expression_is_exactly_every_pair() {
    let (counts, values) =
        counts_and_values("3 * exp(-d * d / (2 * 100 * 100))", true, Some(400.0));
    for (&k, &v) in counts.iter().zip(&values) {
        let c = v.round();
        let want = if c >= 1.0 { c * SEEDS as f64 } else { 0.0 };
        assert_eq!(k, want, "count {v}");
    }
}
