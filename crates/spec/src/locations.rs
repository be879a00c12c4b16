//! `[edges.locations]`: where each synapse sits on the target's morphology (BMTK's
//! `rand_syn_locations`).
//!
//! In: the located value of an edge block's `locations` key and the spec folder. Out: a
//! [`SynLocations`] with its section names checked and `morphology_dir` resolved against the
//! spec folder; every mistake located at file:line:col. The morphology files themselves are
//! read once nodes exist (they are named by the targets' `morphology` property).

use crate::located::{Node, Source};
use crate::values::{self, R};
use netbuild_model::morphology::section_type;
use netbuild_model::SynLocations;
use std::path::Path;

const KEYS: [&str; 5] = [
    "sections",
    "distance_range",
    "morphology_dir",
    "return_coords",
    "dL",
];

pub fn read(src: &Source, n: &Node, dir: &Path) -> R<SynLocations> {
    let what = "[edges.locations]";
    let t = values::table(
        src,
        n,
        "a table such as { sections = [\"basal\", \"apical\"], distance_range = [30.0, 150.0] }",
    )?;
    values::check_keys(src, t, &KEYS, what)?;
    let sections = match t.get("sections") {
        None => vec!["soma".into(), "apical".into(), "basal".into()],
        Some(e) => {
            let items = values::array(src, &e.value, "sections")?;
            if items.is_empty() {
                return Err(values::expected(
                    src,
                    &e.value,
                    "at least one section name",
                    "sections",
                ));
            }
            let mut names = Vec::new();
            for item in items {
                let name = values::string(src, item, "a section name")?;
                section_type(name).map_err(|err| src.err(&item.span, err.to_string()))?;
                names.push(name.to_string());
            }
            names
        }
    };
    let distance_range = match t.get("distance_range") {
        None => [0.0, 1.0e20],
        Some(e) => {
            let items = values::array(src, &e.value, "distance_range")?;
            let expected = "[lo, hi] (micrometres from the soma, lo <= hi)";
            if items.len() != 2 {
                return Err(values::expected(src, &e.value, expected, "distance_range"));
            }
            let lo = values::number(src, &items[0], "distance_range")?;
            let hi = values::number(src, &items[1], "distance_range")?;
            if lo.is_nan() || hi.is_nan() || lo > hi {
                return Err(values::expected(src, &e.value, expected, "distance_range"));
            }
            [lo, hi]
        }
    };
    let morphology_dir = match t.get("morphology_dir") {
        None => dir.join("components/morphologies"),
        Some(e) => dir.join(values::nonempty_string(src, &e.value, "morphology_dir")?),
    };
    let return_coords = match t.get("return_coords") {
        Some(e) => values::boolean(src, &e.value, "return_coords")?,
        None => false,
    };
    let dl = match t.get("dL") {
        None => None,
        Some(e) => match values::number(src, &e.value, "dL")? {
            v if v > 0.0 => Some(v),
            _ => {
                return Err(values::expected(
                    src,
                    &e.value,
                    "a positive number of micrometres",
                    "dL",
                ))
            }
        },
    };
    Ok(SynLocations {
        sections,
        distance_range,
        morphology_dir,
        dl,
        return_coords,
    })
}
