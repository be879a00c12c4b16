//! Where synapses go on a cell: BMTK's `find_sections` (the candidate segments of some section
//! types within a distance range, each with a probability proportional to its length inside the
//! range), drawn in O(1) through an alias table, and `get_swc_id` (the SWC point a location
//! names).
//!
//! In: a [`Cell`], section names, a distance range. Out: a [`Placement`] whose table of
//! [`Slot`]s turns one random `u64` into a location ([`draw`]). The slots are plain numbers, so
//! the tables of many morphologies can be laid end to end and held once per host.

use crate::cell::Cell;
use crate::error::MorphologyError;

/// The SWC type of one of BMTK's section names (`SWCReader.sec_type_swc`).
pub fn section_type(name: &str) -> Result<u8, MorphologyError> {
    Ok(match name {
        "soma" | "somatic" => 1,
        "axon" | "axonal" => 2,
        "dend" | "basal" => 3,
        "apic" | "apical" => 4,
        _ => return Err(MorphologyError::SectionName(name.to_string())),
    })
}

/// One synapse location, as BMTK's `rand_syn_locations` returns it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    /// `afferent_section_id`: the section's index in the cell's `all` list.
    pub section_id: u32,
    /// `afferent_section_pos`: the segment's centre along the section.
    pub section_pos: f64,
    /// `afferent_swc_id`: the SWC point BMTK's `get_swc_id` names.
    pub swc_id: i64,
    /// `afferent_swc_pos`: BMTK's position relative to that point.
    pub swc_pos: f64,
    /// The segment centre in the file's frame, relative to the soma position (BMTK's
    /// `get_coords` before moving and rotating the cell); `None` on sections `fix_axon` made.
    pub centre: Option<[f64; 3]>,
}

/// One candidate of a placement's alias table: what a draw reads and what the edges file gets.
/// Plain data (`repr(C)`, numbers only, no padding: 64 bytes), so a table can be written by
/// one process and mapped by others.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// This slot draws its own candidate when the uniform fraction is below `threshold` (as a
    /// fraction of 2^64), else candidate `alias` of the same table.
    pub threshold: u64,
    /// The candidate drawn above the threshold (an index into the same table).
    pub alias: u32,
    /// `afferent_section_id`.
    pub section_id: u32,
    /// `afferent_section_pos`.
    pub section_pos: f64,
    /// `afferent_swc_id`.
    pub swc_id: i64,
    /// `afferent_swc_pos`.
    pub swc_pos: f64,
    /// [`Location::centre`], NaN where that is `None`.
    pub centre: [f64; 3],
}

const _: () = assert!(std::mem::size_of::<Slot>() == 64);

impl Slot {
    /// The segment centre relative to the soma (see [`Location::centre`]).
    #[inline]
    pub fn centre(&self) -> Option<[f64; 3]> {
        (!self.centre[0].is_nan()).then_some(self.centre)
    }

    /// The location this slot's candidate stands for.
    pub fn location(&self) -> Location {
        Location {
            section_id: self.section_id,
            section_pos: self.section_pos,
            swc_id: self.swc_id,
            swc_pos: self.swc_pos,
            centre: self.centre(),
        }
    }
}

/// The candidate a uniform random `u64` picks from an alias table (a [`Placement::slots`], or
/// the same slots copied elsewhere): candidate i with its probability, in O(1).
#[inline]
pub fn draw(slots: &[Slot], r: u64) -> &Slot {
    // The high half of r * n picks a slot; the low half is a uniform fraction within it.
    let wide = u128::from(r) * slots.len() as u128;
    let slot = &slots[(wide >> 64) as usize];
    if (wide as u64) < slot.threshold {
        slot
    } else {
        &slots[slot.alias as usize]
    }
}

/// The candidate segments of one (cell, section types, distance range), ready to draw from.
#[derive(Debug, Clone)]
pub struct Placement {
    /// Index in [`Cell::segments`] of each candidate, ascending.
    pub segments: Vec<usize>,
    /// The probability of each candidate (BMTK's `find_sections`).
    pub probabilities: Vec<f64>,
    /// The location each candidate stands for.
    pub locations: Vec<Location>,
    /// The cell's soma position in the file's frame.
    pub soma_position: [f64; 3],
    /// The alias table: candidate i's location, its threshold and its alias ([`draw`]).
    pub slots: Vec<Slot>,
}

impl Placement {
    /// BMTK's `find_sections(section_names, distance_range)` on `cell`, and the locations
    /// (`get_swc_id`) of its candidates. Errors on an unknown name, a range no segment of
    /// those types reaches, or a candidate section without SWC points.
    pub fn new(
        cell: &Cell,
        section_names: &[String],
        range: [f64; 2],
    ) -> Result<Placement, MorphologyError> {
        let mut wanted = [false; 5];
        for name in section_names {
            wanted[section_type(name)? as usize] = true;
        }
        let [dmin, dmax] = range;
        let mut segments = Vec::new();
        let mut weights = Vec::new();
        for (i, s) in cell.segments.iter().enumerate() {
            let (d0, d1) = (s.dist - s.length / 2.0, s.dist + s.length / 2.0);
            // numpy: max(0, min(d1, dmax) - max(d0, dmin)) / length, kept where > 0 (a
            // zero-length segment gives NaN there, never kept).
            let frac = (d1.min(dmax) - d0.max(dmin)).max(0.0) / s.length;
            if wanted[s.kind as usize] && frac > 0.0 {
                segments.push(i);
                weights.push(s.length * frac);
            }
        }
        if segments.is_empty() {
            return Err(MorphologyError::EmptyRange {
                path: cell.path.clone(),
                sections: section_names.to_vec(),
                lo: dmin,
                hi: dmax,
            });
        }
        let total: f64 = weights.iter().sum();
        let probabilities: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut locations = Vec::with_capacity(segments.len());
        for &i in &segments {
            let seg = cell.segments[i];
            let sec = &cell.sections[seg.section as usize];
            let (swc_id, swc_pos) =
                swc_location(&sec.swc_ids, seg.x).ok_or_else(|| MorphologyError::NoSwcPoint {
                    path: cell.path.clone(),
                    section: sec.name(),
                })?;
            let soma = cell.soma_position;
            locations.push(Location {
                section_id: seg.section,
                section_pos: seg.x,
                swc_id,
                swc_pos,
                centre: seg
                    .centre
                    .map(|c| [c[0] - soma[0], c[1] - soma[1], c[2] - soma[2]]),
            });
        }
        let (threshold, alias) = alias_table(&probabilities);
        let slots = locations
            .iter()
            .zip(threshold.into_iter().zip(alias))
            .map(|(l, (threshold, alias))| Slot {
                threshold,
                alias,
                section_id: l.section_id,
                section_pos: l.section_pos,
                swc_id: l.swc_id,
                swc_pos: l.swc_pos,
                centre: l.centre.unwrap_or([f64::NAN; 3]),
            })
            .collect();
        Ok(Placement {
            segments,
            probabilities,
            locations,
            soma_position: cell.soma_position,
            slots,
        })
    }

    /// The candidate a uniform random `u64` picks: candidate i with its probability.
    #[inline]
    pub fn draw(&self, r: u64) -> &Slot {
        draw(&self.slots, r)
    }
}

/// BMTK's `rotation_matrix(axis, theta)` (Euler-Rodrigues) about a unit axis.
fn rotation(axis: usize, theta: f64) -> [[f64; 3]; 3] {
    let a = (theta / 2.0).cos();
    let mut bcd = [0.0; 3];
    bcd[axis] = -(theta / 2.0).sin();
    let [b, c, d] = bcd;
    let (aa, bb, cc, dd) = (a * a, b * b, c * c, d * d);
    let (bc, ad, ac, ab, bd, cd) = (b * c, a * d, a * c, a * b, b * d, c * d);
    [
        [aa + bb - cc - dd, 2.0 * (bc + ad), 2.0 * (bd - ac)],
        [2.0 * (bc - ad), aa + cc - bb - dd, 2.0 * (cd + ab)],
        [2.0 * (bd + ac), 2.0 * (cd - ab), aa + dd - bb - cc],
    ]
}

fn matmul(p: &[[f64; 3]; 3], q: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut r = [[0.0; 3]; 3];
    for (i, row) in r.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..3).map(|k| p[i][k] * q[k][j]).sum();
        }
    }
    r
}

/// BMTK's `move_and_rotate`: rotations about x, then y, then z axes of the soma (angles in
/// radians, `rotation_angle_[xyz]axis`), as one matrix `Rx (Ry Rz)`.
pub fn rotation_xyz(angles: [f64; 3]) -> [[f64; 3]; 3] {
    matmul(
        &rotation(0, angles[0]),
        &matmul(&rotation(1, angles[1]), &rotation(2, angles[2])),
    )
}

/// Where a segment centre `c` (relative to the soma, [`Location::centre`]) lands on a cell whose
/// soma is at `soma` and which is rotated by `rotation` (BMTK's `get_coords` after
/// `move_and_rotate`).
pub fn place_centre(c: [f64; 3], rotation: Option<&[[f64; 3]; 3]>, soma: [f64; 3]) -> [f64; 3] {
    let r = match rotation {
        Some(m) => [0, 1, 2].map(|i| m[i][0] * c[0] + m[i][1] * c[1] + m[i][2] * c[2]),
        None => c,
    };
    [r[0] + soma[0], r[1] + soma[1], r[2] + soma[2]]
}

/// BMTK's `get_swc_id(sec_id, sec_x)` given the section's SWC ids: the point at about `x` of
/// the way along, assuming evenly spaced points; `None` when the section has no point.
pub fn swc_location(ids: &[i64], x: f64) -> Option<(i64, f64)> {
    match ids.len() {
        0 => None,
        1 => Some((ids[0], x)),
        n => {
            let place = (x * n as f64 - 1.0).max(0.0);
            let index = place.ceil();
            Some((ids[index as usize], index - place))
        }
    }
}

/// Vose's alias table over `p` (which sums to 1), thresholds as fractions of 2^64.
fn alias_table(p: &[f64]) -> (Vec<u64>, Vec<u32>) {
    let n = p.len();
    let mut scaled: Vec<f64> = p.iter().map(|&q| q * n as f64).collect();
    let mut alias: Vec<u32> = (0..n as u32).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
    while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
        alias[s] = l as u32;
        scaled[l] -= 1.0 - scaled[s];
        if scaled[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // What is left (rounding) is kept whole.
    for i in large.into_iter().chain(small) {
        scaled[i] = 1.0;
    }
    let threshold = scaled
        .iter()
        .map(|&s| {
            if s >= 1.0 {
                u64::MAX
            } else {
                (s * 18_446_744_073_709_551_616.0) as u64
            }
        })
        .collect();
    (threshold, alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swc_location_follows_bmtk() {
        assert_eq!(swc_location(&[7], 0.5), Some((7, 0.5)));
        // 5 points, x = 0.5: place 1.5, index 2, 0.5 before it.
        assert_eq!(swc_location(&[1, 2, 3, 4, 5], 0.5), Some((3, 0.5)));
        // 2 points, x = 0.5: place 0, index 0.
        assert_eq!(swc_location(&[10, 11], 0.5), Some((10, 0.0)));
        assert_eq!(swc_location(&[], 0.5), None);
    }

    #[test]
    fn alias_draws_follow_the_probabilities() {
        let p = [0.1, 0.2, 0.3, 0.4];
        let (threshold, alias) = alias_table(&p);
        let n = 4u128;
        // Exact: the mass of each outcome over the slots.
        let mut mass = [0.0f64; 4];
        for s in 0..4 {
            let t = threshold[s] as f64 / 18_446_744_073_709_551_616.0;
            mass[s] += t / n as f64;
            mass[alias[s] as usize] += (1.0 - t) / n as f64;
        }
        for (m, q) in mass.iter().zip(p) {
            assert!((m - q).abs() < 1e-12, "{mass:?}");
        }
    }

    #[test]
    fn unknown_section_name() {
        assert_eq!(
            section_type("dendrite").unwrap_err().to_string(),
            "unknown section name 'dendrite': expected one of soma, somatic, axon, axonal, dend, basal, apic, apical"
        );
    }
}
