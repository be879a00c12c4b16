//! Sampling primitives that keep rules O(edges) instead of O(pairs).
//!
//! In: sizes, probabilities and a random stream. Out: sorted positions.

use rand::Rng;

/// Bernoulli(p) over positions `0..n`: the chosen positions, ascending, found by jumping
/// geometric gaps (one draw per edge, not per pair).
pub fn bernoulli_positions<R: Rng + ?Sized>(n: usize, p: f64, rng: &mut R, out: &mut Vec<usize>) {
    out.clear();
    if n == 0 || p <= 0.0 || p.is_nan() {
        return;
    }
    if p >= 1.0 {
        out.extend(0..n);
        return;
    }
    let log_q = (-p).ln_1p();
    let mut pos: f64 = -1.0;
    loop {
        // 1 - u in (0, 1]: ln never sees 0.
        let u: f64 = 1.0 - rng.gen::<f64>();
        let gap = floor_non_negative(u.ln() / log_q);
        pos += gap + 1.0;
        if pos >= n as f64 {
            return;
        }
        out.push(pos as usize);
    }
}

/// `x.floor()` for the gaps above (0 or more, or NaN), without the call to libm's `floor` that
/// a build for baseline x86-64 makes (it cost as much as the `ln`): below 2^52 the integer part
/// of a non-negative number is its truncation, which a conversion to `i64` gives exactly (a
/// zero of either sign becomes +0, the same once 1 is added); anything else goes to `floor`.
#[inline]
fn floor_non_negative(x: f64) -> f64 {
    if (0.0..4_503_599_627_370_496.0).contains(&x) {
        x as i64 as f64
    } else {
        x.floor()
    }
}

/// `k` distinct positions of `0..n`, uniformly (Robert Floyd's algorithm: k draws whatever n),
/// sorted ascending. Requires `k <= n`.
pub fn distinct_positions<R: Rng + ?Sized>(n: usize, k: usize, rng: &mut R, out: &mut Vec<usize>) {
    out.clear();
    debug_assert!(k <= n);
    let k = k.min(n);
    if k * 2 > n {
        // Dense: cheaper to choose the ones left out.
        let mut skip = Vec::with_capacity(n - k);
        floyd(n, n - k, rng, &mut skip);
        skip.sort_unstable();
        let mut s = skip.iter().peekable();
        for i in 0..n {
            if s.peek() == Some(&&i) {
                s.next();
            } else {
                out.push(i);
            }
        }
        return;
    }
    floyd(n, k, rng, out);
    out.sort_unstable();
}

fn floyd<R: Rng + ?Sized>(n: usize, k: usize, rng: &mut R, out: &mut Vec<usize>) {
    let mut seen = std::collections::HashSet::with_capacity(k * 2);
    for j in (n - k)..n {
        let r = rng.gen_range(0..=j);
        let pick = if seen.contains(&r) { j } else { r };
        seen.insert(pick);
        out.push(pick);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn floor_non_negative_is_floor() {
        let mut x = 0.37f64;
        let mut values = vec![0.0, 0.5, 1.0, 4_503_599_627_370_495.5, 4.6e15, 1e300];
        for _ in 0..10_000 {
            x = (x * 7.13 + 0.29).fract();
            values.extend([x, x * 1e3, x * 1e9, x * 1e15, x * 1e16, 1.0 / x]);
        }
        for v in values {
            assert_eq!(
                floor_non_negative(v).to_bits(),
                v.floor().to_bits(),
                "{v:e}"
            );
        }
        assert!(floor_non_negative(f64::NAN).is_nan());
        assert_eq!(floor_non_negative(f64::INFINITY), f64::INFINITY);
        assert_eq!(floor_non_negative(-0.0) + 1.0, (-0.0f64).floor() + 1.0);
    }

    #[test]
    fn bernoulli_count_is_within_a_few_sd() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut out = Vec::new();
        let (n, p) = (1_000_000, 0.01);
        bernoulli_positions(n, p, &mut rng, &mut out);
        let mean = n as f64 * p;
        let sd = (n as f64 * p * (1.0 - p)).sqrt();
        assert!(
            ((out.len() as f64) - mean).abs() < 5.0 * sd,
            "{}",
            out.len()
        );
        assert!(out.windows(2).all(|w| w[0] < w[1]));
        assert!(out.iter().all(|&i| i < n));
    }

    #[test]
    fn bernoulli_positions_are_uniform() {
        // Each position is hit with probability p: compare halves.
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut out = Vec::new();
        let mut low = 0usize;
        let mut total = 0usize;
        for _ in 0..200 {
            bernoulli_positions(1000, 0.2, &mut rng, &mut out);
            low += out.iter().filter(|&&i| i < 500).count();
            total += out.len();
        }
        let frac = low as f64 / total as f64;
        assert!((frac - 0.5).abs() < 0.02, "{frac}");
    }

    #[test]
    fn bernoulli_edge_cases() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut out = Vec::new();
        bernoulli_positions(10, 1.0, &mut rng, &mut out);
        assert_eq!(out, (0..10).collect::<Vec<_>>());
        bernoulli_positions(10, 0.0, &mut rng, &mut out);
        assert!(out.is_empty());
        bernoulli_positions(0, 0.5, &mut rng, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn distinct_positions_are_distinct_sorted_and_uniform() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let mut out = Vec::new();
        let mut hits = vec![0usize; 20];
        for _ in 0..5000 {
            for k in [0, 3, 15, 20] {
                distinct_positions(20, k, &mut rng, &mut out);
                assert_eq!(out.len(), k);
                assert!(out.windows(2).all(|w| w[0] < w[1]));
                if k == 3 {
                    for &i in &out {
                        hits[i] += 1;
                    }
                }
            }
        }
        // Each position chosen with probability 3/20 in 5000 trials: mean 750, sd ~25.
        assert!(hits.iter().all(|&h| (650..850).contains(&h)), "{hits:?}");
    }
}
