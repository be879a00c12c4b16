//! `EdgeTypesTable`: the sink one rank's rules push an edges population into.
//!
//! In: [`EdgeRow`]s in final file order (see [`EdgeSink`]'s execution model). Out, through
//! [`EdgeTypesTable::finish`]: a [`TableReader`] that streams the core columns (source, target,
//! edge type) and each edge group's columns back in the same order, in chunks.
//!
//! Past the memory budget every column's buffer is appended to its spill file and cleared; so
//! peak memory is the budget plus one check interval of rows, whatever the population's size.

use crate::store::{ColumnReader, ColumnStore};
use netbuild_model::{Dtype, EdgeRow, EdgeRows, EdgeSink};
use netbuild_types::NumColumn;
use std::path::PathBuf;

/// Which columns a population's table holds.
#[derive(Debug, Clone, PartialEq)]
pub struct TableLayout {
    /// The population's edge types: (edge type index in the circuit, its group).
    pub edge_types: Vec<(usize, usize)>,
    /// Column dtypes of each edge group.
    pub groups: Vec<Vec<Dtype>>,
}

/// Where and when to spill.
#[derive(Debug, Clone, PartialEq)]
pub struct SpillPolicy {
    /// Where spill files go.
    pub dir: PathBuf,
    /// Bytes of buffered columns that trigger a spill.
    pub budget: u64,
}

/// A table failure: the spill directory could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("spill file in {dir}: {source}")]
    /// Writing or reading a spill file failed.
    Spill {
        /// The spill directory.
        dir: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    #[error("edge type {0} does not belong to this edges population")]
    /// A row of an edge type the table's layout does not list.
    UnknownEdgeType(usize),
}

/// Rows between two checks of the memory budget (a check sums every column's size).
const CHECK_EVERY: u64 = 4096;

/// One rank's rows of one edges population.
#[derive(Debug)]
pub struct EdgeTypesTable {
    /// edge type index in the circuit → (local edge type, group); `None` for other populations.
    local: Vec<Option<(u32, usize)>>,
    source: ColumnStore,
    target: ColumnStore,
    edge_type: ColumnStore,
    groups: Vec<Vec<ColumnStore>>,
    rows: u64,
    group_rows: Vec<u64>,
    policy: SpillPolicy,
    since_check: u64,
    spills: u64,
    /// Rows in memory since the last spill, and the most the budget allows.
    mem_rows: usize,
    row_limit: usize,
}

impl EdgeTypesTable {
    /// An empty table of `layout`, spilling by `policy`.
    pub fn new(layout: &TableLayout, policy: SpillPolicy) -> Self {
        let max = layout
            .edge_types
            .iter()
            .map(|&(i, _)| i + 1)
            .max()
            .unwrap_or(0);
        let mut local = vec![None; max];
        for (l, &(i, g)) in layout.edge_types.iter().enumerate() {
            local[i] = Some((l as u32, g));
        }
        // Every group's columns counted, as if each row had them all: an upper bound that keeps the
        // capacity of every buffer within the budget.
        let row_bytes = 12
            + layout
                .groups
                .iter()
                .flatten()
                .map(|&d| crate::column::width(d))
                .sum::<usize>();
        let row_limit = ((policy.budget / row_bytes as u64) as usize).max(2 * CHECK_EVERY as usize);
        EdgeTypesTable {
            mem_rows: 0,
            row_limit,
            local,
            source: ColumnStore::new(Dtype::U32),
            target: ColumnStore::new(Dtype::U32),
            edge_type: ColumnStore::new(Dtype::U32),
            groups: layout
                .groups
                .iter()
                .map(|cols| cols.iter().map(|&d| ColumnStore::new(d)).collect())
                .collect(),
            rows: 0,
            group_rows: vec![0; layout.groups.len()],
            policy,
            since_check: 0,
            spills: 0,
        }
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Rows pushed so far, per edge group.
    pub fn group_rows(&self) -> &[u64] {
        &self.group_rows
    }

    /// How many times the buffers went to disk.
    pub fn spills(&self) -> u64 {
        self.spills
    }

    fn stores_mut(&mut self) -> impl Iterator<Item = &mut ColumnStore> {
        [&mut self.source, &mut self.target, &mut self.edge_type]
            .into_iter()
            .chain(self.groups.iter_mut().flatten())
    }

    fn heap_bytes(&self) -> u64 {
        let core =
            self.source.heap_bytes() + self.target.heap_bytes() + self.edge_type.heap_bytes();
        let groups: usize = self
            .groups
            .iter()
            .flatten()
            .map(ColumnStore::heap_bytes)
            .sum();
        (core + groups) as u64
    }

    /// Moves every buffered row to the spill files.
    pub fn spill(&mut self) -> Result<(), TableError> {
        let dir = self.policy.dir.clone();
        for s in self.stores_mut() {
            s.spill(&dir).map_err(|source| TableError::Spill {
                dir: dir.clone(),
                source,
            })?;
        }
        self.spills += 1;
        self.mem_rows = 0;
        tracing::debug!(rows = self.rows, spills = self.spills, "edge table spilled");
        Ok(())
    }

    /// Ends pushing; returns the reader over every row, in order.
    pub fn finish(mut self) -> Result<TableReader, TableError> {
        if self.spills > 0 {
            // Already streaming from disk: send the rest there too and give the memory back
            // (rank 0 needs it next for the indices).
            self.spill()?;
            for s in self.stores_mut() {
                s.release();
            }
        }
        let dir = self.policy.dir.clone();
        let io = |source| TableError::Spill {
            dir: dir.clone(),
            source,
        };
        Ok(TableReader {
            source: self.source.into_reader().map_err(io)?,
            target: self.target.into_reader().map_err(io)?,
            edge_type: self.edge_type.into_reader().map_err(io)?,
            groups: self
                .groups
                .into_iter()
                .map(|g| g.into_iter().map(|s| s.into_reader().map_err(io)).collect())
                .collect::<Result<_, _>>()?,
            local: {
                let mut v = vec![(0usize, 0usize); self.local.iter().flatten().count()];
                for (i, l) in self.local.iter().enumerate() {
                    if let Some((l, g)) = l {
                        v[*l as usize] = (i, *g);
                    }
                }
                v
            },
            local_types: Vec::new(),
            group_rows: self.group_rows,
        })
    }
}

impl EdgeSink for EdgeTypesTable {
    type Error = TableError;

    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), TableError> {
        let Some(&Some((local, group))) = self.local.get(row.edge_type) else {
            return Err(TableError::UnknownEdgeType(row.edge_type));
        };
        let limit = self.row_limit;
        // Node ids were checked below 2^32 when the edge type was prepared.
        self.source.push_u32(row.source as u32, limit);
        self.target.push_u32(row.target as u32, limit);
        self.edge_type.push_u32(local, limit);
        let cols = &mut self.groups[group];
        if row.properties.is_empty() {
            // One row per pair: the group's only column is nsyns.
            if let Some(c) = cols.first_mut() {
                c.push_f64(f64::from(row.nsyns), limit);
            }
        } else {
            for (c, &x) in cols.iter_mut().zip(row.properties) {
                c.push_f64(x, limit);
            }
        }
        self.rows_added(group, 1)
    }

    /// The stretch in pieces that end where row-by-row pushes would check the budget, so
    /// the table spills at the same rows either way.
    fn push_rows(&mut self, rows: EdgeRows<'_>) -> Result<(), TableError> {
        let Some(&Some((local, group))) = self.local.get(rows.edge_type) else {
            return Err(TableError::UnknownEdgeType(rows.edge_type));
        };
        let limit = self.row_limit;
        let mut at = 0;
        while at < rows.len() {
            let take = ((CHECK_EVERY - self.since_check) as usize).min(rows.len() - at);
            let piece = at..at + take;
            // Node ids were checked below 2^32 when the edge type was prepared.
            let sources = rows.sources[piece.clone()].iter().map(|&s| s as u32);
            self.source.extend_u32(sources, limit);
            self.target.push_u32_repeat(rows.target as u32, take, limit);
            self.edge_type.push_u32_repeat(local, take, limit);
            let cols = &mut self.groups[group];
            if rows.width == 0 {
                if let Some(c) = cols.first_mut() {
                    c.extend_f64(rows.nsyns[piece].iter().map(|&k| f64::from(k)), limit);
                }
            } else {
                let values = &rows.properties[at * rows.width..(at + take) * rows.width];
                for (j, c) in cols.iter_mut().enumerate() {
                    c.extend_f64(values.iter().skip(j).step_by(rows.width).copied(), limit);
                }
            }
            self.rows_added(group, take)?;
            at += take;
        }
        Ok(())
    }
}

impl EdgeTypesTable {
    /// Counts `n` rows of `group` just pushed (never past the next check) and, at a check,
    /// spills if memory is full.
    #[inline]
    fn rows_added(&mut self, group: usize, n: usize) -> Result<(), TableError> {
        self.mem_rows += n;
        self.rows += n as u64;
        self.group_rows[group] += n as u64;
        self.since_check += n as u64;
        if self.since_check >= CHECK_EVERY {
            self.since_check = 0;
            let full = self.mem_rows + CHECK_EVERY as usize >= self.row_limit;
            if full || self.heap_bytes() >= self.policy.budget {
                self.spill()?;
            }
        }
        Ok(())
    }
}

/// A chunk of consecutive rows: the core columns of every row, and for each edge group the
/// columns of the chunk's rows that belong to it, in row order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowChunk {
    /// Source node ids.
    pub source: Vec<u32>,
    /// Target node ids.
    pub target: Vec<u32>,
    /// Edge type indices in the circuit.
    pub edge_type: Vec<usize>,
    /// `groups[g]`: one column per group column, with as many values as the chunk has rows of
    /// group g.
    pub groups: Vec<Vec<NumColumn>>,
}

impl RowChunk {
    /// Rows in the chunk.
    pub fn len(&self) -> usize {
        self.source.len()
    }
    /// Whether the chunk has no row.
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }
}

/// Streams a finished table's rows back, in order, in [`RowChunk`]s.
#[derive(Debug)]
pub struct TableReader {
    source: ColumnReader,
    target: ColumnReader,
    edge_type: ColumnReader,
    groups: Vec<Vec<ColumnReader>>,
    /// local edge type → (edge type index in the circuit, group)
    local: Vec<(usize, usize)>,
    /// The last chunk's local edge types (a buffer kept between chunks).
    local_types: Vec<u32>,
    group_rows: Vec<u64>,
}

/// Replaces `out` with the next up to `max` values of a `u32` column, in `out`'s allocation.
fn read_u32s(r: &mut ColumnReader, out: &mut Vec<u32>, max: usize) -> std::io::Result<()> {
    let mut c = NumColumn::U32(std::mem::take(out));
    r.next_into(&mut c, max)?;
    if let NumColumn::U32(v) = c {
        *out = v;
    }
    Ok(())
}

impl TableReader {
    /// Rows of the table.
    pub fn rows(&self) -> u64 {
        self.source.len()
    }

    /// Rows of the table, per edge group.
    pub fn group_rows(&self) -> &[u64] {
        &self.group_rows
    }

    /// The next up to `max` rows; empty at the end.
    pub fn next_rows(&mut self, max: usize) -> std::io::Result<RowChunk> {
        let mut chunk = RowChunk::default();
        self.next_rows_into(&mut chunk, max)?;
        Ok(chunk)
    }

    /// Like [`TableReader::next_rows`], into `chunk`, reusing its buffers: a writer that reads
    /// every chunk into one `RowChunk` allocates (and page-faults) once, not once per chunk.
    pub fn next_rows_into(&mut self, chunk: &mut RowChunk, max: usize) -> std::io::Result<()> {
        read_u32s(&mut self.source, &mut chunk.source, max)?;
        read_u32s(&mut self.target, &mut chunk.target, max)?;
        read_u32s(&mut self.edge_type, &mut self.local_types, max)?;
        let mut per_group = vec![0usize; self.groups.len()];
        chunk.edge_type.clear();
        chunk.edge_type.extend(self.local_types.iter().map(|&l| {
            let (global, g) = self.local[l as usize];
            per_group[g] += 1;
            global
        }));
        chunk.groups.resize_with(self.groups.len(), Vec::new);
        for ((cols, out), n) in self.groups.iter_mut().zip(&mut chunk.groups).zip(per_group) {
            out.resize_with(cols.len(), || NumColumn::U32(Vec::new()));
            for (c, o) in cols.iter_mut().zip(out.iter_mut()) {
                c.next_into(o, n)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> TableLayout {
        TableLayout {
            edge_types: vec![(3, 0), (5, 1)],
            groups: vec![vec![Dtype::U32], vec![Dtype::F32, Dtype::F64]],
        }
    }

    fn fill(t: &mut EdgeTypesTable, n: u64) {
        for i in 0..n {
            if i % 3 == 0 {
                t.push(EdgeRow {
                    edge_type: 3,
                    source: i,
                    target: i / 2,
                    nsyns: 2,
                    properties: &[],
                })
                .unwrap();
            } else {
                let p = [i as f64 * 0.5, i as f64];
                t.push(EdgeRow {
                    edge_type: 5,
                    source: i,
                    target: i / 2,
                    nsyns: 1,
                    properties: &p,
                })
                .unwrap();
            }
        }
    }

    fn drain(mut r: TableReader) -> Vec<RowChunk> {
        let mut all = Vec::new();
        loop {
            let c = r.next_rows(1000).unwrap();
            if c.is_empty() {
                break;
            }
            all.push(c);
        }
        all
    }

    #[test]
    fn spilled_and_unspilled_tables_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let big = SpillPolicy {
            dir: dir.path().into(),
            budget: u64::MAX,
        };
        let small = SpillPolicy {
            dir: dir.path().into(),
            budget: 10_000,
        };
        let mut a = EdgeTypesTable::new(&layout(), big);
        let mut b = EdgeTypesTable::new(&layout(), small);
        fill(&mut a, 100_000);
        fill(&mut b, 100_000);
        assert_eq!(a.spills(), 0);
        assert!(b.spills() > 10);
        assert_eq!(a.group_rows(), &[33_334, 66_666]);
        // Spill files are anonymous: nothing is visible in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let ca = drain(a.finish().unwrap());
        let cb = drain(b.finish().unwrap());
        assert_eq!(ca, cb);
        let sources: Vec<u32> = ca.iter().flat_map(|c| c.source.clone()).collect();
        assert_eq!(sources, (0..100_000).collect::<Vec<u32>>());
        assert_eq!(ca[0].edge_type[..3], [3, 5, 5]);
        // Group columns stay aligned with their rows: row 4 is the 3rd row of group 1.
        assert_eq!(
            ca[0].groups[0][0],
            NumColumn::U32((0..334).map(|_| 2).collect())
        );
        assert_eq!(
            ca[0].groups[1][1],
            NumColumn::F64((0..1000).filter(|i| i % 3 != 0).map(|i| i as f64).collect())
        );
    }

    /// Stretches of one (edge type, target) of 1 to ~9,000 rows: (edge type, target, sources,
    /// nsyns, properties row after row).
    #[allow(clippy::type_complexity)]
    fn stretches() -> Vec<(usize, u64, Vec<u64>, Vec<u32>, Vec<f64>)> {
        let mut out = Vec::new();
        for t in 0..60u64 {
            for (edge_type, width) in [(3usize, 0usize), (5, 2)] {
                let n = ((t * 7919 + edge_type as u64 * 104_729) % 9_000 + 1) as usize;
                let sources: Vec<u64> = (0..n as u64).map(|i| i * 3 + t).collect();
                let nsyns: Vec<u32> = (0..n as u32).map(|i| 1 + i % 4).collect();
                let props: Vec<f64> = (0..n * width).map(|i| i as f64 * 0.25 + t as f64).collect();
                out.push((edge_type, t, sources, nsyns, props));
            }
        }
        out
    }

    #[test]
    fn stretches_pushed_at_once_are_rows_pushed_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        for budget in [u64::MAX, 60_000] {
            let policy = || SpillPolicy {
                dir: dir.path().into(),
                budget,
            };
            let (mut one, mut many) = (
                EdgeTypesTable::new(&layout(), policy()),
                EdgeTypesTable::new(&layout(), policy()),
            );
            for (edge_type, target, sources, nsyns, props) in stretches() {
                let rows = EdgeRows {
                    edge_type,
                    target,
                    sources: &sources,
                    nsyns: &nsyns,
                    properties: &props,
                    width: props.len() / sources.len(),
                };
                (0..rows.len()).for_each(|i| one.push(rows.row(i)).unwrap());
                many.push_rows(rows).unwrap();
            }
            assert_eq!(one.spills(), many.spills(), "budget {budget}");
            assert_eq!(budget == u64::MAX, one.spills() == 0);
            assert_eq!(one.group_rows(), many.group_rows());
            assert_eq!(drain(one.finish().unwrap()), drain(many.finish().unwrap()));
        }
    }

    #[test]
    fn unknown_edge_type_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = EdgeTypesTable::new(
            &layout(),
            SpillPolicy {
                dir: dir.path().into(),
                budget: 1 << 20,
            },
        );
        let r = t.push(EdgeRow {
            edge_type: 4,
            source: 0,
            target: 0,
            nsyns: 1,
            properties: &[],
        });
        assert!(matches!(r, Err(TableError::UnknownEdgeType(4))));
    }
}
