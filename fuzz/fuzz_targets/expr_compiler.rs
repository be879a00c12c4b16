//! Bytes -> `netbuild_expr::Expr::parse`, then `eval` and `bounds` on a few variable values.
//! Besides "no panic", checks the documented contract of `bounds`: for values inside the
//! intervals, `eval` gives a value inside the bound, or NaN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netbuild_expr::{Expr, Interval};
use rand::SeedableRng;

const POINTS: [f64; 6] = [0.0, 1.0, -1.0, 0.5, 250.0, -3.75];

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let expr = match Expr::parse(src) {
        Ok(e) => e,
        Err(e) => {
            let _ = e.line_col(src);
            return;
        }
    };
    let n = expr.variables().len();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);

    // Interval sets: each variable in [-1, 1], in [0, 250], and pinned points.
    let boxes: [(f64, f64); 3] = [(-1.0, 1.0), (0.0, 250.0), (-3.75, 0.5)];
    for &(lo, hi) in &boxes {
        let ivs = vec![Interval::new(lo, hi); n];
        let b = expr.bounds(&ivs);
        for (k, &p) in POINTS.iter().enumerate() {
            if p < lo || p > hi {
                continue;
            }
            // Mix: variable i takes a point from the list, shifted by i, clamped into the box.
            let vals: Vec<f64> = (0..n)
                .map(|i| {
                    let v = POINTS[(k + i) % POINTS.len()];
                    if v < lo || v > hi {
                        p
                    } else {
                        v
                    }
                })
                .collect();
            for _ in 0..3 {
                let v = expr.eval(&vals, &mut rng);
                if !v.is_nan() {
                    assert!(
                        b.lo <= v && v <= b.hi,
                        "bounds unsound: {src:?} over [{lo}, {hi}]^{n} gives [{}, {}] but eval({vals:?}) = {v}",
                        b.lo,
                        b.hi
                    );
                }
            }
        }
    }
    // Degenerate intervals (points) and unbounded ones must not panic.
    let _ = expr.bounds(&vec![Interval::new(2.0, 2.0); n]);
    let _ = expr.bounds(&vec![Interval::new(f64::NEG_INFINITY, f64::INFINITY); n]);
    let _ = expr.eval(&vec![f64::NAN; n], &mut rng);
    let _ = expr.eval(&vec![f64::INFINITY; n], &mut rng);
    let _ = expr.constant();
});
