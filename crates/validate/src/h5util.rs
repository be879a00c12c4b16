//! Small HDF5 helpers: typed checks of datasets and attributes, block reads, bitmaps.

use hdf5::types::TypeDescriptor;
use hdf5::{Attribute, Dataset, File, Group};
use ndarray::s;
use netbuild_sonata::read::attr::dtype_name;
use netbuild_sonata::NetworkFile;

use crate::Sink;

/// The value standing for a negative id read from a signed dataset (always out of range).
pub(crate) const NEG: u64 = u64::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntKind {
    Signed,
    Unsigned,
}

/// A checked integer dataset: 1-D (`width == 0`) or 2-D with `width` columns.
pub(crate) struct IntDs {
    pub ds: Dataset,
    pub kind: IntKind,
    pub rows: u64,
    pub full: String,
}

fn int_kind(t: &TypeDescriptor) -> Option<IntKind> {
    match t {
        TypeDescriptor::Integer(_) => Some(IntKind::Signed),
        TypeDescriptor::Unsigned(_) => Some(IntKind::Unsigned),
        _ => None,
    }
}

/// The populations of a nodes or edges file to check, with the file they live in (kept open).
pub(crate) struct Populations {
    _file: Option<File>,
    /// (name, `/kind/name`, its group).
    pub list: Vec<(String, String, Group)>,
}

/// Opens a nodes or edges file (`kind` is `"nodes"` or `"edges"`), checks its root attributes
/// and returns the populations to check: those circuit_config.json lists (noting the others,
/// which readers skip), or every group under `/kind`.
pub(crate) fn populations(entry: &NetworkFile, kind: &str, sink: &mut Sink) -> Populations {
    let label = entry.label.as_str();
    let none = Populations {
        _file: None,
        list: Vec::new(),
    };
    let file = match File::open(&entry.h5) {
        Ok(f) => f,
        Err(e) => {
            sink.error(label, "", format!("cannot open as HDF5: {e}"));
            return none;
        }
    };
    check_root_attrs(&file, label, sink);
    let root = format!("/{kind}");
    let Ok(top) = file.group(kind) else {
        let a = if kind.starts_with('e') { "an" } else { "a" };
        sink.error(
            label,
            &root,
            format!("missing ({a} {kind} file has {a} {root} group)"),
        );
        return none;
    };
    let in_file: Vec<String> = top
        .member_names()
        .unwrap_or_default()
        .into_iter()
        .filter(|n| top.group(n).is_ok())
        .collect();
    let pops = match &entry.populations {
        None => in_file.clone(),
        Some(listed) => {
            for p in &in_file {
                if !listed.contains(p) {
                    sink.note(
                        label,
                        &format!("{root}/{p}"),
                        "not listed in circuit_config.json: readers skip it (not checked)",
                    );
                }
            }
            listed.clone()
        }
    };
    if in_file.is_empty() {
        sink.error(label, &root, "no population");
    }
    let mut list = Vec::new();
    for pop in pops {
        let ppath = format!("{root}/{pop}");
        match top.group(&pop) {
            Ok(g) => list.push((pop, ppath, g)),
            Err(_) => sink.error(
                label,
                &ppath,
                "missing (circuit_config.json lists this population)",
            ),
        }
    }
    Populations {
        _file: Some(file),
        list,
    }
}

/// Checks the root attributes `magic` and `version`.
pub(crate) fn check_root_attrs(file: &File, label: &str, sink: &mut Sink) {
    match file.attr("magic") {
        Err(_) => sink.error(
            label,
            "/ (attribute magic)",
            "missing (expected uint32 0x0A7A)",
        ),
        Ok(a) => match int_attr(&a) {
            Err(e) => sink.error(label, "/ (attribute magic)", e),
            Ok(v) if v.len() == 1 && v[0] == 0x0A7A => {}
            Ok(v) => sink.error(
                label,
                "/ (attribute magic)",
                format!("expected 0x0A7A (2682), found {v:?}"),
            ),
        },
    }
    match file.attr("version") {
        Err(_) => sink.error(
            label,
            "/ (attribute version)",
            "missing (expected uint32 [0, 1])",
        ),
        Ok(a) => match int_attr(&a) {
            Err(e) => sink.error(label, "/ (attribute version)", e),
            Ok(v) if v.is_empty() || v.len() > 3 => sink.error(
                label,
                "/ (attribute version)",
                format!("expected [major, minor], found {v:?}"),
            ),
            Ok(_) => {}
        },
    }
}

fn int_attr(a: &Attribute) -> Result<Vec<i64>, String> {
    let t = a
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("unreadable type: {e}"))?;
    if int_kind(&t).is_none() {
        return Err(format!("expected an integer, found {}", dtype_name(&t)));
    }
    a.read_raw::<i64>().map_err(|e| format!("unreadable: {e}"))
}

/// Opens `name` under `g` as an integer dataset of `width` columns (0: 1-D). Findings for a
/// missing dataset (when `required`), another object, a wrong dtype or shape.
pub(crate) fn int_dataset(
    g: &Group,
    gpath: &str,
    name: &str,
    width: usize,
    required: bool,
    label: &str,
    sink: &mut Sink,
) -> Option<IntDs> {
    let full = format!("{gpath}/{name}");
    if !g.link_exists(name) {
        if required {
            sink.error(label, &full, "missing");
        }
        return None;
    }
    let ds = match g.dataset(name) {
        Ok(d) => d,
        Err(_) => {
            sink.error(label, &full, "not a dataset");
            return None;
        }
    };
    let t = match ds.dtype().and_then(|t| t.to_descriptor()) {
        Ok(t) => t,
        Err(e) => {
            sink.error(label, &full, format!("unreadable dtype: {e}"));
            return None;
        }
    };
    let Some(kind) = int_kind(&t) else {
        sink.error(
            label,
            &full,
            format!("expected an integer dtype, found {}", dtype_name(&t)),
        );
        return None;
    };
    let shape = ds.shape();
    let ok = if width == 0 {
        shape.len() == 1
    } else {
        shape.len() == 2 && shape[1] == width
    };
    if !ok {
        let want = if width == 0 {
            "1-D".to_string()
        } else {
            format!("[n, {width}]")
        };
        sink.error(
            label,
            &full,
            format!("expected shape {want}, found {shape:?}"),
        );
        return None;
    }
    Some(IntDs {
        rows: shape[0] as u64,
        ds,
        kind,
        full,
    })
}

impl IntDs {
    /// Rows `lo..hi` of a 1-D dataset as u64 (negative values become [`NEG`]).
    pub(crate) fn read(&self, lo: u64, hi: u64) -> hdf5::Result<Vec<u64>> {
        let (lo, hi) = (lo as usize, hi as usize);
        Ok(match self.kind {
            IntKind::Unsigned => self.ds.read_slice_1d::<u64, _>(s![lo..hi])?.to_vec(),
            IntKind::Signed => self
                .ds
                .read_slice_1d::<i64, _>(s![lo..hi])?
                .iter()
                .map(|&v| if v < 0 { NEG } else { v as u64 })
                .collect(),
        })
    }

    /// Rows `lo..hi` of a 2-D dataset of width 2, row-major (negative values become [`NEG`]).
    pub(crate) fn read2(&self, lo: u64, hi: u64) -> hdf5::Result<Vec<u64>> {
        let (lo, hi) = (lo as usize, hi as usize);
        Ok(match self.kind {
            IntKind::Unsigned => self
                .ds
                .read_slice_2d::<u64, _>(s![lo..hi, ..])?
                .iter()
                .copied()
                .collect(),
            IntKind::Signed => self
                .ds
                .read_slice_2d::<i64, _>(s![lo..hi, ..])?
                .iter()
                .map(|&v| if v < 0 { NEG } else { v as u64 })
                .collect(),
        })
    }
}

/// Rows `lo..hi` of a 1-D dataset, if it is present and readable (a finding when it is not).
pub(crate) fn read_rows(
    d: &Option<IntDs>,
    lo: u64,
    hi: u64,
    label: &str,
    sink: &mut Sink,
) -> Option<Vec<u64>> {
    let d = d.as_ref()?;
    match d.read(lo, hi) {
        Ok(v) => Some(v),
        Err(e) => {
            sink.error(label, &d.full, format!("unreadable rows {lo}..{hi}: {e}"));
            None
        }
    }
}

/// The row count of the first present column and whether all the others present have it too
/// (each one that does not is an error); `None` when none is present.
pub(crate) fn same_rows(
    columns: &[&Option<IntDs>],
    label: &str,
    sink: &mut Sink,
) -> Option<(u64, bool)> {
    let present: Vec<&IntDs> = columns.iter().filter_map(|c| c.as_ref()).collect();
    let (first, rest) = present.split_first()?;
    let n = first.rows;
    let mut ok = true;
    for d in rest {
        if d.rows != n {
            sink.error(
                label,
                &d.full,
                format!("{} rows, but {} has {n}", d.rows, first.full),
            );
            ok = false;
        }
    }
    Some((n, ok))
}

/// Shows an id as read (NEG as "a negative value").
pub(crate) fn show(v: u64) -> String {
    if v == NEG {
        "a negative value".into()
    } else {
        v.to_string()
    }
}

/// The groups of a population named by a number (`"0"`, `"1"`, ...), as (id, group).
pub(crate) fn numeric_groups(
    pop: &Group,
    ppath: &str,
    label: &str,
    sink: &mut Sink,
) -> Vec<(u64, Group)> {
    let mut out = Vec::new();
    let names = match pop.member_names() {
        Ok(n) => n,
        Err(e) => {
            sink.error(label, ppath, format!("cannot list members: {e}"));
            return out;
        }
    };
    for name in names {
        let Ok(id) = name.parse::<u64>() else {
            continue;
        };
        if id.to_string() != name {
            continue;
        }
        if let Ok(g) = pop.group(&name) {
            out.push((id, g));
        }
    }
    out.sort_by_key(|(id, _)| *id);
    out
}

/// The groups of a population (named by a number) with their row counts ([`group_rows`]), by
/// group id.
pub(crate) fn group_row_counts(
    pop: &Group,
    ppath: &str,
    label: &str,
    sink: &mut Sink,
) -> Vec<(u64, Option<u64>)> {
    numeric_groups(pop, ppath, label, sink)
        .iter()
        .map(|(id, g)| (*id, group_rows(g, &format!("{ppath}/{id}"), label, sink)))
        .collect()
}

/// The row count of a group: the common first dimension of its datasets (those of a
/// `dynamics_params` subgroup included). `None` when it has no dataset. Findings for datasets
/// of different lengths.
pub(crate) fn group_rows(g: &Group, gpath: &str, label: &str, sink: &mut Sink) -> Option<u64> {
    let mut rows: Option<(u64, String)> = None;
    let mut visit = |ds: &Dataset, path: String, sink: &mut Sink| {
        let n = ds.shape().first().copied().unwrap_or(1) as u64;
        match &rows {
            None => rows = Some((n, path)),
            Some((m, first)) if *m != n => sink.error(
                label,
                &path,
                format!("{n} rows, but {first} has {m}: the columns of a group have equal lengths"),
            ),
            Some(_) => {}
        }
    };
    if let Ok(dss) = g.datasets() {
        let mut dss: Vec<(String, Dataset)> = dss.into_iter().map(|d| (d.name(), d)).collect();
        dss.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, ds) in dss {
            visit(&ds, name, sink);
        }
    }
    if let Ok(sub) = g.group("dynamics_params") {
        if let Ok(dss) = sub.datasets() {
            for ds in dss {
                let name = ds.name();
                visit(&ds, name, sink);
            }
        }
    }
    let _ = gpath;
    rows.map(|(n, _)| n)
}

/// A fixed-size bitmap.
pub(crate) struct Bitmap {
    words: Vec<u64>,
    len: u64,
}

impl Bitmap {
    pub(crate) fn new(len: u64) -> Bitmap {
        Bitmap {
            words: vec![0; len.div_ceil(64) as usize],
            len,
        }
    }

    /// Sets bit `i`; returns whether it was already set.
    #[inline]
    pub(crate) fn test_and_set(&mut self, i: u64) -> bool {
        let w = &mut self.words[(i / 64) as usize];
        let m = 1u64 << (i % 64);
        let was = *w & m != 0;
        *w |= m;
        was
    }

    pub(crate) fn count_ones(&self) -> u64 {
        self.words.iter().map(|w| w.count_ones() as u64).sum()
    }

    /// The first `k` clear bits.
    pub(crate) fn first_clear(&self, k: usize) -> Vec<u64> {
        let mut out = Vec::new();
        for (wi, &w) in self.words.iter().enumerate() {
            if w == u64::MAX {
                continue;
            }
            for b in 0..64 {
                let i = wi as u64 * 64 + b;
                if i >= self.len || out.len() >= k {
                    return out;
                }
                if w & (1 << b) == 0 {
                    out.push(i);
                }
            }
        }
        out
    }
}

/// A growable bitmap for groups without datasets (their row count is what references them).
#[derive(Default)]
pub(crate) struct GrowBitmap {
    words: Vec<u64>,
    pub max: Option<u64>,
    pub set: u64,
}

impl GrowBitmap {
    /// Sets bit `i`; returns whether it was already set. Refuses (returns None) beyond `limit`.
    pub(crate) fn test_and_set(&mut self, i: u64, limit: u64) -> Option<bool> {
        if i >= limit {
            return None;
        }
        let wi = (i / 64) as usize;
        if wi >= self.words.len() {
            self.words.resize(wi + 1, 0);
        }
        let m = 1u64 << (i % 64);
        let was = self.words[wi] & m != 0;
        self.words[wi] |= m;
        if !was {
            self.set += 1;
            self.max = Some(self.max.map_or(i, |x| x.max(i)));
        }
        Some(was)
    }
}

/// Mixes an (edge, node) pair into 64 bits, for an order-free checksum of index listings.
#[inline]
pub(crate) fn mix(edge: u64, node: u64) -> u64 {
    fn sm(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    sm(edge ^ sm(node).rotate_left(23))
}
