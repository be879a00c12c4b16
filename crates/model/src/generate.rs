//! Network generation: every network of a circuit, generated from its node blocks or converted
//! from an imported population, with node-type and per-node properties.
//!
//! In: the circuit's node blocks, imports and seed. Out: one [`Network`] per network name,
//! identical on every rank (each block property, and each node's position, draws from its own
//! keyed stream), with node ids 0..n-1 in block order and node type ids 100, 101, ... per
//! network (BMTK's numbering); or a [`ModelError`] when a block's `positions` cannot be drawn.
//!
//! Generated numeric columns are [`crate::Shared`]: with [`generate_networks_on`], only the
//! host's computing rank draws them and the other ranks of the host map its copy.
//!
//! This file is the one place that makes networks; what it draws with are leaves of their own:
//! [`crate::positions`] (points in a volume, `min_distance` apart) and the generator tables'
//! draws (shared with per-edge properties). What a network is and how it is read is
//! [`crate::nodes`].

use crate::circuit::{Circuit, NodeBlockDef};
use crate::draw::{draw, Drawn};
use crate::import::ImportedNodes;
use crate::nodes::{scalar_number, Block, Network, NodeColumn, Values, POSITION};
use crate::positions::draw_positions;
use crate::shared::{share, share_many, Host, Private};
use crate::stream::{stream, Domain, Purpose};
use crate::ModelError;
use netbuild_types::{ColumnData, Dtype, GenKind, NodeValues, Positions, Scalar};

/// The storage type of a list of scalars: strings if any is a string, i64 if all are integers
/// or bools, f64 otherwise.
fn scalars_dtype(values: &[Scalar]) -> Option<Dtype> {
    if values.iter().any(|s| matches!(s, Scalar::Str(_))) {
        None
    } else if values
        .iter()
        .all(|s| matches!(s, Scalar::Int(_) | Scalar::Bool(_)))
    {
        Some(Dtype::I64)
    } else {
        Some(Dtype::F64)
    }
}

fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Str(s) => s.clone(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    }
}

/// Generates every network of `circuit`: the imported ones first, then the others in order of
/// first appearance. Fails only on a block's `positions`: the volume has no room for its nodes
/// `min_distance` apart, or the block also names a property x, y or z.
pub fn generate_networks(circuit: &Circuit) -> Result<Vec<Network>, ModelError> {
    generate_networks_on(circuit, &Private)
}

/// [`generate_networks`], with the generated numeric columns drawn once per host and shared
/// by its ranks (*collective over the host*: see [`crate::shared`]).
pub fn generate_networks_on(
    circuit: &Circuit,
    host: &dyn Host,
) -> Result<Vec<Network>, ModelError> {
    let mut networks: Vec<Network> = circuit
        .imports
        .iter()
        .map(|i| imported_network(&i.network, &i.nodes))
        .collect();
    networks.extend(circuit.network_names().into_iter().map(|name| Network {
        name: name.to_string(),
        n: 0,
        blocks: Vec::new(),
    }));
    for (bi, def) in circuit.node_blocks.iter().enumerate() {
        let Some(net) = networks.iter_mut().find(|n| n.name == def.network) else {
            continue;
        };
        let mut columns = match &def.positions {
            Some(p) => position_columns(circuit.seed, bi, def, p, host)?,
            None => Vec::new(),
        };
        for (pi, (name, values)) in def.node_props.iter().enumerate() {
            columns.push(NodeColumn {
                name: name.clone(),
                values: generate_column(circuit.seed, bi, pi, def.n, values, host),
            });
        }
        let node_type_id = 100 + net.blocks.len() as i64;
        net.blocks.push(Block {
            start: net.n,
            n: def.n,
            node_type_id,
            type_props: def.type_props.clone(),
            columns,
        });
        net.n += def.n;
    }
    Ok(networks)
}

/// The x, y, z columns (f64, as BMTK writes positions) of block `bi`, drawn in its volume.
fn position_columns(
    seed: u64,
    bi: usize,
    def: &NodeBlockDef,
    p: &Positions,
    host: &dyn Host,
) -> Result<Vec<NodeColumn>, ModelError> {
    let err = |message: String| ModelError::NodeBlock { block: bi, message };
    let named = def.node_props.iter().map(|(k, _)| k);
    if let Some(k) = named
        .chain(def.type_props.iter().map(|(k, _)| k))
        .find(|k| POSITION.contains(&k.as_str()))
    {
        return Err(err(format!(
            "'{k}' is drawn by 'positions'; give either 'positions' or x, y, z"
        )));
    }
    let draw = || draw_positions(seed, bi, def.n, p).map_err(err);
    let drawn = host.computes().then(draw);
    // Whether the computing rank could draw them, told to every rank of the host.
    let ok = share(host, || vec![u64::from(matches!(drawn, Some(Ok(_))))]);
    let mut mine = drawn.transpose()?;
    if ok.first() != Some(&1) && mine.is_none() {
        // The computing rank failed (each rank meets the same error), or this rank did not
        // hear from it (it draws its own).
        mine = Some(draw()?);
    }
    // Made here only on the computing rank, or where sharing fails (the draw succeeds: it did
    // on the computing rank).
    let xyz = share_many(host, || match mine.take() {
        Some(m) => m,
        None => draw_positions(seed, bi, def.n, p).unwrap_or_default(),
    });
    Ok(POSITION
        .iter()
        .zip(xyz)
        .map(|(name, data)| NodeColumn {
            name: name.to_string(),
            values: Values::Num {
                data,
                dtype: Dtype::F64,
            },
        })
        .collect())
}

/// One property column of a block. A generated numeric column is drawn on the host's computing
/// rank only; lists and strings, small or rare, on every rank.
fn generate_column(
    seed: u64,
    block: usize,
    prop: usize,
    n: u64,
    values: &NodeValues,
    host: &dyn Host,
) -> Values {
    match values {
        NodeValues::Array(items) => match scalars_dtype(items) {
            Some(dtype) => Values::Num {
                data: items
                    .iter()
                    .map(|s| scalar_number(s).unwrap_or(f64::NAN))
                    .collect(),
                dtype,
            },
            None => Values::Str(items.iter().map(scalar_text).collect()),
        },
        NodeValues::Rows { width, values } => Values::Rows {
            data: values
                .iter()
                .map(|s| scalar_number(s).unwrap_or(f64::NAN))
                .collect(),
            width: *width,
            dtype: scalars_dtype(values).unwrap_or(Dtype::F64),
        },
        NodeValues::Generator(gen) => {
            let rng = || {
                stream(
                    seed,
                    Domain::NodeBlock(block),
                    prop as u64,
                    Purpose::NodeProperty,
                )
            };
            let natural = match &gen.kind {
                GenKind::UniformInt { .. } => Some(Dtype::I64),
                GenKind::Choice(v) | GenKind::Csv(v) => scalars_dtype(v),
                _ => Some(Dtype::F64),
            };
            match natural {
                Some(natural) => Values::Num {
                    data: share(host, || {
                        let mut rng = rng();
                        (0..n)
                            .map(|i| match draw(gen, i, n, &mut rng) {
                                Drawn::Num(x) => x,
                                Drawn::Str(_) => f64::NAN,
                            })
                            .collect()
                    }),
                    dtype: gen.dtype.unwrap_or(natural),
                },
                None => {
                    let mut rng = rng();
                    Values::Str(
                        (0..n)
                            .map(|i| match draw(gen, i, n, &mut rng) {
                                Drawn::Num(x) => x.to_string(),
                                Drawn::Str(s) => s.to_string(),
                            })
                            .collect(),
                    )
                }
            }
        }
    }
}

/// The network of imported population `name`, so that rules and selectors see it exactly as a
/// generated one. A generated network has one block per node type; an imported one gets one
/// block per run of consecutive nodes with the same node type and group (and consecutive group
/// rows), each carrying its node type's CSV properties and its slice of the group's columns.
/// Files written by `add_nodes` calls (BMTK, netbuild) have one run per call.
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
    use crate::circuit::generator;
    use netbuild_types::{Column, NodeGroup, NodePopulation, NumColumn};

    #[test]
    fn ids_types_and_properties_follow_block_order() {
        let mut c = Circuit::new(1);
        c.add_nodes("a", 3)
            .type_prop("ei", Scalar::Str("e".into()))
            .prop(
                "x",
                NodeValues::Array(vec![Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)]),
            );
        c.add_nodes("b", 2);
        c.add_nodes("a", 2)
            .type_prop("ei", Scalar::Str("i".into()))
            .prop(
                "x",
                NodeValues::Generator(generator(GenKind::Linspace {
                    start: 5.0,
                    stop: 6.0,
                })),
            );
        let nets = generate_networks(&c).unwrap();
        assert_eq!(nets.len(), 2);
        let a = &nets[0];
        assert_eq!(a.n, 5);
        assert_eq!(a.blocks[1].start, 3);
        assert_eq!(a.blocks[1].node_type_id, 101);
        assert_eq!(a.numeric("x"), vec![1.0, 2.0, 3.0, 5.0, 6.0]);
        assert_eq!(a.numeric("z"), vec![0.0; 5]);
        assert!(a.numeric("ei").iter().all(|v| v.is_nan()));
        assert_eq!(
            a.matches("ei", &[Scalar::Str("i".into())]),
            vec![false, false, false, true, true]
        );
        assert_eq!(a.block_of(4).map(|b| b.node_type_id), Some(101));
        assert_eq!(nets[1].n, 2);
        // BMTK's `net.nodes(node_id=...)`, `net.nodes(node_type_id=...)`.
        assert!(a.can_select("node_id") && a.can_select("node_type_id") && !a.can_select("q"));
        assert_eq!(
            a.matches("node_id", &[Scalar::Int(0), Scalar::Int(4), Scalar::Int(9)]),
            vec![true, false, false, false, true]
        );
        assert_eq!(
            a.matches("node_type_id", &[Scalar::Int(100)]),
            vec![true, true, true, false, false]
        );
    }

    #[test]
    fn generated_columns_are_reproducible() {
        let mut c = Circuit::new(7);
        c.add_nodes("a", 100).prop(
            "x",
            NodeValues::Generator(generator(GenKind::Uniform { lo: 0.0, hi: 1.0 })),
        );
        let one = generate_networks(&c).unwrap();
        let two = generate_networks(&c).unwrap();
        assert_eq!(one[0].numeric("x"), two[0].numeric("x"));
        assert!(one[0].numeric("x").iter().all(|&v| (0.0..1.0).contains(&v)));
    }

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
