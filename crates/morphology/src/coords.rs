//! The ends and centre of every segment of a [`Cell`], in the file's frame: BMTK's
//! `SWCReader.seg_coords` (`p0`, `p05`, `p1`) before `move_and_rotate`.
//!
//! In: a [`Cell`]. Out: per segment, three points (`None` on the sections `fix_axon` makes,
//! which have no 3-d points of the file: NEURON's `define_shape` places them).
//!
//! BMTK reads each point at a fraction of the section's length by linear interpolation over
//! the section's 3-d points (numpy's `interp`): the start at `x - 0.5 / nseg`, the centre at
//! `x`, the end at `x + 0.5 / nseg`, where `x` is the segment's centre.

use crate::cell::{point_at, Cell};

/// A segment's start, centre and end (`p0`, `p05`, `p1`).
pub type SegmentCoords = [Option<[f64; 3]>; 3];

impl Cell {
    /// The start, centre and end of every segment, in the order of [`Cell::segments`].
    pub fn segment_coords(&self) -> Vec<SegmentCoords> {
        self.segments
            .iter()
            .map(|seg| {
                let s = &self.sections[seg.section as usize];
                // BMTK: seg.x -/+ 0.5 * 1 / nseg, in this order of operations.
                let half = 0.5 / f64::from(s.nseg);
                [seg.x - half, seg.x, seg.x + half].map(|x| point_at(&s.points, s.length, x))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cell, CellOptions};
    use std::path::Path;

    #[test]
    fn ends_and_centre_along_a_straight_dendrite() {
        let swc = "1 1 0 0 0 5 -1\n2 3 0 5 0 0.5 1\n3 3 0 45 0 0.5 2\n";
        let options = CellOptions {
            fix_axon: false,
            dl: Some(10.0),
        };
        let cell = Cell::from_swc(Path::new("m.swc"), swc, options).unwrap();
        let coords = cell.segment_coords();
        assert_eq!(coords.len(), cell.segments.len());
        // The dendrite: 40 um from y = 5 in 5 segments of 8 um.
        let first = cell.segments.iter().position(|s| s.kind == 3).unwrap();
        let [p0, p05, p1] = coords[first].map(Option::unwrap);
        assert!((p0[1] - 5.0).abs() < 1e-9 && (p05[1] - 9.0).abs() < 1e-9);
        assert!((p1[1] - 13.0).abs() < 1e-9);
        assert_eq!(Some(p05), cell.segments[first].centre);
    }

    #[test]
    fn fix_axon_sections_have_no_points() {
        let swc = "1 1 0 0 0 5 -1\n2 2 0 -5 0 0.5 1\n3 2 0 -50 0 0.5 2\n";
        let options = CellOptions {
            fix_axon: true,
            dl: None,
        };
        let cell = Cell::from_swc(Path::new("m.swc"), swc, options).unwrap();
        let coords = cell.segment_coords();
        let axon: Vec<_> = (0..cell.segments.len())
            .filter(|&i| cell.segments[i].kind == 2)
            .collect();
        assert_eq!(axon.len(), 2);
        assert!(axon.iter().all(|&i| coords[i] == [None, None, None]));
    }
}
