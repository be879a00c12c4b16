//! Box geometry shared by the two spatial indexes over sources ([`crate::grid`] for
//! `max_distance` look-ups, [`crate::spatial`] for bounded tree walks): distances from a point
//! to a box, axis by axis, and the box around a set of points.
//!
//! In: points and boxes as `[f64; 3]` corners. Out: squared distances and corners. No state;
//! the arithmetic is exactly what the two indexes did each on its own before, so culling and
//! pruning decide the same as they did.

/// The squared distance from `q` to the interval `[lo, hi]` along one axis.
#[inline]
pub(crate) fn axis_gap(q: f64, lo: f64, hi: f64) -> f64 {
    let d = (lo - q).max(q - hi).max(0.0);
    d * d
}

/// The squared distance from `q` to the farther end of `[lo, hi]` along one axis.
#[inline]
pub(crate) fn axis_far(q: f64, lo: f64, hi: f64) -> f64 {
    let d = (q - lo).abs().max((hi - q).abs());
    d * d
}

/// The smallest and largest corner of `points` (infinite, lo > hi, when there are none).
pub(crate) fn bounding_box(points: impl Iterator<Item = [f64; 3]>) -> ([f64; 3], [f64; 3]) {
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for p in points {
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    (lo, hi)
}
