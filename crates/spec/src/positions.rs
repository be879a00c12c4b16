//! The `positions` key of a `[[nodes]]` block: `{ cylinder = [radius, y_lo, y_hi] }`,
//! `{ box = [[x0, x1], [y0, y1], [z0, z1]] }` or `{ sphere = radius }`, with optional `center` and
//! `min_distance`: a volume netbuild draws x, y, z in. (Its literal form, an array of N rows
//! `[x, y, z]` as BMTK's `add_nodes(positions=...)` takes, is a per-node property like any other,
//! read by `crate::nodes`; [`is_literal`] tells the two apart.)
//!
//! In: the located value of `positions` and the block's N. Out: a checked [`Positions`] (sizes at
//! least 0, ranges in order, and, with `min_distance`, room enough for N nodes that far apart by
//! the bound of [`Positions::fill_fraction`]), or an error at the offending key or value.

use crate::located::{Entry, Kind, Node, Source};
use crate::suggest;
use crate::values::{self, R};
use crate::{Positions, Shape, MAX_FILL};

const SHAPES: [&str; 3] = ["cylinder", "box", "sphere"];
const EXTRAS: [&str; 2] = ["center", "min_distance"];

/// What a `positions` table looks like, for messages.
const EXAMPLE: &str = "a table like { cylinder = [radius, y_lo, y_hi] }, { box = [[x0, x1], [y0, y1], [z0, z1]] } or { sphere = radius }, or an array of N rows [x, y, z]";

/// Whether `v`, the value of `positions`, is the literal form: an array of N rows [x, y, z]
/// (BMTK's `add_nodes(positions=<N x 3 array>)`), a per-node property stored as one N x 3
/// column named `positions` (read by [`crate::nodes`]), rather than a volume to draw x, y, z in.
pub fn is_literal(v: &Node, n: u64) -> bool {
    match &v.kind {
        Kind::Array(rows) => {
            n == 0
                || rows
                    .first()
                    .is_some_and(|r| matches!(r.kind, Kind::Array(_)))
        }
        _ => false,
    }
}

/// Reads the value `v` of `positions` in a block of `n` nodes (its volume form).
pub fn read(src: &Source, v: &Node, n: u64) -> R<Positions> {
    let Kind::Table(t) = &v.kind else {
        return Err(values::expected(src, v, EXAMPLE, "'positions'"));
    };
    let known: Vec<&str> = SHAPES.iter().chain(EXTRAS.iter()).copied().collect();
    for e in &t.entries {
        if let Some(shape) = alias(&e.key) {
            return Err(src.err(
                &e.key_span,
                format!(
                    "unknown key '{}' in 'positions'; did you mean '{shape}'?",
                    e.key
                ),
            ));
        }
    }
    values::check_keys(src, t, &known, "'positions'")?;
    let shapes: Vec<&Entry> = t
        .entries
        .iter()
        .filter(|e| SHAPES.contains(&e.key.as_str()))
        .collect();
    let entry = match shapes.as_slice() {
        [] => {
            let hint = t
                .entries
                .iter()
                .find_map(|e| suggest::nearest(&e.key, SHAPES))
                .map_or(String::new(), |k| format!(" (did you mean '{k}'?)"));
            return Err(src.err(
                &v.span,
                format!(
                    "expected a shape for 'positions': one of {}{hint}",
                    SHAPES.join(", ")
                ),
            ));
        }
        [one] => *one,
        [first, second, ..] => {
            return Err(src.err(
                &second.key_span,
                format!(
                    "'positions' has two shapes, '{}' and '{}'; expected exactly one",
                    first.key, second.key
                ),
            ))
        }
    };
    let shape = shape(src, entry)?;
    let center = match t.get("center") {
        Some(e) => {
            let what = "'center' of 'positions'";
            let [x, y, z] = numbers::<3>(src, &e.value, what, "[cx, cy, cz]")?;
            [x.0, y.0, z.0]
        }
        None => [0.0; 3],
    };
    let min_distance = match t.get("min_distance") {
        Some(e) => Some(non_negative(
            src,
            &e.value,
            "a distance >= 0 (micrometres)",
            "'min_distance' of 'positions'",
        )?),
        None => None,
    };
    let p = Positions {
        shape,
        center,
        min_distance,
    };
    if let (Some(e), Some(d)) = (t.get("min_distance"), min_distance) {
        let fill = p.fill_fraction(n);
        if fill > MAX_FILL {
            return Err(src.err(
                &e.key_span,
                format!(
                    "this {} is too small for N = {n} nodes at least {d} apart: balls of diameter {d} around them would fill {:.0}% of its volume (grown by {} on every side), while placing nodes at random stalls at about {:.0}%; lower N or min_distance, or enlarge the volume",
                    entry.key,
                    fill * 100.0,
                    d / 2.0,
                    MAX_FILL * 100.0
                ),
            ));
        }
    }
    Ok(p)
}

/// The shape a BMTK user may mean by `key` (BMTK's helper names, and synonyms).
fn alias(key: &str) -> Option<&'static str> {
    match key {
        "cube" | "cuboid" | "rectangle" => Some("box"),
        "column" | "columinar" | "columnar" | "cylindrical" | "disc" | "disk" => Some("cylinder"),
        "ball" | "spherical" => Some("sphere"),
        _ => None,
    }
}

/// The shape of the entry `cylinder`, `box` or `sphere`.
fn shape(src: &Source, e: &Entry) -> R<Shape> {
    let v = &e.value;
    match e.key.as_str() {
        "cylinder" => {
            let what = "'cylinder' of 'positions'";
            let [r, lo, hi] = numbers::<3>(src, v, what, "[radius, y_lo, y_hi]")?;
            let radius = at_least_zero(src, r, "a radius >= 0", what)?;
            ordered(src, v, lo.0, hi.0, "y_lo", "y_hi", what)?;
            Ok(Shape::Cylinder {
                radius,
                y_lo: lo.0,
                y_hi: hi.0,
            })
        }
        "box" => {
            let what = "'box' of 'positions'";
            let shape_text = "[[x0, x1], [y0, y1], [z0, z1]]";
            let axes = match &v.kind {
                Kind::Array(a) if a.len() == 3 => a,
                Kind::Array(a) => {
                    return Err(src.err(
                        &v.span,
                        format!(
                            "expected an array of three [lo, hi] ranges {shape_text} for {what}, found {} ranges",
                            a.len()
                        ),
                    ))
                }
                _ => {
                    return Err(values::expected(
                        src,
                        v,
                        &format!("an array of three [lo, hi] ranges {shape_text}"),
                        what,
                    ))
                }
            };
            let mut lo = [0.0; 3];
            let mut hi = [0.0; 3];
            for (i, (axis, name)) in axes.iter().zip(["x", "y", "z"]).enumerate() {
                let [a, b] = numbers::<2>(
                    src,
                    axis,
                    &format!("the {name} range of {what}"),
                    &format!("[{name}0, {name}1]"),
                )?;
                ordered(
                    src,
                    axis,
                    a.0,
                    b.0,
                    &format!("{name}0"),
                    &format!("{name}1"),
                    what,
                )?;
                (lo[i], hi[i]) = (a.0, b.0);
            }
            Ok(Shape::Box { lo, hi })
        }
        _ => {
            let what = "'sphere' of 'positions'";
            Ok(Shape::Sphere {
                radius: non_negative(src, v, "a radius >= 0", what)?,
            })
        }
    }
}

/// An array of exactly `N` finite numbers, each with its node (for errors).
fn numbers<'a, const N: usize>(
    src: &Source,
    v: &'a Node,
    what: &str,
    shape: &str,
) -> R<[(f64, &'a Node); N]> {
    let count = ["", "one", "two", "three"].get(N).copied().unwrap_or("N");
    let elems = match &v.kind {
        Kind::Array(a) if a.len() == N => a,
        Kind::Array(a) => {
            return Err(src.err(
                &v.span,
                format!(
                    "expected an array of {count} numbers {shape} for {what}, found {} values",
                    a.len()
                ),
            ))
        }
        _ => {
            return Err(values::expected(
                src,
                v,
                &format!("an array of {count} numbers {shape}"),
                what,
            ));
        }
    };
    let mut out = [(0.0, &elems[0]); N];
    for (slot, e) in out.iter_mut().zip(elems) {
        *slot = (values::number(src, e, what)?, e);
    }
    Ok(out)
}

/// A finite number >= 0.
fn non_negative(src: &Source, v: &Node, expected: &str, what: &str) -> R<f64> {
    let x = values::number(src, v, what)?;
    at_least_zero(src, (x, v), expected, what)
}

fn at_least_zero(src: &Source, (x, v): (f64, &Node), expected: &str, what: &str) -> R<f64> {
    if x < 0.0 {
        return Err(values::expected(src, v, expected, what));
    }
    Ok(x)
}

/// `lo <= hi`, else an error at `v` naming both.
fn ordered(
    src: &Source,
    v: &Node,
    lo: f64,
    hi: f64,
    lo_name: &str,
    hi_name: &str,
    what: &str,
) -> R<()> {
    if lo > hi {
        return Err(src.err(
            &v.span,
            format!("{what}: {lo_name} ({lo}) is greater than {hi_name} ({hi})"),
        ));
    }
    Ok(())
}
