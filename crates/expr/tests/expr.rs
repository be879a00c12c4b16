//! Tests of the public API: syntax, semantics, errors, folding, randomness.

use netbuild_expr::{Expr, ExprError, Var, MAX_DEPTH, MAX_LEN};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(7)
}

/// Value of an expression without variables.
fn val(src: &str) -> f64 {
    let e = Expr::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    e.eval(&[], &mut rng())
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[track_caller]
fn check(src: &str, want: f64) {
    let got = val(src);
    assert!(
        close(got, want) || (got.is_nan() && want.is_nan()),
        "{src}: got {got}, want {want}"
    );
}

fn err(src: &str) -> ExprError {
    match Expr::parse(src) {
        Ok(_) => panic!("{:?} should not parse", short(src)),
        Err(e) => e,
    }
}

#[track_caller]
fn check_err(src: &str, span: std::ops::Range<usize>, contains: &str) {
    let e = err(src);
    let src = short(src);
    assert_eq!(e.span, span, "{src:?}: span of {:?}", e.message);
    assert!(
        e.message.contains(contains),
        "{src:?}: message {:?} should contain {contains:?}",
        e.message
    );
}

/// For failure messages: huge test inputs cut short.
fn short(src: &str) -> &str {
    &src[..src.len().min(80)]
}

#[test]
fn numbers() {
    check("3", 3.0);
    check("0.25", 0.25);
    check(".5", 0.5);
    check("5.", 5.0);
    check("1e-4", 1e-4);
    check("1E3", 1000.0);
    check("2.5e+2", 250.0);
    check("  7  ", 7.0);
}

#[test]
fn precedence_and_associativity() {
    check("1 + 2 * 3", 7.0);
    check("(1 + 2) * 3", 9.0);
    check("10 - 4 - 3", 3.0);
    check("64 / 4 / 2", 8.0);
    check("2 * 3 % 4", 2.0);
    check("2 ^ 3 ^ 2", 512.0);
    check("(2 ^ 3) ^ 2", 64.0);
    check("-2 ^ 2", -4.0);
    check("(-2) ^ 2", 4.0);
    check("2 ^ -1", 0.5);
    check("2 ^ -2 ^ 2", 1.0 / 16.0);
    check("-2 * 3", -6.0);
    check("- -3", 3.0);
    check("+3 - +2", 1.0);
    check("2 * -3", -6.0);
    check("1 + 2 < 4", 1.0);
    check("(1 < 2) == 1", 1.0);
    check("1 or 0 and 0", 1.0);
    check("(1 or 0) and 0", 0.0);
    check("not 0 and 0", 0.0);
    check("not (0 and 0)", 1.0);
    check("not 1 < 0", 1.0);
    check("not not 3", 1.0);
    check("0 < 1 and 2 < 3", 1.0);
}

#[test]
fn comparisons_and_booleans() {
    check("1 < 2", 1.0);
    check("2 < 2", 0.0);
    check("2 <= 2", 1.0);
    check("3 > 2", 1.0);
    check("2 >= 3", 0.0);
    check("2 == 2", 1.0);
    check("2 != 2", 0.0);
    check("(1 < 2) + (3 < 4)", 2.0);
    check("0.5 and 2", 1.0);
    check("0 or 0", 0.0);
    check("-1 or 0", 1.0);
    check("not 0", 1.0);
    check("not 0.1", 0.0);
    check("if(2, 10, 20)", 10.0);
    check("if(0, 10, 20)", 20.0);
    check("if(1 < 0, 10, 20)", 20.0);
    // NaN is not 0, so it is true (as in Python).
    check("if(0/0, 1, 2)", 1.0);
    check("0/0 == 0/0", 0.0);
}

#[test]
fn modulo_is_pythons() {
    check("7 % 3", 1.0);
    check("-7 % 3", 2.0);
    check("7 % -3", -2.0);
    check("-7 % -3", -1.0);
    check("5.5 % 2", 1.5);
    check("-0.5 % 2", 1.5);
    check("6 % 3", 0.0);
    assert!(val("-6 % 3").is_sign_positive());
    assert!(val("6 % -3").is_sign_negative());
    assert!(val("1 % 0").is_nan());
    // Exact for large quotients (fmod based), where a - floor(a/b)*b would not be.
    check("1e17 % 3", (1e17f64) % 3.0);
}

#[test]
fn every_function() {
    use std::f64::consts::PI;
    check("pi", PI);
    check("exp(1)", 1f64.exp());
    check("log(10)", 10f64.ln());
    check("sqrt(16)", 4.0);
    check("abs(-3.5)", 3.5);
    check("sin(1)", 1f64.sin());
    check("cos(1)", 1f64.cos());
    check("tan(1)", 1f64.tan());
    check("atan2(1, -1)", 1f64.atan2(-1.0));
    check("min(3, 1)", 1.0);
    check("max(3, 1)", 3.0);
    check("min(5, 3, 9, 4)", 3.0);
    check("max(5, 3, 9, 4)", 9.0);
    check("floor(-1.5)", -2.0);
    check("ceil(-1.5)", -1.0);
    check("pow(2, 10)", 1024.0);
    check("pow(2, 0.5)", 2f64.sqrt());
    check("if(1, 2, 3)", 2.0);
    check("log(0)", f64::NEG_INFINITY);
    check("sqrt(-1)", f64::NAN);
    check("min(1, 0/0)", f64::NAN);
    check("max(0/0, 1)", f64::NAN);
    check("exp(-2 * 2 / (2 * 3 ^ 2))", (-4.0f64 / 18.0).exp());
}

#[test]
fn variables_order_dedup_and_values() {
    let e = Expr::parse("src.x * trg.y + d - src.x / dz + trg.y + dx + dy + d").unwrap();
    let vars: Vec<Var> = e.variables().iter().map(|v| v.var.clone()).collect();
    assert_eq!(
        vars,
        vec![
            Var::Src("x".into()),
            Var::Trg("y".into()),
            Var::D,
            Var::Dz,
            Var::Dx,
            Var::Dy
        ]
    );
    // Spans are of the first appearance.
    assert_eq!(e.variables()[0].span, 0..5);
    assert_eq!(e.variables()[1].span, 8..13);
    assert_eq!(e.variables()[2].span, 16..17);
    let (x, y, d, dz, dx, dy) = (2.0, 3.0, 5.0, 4.0, 7.0, 11.0);
    let want = x * y + d - x / dz + y + dx + dy + d;
    assert_eq!(e.eval(&[x, y, d, dz, dx, dy], &mut rng()), want);
    assert_eq!(e.constant(), None);
    assert!(!e.is_random());

    // Same name, different side: two variables.
    let e = Expr::parse("src.ei == trg.ei").unwrap();
    assert_eq!(e.variables().len(), 2);
    assert_eq!(e.eval(&[1.0, 1.0], &mut rng()), 1.0);
    assert_eq!(e.eval(&[1.0, 0.0], &mut rng()), 0.0);
    assert_eq!(e.variables()[0].var.to_string(), "src.ei");

    // Property names may contain digits and underscores; spaces around the dot are fine.
    let e = Expr::parse("src.pop_name2 + trg . _a").unwrap();
    assert_eq!(e.variables()[0].var, Var::Src("pop_name2".into()));
    assert_eq!(e.variables()[1].var, Var::Trg("_a".into()));
    assert_eq!(e.variables()[1].span, 16..24);
}

#[test]
fn typical_connection_probability() {
    let e = Expr::parse("0.3 * exp(-d*d / (2 * 150 * 150))").unwrap();
    assert_eq!(e.variables().len(), 1);
    for d in [0.0, 50.0, 150.0, 1000.0] {
        let want = 0.3 * (-d * d / (2.0 * 150.0 * 150.0f64)).exp();
        assert!(close(e.eval(&[d], &mut rng()), want));
    }
}

#[test]
fn constant_folding() {
    assert_eq!(Expr::parse("2 * 3 + 1").unwrap().constant(), Some(7.0));
    assert_eq!(Expr::parse("-(2 ^ 2)").unwrap().constant(), Some(-4.0));
    assert_eq!(
        Expr::parse("max(1, 2, 3) + if(1 < 2, pi, 0)")
            .unwrap()
            .constant(),
        Some(3.0 + std::f64::consts::PI)
    );
    assert_eq!(Expr::parse("d").unwrap().constant(), None);
    assert_eq!(Expr::parse("d * 0").unwrap().constant(), None);
    assert_eq!(Expr::parse("rand()").unwrap().constant(), None);
    assert_eq!(Expr::parse("uniform(1, 1)").unwrap().constant(), None);
    // A constant subtree inside a non-constant expression folds too; the value must not change.
    let e = Expr::parse("d * (2 * 3 + exp(0))").unwrap();
    assert_eq!(e.eval(&[2.0], &mut rng()), 14.0);
}

#[test]
fn is_random() {
    for src in [
        "rand()",
        "uniform(0, 1)",
        "normal(0, 1)",
        "lognormal(0, 1)",
        "randint(1, 3)",
        "if(d > 1, 0, rand())",
        "d + 0 * normal(0, 1)",
    ] {
        assert!(Expr::parse(src).unwrap().is_random(), "{src}");
    }
    for src in ["1", "d", "exp(src.x) + if(d < 1, 2, dx)"] {
        assert!(!Expr::parse(src).unwrap().is_random(), "{src}");
    }
}

#[test]
fn random_draws_are_deterministic() {
    let e = Expr::parse(
        "rand() + uniform(2, 5) * normal(1, 2) - lognormal(0, 0.5) + randint(1, 6) + d",
    )
    .unwrap();
    let mut a = ChaCha8Rng::seed_from_u64(42);
    let mut b = ChaCha8Rng::seed_from_u64(42);
    let xs: Vec<f64> = (0..100).map(|i| e.eval(&[i as f64], &mut a)).collect();
    let ys: Vec<f64> = (0..100).map(|i| e.eval(&[i as f64], &mut b)).collect();
    assert_eq!(xs, ys);
    let mut c = ChaCha8Rng::seed_from_u64(43);
    let zs: Vec<f64> = (0..100).map(|i| e.eval(&[i as f64], &mut c)).collect();
    assert_ne!(xs, zs);
    // Both branches of `if` draw, so the rng ends in the same state whichever branch is taken.
    let e = Expr::parse("if(d > 0, rand(), normal(0, 1))").unwrap();
    let mut a = ChaCha8Rng::seed_from_u64(1);
    let mut b = ChaCha8Rng::seed_from_u64(1);
    e.eval(&[1.0], &mut a);
    e.eval(&[-1.0], &mut b);
    assert_eq!(a.get_word_pos(), b.get_word_pos());
}

/// Mean and standard deviation of `n` evaluations of `src`.
fn sample_stats(src: &str, n: usize) -> (f64, f64, Vec<f64>) {
    let e = Expr::parse(src).unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(2024);
    let xs: Vec<f64> = (0..n).map(|_| e.eval(&[], &mut r)).collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    (mean, var.sqrt(), xs)
}

#[track_caller]
fn assert_mean(src: &str, want_mean: f64, want_sd: f64) {
    let n = 20_000;
    let (mean, sd, _) = sample_stats(src, n);
    let se = want_sd / (n as f64).sqrt();
    assert!(
        (mean - want_mean).abs() < 5.0 * se,
        "{src}: mean {mean}, want {want_mean} (se {se})"
    );
    assert!(
        (sd - want_sd).abs() < 0.05 * want_sd,
        "{src}: sd {sd}, want {want_sd}"
    );
}

#[test]
fn distributions_have_the_right_moments() {
    assert_mean("rand()", 0.5, (1.0f64 / 12.0).sqrt());
    assert_mean("uniform(2, 6)", 4.0, 4.0 / 12f64.sqrt());
    assert_mean("normal(10, 3)", 10.0, 3.0);
    // lognormal(m, s): mean exp(m + s^2/2), variance (exp(s^2) - 1) exp(2m + s^2).
    let (m, s) = (0.5f64, 0.4f64);
    let mean = (m + s * s / 2.0).exp();
    let sd = (((s * s).exp() - 1.0) * (2.0 * m + s * s).exp()).sqrt();
    assert_mean("lognormal(0.5, 0.4)", mean, sd);
    // randint(1, 6): a die.
    assert_mean("randint(1, 6)", 3.5, (35.0f64 / 12.0).sqrt());

    let (_, _, xs) = sample_stats("rand()", 10_000);
    assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
    let (_, _, xs) = sample_stats("uniform(-3, -1)", 10_000);
    assert!(xs.iter().all(|&x| (-3.0..=-1.0).contains(&x)));
    let (_, _, xs) = sample_stats("randint(-2, 2)", 10_000);
    for k in -2..=2 {
        let count = xs.iter().filter(|&&x| x == k as f64).count();
        assert!(
            (1700..2300).contains(&count),
            "randint: {k} drawn {count} times"
        );
    }
    assert!(xs
        .iter()
        .all(|&x| x.fract() == 0.0 && (-2.0..=2.0).contains(&x)));
    // Only the integers inside [a, b].
    let (_, _, xs) = sample_stats("randint(0.5, 2.5)", 1000);
    assert!(xs.iter().all(|&x| x == 1.0 || x == 2.0));
}

#[test]
fn invalid_random_parameters_give_nan() {
    assert!(val("normal(0, -1)").is_nan());
    assert!(val("lognormal(0, -1)").is_nan());
    assert!(val("randint(3, 1)").is_nan());
    assert!(val("randint(0.2, 0.8)").is_nan());
    assert_eq!(val("normal(4, 0)"), 4.0);
    assert_eq!(val("randint(5, 5)"), 5.0);
}

#[test]
fn error_unknown_function_suggests() {
    check_err(
        "1 + expp(d)",
        4..8,
        "unknown function `expp`; did you mean `exp`?",
    );
    check_err("nromal(0, 1)", 0..6, "did you mean `normal`?");
    check_err("unifrom(0, 1)", 0..7, "did you mean `uniform`?");
    check_err("sqr(2)", 0..3, "did you mean `sqrt`?");
    let e = err("frobnicate(2)");
    assert_eq!(e.span, 0..10);
    assert!(!e.message.contains("did you mean"), "{}", e.message);
    check_err("d(2)", 0..1, "`d` is not a function");
}

#[test]
fn error_unknown_variable() {
    check_err("foo + 1", 0..3, "unknown variable `foo`");
    check_err("2 * x", 4..5, "src.x");
    check_err("dxx", 0..3, "did you mean `dx`?");
    check_err("dist", 0..4, "`src.dist`");
    check_err("srcc.x", 0..4, "did you mean `src.NAME`");
    check_err("src. + 1", 0..4, "expected a property name after `src.`");
    check_err("src.", 0..4, "expected a property name after `src.`");
    check_err("trg", 0..3, "`trg.NAME`");
    check_err("src.1", 0..3, "`src.NAME`");
    check_err("exp + 1", 0..3, "`exp` is a function");
    check_err("1 + and", 4..7, "expected a value, found `and`");
}

#[test]
fn error_syntax() {
    check_err("", 0..0, "empty expression");
    check_err("   ", 0..3, "empty expression");
    check_err("(1 + 2", 0..1, "unclosed `(`");
    check_err("exp(1 + 2", 3..4, "unclosed `(`");
    check_err("1 + 2)", 5..6, "unmatched `)`");
    check_err("1 2", 2..3, "expected an operator, found number `2`");
    check_err("d d", 2..3, "expected an operator, found `d`");
    check_err("(1 2)", 3..4, "found number `2`");
    check_err("1 +", 3..3, "expected a value, found end of expression");
    check_err("* 2", 0..1, "expected a value, found `*`");
    check_err("()", 1..2, "expected a value, found `)`");
    check_err("min(1,,2)", 6..7, "expected a value, found `,`");
    check_err("1 $ 2", 2..3, "unexpected character `$`");
    check_err("1 + é", 4..6, "unexpected character `é`");
    check_err("2 ** 3", 2..4, "`^`");
    check_err("a = 1", 2..3, "`==`");
    check_err("1 = 1", 2..3, "`==`");
    check_err("1 && 1", 2..4, "`and`");
    check_err("1 || 1", 2..4, "`or`");
    check_err("!1", 0..1, "`not`");
    check_err("2d", 0..2, "missing `*`");
    check_err("1e", 0..2, "exponent");
    check_err("1e999", 0..5, "too large");
    check_err("1 < 2 < 3", 6..7, "cannot be chained");
    check_err("1 + not 0", 4..7, "parentheses");
}

#[test]
fn error_arity() {
    check_err("exp(1, 2)", 0..9, "`exp` takes 1 argument, found 2");
    check_err("atan2(1)", 0..8, "`atan2` takes 2 arguments, found 1");
    check_err("if(1, 2)", 0..8, "`if` takes 3 arguments, found 2");
    check_err("rand(1)", 0..7, "`rand` takes 0 arguments, found 1");
    check_err("exp()", 0..5, "`exp` takes 1 argument, found 0");
    check_err("min(1)", 0..6, "`min` takes at least 2 arguments, found 1");
}

#[test]
fn limits() {
    // Deep nesting is an error, not a stack overflow.
    let deep = "(".repeat(60_000);
    check_err(&deep, MAX_DEPTH..MAX_DEPTH + 1, "nested too deeply");
    check_err(&"(".repeat(100_000), MAX_LEN..100_000, "too long");
    let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(err(&deep).message.contains("too long"));
    let deep = format!("{}1", "-".repeat(50_000));
    assert!(err(&deep).message.contains("nested too deeply"));
    let deep = format!("{}d", "exp(".repeat(10_000));
    assert!(err(&deep).message.contains("nested too deeply"));
    let deep = "2^".repeat(10_000) + "2";
    assert!(err(&deep).message.contains("nested too deeply"));
    // Nesting just under the limit is fine, and evaluates. (Each `(1 + ` is two levels: the
    // parenthesis and the right operand of `+`.)
    let n = MAX_DEPTH / 2 - 5;
    let ok = format!("{}d{}", "(1 + ".repeat(n), ")".repeat(n));
    let e = Expr::parse(&ok).unwrap();
    assert_eq!(e.eval(&[0.5], &mut rng()), n as f64 + 0.5);
    // Long flat chains are loops, not recursion: fine up to the length limit.
    let long = vec!["d"; 20_000].join("+");
    assert!(long.len() < MAX_LEN);
    let e = Expr::parse(&long).unwrap();
    assert_eq!(e.eval(&[1.0], &mut rng()), 20_000.0);
    let long = format!("min({})", vec!["d"; 20_000].join(","));
    assert_eq!(Expr::parse(&long).unwrap().eval(&[3.0], &mut rng()), 3.0);
    // Too long.
    let e = err(&"1".repeat(MAX_LEN + 1));
    assert!(e.message.contains("too long"));
}

#[test]
fn error_positions() {
    let src = "0.3 *\n  expp(d)";
    let e = err(src);
    assert_eq!(e.line_col(src), (2, 3));
    assert_eq!(err("1 + é $").line_col("1 + é $"), (1, 5));
}

#[test]
fn display_and_source() {
    let e = Expr::parse(" d * 2 ").unwrap();
    assert_eq!(e.to_string(), " d * 2 ");
    assert_eq!(e.source(), " d * 2 ");
    assert_eq!(Var::Dx.to_string(), "dx");
    assert_eq!(Var::Trg("y".into()).to_string(), "trg.y");
}

#[test]
fn expr_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Expr>();
}

#[test]
#[should_panic(expected = "variable values given")]
fn eval_with_too_few_values_panics() {
    Expr::parse("d + dx").unwrap().eval(&[1.0], &mut rng());
}

#[test]
fn deepest_nesting_fits_in_a_thread_stack() {
    // The parser recurses once per level: about 0.4 KiB of stack per level in release builds,
    // 3.5 KiB in debug builds (calls are the heaviest). At the limit this must fit, with room to
    // spare, in less than the 2 MiB Rust gives a spawned thread, even in debug builds.
    let calls = format!(
        "{}d{}",
        "exp(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    let worst = [
        calls,
        "(".repeat(10_000),
        "-".repeat(10_000) + "1",
        "exp(".repeat(10_000),
    ];
    std::thread::Builder::new()
        .stack_size(1536 * 1024)
        .spawn(move || {
            assert!(Expr::parse(&worst[0]).is_ok());
            for src in &worst[1..] {
                assert!(Expr::parse(src).is_err());
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
