//! Reading an SWC file: one point per line, `id type x y z radius parent_id`.
//!
//! In: the file's text. Out: its points in file order, or a [`MorphologyError::Swc`] naming the
//! line and what was expected. Comments (`#`, after optional blanks) and blank lines are skipped,
//! as NEURON's `Import3d_SWC_read` skips them. What NEURON would accept but BMTK's `SWCReader`
//! would pair wrongly with NEURON's points (ids out of order: NEURON sorts them, BMTK's table of
//! swc ids keeps file order) is refused here, as are several trees and unknown types.

use crate::error::MorphologyError;
use std::path::Path;

/// One point of an SWC file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The `id` column.
    pub id: i64,
    /// The `type` column: 1 soma, 2 axon, 3 basal dendrite, 4 apical dendrite.
    pub kind: u8,
    /// Coordinates (micrometres), read in single precision as NEURON reads them.
    pub xyz: [f64; 3],
    /// The diameter: twice the `radius` column (read in single precision), as NEURON has it.
    pub diam: f64,
    /// Index (in file order) of the parent point; `None` for the root.
    pub parent: Option<usize>,
    /// The 1-based line of the file.
    pub line: usize,
}

/// Parses the SWC text of `path`.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Point>, MorphologyError> {
    let err = |line: usize, message: String| MorphologyError::Swc {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut points: Vec<Point> = Vec::new();
    // Ids ascend (checked below), so a parent's index is found by binary search.
    let mut ids: Vec<i64> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let body = raw.trim();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = body.split_whitespace().collect();
        let expected = "expected 7 numbers `id type x y z radius parent_id`";
        if fields.len() != 7 {
            return Err(err(
                line,
                format!("{expected}, found {} fields: '{body}'", fields.len()),
            ));
        }
        let int = |k: usize, what: &str| {
            fields[k].parse::<i64>().map_err(|_| {
                err(
                    line,
                    format!(
                        "{expected}: the {what} must be an integer, found '{}'",
                        fields[k]
                    ),
                )
            })
        };
        // NEURON's Import3d reads the numbers with hoc's `sscanf("%f")`, in single precision.
        let num = |k: usize, what: &str| match fields[k].parse::<f32>() {
            Ok(v) if v.is_finite() => Ok(f64::from(v)),
            _ => Err(err(
                line,
                format!(
                    "{expected}: the {what} must be a finite number, found '{}'",
                    fields[k]
                ),
            )),
        };
        let id = int(0, "id")?;
        let kind = int(1, "type")?;
        let xyz = [num(2, "x")?, num(3, "y")?, num(4, "z")?];
        let radius = num(5, "radius")?;
        let pid = int(6, "parent id")?;
        if !(1..=4).contains(&kind) {
            return Err(err(
                line,
                format!("type {kind}: expected 1 (soma), 2 (axon), 3 (basal) or 4 (apical), the types BMTK's SWCReader knows"),
            ));
        }
        if let Some(&last) = ids.last() {
            if id <= last {
                return Err(err(
                    line,
                    format!("id {id} after id {last}: expected ids in increasing order (BMTK's SWCReader pairs file rows with NEURON's points in file order)"),
                ));
            }
        }
        let parent = if pid < 0 {
            if !points.is_empty() {
                return Err(err(
                    line,
                    format!("point {id} has no parent ({pid}) but point {} is the root already: expected one tree", points[0].id),
                ));
            }
            None
        } else {
            match ids.binary_search(&pid) {
                Ok(k) => Some(k),
                Err(_) => {
                    return Err(err(
                        line,
                        format!(
                            "parent id {pid} of point {id}: expected the id of an earlier point"
                        ),
                    ))
                }
            }
        };
        if points.is_empty() && parent.is_some() {
            return Err(err(
                line,
                format!("the first point {id} has a parent ({pid}): expected the root (parent -1) first"),
            ));
        }
        ids.push(id);
        points.push(Point {
            id,
            kind: kind as u8,
            xyz,
            diam: 2.0 * radius,
            parent,
            line,
        });
    }
    match points.first() {
        None => Err(err(text.lines().count().max(1), "expected at least one point, found none".into())),
        Some(root) if root.kind != 1 => Err(err(
            root.line,
            format!("the root point {} has type {}: expected the soma (type 1), from which BMTK measures distances", root.id, root.kind),
        )),
        _ => Ok(points),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Vec<Point>, MorphologyError> {
        parse(Path::new("m.swc"), text)
    }

    #[test]
    fn reads_points_and_skips_comments() {
        let p =
            parse_str("# c\n\n 1 1 0 0 0 5 -1\n2 3 0 6 0 0.5 1\n  # indented\n3 3 0 7 0 0.5 2\n")
                .unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].parent, Some(0));
        assert_eq!(p[2].parent, Some(1));
        assert_eq!(p[0].diam, 10.0);
        assert_eq!(p[2].line, 6);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_str("1 1 0 0 0 5 -1\n2 3 0 x 0 0.5 1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "m.swc:2: expected 7 numbers `id type x y z radius parent_id`: the y must be a finite number, found 'x'"
        );
        let e = parse_str("1 1 0 0 0 5 -1\n2 3 0 0 0.5 1\n").unwrap_err();
        assert!(
            e.to_string().starts_with("m.swc:2: expected 7 numbers"),
            "{e}"
        );
        let e = parse_str("1 1 0 0 0 5 -1\n2 3 0 0 0 0.5 7\n").unwrap_err();
        assert!(e.to_string().contains("m.swc:2: parent id 7"), "{e}");
        let e = parse_str("1 1 0 0 0 5 -1\n2 3 0 0 0 0.5 -1\n").unwrap_err();
        assert!(e.to_string().contains("expected one tree"), "{e}");
        let e = parse_str("2 1 0 0 0 5 -1\n1 3 0 0 0 0.5 2\n").unwrap_err();
        assert!(e.to_string().contains("increasing order"), "{e}");
        let e = parse_str("1 1 0 0 0 5 -1\n2 7 0 0 0 0.5 1\n").unwrap_err();
        assert!(e.to_string().starts_with("m.swc:2: type 7"), "{e}");
        let e = parse_str("1 3 0 0 0 5 -1\n").unwrap_err();
        assert!(e.to_string().contains("expected the soma"), "{e}");
    }
}
