//! Imported node populations as [`Network`]s, so that rules and selectors see them exactly as
//! generated ones.
//!
//! In: an [`ImportedNodes`] (read by `netbuild_spec::open_import` or an `[[import]]` block,
//! which fill the [`ImportBlock`] defined here). Out: a [`Network`] with the file's node ids (row order) and node type ids, unchanged. A
//! generated network has one block per node type; an imported one gets one block per run of
//! consecutive nodes with the same node type and group (and consecutive group rows), each
//! carrying its node type's CSV properties and its slice of the group's columns. Files
//! written by `add_nodes` calls (BMTK, netbuild) have one run per call.

use crate::nodes::{Block, Network, NodeColumn, Values};
use netbuild_sonata::{ColumnData, EdgePopulationInfo, NodePopulation};
use netbuild_types::{Loc, Scalar};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One imported node population (BMTK's `import_nodes`, a spec's `[[import]]` block), read.
#[derive(Debug, Clone)]
pub struct ImportBlock {
    /// The population name: the network `[[edges]]` selectors name.
    pub network: String,
    /// The nodes file (resolved against the spec folder).
    pub nodes_file: PathBuf,
    /// The node types CSV of the population.
    pub node_types_file: PathBuf,
    /// `true`: written into `output_dir` unchanged; `false`: `circuit_config.json` points at
    /// `nodes_file` where it is.
    pub copy: bool,
    /// Whether an edge population of this spec may replace one of the same name found beside
    /// the nodes file (else that is an error).
    pub replace_edges: bool,
    /// The population itself.
    pub nodes: Arc<ImportedNodes>,
    /// The edges files found in the nodes file's folder.
    pub existing_edges: Vec<ExistingEdges>,
    /// The block's header (the nodes file's start when opened outside a spec).
    pub loc: Loc,
}

/// The content of an imported population.
#[derive(Debug, Clone)]
pub struct ImportedNodes {
    /// As stored: node type ids, groups, per-node columns (an N x 3 `positions` split into
    /// `x`, `y`, `z`).
    pub population: NodePopulation,
    /// node_type_id → the node-type properties of its CSV row (non-missing cells, in column
    /// order; integers, floats and `True`/`False` typed, anything else a string).
    pub types: BTreeMap<i64, Vec<(String, Scalar)>>,
}

impl ImportedNodes {
    /// The number of nodes.
    pub fn n(&self) -> u64 {
        self.population.node_type_id.len() as u64
    }
}

/// One edges file of an imported circuit's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingEdges {
    /// The HDF5 file.
    pub edges_file: PathBuf,
    /// `<stem>_edge_types.csv` beside `<stem>_edges.h5`, when it exists.
    pub edge_types_file: Option<PathBuf>,
    /// The edge populations it holds.
    pub populations: Vec<EdgePopulationInfo>,
}

/// The network of population `name`.
pub fn imported_network(name: &str, nodes: &ImportedNodes) -> Network {
    let pop = &nodes.population;
    let n = pop.node_type_id.len();
    let mut blocks: Vec<Block> = Vec::new();
    let mut i = 0;
    while i < n {
        let (ty, g, row0) = (
            pop.node_type_id[i],
            pop.node_group_id[i],
            pop.node_group_index[i],
        );
        let mut j = i + 1;
        while j < n
            && pop.node_type_id[j] == ty
            && pop.node_group_id[j] == g
            && pop.node_group_index[j] == row0 + (j - i) as u64
        {
            j += 1;
        }
        let rows = row0 as usize..row0 as usize + (j - i);
        let columns = pop
            .groups
            .get(g as usize)
            .map(|grp| {
                grp.columns
                    .iter()
                    .map(|c| NodeColumn {
                        name: c.name.clone(),
                        values: slice(&c.data, rows.clone()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        blocks.push(Block {
            start: i as u64,
            n: (j - i) as u64,
            node_type_id: ty,
            type_props: nodes.types.get(&ty).cloned().unwrap_or_default(),
            columns,
        });
        i = j;
    }
    Network {
        name: name.to_string(),
        n: n as u64,
        blocks,
    }
}

/// Rows `rows` of a stored column, keeping its type (the reader checked that they exist).
fn slice(data: &ColumnData, rows: std::ops::Range<usize>) -> Values {
    match data {
        // 64-bit integers are exact in f64 up to 2^53, which covers any property a rule reads.
        ColumnData::Num(c) => Values::Num {
            data: rows.map(|i| c.get_f64(i)).collect(),
            dtype: c.dtype(),
        },
        ColumnData::Str(v) => Values::Str(v[rows].to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::Scalar;
    use netbuild_sonata::{Column, NodeGroup, NodePopulation, NumColumn};

    /// Two groups, types interleaved as BMTK writes several add_nodes calls.
    #[test]
    fn runs_keep_ids_types_and_group_rows() {
        let population = NodePopulation {
            name: "v1".into(),
            node_type_id: vec![100, 100, 101, 100],
            node_group_id: vec![0, 0, 1, 0],
            node_group_index: vec![0, 1, 0, 2],
            groups: vec![
                NodeGroup {
                    columns: vec![Column::new(
                        "x",
                        ColumnData::Num(NumColumn::F32(vec![1.0, 2.0, 3.0])),
                    )],
                },
                NodeGroup {
                    columns: vec![Column::new("ei", ColumnData::Str(vec!["i".into()]))],
                },
            ],
        };
        let types = [
            (100, vec![("pop".to_string(), Scalar::Str("e".into()))]),
            (101, vec![("pop".to_string(), Scalar::Str("i".into()))]),
        ]
        .into_iter()
        .collect();
        let net = imported_network("v1", &ImportedNodes { population, types });
        assert_eq!(net.n, 4);
        assert_eq!(net.blocks.len(), 3);
        assert_eq!(net.numeric("x")[..2], [1.0, 2.0]);
        assert_eq!(net.numeric("x")[2], 0.0, "a missing coordinate is 0");
        assert_eq!(net.numeric("x")[3], 3.0);
        assert_eq!(
            net.matches("pop", &[Scalar::Str("i".into())]),
            [false, false, true, false]
        );
        assert_eq!(
            net.matches("ei", &[Scalar::Str("i".into())]),
            [false, false, true, false]
        );
        assert_eq!(net.block_of(3).map(|b| b.node_type_id), Some(100));
    }
}
