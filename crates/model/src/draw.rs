//! Draws values from generator tables (`{ uniform = [lo, hi] }`, `{ normal = [m, s], min = 0 }`, ...),
//! for node columns and for per-edge properties alike.
//!
//! In: a [`Generator`], an index (for deterministic kinds: `linspace`, `csv`) and a random stream.
//! Out: one value. Numbers come out as f64 whatever the stored dtype; strings only from `choice`
//! and `csv` columns of strings.

use netbuild_types::{GenKind, Generator, Scalar};
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// A bounded generator redraws until its value is inside `[min, max]` (a truncated distribution).
/// The loader rejects bounds that cannot be hit; this cap only keeps a nearly-impossible bound
/// from spinning for ever, after which the value is clamped.
const MAX_REDRAWS: usize = 1_000_000;

/// One drawn value.
#[derive(Debug, Clone, PartialEq)]
pub enum Drawn<'a> {
    Num(f64),
    Str(&'a str),
}

/// Number of values a deterministic generator needs to know (`linspace` spans the block).
pub fn draw<'g, R: Rng + ?Sized>(gen: &'g Generator, i: u64, n: u64, rng: &mut R) -> Drawn<'g> {
    let once = |rng: &mut R| -> Drawn<'g> {
        match &gen.kind {
            GenKind::Uniform { lo, hi } => Drawn::Num(lo + (hi - lo) * rng.gen::<f64>()),
            GenKind::Normal { mean, sd } => match Normal::new(*mean, *sd) {
                Ok(d) => Drawn::Num(d.sample(rng)),
                Err(_) => Drawn::Num(*mean),
            },
            GenKind::UniformInt { lo, hi } => Drawn::Num(rng.gen_range(*lo..=*hi) as f64),
            GenKind::Linspace { start, stop } => {
                let v = if n <= 1 {
                    *start
                } else {
                    start + (stop - start) * (i as f64) / ((n - 1) as f64)
                };
                Drawn::Num(v)
            }
            GenKind::Choice(values) => {
                let k = rng.gen_range(0..values.len().max(1));
                scalar(values.get(k))
            }
            GenKind::Csv(values) => scalar(values.get(i as usize)),
        }
    };
    let mut v = once(rng);
    if gen.min.is_none() && gen.max.is_none() {
        return v;
    }
    let lo = gen.min.unwrap_or(f64::NEG_INFINITY);
    let hi = gen.max.unwrap_or(f64::INFINITY);
    for _ in 0..MAX_REDRAWS {
        match v {
            Drawn::Num(x) if x < lo || x > hi || x.is_nan() => v = once(rng),
            _ => return v,
        }
    }
    match v {
        Drawn::Num(x) => Drawn::Num(x.clamp(lo, hi)),
        other => other,
    }
}

fn scalar(s: Option<&Scalar>) -> Drawn<'_> {
    match s {
        Some(Scalar::Str(s)) => Drawn::Str(s),
        Some(Scalar::Int(i)) => Drawn::Num(*i as f64),
        Some(Scalar::Float(f)) => Drawn::Num(*f),
        Some(Scalar::Bool(b)) => Drawn::Num(f64::from(u8::from(*b))),
        None => Drawn::Num(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::generator;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn sample(gen: &Generator, n: usize) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        (0..n)
            .map(|i| match draw(gen, i as u64, n as u64, &mut rng) {
                Drawn::Num(x) => x,
                Drawn::Str(_) => panic!("string"),
            })
            .collect()
    }

    #[test]
    fn truncated_normal_stays_inside_and_keeps_its_shape() {
        let mut g = generator(GenKind::Normal {
            mean: 1.5,
            sd: 0.75,
        });
        g.min = Some(0.05);
        let v = sample(&g, 20000);
        assert!(v.iter().all(|&x| x >= 0.05));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        // Truncating the lower 2.7% raises the mean slightly above 1.5.
        assert!(mean > 1.5 && mean < 1.58, "mean {mean}");
    }

    #[test]
    fn linspace_includes_both_ends() {
        let g = generator(GenKind::Linspace {
            start: 0.0,
            stop: 1.0,
        });
        assert_eq!(sample(&g, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn uniform_int_is_inclusive() {
        let g = generator(GenKind::UniformInt { lo: 1, hi: 3 });
        let v = sample(&g, 3000);
        for k in 1..=3 {
            let c = v.iter().filter(|&&x| x == k as f64).count();
            assert!((900..1100).contains(&c), "{k}: {c}");
        }
        assert!(v.iter().all(|&x| (1.0..=3.0).contains(&x)));
    }
}
