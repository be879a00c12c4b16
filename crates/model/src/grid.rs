//! A uniform spatial grid over source positions, so that a `max_distance` rule visits only the
//! sources near a target: O(candidates) per target instead of O(sources).
//!
//! In: source positions and the search radius. Out: for a query point, the positions (indices
//! into the source list) within the radius, ascending.
//!
//! The cell index and the positions in cell order are [`Shared`]: built by the host's computing
//! rank, mapped by its other ranks (see [`Grid::on_host`]).

use crate::geometry::{axis_far, axis_gap, bounding_box};
use crate::shared::{share, Host, Private, Shared};

/// Source positions bucketed into cubic cells of side `radius`, so a query reads 27 cells.
#[derive(Debug, Clone)]
pub struct Grid {
    radius: f64,
    cell: f64,
    origin: [f64; 3],
    dims: [usize; 3],
    /// Cell start offsets into `items` (CSR layout: one allocation, cache friendly).
    starts: Shared<u32>,
    items: Shared<u32>,
    /// The positions in `items` order: a query reads each cell's points in one stretch (the
    /// only copy of them the grid keeps).
    cell_points: Shared<[f64; 3]>,
    /// Number of points.
    n: usize,
}

/// Cells per search radius along each axis: smaller cells fit the sphere more tightly (more of
/// them lie wholly inside or outside it, and need no distance per point).
const CELLS_PER_RADIUS: f64 = 4.0;

/// Bounds the number of cells so that a tiny radius over a huge volume stays small in memory.
const MAX_CELLS: usize = 1 << 22;

impl Grid {
    /// The grid over `points`, held by this process alone.
    pub fn new(points: &[[f64; 3]], radius: f64) -> Grid {
        Grid::on_host(points.len(), |i| points[i], radius, &Private)
    }

    /// The grid over the `n` points `point(0..n)`, its arrays built by `host`'s computing rank
    /// and shared by the host's ranks. *Collective over the host.*
    pub fn on_host(
        n: usize,
        point: impl Fn(usize) -> [f64; 3],
        radius: f64,
        host: &dyn Host,
    ) -> Grid {
        let (mut lo, mut hi) = bounding_box((0..n).map(&point));
        if n == 0 {
            lo = [0.0; 3];
            hi = [0.0; 3];
        }
        let mut cell = (radius / CELLS_PER_RADIUS).max(1e-9);
        let dims = loop {
            let d =
                [0, 1, 2].map(|a| (((hi[a] - lo[a]) / cell).floor() as usize).saturating_add(1));
            let cells = d.iter().try_fold(1usize, |acc, &x| acc.checked_mul(x));
            match cells {
                // At most a few cells per point (and MAX_CELLS): an edge type's grid stays
                // small next to its sources, however small the radius.
                Some(c) if c <= (4 * n).clamp(1 << 12, MAX_CELLS) => break d,
                _ => cell *= 2.0,
            }
        };
        let ncells = dims[0] * dims[1] * dims[2];
        let key = |p: &[f64; 3]| -> usize {
            let c = [0, 1, 2].map(|a| (((p[a] - lo[a]) / cell) as usize).min(dims[a] - 1));
            (c[0] * dims[1] + c[1]) * dims[2] + c[2]
        };
        // Each array from the one before (shared already), so that a rank that must make its
        // own (sharing failed there) makes just that one.
        let starts = share(host, || {
            let mut counts = vec![0u32; ncells + 1];
            for i in 0..n {
                counts[key(&point(i)) + 1] += 1;
            }
            for i in 0..ncells {
                counts[i + 1] += counts[i];
            }
            counts
        });
        let items = share(host, || {
            let mut fill = starts.to_vec();
            let mut items = vec![0u32; n];
            for i in 0..n {
                let k = key(&point(i));
                items[fill[k] as usize] = i as u32;
                fill[k] += 1;
            }
            items
        });
        let cell_points = share(host, || items.iter().map(|&i| point(i as usize)).collect());
        Grid {
            radius,
            cell,
            origin: lo,
            dims,
            starts,
            items,
            cell_points,
            n,
        }
    }

    /// The indices of points within `radius` of `q` (distance <= radius), ascending.
    pub fn within(&self, q: [f64; 3], out: &mut Vec<u32>) {
        out.clear();
        if self.n == 0 {
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
        // Ascending order two ways: many hits for the number of points make a bitmap over all
        // points (set, then scanned word by word) cheaper than sorting the hits.
        let words = self.n.div_ceil(64);
        let mut bits = (words <= 4 * self.nearby_count(q)).then(|| vec![0u64; words]);
        let mut hit = |idx: u32| match &mut bits {
            Some(b) => b[idx as usize / 64] |= 1 << (idx % 64),
            None => out.push(idx),
        };
        // A cell's box, widened by a hair so that rounding in the cell keys never puts a point
        // outside the box it is judged by: culling stays exact.
        let pad = self.cell * 1e-9;
        let bounds = |a: usize, c: i64| {
            let lo = self.origin[a] + c as f64 * self.cell;
            (lo - pad, lo + self.cell + pad)
        };
        for i in range(0) {
            let (x0, x1) = bounds(0, i);
            for j in range(1) {
                let (y0, y1) = bounds(1, j);
                for k in range(2) {
                    let (z0, z1) = bounds(2, k);
                    let near =
                        axis_gap(q[0], x0, x1) + axis_gap(q[1], y0, y1) + axis_gap(q[2], z0, z1);
                    // Margins of 1e-9 keep both culls on the safe side of the per-point test's
                    // own rounding.
                    if near > r2 * (1.0 + 1e-9) {
                        continue;
                    }
                    let cell =
                        ((i as usize * self.dims[1]) + j as usize) * self.dims[2] + k as usize;
                    let (s, e) = (self.starts[cell] as usize, self.starts[cell + 1] as usize);
                    let far =
                        axis_far(q[0], x0, x1) + axis_far(q[1], y0, y1) + axis_far(q[2], z0, z1);
                    if far <= r2 * (1.0 - 1e-9) {
                        self.items[s..e].iter().for_each(|&idx| hit(idx));
                        continue;
                    }
                    for (&idx, p) in self.items[s..e].iter().zip(&self.cell_points[s..e]) {
                        let d2 =
                            (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2);
                        if d2 <= r2 {
                            hit(idx);
                        }
                    }
                }
            }
        }
        match bits {
            Some(b) => {
                for (w, &word) in b.iter().enumerate() {
                    let mut m = word;
                    while m != 0 {
                        out.push((w * 64) as u32 + m.trailing_zeros());
                        m &= m - 1;
                    }
                }
            }
            None => out.sort_unstable(),
        }
    }

    /// How many points lie in the cells a query at `q` reads: a cheap upper estimate of the work.
    pub fn nearby_count(&self, q: [f64; 3]) -> usize {
        if self.n == 0 {
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
        // A large radius takes the bitmap path (many hits), a small one the sorting path.
        for radius in [23.0, 2.0] {
            let g = Grid::new(&pts, radius);
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
                            <= radius * radius
                    })
                    .map(|(i, _)| i as u32)
                    .collect();
                assert_eq!(out, brute, "radius {radius}");
                assert!(g.nearby_count(q) >= out.len());
            }
        }
    }
}
