//! One pass over the rows of an edge population, in blocks (a population can have 10^8 rows
//! and more; memory is one block of each column plus per-node degree counters).
//!
//! A *connection* is a run of consecutive rows with the same (source, target, edge type): one
//! row per pair with an `nsyns` column, or one row per synapse with the synapses of a pair
//! consecutive (netbuild's row order, and BMTK's). Its synapse count is the sum of `nsyns` over
//! the run (1 for a row without that column).
//!
//! The rows are read through netbuild's one SONATA reader ([`EdgeFile`]), a row range at a
//! time.

use crate::circuit::{sonata_err, EdgePop};
use crate::matrix::PairCounter;
use crate::ReportError;
use netbuild_sonata::{EdgeColumn, EdgeFile, SonataError};
use std::collections::{BTreeMap, HashMap};

/// Rows read per block.
const BLOCK: u64 = 1 << 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeCounts {
    pub rows: u64,
    pub connections: u64,
    pub synapses: u64,
}

/// Distance bins `[i * width, (i + 1) * width)` for `i < bins`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binning {
    pub width: f64,
    pub bins: usize,
}

impl Binning {
    pub fn of(&self, d: f64) -> Option<usize> {
        let i = (d / self.width).floor();
        (i >= 0.0 && (i as usize) < self.bins).then_some(i as usize)
    }
}

/// Edge types to measure against distance, with the node positions to measure with.
pub struct DistanceTracking<'a> {
    pub types: HashMap<i64, Binning>,
    pub source_pos: &'a [[f64; 3]],
    pub target_pos: &'a [[f64; 3]],
}

#[derive(Debug, Clone, Default)]
pub struct PopStats {
    pub types: BTreeMap<i64, TypeCounts>,
    /// Connections per target node (index = node id).
    pub in_degree: Vec<u32>,
    /// Connections per source node.
    pub out_degree: Vec<u32>,
    /// Synapses per connection -> number of connections.
    pub nsyns: BTreeMap<u64, u64>,
    /// Whether any group has an `nsyns` column.
    pub nsyns_column: bool,
    /// Per tracked edge type: connections per distance bin.
    pub connected: HashMap<i64, Vec<u64>>,
}

/// A cursor over one group's `nsyns` column, refilled a block at a time around the rows asked.
struct NsynsColumn {
    column: EdgeColumn,
    len: u64,
    start: u64,
    buf: Vec<u64>,
}

impl NsynsColumn {
    fn get(&mut self, i: u64) -> Result<u64, SonataError> {
        if i < self.start || i >= self.start + self.buf.len() as u64 {
            if i >= self.len {
                return Ok(1);
            }
            let end = (i + BLOCK).min(self.len);
            self.buf = self.column.read::<u64>(Some(i..end))?;
            self.start = i;
        }
        Ok(self.buf[(i - self.start) as usize])
    }
}

/// The run being accumulated.
#[derive(Clone, Copy)]
struct Run {
    src: u64,
    trg: u64,
    ty: i64,
    synapses: u64,
}

/// Reads every row of `pop`. `n_source`, `n_target`: node counts of its populations (degree
/// counters grow if ids go past them). Each connection is also given to `pairs`, if any (the
/// group matrices), in row order.
pub fn scan(
    pop: &EdgePop,
    n_source: usize,
    n_target: usize,
    tracking: Option<&DistanceTracking>,
    mut pairs: Option<&mut PairCounter>,
) -> Result<PopStats, ReportError> {
    let file = EdgeFile::open(&pop.file).map_err(sonata_err)?;
    let g = file.population(&pop.name).map_err(sonata_err)?;

    let mut nsyns: HashMap<i64, NsynsColumn> = HashMap::new();
    for member in g.group_names().map_err(sonata_err)? {
        let Ok(gid) = member.parse::<i64>() else {
            continue;
        };
        if let Some(column) = g.column(&member, "nsyns").map_err(sonata_err)? {
            nsyns.insert(
                gid,
                NsynsColumn {
                    len: column.len(),
                    column,
                    start: 0,
                    buf: Vec::new(),
                },
            );
        }
    }
    // Read only to find a row's nsyns.
    let with_groups = !nsyns.is_empty();

    let mut stats = PopStats {
        in_degree: vec![0; n_target],
        out_degree: vec![0; n_source],
        nsyns_column: !nsyns.is_empty(),
        ..PopStats::default()
    };
    if let Some(t) = tracking {
        for (&ty, b) in &t.types {
            stats.connected.insert(ty, vec![0; b.bins]);
        }
    }

    let mut run: Option<Run> = None;
    let mut last_type = (i64::MIN, TypeCounts::default());
    let rows = pop.rows;
    let mut at = 0u64;
    while at < rows {
        let end = (at + BLOCK).min(rows);
        let r = Some(at..end);
        let src = g
            .read::<u64>("source_node_id", r.clone())
            .map_err(sonata_err)?;
        let trg = g
            .read::<u64>("target_node_id", r.clone())
            .map_err(sonata_err)?;
        let ty = g
            .read::<i64>("edge_type_id", r.clone())
            .map_err(sonata_err)?;
        let groups = if with_groups {
            Some((
                g.read::<i64>("edge_group_id", r.clone())
                    .map_err(sonata_err)?,
                g.read::<u64>("edge_group_index", r).map_err(sonata_err)?,
            ))
        } else {
            None
        };
        for i in 0..(end - at) as usize {
            let (s, t, y) = (src[i], trg[i], ty[i]);
            let syn = match &groups {
                Some((gid, gix)) => match nsyns.get_mut(&gid[i]) {
                    Some(col) => col.get(gix[i]).map_err(sonata_err)?,
                    None => 1,
                },
                None => 1,
            };
            if y != last_type.0 {
                if last_type.0 != i64::MIN {
                    add_counts(stats.types.entry(last_type.0).or_default(), &last_type.1);
                }
                last_type = (y, TypeCounts::default());
            }
            last_type.1.rows += 1;
            last_type.1.synapses += syn;
            match &mut run {
                Some(r) if r.src == s && r.trg == t && r.ty == y => r.synapses += syn,
                _ => {
                    if let Some(done) = run {
                        finish(&mut stats, &done, tracking, pairs.as_deref_mut());
                    }
                    run = Some(Run {
                        src: s,
                        trg: t,
                        ty: y,
                        synapses: syn,
                    });
                }
            }
        }
        at = end;
    }
    if let Some(done) = run {
        finish(&mut stats, &done, tracking, pairs);
    }
    if last_type.0 != i64::MIN {
        add_counts(stats.types.entry(last_type.0).or_default(), &last_type.1);
    }
    Ok(stats)
}

fn add_counts(total: &mut TypeCounts, part: &TypeCounts) {
    total.rows += part.rows;
    total.synapses += part.synapses;
}

fn bump(v: &mut Vec<u32>, i: u64) {
    let i = i as usize;
    if i >= v.len() {
        v.resize(i + 1, 0);
    }
    v[i] = v[i].saturating_add(1);
}

fn finish(
    stats: &mut PopStats,
    run: &Run,
    tracking: Option<&DistanceTracking>,
    pairs: Option<&mut PairCounter>,
) {
    stats.types.entry(run.ty).or_default().connections += 1;
    if let Some(p) = pairs {
        p.add(run.src, run.trg);
    }
    bump(&mut stats.in_degree, run.trg);
    bump(&mut stats.out_degree, run.src);
    *stats.nsyns.entry(run.synapses).or_default() += 1;
    let Some(t) = tracking else { return };
    let Some(b) = t.types.get(&run.ty) else {
        return;
    };
    let (Some(a), Some(c)) = (
        t.source_pos.get(run.src as usize),
        t.target_pos.get(run.trg as usize),
    ) else {
        return;
    };
    let d = ((c[0] - a[0]).powi(2) + (c[1] - a[1]).powi(2) + (c[2] - a[2]).powi(2)).sqrt();
    if let Some(i) = b.of(d) {
        if let Some(bins) = stats.connected.get_mut(&run.ty) {
            bins[i] += 1;
        }
    }
}
