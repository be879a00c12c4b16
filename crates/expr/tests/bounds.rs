//! Tests of `Expr::bounds`: soundness (every evaluated value lies inside the bounds, or is NaN)
//! on fixed and random expressions, and tightness on typical connection rules.

use netbuild_expr::{Expr, Interval};
use rand::rngs::mock::StepRng;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

const INF: f64 = f64::INFINITY;

fn parse(src: &str) -> Expr {
    Expr::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

/// Values inside `iv` worth trying: the ends, their neighbours inside, both zeros, a few random
/// ones (for infinite ends, large finite values too).
fn points_in(iv: Interval, rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    let mut pts = vec![iv.lo, iv.hi, iv.lo.next_up(), iv.hi.next_down()];
    if iv.contains(0.0) {
        pts.extend([0.0, -0.0]);
    }
    // The finite part of the interval, clipped to a range where uniform sampling is sensible.
    let lo = iv.lo.max(-1e6).min(iv.hi);
    let hi = iv.hi.min(1e6).max(lo);
    for _ in 0..n {
        let inside = rng.gen_range(0.0..=1.0) * (hi - lo) + lo;
        let x = match rng.gen_range(0..4) {
            0 => inside,
            1 => iv.lo.max(-1e300) + rng.gen_range(0.0..1.0),
            2 => iv.hi.min(1e300) - rng.gen_range(0.0..1.0),
            _ => inside.round(),
        };
        pts.push(x);
    }
    pts.retain(|&x| iv.contains(x));
    pts
}

fn random_interval(rng: &mut ChaCha8Rng) -> Interval {
    let scale = [0.5, 1.0, 3.0, 180.0, 750.0, 1e6][rng.gen_range(0..6)];
    let mut x = || {
        let v: f64 = rng.gen_range(-1.0..1.0) * scale;
        if rng.gen_bool(0.3) {
            v.round()
        } else {
            v
        }
    };
    let (a, b) = (x(), x());
    let (lo, hi) = (a.min(b), a.max(b));
    match rng.gen_range(0..10) {
        0 => Interval::point(lo),
        1 => Interval::point(0.0),
        2 => Interval::new(0.0, hi.abs()),
        3 => Interval::new(lo, INF),
        4 => Interval::new(-INF, hi),
        5 => Interval::new(lo.abs(), hi.abs().max(lo.abs()) + 1.0),
        6 => Interval::new(-hi.abs() - 1.0, -lo.abs().min(hi.abs())),
        7 => Interval::new(lo, lo + 1e-9 * scale),
        _ => Interval::new(lo, hi),
    }
}

/// Checks `v` (evaluated at `at`) against `b`; panics with everything needed to reproduce.
#[track_caller]
fn check_inside(e: &Expr, ivs: &[Interval], at: &[f64], v: f64, b: Interval, how: &str) {
    assert!(
        v.is_nan() || b.contains(v),
        "{}: value {v:e} ({how}) at {at:?} is outside {b:?}; intervals {ivs:?}",
        e.source()
    );
}

/// Evaluates `e` at many points of `ivs` with several rngs; every value must be inside
/// `e.bounds(ivs)` or NaN.
fn check_sound(e: &Expr, ivs: &[Interval], rng: &mut ChaCha8Rng, points: usize) {
    let b = e.bounds(ivs);
    assert!(b.lo <= b.hi && !b.lo.is_nan() && !b.hi.is_nan());
    let per_var: Vec<Vec<f64>> = ivs.iter().map(|&iv| points_in(iv, rng, 6)).collect();
    let src = e.source();
    // StepRng never returns from the rejection loops of `normal` and `randint` (max only).
    let extremes_zero = !src.contains("normal");
    let extremes_max = extremes_zero && !src.contains("randint");
    for _ in 0..points {
        let at: Vec<f64> = per_var
            .iter()
            .map(|p| p[rng.gen_range(0..p.len())])
            .collect();
        let mut draws = ChaCha8Rng::seed_from_u64(rng.next_u64());
        for _ in 0..3 {
            let v = e.eval(&at, &mut draws);
            check_inside(e, ivs, &at, v, b, "random draws");
        }
        if extremes_zero {
            let v = e.eval(&at, &mut StepRng::new(0, 0));
            check_inside(e, ivs, &at, v, b, "draws all 0");
        }
        if extremes_max {
            let v = e.eval(&at, &mut StepRng::new(u64::MAX, 0));
            check_inside(e, ivs, &at, v, b, "draws all max");
        }
    }
}

/// Every operator and function, typical rules, and traps (signed zeros, NaN that does not
/// propagate, squares, poles).
const FIXED: &[&str] = &[
    "0.3 * exp(-d*d / (2 * 150 * 150))",
    "0.1242 * exp(-(dx*dx + dz*dz) / (2 * 120 * 120)) * (1.5 - min(abs(src.a - trg.b) % 180, \
     180 - abs(src.a - trg.b) % 180) / 90)",
    "d + dx - src.a",
    "-dx * dx + d",
    "dx * -dx",
    "(dx - 1) * (dx - 1)",
    "d * dx / src.a",
    "1 / dx",
    "dx / (d - src.a)",
    "0 / dx",
    "dx % 3",
    "dx % -2.5",
    "dx % src.a",
    "(d + 10) % 360",
    "-dx % 7",
    "dx ^ 2",
    "dx ^ 3",
    "dx ^ -1",
    "dx ^ -2",
    "dx ^ 0.5",
    "pow(dx, src.a)",
    "pow(d, trg.b)",
    "pow(-2, src.a)",
    "pow(log(dx), 0) + pow(1, sqrt(dx))",
    "pow(0 / dx, 0)",
    "dx < src.a",
    "dx <= 2",
    "d > 1",
    "d >= dx",
    "dx == src.a",
    "dx != src.a",
    "sqrt(dx) != sqrt(dx)",
    "sqrt(dx) < 1",
    "not (sqrt(dx) == 1)",
    "not dx",
    "dx and src.a",
    "(dx > 0) or (log(src.a) < 0)",
    "if(d < 100, 0.5, 0.1)",
    "if(dx, src.a, trg.b)",
    "if(sqrt(dx), 1, 2)",
    "exp(dx)",
    "log(dx)",
    "sqrt(dx)",
    "abs(dx)",
    "sin(dx) + cos(d)",
    "tan(dx)",
    "atan2(dx, src.a)",
    "atan2(0 * dx, -1)",
    "min(dx, src.a, 3)",
    "max(dx, src.a, trg.b)",
    "floor(dx) + ceil(src.a)",
    "pi * d",
    "rand()",
    "rand() * rand() + dx",
    "uniform(dx, src.a)",
    "uniform(0, 1)",
    "uniform(-1e300, 1e300)",
    "uniform(1, dx) < 1",
    "normal(dx, 0)",
    "normal(dx, src.a)",
    "lognormal(0, 0) + lognormal(dx, 0)",
    "lognormal(dx, src.a)",
    "randint(dx, src.a)",
    "randint(0, 5) + randint(dx, 3)",
    "exp(-d / 100) * (trg.b > 0) + 1 / (1 + exp(-dx))",
];

fn vars_of(e: &Expr, ivs: &[Interval]) -> Vec<Interval> {
    // Variables get intervals by name, so that `dx` means the same in every expression.
    let names = ["d", "dx", "dz", "src.a", "trg.b"];
    e.variables()
        .iter()
        .map(|v| {
            let i = names.iter().position(|n| *n == v.var.to_string()).unwrap();
            ivs[i]
        })
        .collect()
}

#[test]
fn fixed_expressions_are_sound() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let exprs: Vec<Expr> = FIXED.iter().map(|s| parse(s)).collect();
    for _ in 0..300 {
        let ivs: Vec<Interval> = (0..5).map(|_| random_interval(&mut rng)).collect();
        for e in &exprs {
            let mine = vars_of(e, &ivs);
            check_sound(e, &mine, &mut rng, 20);
        }
    }
}

/// A random expression of the grammar over d, dx, src.a, trg.b, at most `depth` deep.
/// Subexpressions are sometimes repeated (`x * x`, `x - x`) to reach the square rules.
fn random_expr(rng: &mut ChaCha8Rng, depth: u32) -> String {
    if depth == 0 || rng.gen_bool(0.2) {
        return match rng.gen_range(0..10) {
            0 => "d".into(),
            1 => "dx".into(),
            2 => "src.a".into(),
            3 => "trg.b".into(),
            4 => "pi".into(),
            5 => "0".into(),
            6 => "rand()".into(),
            7 => format!("{}", rng.gen_range(-4..=4)),
            _ => format!("{:.3}", rng.gen_range(-10.0..10.0)),
        };
    }
    let mut sub = || random_expr(rng, depth - 1);
    let a = sub();
    let b = sub();
    let c = sub();
    const BIN: &[&str] = &[
        "+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "and", "or",
    ];
    const UN: &[&str] = &[
        "exp", "log", "sqrt", "abs", "sin", "cos", "tan", "floor", "ceil",
    ];
    const BIN_F: &[&str] = &[
        "atan2",
        "min",
        "max",
        "pow",
        "uniform",
        "normal",
        "lognormal",
        "randint",
    ];
    match rng.gen_range(0..12) {
        0..=3 => format!("({a} {} {b})", BIN[rng.gen_range(0..BIN.len())]),
        4 => format!("({a} * {a})"),
        5 => format!("(-{a} * {a})"),
        6 => format!(
            "({a} {} {})",
            ["^", "^", "%"][rng.gen_range(0..3)],
            rng.gen_range(-3..=4)
        ),
        7 => format!("{}({a})", UN[rng.gen_range(0..UN.len())]),
        8 => format!("{}({a}, {b})", BIN_F[rng.gen_range(0..BIN_F.len())]),
        9 => format!("if({a}, {b}, {c})"),
        10 => format!("(not {a})"),
        _ => format!("(-{a})"),
    }
}

#[test]
fn random_expressions_are_sound() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..3000 {
        let depth = rng.gen_range(1..=4);
        let src = random_expr(&mut rng, depth);
        let e = parse(&src);
        let names = ["d", "dx", "dz", "src.a", "trg.b"];
        for _ in 0..4 {
            let ivs: Vec<Interval> = (0..names.len())
                .map(|_| random_interval(&mut rng))
                .collect();
            let mine = vars_of(&e, &ivs);
            check_sound(&e, &mine, &mut rng, 12);
        }
    }
}

#[test]
fn gaussian_of_distance_is_tight() {
    let e = parse("0.3 * exp(-d*d / (2 * 150 * 150))");
    let b = e.bounds(&[Interval::new(0.0, 750.0)]);
    assert!((b.hi - 0.3).abs() <= 1e-12, "{b:?}");
    assert!(
        b.lo >= 0.0 && b.lo <= 0.3 * (-12.5f64).exp() * (1.0 + 1e-12),
        "{b:?}"
    );
    // Farther away: the bound falls with the distance.
    let b = e.bounds(&[Interval::new(300.0, 450.0)]);
    assert!((b.hi - 0.3 * (-2.0f64).exp()).abs() <= 1e-12, "{b:?}");
    // Signed offsets, written as users do: `-dx*dx` is `(-dx)*dx`, still a square.
    let e = parse("exp(-dx*dx / 100) + exp(-(dx^2) / 100) + exp(-pow(dx, 2) / 100)");
    let b = e.bounds(&[Interval::new(-480.0, 480.0)]);
    assert!(b.hi <= 3.0 + 1e-12, "{b:?}");
}

#[test]
fn v1_rule_is_tight() {
    let e = parse(
        "0.1242 * exp(-(dx*dx + dz*dz) / (2 * 120 * 120)) * (1.5 - min(abs(src.tuning_angle - \
         trg.tuning_angle) % 180, 180 - abs(src.tuning_angle - trg.tuning_angle) % 180) / 90)",
    );
    let names: Vec<String> = e.variables().iter().map(|v| v.var.to_string()).collect();
    assert_eq!(names, ["dx", "dz", "src.tuning_angle", "trg.tuning_angle"]);
    let ivs = [
        Interval::new(-480.0, 480.0),
        Interval::new(-480.0, 480.0),
        Interval::new(0.0, 180.0),
        Interval::new(0.0, 180.0),
    ];
    let b = e.bounds(&ivs);
    assert!(b.hi <= 0.1242 * 1.5 + 1e-9, "{b:?}");
    assert!(b.hi >= 0.1242 * 1.5, "{b:?}");
    check_sound(&e, &ivs, &mut ChaCha8Rng::seed_from_u64(3), 2000);
}

#[track_caller]
fn assert_bounds(src: &str, vars: &[Interval], lo: f64, hi: f64) {
    let b = parse(src).bounds(vars);
    assert_eq!((b.lo, b.hi), (lo, hi), "{src}");
}

#[test]
fn rules_of_each_operation() {
    let all = Interval::ALL;
    let iv = Interval::new;
    let p = Interval::point;
    // Constants and points are exact.
    assert_bounds("2 + 3", &[], 5.0, 5.0);
    assert_bounds("d * 2", &[p(4.0)], 8.0, 8.0);
    // A NaN constant bounds nothing.
    assert_bounds("sqrt(-1)", &[], -INF, INF);
    // Division by an interval holding zero.
    assert_bounds("1 / dx", &[iv(-1.0, 1.0)], -INF, INF);
    assert_bounds("1 / dx", &[iv(0.0, 1.0)], -INF, INF); // -0.0 is in [0, 1]
    assert_bounds("0 / dx", &[iv(-1.0, 1.0)], 0.0, 0.0);
    assert_bounds("1 / dx", &[iv(2.0, 4.0)], 0.25, 0.5);
    // Squares, plain and negated.
    assert_bounds("dx * dx", &[iv(-3.0, 2.0)], 0.0, 9.0);
    assert_bounds("-dx * dx", &[iv(-3.0, 2.0)], -9.0, 0.0);
    assert_bounds("dx * d", &[iv(-3.0, 2.0), iv(-3.0, 2.0)], -6.0, 9.0);
    // Modulo: within one period exact, else the whole period.
    assert_bounds("d % 360", &[iv(370.0, 400.0)], 10.0, 40.0);
    assert_bounds("d % 360", &[iv(350.0, 370.0)], 0.0, 360.0);
    assert_bounds("d % 360", &[iv(0.0, 100.0)], 0.0, 100.0);
    assert_bounds("d % -4", &[iv(1.0, 2.0)], -3.0, -2.0);
    assert_bounds("d % dx", &[all, iv(-2.0, 5.0)], -2.0, 5.0);
    // Comparisons, logic, if: decided or [0, 1].
    assert_bounds("d < 100", &[iv(0.0, 50.0)], 1.0, 1.0);
    assert_bounds("d < 100", &[iv(100.0, 150.0)], 0.0, 0.0);
    assert_bounds("d < 100", &[iv(50.0, 150.0)], 0.0, 1.0);
    assert_bounds("if(d < 100, 0.5, 0.1)", &[iv(0.0, 50.0)], 0.5, 0.5);
    assert_bounds("if(d < 100, 0.5, 0.1)", &[iv(0.0, 150.0)], 0.1, 0.5);
    assert_bounds("(d < 1) and (d > 2)", &[iv(0.0, 5.0)], 0.0, 1.0);
    assert_bounds("(d < 10) and (d > -1)", &[iv(0.0, 5.0)], 1.0, 1.0);
    assert_bounds("not (d > 10) or d", &[iv(0.0, 5.0)], 1.0, 1.0);
    // A possible NaN undecides: sqrt(-1) < 1 is false.
    assert_bounds("sqrt(dx) < 5", &[iv(-1.0, 4.0)], 0.0, 1.0);
    assert_bounds("sqrt(dx) > 5", &[iv(-1.0, 4.0)], 0.0, 0.0);
    assert_bounds("sqrt(dx) != 5", &[iv(-1.0, 4.0)], 1.0, 1.0);
    // pow: NaN ** 0 == 1 ** NaN == 1.
    assert_bounds("pow(sqrt(dx), 0)", &[iv(-1.0, 4.0)], 1.0, 1.0);
    let b = parse("pow(dx, 0.5)").bounds(&[iv(-4.0, 4.0)]);
    assert!(
        b.lo <= 0.0 && b.lo > -1e-300 && (b.hi - 2.0).abs() < 1e-12,
        "{b:?}"
    );
    // Functions.
    assert_bounds("sin(dx) + cos(dx)", &[all], -2.0, 2.0);
    assert_bounds("tan(dx)", &[iv(0.0, 0.1)], -INF, INF);
    assert_bounds("abs(dx)", &[iv(-3.0, 2.0)], 0.0, 3.0);
    assert_bounds("floor(dx) + ceil(dx)", &[iv(-1.5, 1.5)], -3.0, 3.0);
    assert_bounds("min(dx, 2) + max(dx, 0)", &[iv(-1.0, 5.0)], -1.0, 7.0);
    assert_bounds("sqrt(dx)", &[iv(-1.0, 4.0)], 0.0, 2.0);
    let b = parse("log(dx)").bounds(&[iv(0.0, 1.0)]);
    assert!(b.lo == -INF && b.hi >= 0.0 && b.hi < 1e-300, "{b:?}");
    let b = parse("atan2(dx, d)").bounds(&[all, all]);
    assert!(b.lo <= -std::f64::consts::PI && b.hi >= std::f64::consts::PI && b.hi < 3.15);
    // Random draws.
    let b = parse("rand()").bounds(&[]);
    assert!(b.lo == 0.0 && b.hi < 1.0, "{b:?}");
    let b = parse("uniform(2, 5)").bounds(&[]);
    assert!(b.lo == 2.0 && b.hi <= 5.0, "{b:?}");
    let b = parse("uniform(d, 5)").bounds(&[iv(2.0, 3.0)]);
    assert!(
        b.lo <= 2.0 && b.lo > 1.999 && b.hi >= 5.0 && b.hi < 5.001,
        "{b:?}"
    );
    assert_bounds("randint(d, dx)", &[iv(0.5, 3.0), iv(2.0, 4.5)], 1.0, 4.0);
    assert_bounds("normal(d, 1)", &[iv(0.0, 1.0)], -INF, INF);
    assert_bounds("normal(d, 0)", &[iv(0.0, 1.0)], 0.0, 1.0);
    assert_bounds("lognormal(d, 1)", &[iv(0.0, 1.0)], 0.0, INF);
}

#[test]
fn interval_constructors() {
    assert_eq!(Interval::point(2.0), Interval { lo: 2.0, hi: 2.0 });
    assert_eq!(Interval::point(f64::NAN), Interval::ALL);
    assert_eq!(Interval::new(f64::NAN, 1.0), Interval { lo: -INF, hi: 1.0 });
    assert!(Interval::new(0.0, 1.0).contains(-0.0));
    assert!(!Interval::ALL.contains(f64::NAN));
    assert_eq!(
        Interval::new(0.0, 1.0).hull(Interval::point(3.0)),
        Interval::new(0.0, 3.0)
    );
}

#[test]
#[should_panic(expected = "lo 2 > hi 1")]
fn reversed_interval_panics() {
    Interval::new(2.0, 1.0);
}

#[test]
#[should_panic(expected = "variable intervals given")]
fn bounds_with_too_few_intervals_panics() {
    parse("d + dx").bounds(&[Interval::ALL]);
}
