//! The plan every rank computes identically, before any edge is made: which edges populations
//! (files) there are, which edge types and edge groups each holds, and which block of targets
//! each rank connects.
//!
//! In: the circuit and its generated networks. Out: [`setup::EdgeSetup`]: the prepared edge
//! types and [`EdgePopulation`]s, each with its estimated work per target ([`work::TargetWork`])
//! and a contiguous block of target ids per rank, balanced by that work ([`split_targets`]).
//! [`setup`] resolves and groups the edge types, [`work`] estimates the work, this module forms
//! the populations and cuts the blocks.
//!
//! Why one block per population, shared by all its edge types (and not per edge type): rows are
//! sorted by target across the population's edge types, so when every edge type uses the same
//! blocks, rank r's rows come right after rank r-1's in the file and no global merge is needed.
//! Every edge type is still spread over every rank: no rank ever holds a whole edge type
//! (BMTK's round-robin of edge types starves all ranks but one).

pub mod setup;
pub mod work;

use netbuild_model::{Circuit, ColumnType, Dtype, Network, Vocabulary};
use std::ops::Range;
use work::TargetWork;

/// One edges file: every edge type from one network to another.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgePopulation {
    /// Network indices.
    pub source: usize,
    /// As `source`, of the targets.
    pub target: usize,
    /// `<src>_to_<trg>`, BMTK's population name.
    pub name: String,
    /// `<src>_<trg>`: the files are `<stem>_edges.h5` and `<stem>_edge_types.csv`.
    pub file_stem: String,
    /// Edge type indices in the circuit, in declaration order.
    pub edge_types: Vec<usize>,
    /// Each edge group's columns. Edge types with the same columns share a group, so there is
    /// one group `0` wherever the property sets allow (NEST and libsonata read only that).
    pub groups: Vec<Vec<(String, ColumnType)>>,
    /// The group of each of `edge_types`.
    pub group_of: Vec<usize>,
    /// The group of every edge type of the circuit, by its index (0 for other populations'):
    /// looked up once per row while writing, so it must not be a search.
    group_by_index: Vec<usize>,
    /// Per edge type of the circuit, by its index: the vocabulary of each of its group's string
    /// columns (`None` for the other columns; empty for edge types without string columns and
    /// other populations'). Edge types sharing a group each keep their own vocabulary: a row's
    /// codes are read with its own edge type's.
    strings_by_index: Vec<Vec<Option<Vocabulary>>>,
}

/// How an edge table holds a column of type `c`: numbers as they are, strings as `u32` codes
/// into their edge type's vocabulary ([`netbuild_model::EdgeProperty::strings`]).
pub fn table_dtype(c: ColumnType) -> Dtype {
    match c {
        ColumnType::Num(d) => d,
        ColumnType::Str => Dtype::U32,
    }
}

impl EdgePopulation {
    /// The group of edge type `et` (an index in the circuit) of this population.
    pub fn group_of_edge_type(&self, et: usize) -> usize {
        self.group_by_index.get(et).copied().unwrap_or(0)
    }

    /// Whether some group holds strings (which only the rank-0 writer writes).
    pub fn has_strings(&self) -> bool {
        self.groups
            .iter()
            .flatten()
            .any(|(_, c)| *c == ColumnType::Str)
    }

    /// The vocabulary of column `col` of edge type `et`'s group (an index in the circuit), if
    /// that column holds strings.
    pub fn strings_of(&self, et: usize, col: usize) -> Option<&Vocabulary> {
        self.strings_by_index.get(et)?.get(col)?.as_ref()
    }

    /// The columns an [`netbuild_spill::EdgeTypesTable`] of this population holds.
    pub fn table_layout(&self) -> netbuild_spill::TableLayout {
        netbuild_spill::TableLayout {
            edge_types: self
                .edge_types
                .iter()
                .copied()
                .zip(self.group_of.iter().copied())
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|g| g.iter().map(|(_, c)| table_dtype(*c)).collect())
                .collect(),
        }
    }

    /// Whether group `g` is the one-row-per-pair kind, whose only column is `nsyns`.
    pub fn is_nsyns_group(&self, g: usize) -> bool {
        matches!(self.groups.get(g).map(Vec::as_slice), Some([(name, ColumnType::Num(Dtype::U32))]) if name == "nsyns")
    }
}

/// The edges populations of `circuit`, in order of their first edge type.
pub fn edge_populations(circuit: &Circuit, networks: &[Network]) -> Vec<EdgePopulation> {
    let index = |name: &str| networks.iter().position(|n| n.name == name);
    let mut pops: Vec<EdgePopulation> = Vec::new();
    for (i, e) in circuit.edge_types.iter().enumerate() {
        let (Some(s), Some(t)) = (index(&e.source.network), index(&e.target.network)) else {
            continue;
        };
        let pop = match pops.iter_mut().find(|p| p.source == s && p.target == t) {
            Some(p) => p,
            None => {
                let (sn, tn) = (&networks[s].name, &networks[t].name);
                pops.push(EdgePopulation {
                    source: s,
                    target: t,
                    name: format!("{sn}_to_{tn}"),
                    file_stem: format!("{sn}_{tn}"),
                    edge_types: Vec::new(),
                    groups: Vec::new(),
                    group_of: Vec::new(),
                    group_by_index: Vec::new(),
                    strings_by_index: Vec::new(),
                });
                pops.last_mut().expect("just pushed")
            }
        };
        let columns = e.group_columns();
        let g = match pop.groups.iter().position(|c| *c == columns) {
            Some(g) => g,
            None => {
                pop.groups.push(columns);
                pop.groups.len() - 1
            }
        };
        pop.edge_types.push(i);
        pop.group_of.push(g);
    }
    for pop in &mut pops {
        pop.group_by_index = vec![0; circuit.edge_types.len()];
        pop.strings_by_index = vec![Vec::new(); circuit.edge_types.len()];
        for (&e, &g) in pop.edge_types.iter().zip(&pop.group_of) {
            pop.group_by_index[e] = g;
            let def = &circuit.edge_types[e];
            if def.row_per_synapse() && def.edge_props.iter().any(|p| p.strings.is_some()) {
                // The properties are the group's first columns (locations come after).
                pop.strings_by_index[e] =
                    def.edge_props.iter().map(|p| p.strings.clone()).collect();
            }
        }
    }
    pops
}

/// Splits the population's target ids into `ranks` contiguous blocks of about equal estimated
/// work (`work`, over its edge types). Deterministic, so every rank finds the same blocks.
pub fn split_targets(work: &TargetWork, ranks: usize) -> Vec<Range<u64>> {
    balanced_blocks(work.n_targets(), |t| work.weight(t), ranks)
}

/// `parts` contiguous blocks of the items `0..n` (item i weighs `weight(i)`), with about equal
/// total weight: an item goes to a block while its middle lies before that block's share of the
/// total. The weights are asked for, not held (a rank would otherwise hold one per node).
pub fn balanced_blocks(n: u64, weight: impl Fn(u64) -> f64, parts: usize) -> Vec<Range<u64>> {
    let parts = parts.max(1);
    let total: f64 = (0..n).map(&weight).sum();
    let mut blocks = Vec::with_capacity(parts);
    let mut start = 0u64;
    let mut acc = 0.0;
    let mut i = 0u64;
    for r in 0..parts {
        let goal = total * (r + 1) as f64 / parts as f64;
        if r + 1 == parts {
            i = n;
        } else {
            while i < n && acc + weight(i) * 0.5 < goal {
                acc += weight(i);
                i += 1;
            }
        }
        blocks.push(start..i);
        start = i;
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use netbuild_model::{
        all_nodes, generate_networks, Columns, PreparedEdgeType, Rule, Scalar, Value,
    };

    #[test]
    fn populations_groups_and_blocks() {
        let mut c = Circuit::new(1);
        c.add_nodes("a", 100)
            .type_prop("ei", Scalar::Str("e".into()));
        c.add_nodes("b", 50);
        c.add_edges(
            all_nodes("a"),
            all_nodes("a"),
            Rule::Probability(Value::Const(0.1)),
        );
        c.add_edges(all_nodes("b"), all_nodes("a"), Rule::Indegree(3));
        c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll);
        let nets = generate_networks(&c).unwrap();
        let pops = edge_populations(&c, &nets);
        assert_eq!(pops.len(), 2);
        assert_eq!(pops[0].name, "a_to_a");
        assert_eq!(pops[0].edge_types, vec![0, 2]);
        assert_eq!(pops[0].groups.len(), 1);
        assert_eq!(pops[1].file_stem, "b_a");

        let mut cols = Columns::new(&nets);
        let p0 = PreparedEdgeType::prepare(0, &c.edge_types[0], 1, &mut cols).unwrap();
        let p2 = PreparedEdgeType::prepare(2, &c.edge_types[2], 1, &mut cols).unwrap();
        let work = TargetWork::new(&[&p0, &p2], 100);
        for ranks in 1..6 {
            let blocks = split_targets(&work, ranks);
            assert_eq!(blocks.len(), ranks);
            assert_eq!(blocks[0].start, 0);
            assert_eq!(blocks[ranks - 1].end, 100);
            assert!(blocks.windows(2).all(|w| w[0].end == w[1].start));
            // Uniform work: blocks within one target of equal.
            assert!(
                blocks
                    .iter()
                    .all(|b| (b.end - b.start).abs_diff(100 / ranks as u64) <= 2),
                "{blocks:?}"
            );
        }
    }
}
