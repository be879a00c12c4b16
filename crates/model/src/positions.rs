//! Node positions drawn uniformly in a volume: a block's `positions` (BMTK's
//! `positions_columinar`, `positions_cuboid`, and `CellLocations` with a minimum distance).
//!
//! In: the build seed, the block's index and node count, and its [`Positions`]. Out: the x, y, z
//! columns of the block, or why the volume has no room for the nodes `min_distance` apart.
//!
//! Node i's candidate points come from its own keyed stream (block, node i, `Purpose::Position`),
//! so the values depend on the seed and the block alone, never on ranks or threads. With
//! `min_distance`, nodes are placed in id order by dart throwing: node i takes the first of its
//! candidates that is far enough from nodes 0..i, found through a grid of cells `min_distance`
//! wide (a candidate's only possible neighbours are in the 27 cells around it).

use crate::stream::{stream, Domain, Purpose};
use netbuild_types::{Positions, Shape, MAX_FILL};
use rand::Rng;
use std::f64::consts::PI;

/// Candidates a node may try before the block is declared too full. Dart throwing needs few
/// below ~25% fill and stalls at 30-32% with this cap (the spec loader refuses more than 30%,
/// `MAX_FILL`); the cap bounds the time spent on a volume that turns out too small.
pub const MAX_ATTEMPTS: u32 = 10_000;

/// The x, y, z values of a block's `n` nodes.
pub type Xyz = [Vec<f64>; 3];

/// Draws the positions of block `block`'s `n` nodes. `Err` says why they do not fit: at once
/// when they would fill more than [`MAX_FILL`] of the volume (the spec loader refuses that
/// already; builder users get the same answer), else when a node finds no room.
pub fn draw_positions(seed: u64, block: usize, n: u64, p: &Positions) -> Result<Xyz, String> {
    let fill = p.fill_fraction(n);
    if fill > MAX_FILL {
        return Err(format!(
            "N = {n} nodes at least {} apart would fill {:.0}% of this {}, and placing nodes at random stalls at about {:.0}%; lower N or min_distance, or enlarge the volume",
            p.min_distance.unwrap_or(0.0),
            fill * 100.0,
            shape_name(&p.shape),
            MAX_FILL * 100.0
        ));
    }
    let candidates = |i: u64| {
        let mut rng = stream(seed, Domain::NodeBlock(block), i, Purpose::Position);
        let shape = p.shape;
        let c = p.center;
        std::iter::repeat_with(move || {
            let q = point_in(&shape, &mut rng);
            [q[0] + c[0], q[1] + c[1], q[2] + c[2]]
        })
    };
    let mut xyz: Xyz = std::array::from_fn(|_| Vec::with_capacity(n as usize));
    let mut push = |q: [f64; 3]| {
        for (col, v) in xyz.iter_mut().zip(q) {
            col.push(v);
        }
    };
    match p.min_distance {
        Some(d) if d > 0.0 => {
            let (lo, hi) = bounds(p);
            let mut grid = DartGrid::new(d, lo, hi, n);
            for i in 0..n {
                let found = candidates(i)
                    .take(MAX_ATTEMPTS as usize)
                    .find(|q| grid.is_free(q));
                let Some(q) = found else {
                    return Err(format!(
                        "could place only {i} of N = {n} nodes at least {d} apart in this {}: node {i} found no room in {MAX_ATTEMPTS} random tries; lower N or min_distance, or enlarge the volume",
                        shape_name(&p.shape)
                    ));
                };
                grid.insert(q);
                push(q);
            }
        }
        _ => (0..n).for_each(|i| push(candidates(i).next().unwrap_or_default())),
    }
    Ok(xyz)
}

/// The spec's word for a shape, for messages.
pub fn shape_name(s: &Shape) -> &'static str {
    match s {
        Shape::Cylinder { .. } => "cylinder",
        Shape::Box { .. } => "box",
        Shape::Sphere { .. } => "sphere",
    }
}

/// A point uniform in `shape` (around the origin).
fn point_in<R: Rng>(shape: &Shape, rng: &mut R) -> [f64; 3] {
    let mut u = || rng.gen::<f64>();
    match *shape {
        Shape::Cylinder { radius, y_lo, y_hi } => {
            // The area inside radius r grows as r^2: r = R sqrt(u) is uniform over the disc.
            let r = radius * u().sqrt();
            let phi = 2.0 * PI * u();
            let y = y_lo + (y_hi - y_lo) * u();
            [r * phi.cos(), y, r * phi.sin()]
        }
        Shape::Box { lo, hi } => std::array::from_fn(|k| lo[k] + (hi[k] - lo[k]) * u()),
        Shape::Sphere { radius } => {
            // Volume inside r grows as r^3; cos(theta) uniform in [-1, 1] is uniform on the sphere.
            let r = radius * u().cbrt();
            let cos_t = 2.0 * u() - 1.0;
            let sin_t = (1.0 - cos_t * cos_t).max(0.0).sqrt();
            let phi = 2.0 * PI * u();
            [r * sin_t * phi.cos(), r * sin_t * phi.sin(), r * cos_t]
        }
    }
}

/// Accepted points bucketed in the cubic cells of a dense grid over the volume's bounding box,
/// cells at least `d` wide: a point closer than `d` to a candidate lies in the candidate's cell or
/// one of its 26 neighbours. Cells are widened past `d` when the box would need more than ~4 cells
/// per node (at most 32), so a tiny `min_distance` in a large volume costs no memory. Each cell
/// keeps a linked list of its points (`head`, `next`).
///
/// Why not [`crate::grid::Grid`]: that one indexes a fixed set of sources once (counted, then
/// laid out cell by cell, shared between the host's ranks) and answers "every point within r";
/// dart throwing adds one point at a time and asks "is any point closer than d", so it needs a
/// grid that grows in place and stops at the first hit. One structure for both would rebuild a
/// CSR index per accepted point or give the source index linked lists it does not need.
struct DartGrid {
    d2: f64,
    origin: [f64; 3],
    side: f64,
    dims: [usize; 3],
    /// First point of each cell, `NONE` when empty.
    head: Vec<u32>,
    /// The next point in the same cell, per point.
    next: Vec<u32>,
    points: Vec<[f64; 3]>,
}

const NONE: u32 = u32::MAX;

impl DartGrid {
    /// A grid for `n` points at least `d` apart inside the box `lo..hi`.
    fn new(d: f64, lo: [f64; 3], hi: [f64; 3], n: u64) -> DartGrid {
        let extent: [f64; 3] = std::array::from_fn(|k| (hi[k] - lo[k]).max(0.0));
        let room: f64 = extent.iter().map(|e| e.max(d)).product();
        let budget = (4.0 * n as f64).max(64.0);
        let mut side = d.max((room / budget).cbrt());
        let cells = |side: f64| extent.map(|e| (e / side).floor() + 1.0);
        // A needle-like box has many more cells than `room / side^3`: widen until they fit.
        while cells(side).iter().product::<f64>() > 8.0 * budget && side.is_finite() {
            side *= 2.0;
        }
        let dims = cells(side).map(|c| if c.is_finite() { c as usize } else { 1 });
        DartGrid {
            d2: d * d,
            origin: lo,
            side,
            dims,
            head: vec![NONE; dims.iter().product()],
            next: Vec::with_capacity(n as usize),
            points: Vec::with_capacity(n as usize),
        }
    }

    /// The cell of `q`, clamped into the grid: clamping keeps neighbours within one cell of each
    /// other, so a point rounded just outside the box is still found.
    fn cell(&self, q: &[f64; 3]) -> [usize; 3] {
        std::array::from_fn(|k| {
            let c = ((q[k] - self.origin[k]) / self.side).floor();
            c.clamp(0.0, (self.dims[k] - 1) as f64) as usize
        })
    }

    fn index(&self, c: [usize; 3]) -> usize {
        (c[0] * self.dims[1] + c[1]) * self.dims[2] + c[2]
    }

    fn is_free(&self, q: &[f64; 3]) -> bool {
        let c = self.cell(q);
        let span = |k: usize| c[k].saturating_sub(1)..=(c[k] + 1).min(self.dims[k] - 1);
        for x in span(0) {
            for y in span(1) {
                for z in span(2) {
                    let mut p = self.head[self.index([x, y, z])];
                    while p != NONE {
                        let o = &self.points[p as usize];
                        let s: f64 = (0..3).map(|k| (o[k] - q[k]).powi(2)).sum();
                        if s < self.d2 {
                            return false;
                        }
                        p = self.next[p as usize];
                    }
                }
            }
        }
        true
    }

    fn insert(&mut self, q: [f64; 3]) {
        let i = self.index(self.cell(&q));
        self.next.push(self.head[i]);
        self.head[i] = self.points.len() as u32;
        self.points.push(q);
    }
}

/// The smallest box holding every point of `p`'s volume (center included).
fn bounds(p: &Positions) -> ([f64; 3], [f64; 3]) {
    let (lo, hi) = match p.shape {
        Shape::Cylinder { radius, y_lo, y_hi } => {
            ([-radius, y_lo, -radius], [radius, y_hi, radius])
        }
        Shape::Box { lo, hi } => (lo, hi),
        Shape::Sphere { radius } => ([-radius; 3], [radius; 3]),
    };
    let c = p.center;
    (
        std::array::from_fn(|k| lo[k] + c[k]),
        std::array::from_fn(|k| hi[k] + c[k]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_origin(shape: Shape) -> Positions {
        Positions {
            shape,
            center: [0.0; 3],
            min_distance: None,
        }
    }

    fn points(xyz: &Xyz) -> Vec<[f64; 3]> {
        (0..xyz[0].len())
            .map(|i| [xyz[0][i], xyz[1][i], xyz[2][i]])
            .collect()
    }

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }

    /// Kolmogorov-Smirnov distance between the sample `v` and the CDF `f`.
    fn ks(mut v: Vec<f64>, f: impl Fn(f64) -> f64) -> f64 {
        v.sort_by(f64::total_cmp);
        let n = v.len() as f64;
        v.iter()
            .enumerate()
            .map(|(i, &x)| {
                let c = f(x);
                (c - i as f64 / n).abs().max((c - (i + 1) as f64 / n).abs())
            })
            .fold(0.0, f64::max)
    }

    /// KS distances above this fail at the 0.1% level for n = 20000 (1.95 / sqrt(n)).
    const KS_LIMIT: f64 = 1.95 / 141.42;

    #[test]
    fn cylinder_is_uniform_in_the_disc_and_in_y() {
        let p = Positions {
            center: [10.0, 0.0, -5.0],
            ..at_origin(Shape::Cylinder {
                radius: 400.0,
                y_lo: 50.0,
                y_hi: 169.0,
            })
        };
        let xyz = draw_positions(3, 0, 20_000, &p).unwrap();
        let pts = points(&xyz);
        // r^2 / R^2 is uniform in [0, 1] for a uniform disc.
        let r2: Vec<f64> = pts
            .iter()
            .map(|q| ((q[0] - 10.0).powi(2) + (q[2] + 5.0).powi(2)) / 400.0f64.powi(2))
            .collect();
        assert!(r2.iter().all(|&v| v <= 1.0 + 1e-12));
        assert!(ks(r2, |v| v.clamp(0.0, 1.0)) < KS_LIMIT);
        let y = xyz[1].clone();
        assert!(y.iter().all(|&v| (50.0..=169.0).contains(&v)));
        assert!(ks(y, |v| ((v - 50.0) / 119.0).clamp(0.0, 1.0)) < KS_LIMIT);
        // The angle is uniform too: x and z centred on the center.
        assert!((mean(&xyz[0]) - 10.0).abs() < 6.0, "{}", mean(&xyz[0]));
        assert!((mean(&xyz[2]) + 5.0).abs() < 6.0, "{}", mean(&xyz[2]));
    }

    #[test]
    fn box_fills_each_range_uniformly() {
        let lo = [-10.0, 0.0, 100.0];
        let hi = [10.0, 300.0, 101.0];
        let xyz = draw_positions(5, 2, 20_000, &at_origin(Shape::Box { lo, hi })).unwrap();
        for k in 0..3 {
            assert!(xyz[k].iter().all(|&v| lo[k] <= v && v <= hi[k]));
            let (a, b) = (lo[k], hi[k]);
            assert!(ks(xyz[k].clone(), |v| ((v - a) / (b - a)).clamp(0.0, 1.0)) < KS_LIMIT);
        }
    }

    #[test]
    fn sphere_is_uniform_in_the_ball() {
        let xyz = draw_positions(8, 1, 20_000, &at_origin(Shape::Sphere { radius: 50.0 })).unwrap();
        let pts = points(&xyz);
        // (r / R)^3 is uniform in [0, 1] for a uniform ball; z / r uniform in [-1, 1].
        let r3: Vec<f64> = pts
            .iter()
            .map(|q| (q.iter().map(|v| v * v).sum::<f64>().sqrt() / 50.0).powi(3))
            .collect();
        assert!(r3.iter().all(|&v| v <= 1.0 + 1e-9));
        assert!(ks(r3, |v| v.clamp(0.0, 1.0)) < KS_LIMIT);
        let cos: Vec<f64> = pts
            .iter()
            .map(|q| q[2] / q.iter().map(|v| v * v).sum::<f64>().sqrt())
            .collect();
        assert!(ks(cos, |v| ((v + 1.0) / 2.0).clamp(0.0, 1.0)) < KS_LIMIT);
        for (k, axis) in xyz.iter().enumerate() {
            assert!(mean(axis).abs() < 1.0, "axis {k}: {}", mean(axis));
        }
    }

    #[test]
    fn min_distance_is_honoured_brute_force() {
        let p = Positions {
            min_distance: Some(12.0),
            ..at_origin(Shape::Cylinder {
                radius: 200.0,
                y_lo: 0.0,
                y_hi: 100.0,
            })
        };
        // 3000 balls of diameter 12 fill about 18% of the grown cylinder.
        let n = 3000;
        assert!(p.fill_fraction(n) > 0.15);
        let pts = points(&draw_positions(1, 0, n, &p).unwrap());
        assert_eq!(pts.len(), n as usize);
        let mut closest = f64::INFINITY;
        for i in 0..pts.len() {
            for j in 0..i {
                let d2: f64 = (0..3).map(|k| (pts[i][k] - pts[j][k]).powi(2)).sum();
                closest = closest.min(d2.sqrt());
            }
        }
        assert!(closest >= 12.0, "closest pair {closest}");
        // Still spread over the whole volume, not packed on one side.
        let r2: Vec<f64> = pts
            .iter()
            .map(|q| (q[0] * q[0] + q[2] * q[2]) / 200.0f64.powi(2))
            .collect();
        assert!((mean(&r2) - 0.5).abs() < 0.03, "{}", mean(&r2));
    }

    #[test]
    fn a_volume_too_small_is_an_error_not_a_hang() {
        // Two nodes 10 apart in a ball of radius 5: only exactly opposite points would do.
        let p = Positions {
            min_distance: Some(10.0),
            ..at_origin(Shape::Sphere { radius: 5.0 })
        };
        let e = draw_positions(0, 0, 2, &p).unwrap_err();
        assert!(e.contains("could place only 1 of N = 2"), "{e}");
    }

    #[test]
    fn the_grid_stays_small_for_any_shape() {
        for (lo, hi, d, n) in [
            ([0.0; 3], [1e12, 1.0, 1.0], 1.0, 10),
            ([0.0; 3], [1e3; 3], 1e-6, 1000),
            ([0.0; 3], [0.0; 3], 5.0, 3),
            ([-1e300; 3], [1e300; 3], 1.0, 100),
        ] {
            let g = DartGrid::new(d, lo, hi, n);
            assert!(g.side >= d);
            assert!(
                g.head.len() as f64 <= 8.0 * (4.0 * n as f64).max(64.0),
                "{:?}",
                g.dims
            );
        }
    }

    #[test]
    fn a_hopeless_fill_is_refused_before_drawing() {
        // 10^6 nodes 10 apart in a 100 um cube: 40 times more than the cube holds.
        let p = Positions {
            min_distance: Some(10.0),
            ..at_origin(Shape::Box {
                lo: [0.0; 3],
                hi: [100.0; 3],
            })
        };
        let started = std::time::Instant::now();
        let e = draw_positions(0, 0, 1_000_000, &p).unwrap_err();
        assert!(e.contains("stalls at about 30%"), "{e}");
        assert!(started.elapsed().as_secs_f64() < 0.1);
    }

    #[test]
    fn values_depend_on_seed_and_block_only() {
        let p = at_origin(Shape::Box {
            lo: [0.0; 3],
            hi: [1.0; 3],
        });
        let a = draw_positions(4, 3, 500, &p).unwrap();
        assert_eq!(a, draw_positions(4, 3, 500, &p).unwrap());
        // Node i's point does not depend on how many nodes the block has.
        let prefix = draw_positions(4, 3, 100, &p).unwrap();
        assert_eq!(prefix[1][..], a[1][..100]);
        assert_ne!(a, draw_positions(5, 3, 500, &p).unwrap());
        assert_ne!(a, draw_positions(4, 2, 500, &p).unwrap());
    }
}
