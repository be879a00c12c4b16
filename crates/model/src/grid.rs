//! A uniform spatial grid over source positions, so that a `max_distance` rule visits only the
//! sources near a target: O(candidates) per target instead of O(sources).
//!
//! In: source positions and the search radius. Out: for a query point, the positions (indices
//! into the source list) within the radius, ascending.

/// Source positions bucketed into cubic cells of side `radius`, so a query reads 27 cells.
#[derive(Debug, Clone)]
pub struct Grid {
    radius: f64,
    cell: f64,
    origin: [f64; 3],
    dims: [usize; 3],
    /// Cell start offsets into `items` (CSR layout: one allocation, cache friendly).
    starts: Vec<u32>,
    items: Vec<u32>,
    points: Vec<[f64; 3]>,
}

/// Bounds the number of cells so that a tiny radius over a huge volume stays small in memory.
const MAX_CELLS: usize = 1 << 22;

impl Grid {
    pub fn new(points: Vec<[f64; 3]>, radius: f64) -> Grid {
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for p in &points {
            for a in 0..3 {
                lo[a] = lo[a].min(p[a]);
                hi[a] = hi[a].max(p[a]);
            }
        }
        if points.is_empty() {
            lo = [0.0; 3];
            hi = [0.0; 3];
        }
        let mut cell = radius.max(1e-9);
        let dims = loop {
            let d =
                [0, 1, 2].map(|a| (((hi[a] - lo[a]) / cell).floor() as usize).saturating_add(1));
            let cells = d.iter().try_fold(1usize, |acc, &x| acc.checked_mul(x));
            match cells {
                Some(c) if c <= MAX_CELLS.max(points.len()) => break d,
                _ => cell *= 2.0,
            }
        };
        let ncells = dims[0] * dims[1] * dims[2];
        let key = |p: &[f64; 3]| -> usize {
            let c = [0, 1, 2].map(|a| (((p[a] - lo[a]) / cell) as usize).min(dims[a] - 1));
            (c[0] * dims[1] + c[1]) * dims[2] + c[2]
        };
        let mut counts = vec![0u32; ncells + 1];
        for p in &points {
            counts[key(p) + 1] += 1;
        }
        for i in 0..ncells {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut items = vec![0u32; points.len()];
        for (i, p) in points.iter().enumerate() {
            let k = key(p);
            items[fill[k] as usize] = i as u32;
            fill[k] += 1;
        }
        Grid {
            radius,
            cell,
            origin: lo,
            dims,
            starts: counts,
            items,
            points,
        }
    }

    /// The indices of points within `radius` of `q` (distance <= radius), ascending.
    pub fn within(&self, q: [f64; 3], out: &mut Vec<u32>) {
        out.clear();
        if self.points.is_empty() {
            return;
        }
        let r2 = self.radius * self.radius;
        let span = (self.radius / self.cell).ceil() as i64;
        let c = [0, 1, 2].map(|a| ((q[a] - self.origin[a]) / self.cell).floor() as i64);
        let range = |a: usize| {
            let lo = (c[a] - span).max(0);
            let hi = (c[a] + span).min(self.dims[a] as i64 - 1);
            lo..=hi
        };
        for i in range(0) {
            for j in range(1) {
                for k in range(2) {
                    let cell =
                        ((i as usize * self.dims[1]) + j as usize) * self.dims[2] + k as usize;
                    let (s, e) = (self.starts[cell] as usize, self.starts[cell + 1] as usize);
                    for &idx in &self.items[s..e] {
                        let p = self.points[idx as usize];
                        let d2 =
                            (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2);
                        if d2 <= r2 {
                            out.push(idx);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
    }

    /// How many points lie in the cells a query at `q` reads: a cheap upper estimate of the work.
    pub fn nearby_count(&self, q: [f64; 3]) -> usize {
        if self.points.is_empty() {
            return 0;
        }
        let span = (self.radius / self.cell).ceil() as i64;
        let c = [0, 1, 2].map(|a| ((q[a] - self.origin[a]) / self.cell).floor() as i64);
        let mut n = 0;
        for i in (c[0] - span).max(0)..=(c[0] + span).min(self.dims[0] as i64 - 1) {
            for j in (c[1] - span).max(0)..=(c[1] + span).min(self.dims[1] as i64 - 1) {
                let base = (i as usize * self.dims[1] + j as usize) * self.dims[2];
                let k0 = (c[2] - span).max(0) as usize;
                let k1 = (c[2] + span).min(self.dims[2] as i64 - 1);
                if k1 < k0 as i64 {
                    continue;
                }
                n += (self.starts[base + k1 as usize + 1] - self.starts[base + k0]) as usize;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn within_equals_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let pts: Vec<[f64; 3]> = (0..3000)
            .map(|_| [rng.gen_range(-50.0..50.0), rng.gen_range(0.0..300.0), 0.0])
            .collect();
        let g = Grid::new(pts.clone(), 23.0);
        let mut out = Vec::new();
        for _ in 0..200 {
            let q = [
                rng.gen_range(-80.0..80.0),
                rng.gen_range(-10.0..310.0),
                rng.gen_range(-5.0..5.0),
            ];
            g.within(q, &mut out);
            let brute: Vec<u32> = pts
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)
                        <= 23.0 * 23.0
                })
                .map(|(i, _)| i as u32)
                .collect();
            assert_eq!(out, brute);
            assert!(g.nearby_count(q) >= out.len());
        }
    }
}
