//! Writes an edges population: `<stem>_edges.h5` and `<stem>_edge_types.csv`.
//!
//! In: each rank's [`TableReader`] (rows in file order for its block) and the [`Collated`]
//! counts. Out: on rank 0, the finished file. Rank 0 streams its own rows, then each other
//! rank's in rank order, which those ranks send as chunk messages (core columns, then each
//! group's columns, each ended by an empty chunk). Data moves by MPI messages, never through a
//! shared filesystem; memory on rank 0 is one chunk plus the indices.

use crate::collate::Collated;
use crate::convert;
use crate::index::{ByNode, Sorted};
use crate::plan::EdgePopulation;
use netbuild_comm::Comm;
use netbuild_edges::{Column, CoreChunk, TableReader};
use netbuild_model::{Circuit, Dtype, Gap, Network, Scalar, Selector};
use netbuild_sonata as sonata;
use std::path::Path;

/// Rows per chunk read from a table or sent to rank 0.
const CHUNK_ROWS: usize = 1 << 20;
const TAG_CORE: i32 = 11;
const TAG_GROUP: i32 = 12;

/// Edge type ids start at 100, as BMTK numbers them, in declaration order.
pub fn edge_type_id(index: usize) -> i64 {
    100 + index as i64
}

/// A failure while writing edges.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Sonata(#[from] sonata::SonataError),
    #[error("reading back the edge table: {0}")]
    Table(#[from] std::io::Error),
    #[error("a message from rank {rank} was malformed")]
    Message { rank: usize },
}

fn encode_core(c: &CoreChunk) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + c.source.len() * 12);
    out.extend_from_slice(&(c.source.len() as u64).to_le_bytes());
    Column::U32(c.source.clone()).write_le(&mut out);
    Column::U32(c.target.clone()).write_le(&mut out);
    Column::U32(c.edge_type.iter().map(|&e| e as u32).collect()).write_le(&mut out);
    out
}

fn decode_core(b: &[u8], rank: usize) -> Result<CoreChunk, WriteError> {
    let bad = || WriteError::Message { rank };
    let n = u64::from_le_bytes(b.get(..8).ok_or_else(bad)?.try_into().map_err(|_| bad())?) as usize;
    if b.len() != 8 + n * 12 {
        return Err(bad());
    }
    let col = |i: usize| {
        let mut c = Column::U32(Vec::new());
        c.extend_from_le(&b[8 + i * n * 4..8 + (i + 1) * n * 4]);
        match c {
            Column::U32(v) => v,
            _ => Vec::new(),
        }
    };
    Ok(CoreChunk {
        source: col(0),
        target: col(1),
        edge_type: col(2).into_iter().map(|e| e as usize).collect(),
    })
}

fn encode_group(cols: &[Column]) -> Vec<u8> {
    let n = cols.first().map_or(0, Column::len);
    let mut out = (n as u64).to_le_bytes().to_vec();
    for c in cols {
        c.write_le(&mut out);
    }
    out
}

fn decode_group(b: &[u8], dtypes: &[Dtype], rank: usize) -> Result<Vec<Column>, WriteError> {
    let bad = || WriteError::Message { rank };
    let n = u64::from_le_bytes(b.get(..8).ok_or_else(bad)?.try_into().map_err(|_| bad())?) as usize;
    let mut at = 8;
    let mut cols = Vec::with_capacity(dtypes.len());
    for &d in dtypes {
        let w = netbuild_edges::column::width(d) * n;
        let bytes = b.get(at..at + w).ok_or_else(bad)?;
        let mut c = Column::new(d);
        c.extend_from_le(bytes);
        cols.push(c);
        at += w;
    }
    if at != b.len() {
        return Err(bad());
    }
    Ok(cols)
}

/// Where rank 0 gets the rows of one rank from: its own table, or messages.
enum RowSource<'a> {
    Own(&'a mut TableReader),
    Remote { comm: &'a dyn Comm, rank: usize },
}

impl RowSource<'_> {
    fn core(&mut self) -> Result<CoreChunk, WriteError> {
        match self {
            RowSource::Own(r) => Ok(r.next_core(CHUNK_ROWS)?),
            RowSource::Remote { comm, rank } => {
                decode_core(&comm.recv_bytes(*rank, TAG_CORE), *rank)
            }
        }
    }
    fn group(&mut self, g: usize, dtypes: &[Dtype]) -> Result<Vec<Column>, WriteError> {
        match self {
            RowSource::Own(r) => Ok(r.next_group(g, CHUNK_ROWS)?),
            RowSource::Remote { comm, rank } => {
                decode_group(&comm.recv_bytes(*rank, TAG_GROUP), dtypes, *rank)
            }
        }
    }
}

/// Collective over the ranks: rank 0 writes `dir/<stem>_edges.h5`; the others send it their rows.
pub fn write_population(
    comm: &dyn Comm,
    pop: &EdgePopulation,
    networks: &[Network],
    table: &mut TableReader,
    collated: &Collated,
    dir: &Path,
    compression: sonata::Compression,
    prov: &sonata::Provenance,
) -> Result<(), WriteError> {
    if comm.rank() != 0 {
        loop {
            let c = table.next_core(CHUNK_ROWS)?;
            let done = c.source.is_empty();
            comm.send_bytes(0, TAG_CORE, &encode_core(&c));
            if done {
                break;
            }
        }
        for g in 0..pop.groups.len() {
            loop {
                let cols = table.next_group(g, CHUNK_ROWS)?;
                let done = cols.first().map_or(true, Column::is_empty);
                comm.send_bytes(0, TAG_GROUP, &encode_group(&cols));
                if done {
                    break;
                }
            }
        }
        return Ok(());
    }

    let (src, trg) = (&networks[pop.source], &networks[pop.target]);
    let layout = sonata::EdgePopulationLayout {
        name: pop.name.clone(),
        source_population: src.name.clone(),
        target_population: trg.name.clone(),
        n_edges: collated.n_edges(),
        groups: pop
            .groups
            .iter()
            .zip(&collated.group_rows)
            .map(|(cols, &n)| sonata::EdgeGroupLayout {
                columns: cols
                    .iter()
                    .map(|(k, d)| (k.clone(), convert::dtype(*d)))
                    .collect(),
                n_rows: n,
            })
            .collect(),
        n_source_nodes: src.n,
        n_target_nodes: trg.n,
    };
    let path = dir.join(format!("{}_edges.h5", pop.file_stem));
    let mut writer = sonata::EdgesWriter::create(&path, &layout, compression, prov)?;
    let group_of = |et: usize| -> usize {
        pop.edge_types
            .iter()
            .position(|&e| e == et)
            .map_or(0, |i| pop.group_of[i])
    };
    let mut next_group_index = vec![0u64; pop.groups.len()];
    let mut by_target = Sorted::new(trg.n);
    let mut by_source = ByNode::new(&collated.source_counts);
    let mut edge = 0u64;
    for rank in 0..comm.size() {
        let mut rows = if rank == 0 {
            RowSource::Own(table)
        } else {
            RowSource::Remote { comm, rank }
        };
        loop {
            let c = rows.core()?;
            if c.source.is_empty() {
                break;
            }
            let n = c.source.len();
            let source: Vec<u64> = c.source.iter().map(|&s| u64::from(s)).collect();
            let target: Vec<u64> = c.target.iter().map(|&t| u64::from(t)).collect();
            let type_id: Vec<i64> = c.edge_type.iter().map(|&e| edge_type_id(e)).collect();
            let mut group_id = Vec::with_capacity(n);
            let mut group_index = Vec::with_capacity(n);
            for i in 0..n {
                let g = group_of(c.edge_type[i]);
                group_id.push(g as u32);
                group_index.push(next_group_index[g]);
                next_group_index[g] += 1;
                by_target.push(target[i], edge);
                by_source.push(source[i], edge);
                edge += 1;
            }
            writer.append_edges(&source, &target, &type_id, &group_id, &group_index)?;
        }
        for (g, cols) in pop.groups.iter().enumerate() {
            let dtypes: Vec<Dtype> = cols.iter().map(|(_, d)| *d).collect();
            loop {
                let chunk = rows.group(g, &dtypes)?;
                if chunk.first().map_or(true, Column::is_empty) {
                    break;
                }
                let slices: Vec<sonata::ColumnSlice<'_>> =
                    chunk.iter().map(convert::column_slice).collect();
                writer.append_group(g, &slices)?;
            }
        }
    }
    writer.write_index(sonata::IndexDirection::TargetToSource, by_target.pairs())?;
    writer.write_index(sonata::IndexDirection::SourceToTarget, by_source.pairs())?;
    writer.finish()?;
    Ok(())
}

fn query(sel: &Selector) -> String {
    if sel.filters.is_empty() {
        return "*".to_string();
    }
    let value = |s: &Scalar| match s {
        Scalar::Str(s) => format!("'{s}'"),
        other => convert::cell(other),
    };
    sel.filters
        .iter()
        .map(|(k, vs)| match vs.as_slice() {
            [one] => format!("{k}=={}", value(one)),
            many => format!(
                "{k} in [{}]",
                many.iter().map(value).collect::<Vec<_>>().join(",")
            ),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The edge types table of `pop`: `edge_type_id`, BMTK's `target_query` and `source_query`,
/// then every edge-type property in order of first appearance (`NULL` where a type lacks one);
/// gap junctions add `is_gap_junction` and their `resistance` or `conductance`.
pub fn edge_types(pop: &EdgePopulation, circuit: &Circuit) -> sonata::TypeTable {
    let props = |i: usize| -> Vec<(String, String)> {
        let e = &circuit.edge_types[i];
        let mut v: Vec<(String, String)> = vec![
            ("target_query".into(), query(&e.target)),
            ("source_query".into(), query(&e.source)),
        ];
        v.extend(
            e.type_props
                .iter()
                .map(|(k, s)| (k.clone(), convert::cell(s))),
        );
        match e.gap {
            Some(Gap::Resistance(r)) => {
                v.push(("resistance".into(), convert::cell(&Scalar::Float(r))))
            }
            Some(Gap::Conductance(c)) => {
                v.push(("conductance".into(), convert::cell(&Scalar::Float(c))))
            }
            None => {}
        }
        if e.gap.is_some() {
            v.push(("is_gap_junction".into(), "True".into()));
        }
        v
    };
    let all: Vec<Vec<(String, String)>> = pop.edge_types.iter().map(|&i| props(i)).collect();
    let mut columns = vec!["edge_type_id".to_string()];
    for row in &all {
        for (k, _) in row {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let rows = pop
        .edge_types
        .iter()
        .zip(&all)
        .map(|(&i, row)| {
            columns
                .iter()
                .map(|c| {
                    if c == "edge_type_id" {
                        Some(edge_type_id(i).to_string())
                    } else {
                        row.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone())
                    }
                })
                .collect()
        })
        .collect();
    sonata::TypeTable { columns, rows }
}
