//! SWC points to sections, as NEURON's `Import3d_SWC_read` and `Import3d_GUI.instantiate` make
//! them (the hoc files of the `neuron` wheel, which BMTK's `Biophys1` template runs).
//!
//! In: the points of one file. Out: the sections in Import3d's order, each with its type, its
//! parent and the position on the parent it connects to, its NEURON name index (`dend[3]`), the
//! 3-d points NEURON stores for it (rounded as NEURON rounds them) and which file points are its
//! own. The steps keep Import3d's names (`mark_branch`, `sectionify`, `mksection`,
//! `chk_valid`, `set_nameindex`), so each can be checked against its hoc original.

use crate::swc::Point;

/// One section as Import3d makes it.
#[derive(Debug, Clone)]
pub struct Section {
    /// The SWC type of its points (1 soma, 2 axon, 3 dend, 4 apic).
    pub kind: u8,
    /// Its number before `chk_valid` removed any section (the index `point2sec` gives).
    pub number: usize,
    /// The parent section's `number`; `None` for the root.
    pub parent: Option<usize>,
    /// Where on the parent it connects (0, 0.5 or 1).
    pub parent_x: f64,
    /// NEURON's index within its type: the `3` of `dend[3]`.
    pub name_index: usize,
    /// The 3-d points NEURON stores (x, y, z as NEURON's single precision).
    pub points: Vec<[f32; 3]>,
}

/// A file's sections, and the section `number` of each file point.
#[derive(Debug, Clone)]
pub struct Sections {
    /// The sections left after `chk_valid`, in Import3d's order.
    pub list: Vec<Section>,
    /// For each point (file order): the `number` of the section Import3d put it in.
    pub point2sec: Vec<usize>,
}

/// A raw Import3d section before it becomes NEURON's: the file points (parent point first for a
/// non-root section) and which of them NEURON's 3-d points start at (`first`).
struct Raw {
    kind: u8,
    number: usize,
    parent: Option<usize>,
    parent_x: f64,
    /// Import3d's `id`: the section's first own file point.
    id: usize,
    /// File point indices of the section's raw points.
    raw: Vec<usize>,
    first: usize,
}

/// Makes the sections of `points` (a parsed file: one tree, ids ascending, root first).
pub fn sections(points: &[Point]) -> Sections {
    let n = points.len();
    let kind = |i: usize| points[i].kind;
    let mut pix: Vec<Option<usize>> = points.iter().map(|p| p.parent).collect();

    // mark_branch: a point ends a section unless exactly one contiguous child of its own type
    // follows it (nchild == 1). Sums of 1 and .01 as hoc adds them, compared as hoc compares.
    let mut nchild = vec![0.0f64; n];
    let mut connect2prox = vec![false; n];
    for i in 0..n {
        let Some(p) = pix[i] else { continue };
        nchild[p] += 1.0;
        if p + 1 != i {
            nchild[p] += 0.01;
            if p > 1 {
                // A branch off the first point of a dendrite wired to the soma connects to
                // that dendrite's proximal end.
                if kind(p) != 1 && pix[p].is_some_and(|pp| kind(pp) == 1) {
                    connect2prox[i] = true;
                    nchild[p] = 1.0;
                }
            } else if p == 0 && kind(p) != 1 {
                connect2prox[i] = true;
                nchild[p] = 1.0;
            }
        }
        if kind(p) != kind(i) {
            nchild[p] += 0.01;
        }
    }

    // sectionify
    let mut nchild_soma = vec![0u32; n];
    let mut nsoma_pts = usize::from(kind(0) == 1);
    for (i, pi) in pix.iter().enumerate().skip(1) {
        if kind(i) == 1 {
            nsoma_pts += 1;
            if let Some(p) = *pi {
                if kind(p) == 1 {
                    nchild_soma[p] += 1;
                }
            }
        }
    }
    let soma3geom = nsoma_pts == 3 && neuromorph_3point_soma(points, &mut pix, &nchild);
    for i in 0..n.saturating_sub(1) {
        if kind(i) == 1
            && kind(i + 1) == 1
            && pix[i + 1] == Some(i)
            && !(i != 0 && nchild_soma[i] > 1)
        {
            nchild[i] = 1.0;
        }
    }
    #[allow(clippy::float_cmp)] // hoc's `!= 1` on sums of 1 and .01
    let sec2point: Vec<usize> = (0..n).filter(|&i| nchild[i] != 1.0).collect();
    let mut point2sec = vec![0usize; n];
    let mut si = 0;
    for (i, ps) in point2sec.iter_mut().enumerate().skip(1) {
        if i > sec2point[si] {
            si += 1;
        }
        *ps = si;
    }

    // mksections
    let mut raws: Vec<Raw> = Vec::new();
    let mut first = 0;
    let mut isec = 0;
    for i in 0..=n {
        if i == n || point2sec[i] > isec {
            let ctx = Ctx {
                points,
                pix: &pix,
                nchild_soma: &nchild_soma,
                connect2prox: &connect2prox,
                point2sec: &point2sec,
                soma3geom,
            };
            raws.push(mksection(&ctx, &raws, isec, first, i));
            isec += 1;
            first = i;
        }
    }

    // chk_valid: one-point sections, and two-point ones of zero length, go; their children
    // take their parent.
    let mut k = raws.len();
    while k > 0 {
        k -= 1;
        if raws[k].parent.is_none() {
            continue;
        }
        let own = raws[k].raw.len() - raws[k].first;
        let zero = own == 2 && {
            let f = raws[k].first;
            points[raws[k].raw[f]].xyz == points[raws[k].raw[f + 1]].xyz
        };
        if own <= 1 || zero {
            let gone = raws.remove(k);
            for r in raws.iter_mut().skip(k) {
                if r.parent == Some(gone.number) {
                    r.parent = gone.parent;
                    r.parent_x = gone.parent_x;
                }
            }
        }
    }

    // set_nameindex, and the 3-d points NEURON stores.
    let mut count = [0usize; 5];
    let list = raws
        .into_iter()
        .map(|r| {
            let name_index = count[r.kind as usize];
            count[r.kind as usize] += 1;
            let own = &r.raw[r.first..];
            let points = if own.len() == 1 {
                // sphere_rep: a one-point root is a cylinder along x with L = diam.
                let p = &points[own[0]];
                let h = p.diam / 2.0;
                let [x, y, z] = p.xyz;
                vec![[x - h, y, z], [x, y, z], [x + h, y, z]]
            } else {
                own.iter().map(|&i| points[i].xyz).collect()
            };
            Section {
                kind: r.kind,
                number: r.number,
                parent: r.parent,
                parent_x: r.parent_x,
                name_index,
                points: points.iter().map(|p| p.map(neuron_coordinate)).collect(),
            }
        })
        .collect();
    Sections { list, point2sec }
}

/// NEURON's special case for neuromorpho.org's 3-point somas (the root and two children of the
/// same diameter, together one diameter long): a sphere. Redirects point 2 to point 1, as
/// Import3d does, so that the two stay in the root section.
fn neuromorph_3point_soma(points: &[Point], pix: &mut [Option<usize>], nchild: &[f64]) -> bool {
    if points.len() < 3 || pix[1] != Some(0) || pix[2] != Some(0) {
        return false;
    }
    #[allow(clippy::float_cmp)] // hoc compares these exactly
    let same = nchild[1] == 0.0
        && nchild[2] == 0.0
        && points[1].diam == points[0].diam
        && points[2].diam == points[0].diam;
    if !same {
        return false;
    }
    let dist = |i: usize| {
        let (a, b) = (points[i].xyz, points[0].xyz);
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    };
    let len = dist(1) + dist(2);
    if (len / points[0].diam - 1.0).abs() < 0.01 {
        pix[2] = Some(1);
        return true;
    }
    false
}

/// What `mksection` reads of the file and of `sectionify`'s results.
struct Ctx<'a> {
    points: &'a [Point],
    pix: &'a [Option<usize>],
    nchild_soma: &'a [u32],
    connect2prox: &'a [bool],
    point2sec: &'a [usize],
    soma3geom: bool,
}

/// Import3d's `mksection(isec, first, i)`: the points `first..i` form section `isec`; `made`
/// holds sections `0..isec`.
fn mksection(c: &Ctx<'_>, made: &[Raw], isec: usize, first: usize, i: usize) -> Raw {
    let kind = |k: usize| c.points[k].kind;
    if isec == 0 {
        let end = if c.soma3geom { 1 } else { i };
        return Raw {
            kind: kind(first),
            number: 0,
            parent: None,
            parent_x: 1.0,
            id: first,
            raw: (first..end).collect(),
            first: 0,
        };
    }
    let pp = c.pix[first].expect("a non-root section's first point has a parent");
    let psec = &made[c.point2sec[pp]];
    let mut parent_x = 1.0;
    let mut sfirst = 0;
    let den_con_soma = psec.kind == 1 && kind(first) != 1;
    let con_soma = psec.kind == 1;
    let psize = psec.raw.len();
    let mut handled = false;
    if psec.number == 0 {
        handled = true;
        if den_con_soma && psize == 1 {
            // A single-point soma: children connect to its middle, wired from its centre.
            parent_x = 0.5;
            if i - first > 1 {
                sfirst = 1;
            }
        } else if pp == psec.id {
            parent_x = 0.0;
            if kind(first) != 1 && c.nchild_soma[pp] > 1 {
                sfirst = 1;
            }
        } else {
            handled = false;
        }
    }
    if !handled && con_soma {
        let offset: i64 = if psec.id == 0 { -1 } else { -2 };
        if (pp as i64) < (psec.id + psize) as i64 + offset {
            parent_x = 0.5;
            if den_con_soma && i - first > 1 {
                sfirst = 1;
            }
        } else if i - first > 1 && c.nchild_soma[pp] > 1 && kind(first) != 1 {
            sfirst = 1;
        }
    }
    if c.connect2prox[first] {
        parent_x = 0.0;
    }
    let mut raw = Vec::with_capacity(i - first + 1);
    raw.push(pp);
    raw.extend(first..i);
    Raw {
        kind: kind(first),
        number: isec,
        parent: Some(psec.number),
        parent_x,
        id: first,
        raw,
        first: sfirst,
    }
}

/// A coordinate as NEURON stores it: printed with 8 significant digits by `instantiate`
/// (`%.8g`), read back, and kept in single precision.
fn neuron_coordinate(v: f64) -> f32 {
    let printed = format!("{v:.7e}");
    printed.parse::<f64>().unwrap_or(v) as f32
}
