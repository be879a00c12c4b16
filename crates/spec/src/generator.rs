//! Generator tables: `{ uniform = [lo, hi] }`, `{ normal = [mean, sd], min = 0.0 }`, `{ uniform_int =
//! [lo, hi] }`, `{ linspace = [a, b] }`, `{ choice = [...] }`, `{ csv = "f.csv", column = "c" }`, each
//! with optional `min`/`max` (uniform and normal only) and `dtype`.
//!
//! In: a located table and where it is used ([`Place`]: the block's N for node properties, `None`
//! for per-edge properties, which have no fixed count and so no `linspace`/`csv`). Out: a checked
//! [`Generator`] (CSV columns already loaded), or an error: one generator kind exactly, valid
//! parameters, a `min`/`max` range that draws can actually hit, a `dtype` that can hold the values.

use crate::csvfile;
use crate::located::{Entry, Kind, Node, Source, Table};
use crate::suggest;
use crate::values::{self, R};
use crate::{Dtype, GenKind, Generator, Scalar};
use std::ops::Range;
use std::path::Path;

pub const KINDS: [&str; 6] = [
    "uniform",
    "normal",
    "uniform_int",
    "linspace",
    "choice",
    "csv",
];
const EXTRAS: [&str; 4] = ["min", "max", "dtype", "column"];

/// Where a generator is used.
pub struct Place<'a> {
    /// The block's N for a node property; `None` for a per-edge property.
    pub n: Option<u64>,
    /// The spec folder, for `csv`.
    pub dir: &'a Path,
    /// The property's name, for messages.
    pub prop: &'a str,
    /// Keys the caller also accepts in this table (e.g. `expr`), for suggestions only.
    pub other_keys: &'a [&'a str],
}

/// All keys a generator table may have.
pub fn keys() -> Vec<&'static str> {
    KINDS.iter().chain(EXTRAS.iter()).copied().collect()
}

/// Reads the generator table `t` (written at `span`).
pub fn read(src: &Source, t: &Table, span: &Range<usize>, place: &Place) -> R<Generator> {
    let prop = place.prop;
    let kind_entry = kind_entry(src, t, span, place)?;
    let kind = read_kind(src, t, kind_entry, place)?;
    let min = bound(src, t, "min", prop)?;
    let max = bound(src, t, "max", prop)?;
    check_range(src, t, &kind, min, max, prop)?;
    let dtype = match t.get("dtype") {
        Some(e) => {
            let d = values::dtype(src, &e.value)?;
            check_dtype(src, &e.value, d, &kind, min, max, prop)?;
            Some(d)
        }
        None => None,
    };
    Ok(Generator {
        kind,
        min,
        max,
        dtype,
    })
}

/// The one generator kind of `t`, used where it may be (`linspace` and `csv` only for node
/// properties, `column` only with `csv`); any key that is no generator's is an error.
fn kind_entry<'t>(src: &Source, t: &'t Table, span: &Range<usize>, place: &Place) -> R<&'t Entry> {
    let prop = place.prop;
    let context = format!("the generator of '{prop}'");
    let mut known = keys();
    known.extend_from_slice(place.other_keys);
    for e in &t.entries {
        if !KINDS.contains(&e.key.as_str()) && !EXTRAS.contains(&e.key.as_str()) {
            return Err(values::unknown_key(src, e, &known, &context));
        }
    }
    let kinds: Vec<&Entry> = t
        .entries
        .iter()
        .filter(|e| KINDS.contains(&e.key.as_str()))
        .collect();
    let kind_entry = match kinds.as_slice() {
        [] => {
            let hint = t
                .entries
                .iter()
                .find_map(|e| suggest::nearest(&e.key, KINDS))
                .map_or(String::new(), |k| format!(" (did you mean '{k}'?)"));
            return Err(src.err(
                span,
                format!(
                    "expected a generator for '{prop}': a table with one of {}{hint}",
                    KINDS.join(", ")
                ),
            ));
        }
        [one] => *one,
        [first, second, ..] => {
            return Err(src.err(
                &second.key_span,
                format!(
                    "'{prop}' has two generators, '{}' and '{}'; expected exactly one",
                    first.key, second.key
                ),
            ))
        }
    };
    if place.n.is_none() && matches!(kind_entry.key.as_str(), "linspace" | "csv") {
        return Err(src.err(
            &kind_entry.key_span,
            format!(
                "'{}' gives one value per node and is only for [[nodes]] properties, not per-edge '{prop}'",
                kind_entry.key
            ),
        ));
    }
    if let Some(c) = t.get("column") {
        if kind_entry.key != "csv" {
            return Err(src.err(
                &c.key_span,
                format!("'column' goes with 'csv', not with '{}'", kind_entry.key),
            ));
        }
    }
    Ok(kind_entry)
}

/// The parameters of `kind_entry`, the generator kind of `t`, checked (a `csv` column loaded).
fn read_kind(src: &Source, t: &Table, kind_entry: &Entry, place: &Place) -> R<GenKind> {
    let prop = place.prop;
    let v = &kind_entry.value;
    let what = format!("'{}' of '{prop}'", kind_entry.key);
    let column = t.get("column");
    let kind = match kind_entry.key.as_str() {
        "uniform" => {
            let [lo, hi] = pair(src, v, &what, "[lo, hi]")?;
            let (lo, hi) = (
                values::number(src, lo, &what)?,
                values::number(src, hi, &what)?,
            );
            if lo > hi {
                return Err(src.err(
                    &v.span,
                    format!("{what}: lo ({lo}) is greater than hi ({hi})"),
                ));
            }
            GenKind::Uniform { lo, hi }
        }
        "normal" => {
            let [mean, sd_node] = pair(src, v, &what, "[mean, sd]")?;
            let mean = values::number(src, mean, &what)?;
            let sd = values::number(src, sd_node, &what)?;
            if sd < 0.0 {
                return Err(values::expected(
                    src,
                    sd_node,
                    "a standard deviation >= 0",
                    &what,
                ));
            }
            GenKind::Normal { mean, sd }
        }
        "uniform_int" => {
            let [lo, hi] = pair(src, v, &what, "[lo, hi]")?;
            let (lo, hi) = (values::int(src, lo, &what)?, values::int(src, hi, &what)?);
            if lo > hi {
                return Err(src.err(
                    &v.span,
                    format!("{what}: lo ({lo}) is greater than hi ({hi})"),
                ));
            }
            GenKind::UniformInt { lo, hi }
        }
        "linspace" => {
            let [a, b] = pair(src, v, &what, "[start, stop]")?;
            GenKind::Linspace {
                start: values::number(src, a, &what)?,
                stop: values::number(src, b, &what)?,
            }
        }
        "choice" => {
            let elems = values::array(src, v, &what)?;
            if elems.is_empty() {
                return Err(src.err(
                    &v.span,
                    format!("{what} is empty; expected at least one value"),
                ));
            }
            GenKind::Choice(values::homogeneous(src, elems, &what)?)
        }
        _ => {
            let file = values::nonempty_string(src, v, &what)?;
            let column = match column {
                Some(c) => values::nonempty_string(src, &c.value, &format!("'column' of '{prop}'"))?,
                None => {
                    return Err(src.err(
                        &kind_entry.key_span,
                        format!("'csv' of '{prop}' needs a 'column' (the name of a column in the file's header)"),
                    ))
                }
            };
            let n = place.n.unwrap_or(0);
            GenKind::Csv(csv_column(
                src,
                &kind_entry.key_span,
                place.dir,
                file,
                column,
                n,
            )?)
        }
    };
    Ok(kind)
}

fn pair<'a>(src: &Source, v: &'a Node, what: &str, shape: &str) -> R<[&'a Node; 2]> {
    match &v.kind {
        Kind::Array(a) if a.len() == 2 => Ok([&a[0], &a[1]]),
        _ => Err(values::expected(
            src,
            v,
            &format!("an array of two numbers {shape}"),
            what,
        )),
    }
}

fn bound(src: &Source, t: &Table, key: &str, prop: &str) -> R<Option<f64>> {
    match t.get(key) {
        Some(e) => Ok(Some(values::number(
            src,
            &e.value,
            &format!("'{key}' of '{prop}'"),
        )?)),
        None => Ok(None),
    }
}

/// `min`/`max` only for uniform and normal, and only where draws can land.
fn check_range(
    src: &Source,
    t: &Table,
    kind: &GenKind,
    min: Option<f64>,
    max: Option<f64>,
    prop: &str,
) -> R<()> {
    if min.is_none() && max.is_none() {
        return Ok(());
    }
    let at = t
        .get("min")
        .or_else(|| t.get("max"))
        .map(|e| e.key_span.clone())
        .unwrap_or_default();
    let lo_b = min.unwrap_or(f64::NEG_INFINITY);
    let hi_b = max.unwrap_or(f64::INFINITY);
    if lo_b > hi_b {
        return Err(src.err(
            &at,
            format!("'{prop}': min ({lo_b}) is greater than max ({hi_b})"),
        ));
    }
    let unreachable = |what: String| {
        src.err(
            &at,
            format!(
                "'{prop}': {what} never gives a value in [{}, {}], so redrawing would never end",
                fmt_bound(min, "-inf"),
                fmt_bound(max, "inf")
            ),
        )
    };
    match *kind {
        GenKind::Uniform { lo, hi } => {
            let a = lo.max(lo_b);
            let b = hi.min(hi_b);
            let ok = if lo == hi {
                lo_b <= lo && lo <= hi_b
            } else {
                a < b
            };
            if !ok {
                return Err(unreachable(format!("uniform [{lo}, {hi}]")));
            }
        }
        GenKind::Normal { mean, sd } => {
            let p = if sd == 0.0 {
                if lo_b <= mean && mean <= hi_b {
                    1.0
                } else {
                    0.0
                }
            } else {
                normal_mass((lo_b - mean) / sd, (hi_b - mean) / sd)
            };
            if p < 1e-6 {
                return Err(unreachable(format!("normal [{mean}, {sd}] (almost)")));
            }
        }
        _ => {
            return Err(src.err(
                &at,
                format!("'{prop}': 'min' and 'max' apply to 'uniform' and 'normal' only"),
            ))
        }
    }
    Ok(())
}

fn fmt_bound(b: Option<f64>, none: &str) -> String {
    b.map_or_else(|| none.to_string(), |b| b.to_string())
}

/// The probability that a standard normal variable lies in [a, b].
fn normal_mass(a: f64, b: f64) -> f64 {
    // Upper-tail probability Q(x) = P(Z > x), accurate in the tails.
    let q = |x: f64| 0.5 * erfc(x / std::f64::consts::SQRT_2);
    if a >= 0.0 {
        q(a) - q(b)
    } else if b <= 0.0 {
        q(-b) - q(-a)
    } else {
        1.0 - q(-a) - q(b)
    }
}

/// Complementary error function (Numerical Recipes `erfcc`, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    if x == f64::INFINITY {
        return 0.0;
    }
    if x == f64::NEG_INFINITY {
        return 2.0;
    }
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The smallest and largest value a generator can give, for numeric ones.
fn value_range(kind: &GenKind, min: Option<f64>, max: Option<f64>) -> Option<(f64, f64)> {
    let clip = |a: f64, b: f64| (min.map_or(a, |m| a.max(m)), max.map_or(b, |m| b.min(m)));
    match kind {
        GenKind::Uniform { lo, hi } => Some(clip(*lo, *hi)),
        GenKind::Normal { .. } => Some(clip(f64::NEG_INFINITY, f64::INFINITY)),
        GenKind::UniformInt { lo, hi } => Some((*lo as f64, *hi as f64)),
        GenKind::Linspace { start, stop } => Some((start.min(*stop), start.max(*stop))),
        GenKind::Choice(v) | GenKind::Csv(v) => {
            let mut r = (f64::INFINITY, f64::NEG_INFINITY);
            for s in v {
                let x = match s {
                    Scalar::Int(i) => *i as f64,
                    Scalar::Float(f) => *f,
                    _ => return None,
                };
                r = (r.0.min(x), r.1.max(x));
            }
            Some(r)
        }
    }
}

fn check_dtype(
    src: &Source,
    at: &Node,
    d: Dtype,
    kind: &GenKind,
    min: Option<f64>,
    max: Option<f64>,
    prop: &str,
) -> R<()> {
    let Some((lo, hi)) = value_range(kind, min, max) else {
        return Err(src.err(
            &at.span,
            format!("'{prop}': 'dtype' applies to numbers, and these values are not all numbers"),
        ));
    };
    let (name, tmin, tmax): (&str, i128, i128) = match d {
        Dtype::F32 | Dtype::F64 | Dtype::I64 => return Ok(()),
        Dtype::I32 => ("i32", i32::MIN.into(), i32::MAX.into()),
        Dtype::U32 => ("u32", 0, u32::MAX.into()),
        Dtype::U64 => ("u64", 0, u64::MAX.into()),
    };
    if lo < tmin as f64 || hi > tmax as f64 {
        let problem = if lo < 0.0 && tmin == 0 {
            "cannot hold negative values".to_string()
        } else {
            format!("holds values in [{tmin}, {tmax}]")
        };
        let hint = if lo < 0.0 && tmin == 0 && matches!(kind, GenKind::Normal { .. }) {
            " (add min = 0)"
        } else {
            ""
        };
        return Err(src.err(
            &at.span,
            format!(
                "'{prop}': dtype {name} {problem}, and this generator can give values in [{lo}, {hi}]{hint}"
            ),
        ));
    }
    Ok(())
}

/// The values of column `column` of the CSV file `file`: Int if all are integers, else Float if
/// all are numbers, else Str. Exactly `n` data rows.
fn csv_column(
    src: &Source,
    at: &Range<usize>,
    dir: &Path,
    file: &str,
    column: &str,
    n: u64,
) -> R<Vec<Scalar>> {
    let csv = csvfile::open(src, at, dir, file, "csv file")?;
    let mut records = csvfile::records(&csv.text);
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err((off, msg))) => return Err(csv.err_at(off, msg)),
        None => {
            return Err(src.err(
                at,
                format!("csv file '{file}' is empty; expected a header row and {n} data rows"),
            ))
        }
    };
    let Some(idx) = header.iter().position(|f| f.text == column) else {
        let hint = suggest::did_you_mean(column, header.iter().map(|f| f.text.as_str()));
        return Err(src.err(
            at,
            format!("csv file '{file}' has no column '{column}'{hint}"),
        ));
    };
    let mut cells = Vec::new();
    for rec in records {
        let rec = rec.map_err(|(off, msg)| csv.err_at(off, msg))?;
        match rec.get(idx) {
            Some(f) => cells.push(f.text.clone()),
            None => {
                let off = rec.last().map_or(0, |f| f.offset);
                return Err(csv.err_at(
                    off,
                    format!(
                        "this row has {} fields; expected {} as in the header (column '{column}')",
                        rec.len(),
                        header.len()
                    ),
                ));
            }
        }
    }
    if cells.len() as u64 != n {
        return Err(src.err(
            at,
            format!(
                "csv file '{file}' has {} data rows; expected exactly N = {n} (one per node of the block)",
                cells.len()
            ),
        ));
    }
    Ok(parse_cells(cells))
}

fn parse_cells(cells: Vec<String>) -> Vec<Scalar> {
    if let Some(ints) = cells
        .iter()
        .map(|c| c.parse::<i64>().ok())
        .collect::<Option<Vec<_>>>()
    {
        return ints.into_iter().map(Scalar::Int).collect();
    }
    if let Some(floats) = cells
        .iter()
        .map(|c| c.parse::<f64>().ok())
        .collect::<Option<Vec<_>>>()
    {
        return floats.into_iter().map(Scalar::Float).collect();
    }
    cells.into_iter().map(Scalar::Str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_mass_is_right() {
        assert!((normal_mass(-1.0, 1.0) - 0.682_689_49).abs() < 1e-6);
        assert!((normal_mass(0.0, f64::INFINITY) - 0.5).abs() < 1e-7);
        assert!(normal_mass(40.0, f64::INFINITY) < 1e-300);
        assert!((normal_mass(f64::NEG_INFINITY, -3.0) - 1.349_898e-3).abs() < 1e-8);
        assert!(normal_mass(1.0, 1.0) == 0.0);
    }

    #[test]
    fn cells_are_typed() {
        let s = |v: &[&str]| parse_cells(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(s(&["1", "-2"]), vec![Scalar::Int(1), Scalar::Int(-2)]);
        assert_eq!(
            s(&["1", "2.5"]),
            vec![Scalar::Float(1.0), Scalar::Float(2.5)]
        );
        assert_eq!(
            s(&["1", "a"]),
            vec![Scalar::Str("1".into()), Scalar::Str("a".into())]
        );
    }
}
