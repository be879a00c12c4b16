//! Node generation: every network's nodes with their node-type and per-node properties.
//!
//! In: the circuit's node blocks and seed. Out: one [`Network`] per network name, identical on
//! every rank (each block property, and each node's position, draws from its own keyed stream),
//! with node ids 0..n-1 in block order and node type ids 100, 101, ... per network (BMTK's
//! numbering); or a [`ModelError`] when a block's `positions` cannot be drawn.
//!
//! Generated numeric columns are [`Shared`]: with [`generate_networks_on`], only the host's
//! computing rank draws them and the other ranks of the host map its copy.

use crate::circuit::{Circuit, Dtype, NodeBlockDef, NodeValues, Positions, Scalar};
use crate::generator::{draw, Drawn};
use crate::positions::draw_positions;
use crate::shared::{share, share_many, Host, Private, Shared};
use crate::stream::{stream, Domain, Purpose};
use crate::ModelError;

/// The values of one per-node column of one block.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Numbers, stored in the file as `dtype`.
    Num {
        /// The values.
        data: Shared<f64>,
        /// The stored type.
        dtype: Dtype,
    },
    /// Rows of `width` numbers per node, row-major (an N x `width` array such as BMTK's
    /// `positions`), stored in the file as one N x `width` dataset of `dtype`.
    Rows {
        /// The values, node by node.
        data: Shared<f64>,
        /// Values per node (>= 1).
        width: usize,
        /// The stored type.
        dtype: Dtype,
    },
    /// Strings.
    Str(Vec<String>),
}

impl Values {
    /// The number of nodes the values are of.
    pub fn len(&self) -> usize {
        match self {
            Values::Num { data, .. } => data.len(),
            Values::Rows { data, width, .. } => data.len() / (*width).max(1),
            Values::Str(s) => s.len(),
        }
    }
    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One generated per-node property of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeColumn {
    /// The property name.
    pub name: String,
    /// Its values, one per node of the block.
    pub values: Values,
}

/// One generated node block: one node type.
#[derive(Debug, Clone)]
pub struct Block {
    /// First node id of the block within its network.
    pub start: u64,
    /// The number of nodes.
    pub n: u64,
    /// The node type id of every node of the block.
    pub node_type_id: i64,
    /// Node-type properties (its row of the node types CSV).
    pub type_props: Vec<(String, Scalar)>,
    /// Per-node properties.
    pub columns: Vec<NodeColumn>,
}

/// A node population.
#[derive(Debug, Clone)]
pub struct Network {
    /// The population name.
    pub name: String,
    /// The number of nodes.
    pub n: u64,
    /// Its node blocks, in node id order.
    pub blocks: Vec<Block>,
}

/// Positions are `x`, `y`, `z`; a missing one counts as 0 (SPEC.md).
pub const POSITION: [&str; 3] = ["x", "y", "z"];

/// BMTK's one-column form of the positions: a per-node property of N rows [x, y, z]. Where a
/// block has it (3 wide) and lacks a property `x`, `y` or `z`, rules read that coordinate from
/// it, as BMTK's BioNet places a cell by `positions` before looking for x, y, z.
pub const POSITIONS_ROWS: &str = "positions";

/// How a block gives a property as one number per node (see [`Block::numbers`]).
enum Numbers<'a> {
    /// A numeric column.
    Column(&'a [f64]),
    /// Column `k` of the block's 3-wide `positions` rows (its x, y or z).
    Coordinate(&'a [f64], usize),
    /// The same number for every node (a numeric node-type property).
    Constant(f64),
    /// Defined, but not as one number per node (strings, or rows of several values).
    NotNumber,
    /// Not defined by the block.
    Missing,
}

impl Block {
    /// Whether the block defines `name` itself, as a node-type or a per-node property.
    pub fn defines(&self, name: &str) -> bool {
        self.type_props.iter().any(|(k, _)| k == name)
            || self.columns.iter().any(|c| c.name == name)
    }

    /// Property `name` as numbers: its own column or node-type property, else (for x, y, z) the
    /// matching column of its `positions` rows.
    fn numbers(&self, name: &str) -> Numbers<'_> {
        if let Some(c) = self.columns.iter().find(|c| c.name == name) {
            return match &c.values {
                Values::Num { data, .. } => Numbers::Column(data),
                Values::Rows { .. } | Values::Str(_) => Numbers::NotNumber,
            };
        }
        if let Some((_, s)) = self.type_props.iter().find(|(k, _)| k == name) {
            return scalar_number(s).map_or(Numbers::NotNumber, Numbers::Constant);
        }
        let axis = POSITION.iter().position(|a| *a == name);
        let rows = self.columns.iter().find_map(|c| match &c.values {
            Values::Rows { data, width: 3, .. } if c.name == POSITIONS_ROWS => Some(data),
            _ => None,
        });
        match (axis, rows) {
            (Some(k), Some(data)) => Numbers::Coordinate(data, k),
            _ => Numbers::Missing,
        }
    }
}

/// The ids a selector may filter on besides the properties (BMTK's `net.nodes(node_id=0)`):
/// every node has them, and netbuild writes them.
pub const SELECTABLE_IDS: [&str; 2] = ["node_id", "node_type_id"];

impl Network {
    /// Whether any block defines `name`, as a node-type or a per-node property.
    pub fn has_property(&self, name: &str) -> bool {
        POSITION.contains(&name)
            || self.blocks.iter().any(|b| {
                b.type_props.iter().any(|(k, _)| k == name)
                    || b.columns.iter().any(|c| c.name == name)
            })
    }

    /// `name` as a number for every node: NaN where a block lacks it or it is a string,
    /// 0 for a missing position coordinate.
    pub fn numeric(&self, name: &str) -> Vec<f64> {
        let missing = if POSITION.contains(&name) {
            0.0
        } else {
            f64::NAN
        };
        let mut out = Vec::with_capacity(self.n as usize);
        for b in &self.blocks {
            let n = b.n as usize;
            match b.numbers(name) {
                Numbers::Column(data) => out.extend_from_slice(data),
                Numbers::Coordinate(data, k) => out.extend(data.iter().skip(k).step_by(3)),
                Numbers::Constant(v) => out.extend(std::iter::repeat_n(v, n)),
                Numbers::NotNumber => out.extend(std::iter::repeat_n(f64::NAN, n)),
                Numbers::Missing => out.extend(std::iter::repeat_n(missing, n)),
            }
        }
        out
    }

    /// `name` of node `id` as a number: None where its block lacks it (a coordinate found
    /// neither as a property nor in `positions` included) or it is not one number per node.
    pub fn number_at(&self, name: &str, id: u64) -> Option<f64> {
        let b = self.block_of(id)?;
        let i = (id - b.start) as usize;
        match b.numbers(name) {
            Numbers::Column(data) => data.get(i).copied(),
            Numbers::Coordinate(data, k) => data.get(3 * i + k).copied(),
            Numbers::Constant(v) => Some(v),
            Numbers::NotNumber | Numbers::Missing => None,
        }
    }

    /// Whether a selector may filter on `name`: a property, or one of [`SELECTABLE_IDS`].
    pub fn can_select(&self, name: &str) -> bool {
        SELECTABLE_IDS.contains(&name) || self.has_property(name)
    }

    /// Which nodes have `name` (a property, or one of [`SELECTABLE_IDS`]) equal to one of
    /// `accepted`.
    pub fn matches(&self, name: &str, accepted: &[Scalar]) -> Vec<bool> {
        let mut out = Vec::with_capacity(self.n as usize);
        let is = |x: f64| accepted.iter().any(|a| scalar_number(a) == Some(x));
        for b in &self.blocks {
            if name == "node_id" {
                out.extend((b.start..b.start + b.n).map(|id| is(id as f64)));
                continue;
            }
            if name == "node_type_id" {
                out.extend(std::iter::repeat_n(is(b.node_type_id as f64), b.n as usize));
                continue;
            }
            if let Some(c) = b.columns.iter().find(|c| c.name == name) {
                match &c.values {
                    Values::Num { data, .. } => out.extend(
                        data.iter()
                            .map(|&x| accepted.iter().any(|a| scalar_number(a) == Some(x))),
                    ),
                    Values::Str(s) => out.extend(s.iter().map(|x| {
                        accepted
                            .iter()
                            .any(|a| matches!(a, Scalar::Str(v) if v == x))
                    })),
                    // Several values per node: no single value to compare (the spec refuses).
                    Values::Rows { .. } => out.extend(std::iter::repeat_n(false, b.n as usize)),
                }
            } else if let Some((_, s)) = b.type_props.iter().find(|(k, _)| k == name) {
                let hit = accepted.iter().any(|a| scalar_eq(a, s));
                out.extend(std::iter::repeat_n(hit, b.n as usize));
            } else if POSITION.contains(&name) {
                // A coordinate from the block's positions rows, or 0.
                match b.numbers(name) {
                    Numbers::Coordinate(data, k) => {
                        out.extend(data.iter().skip(k).step_by(3).map(|&x| is(x)))
                    }
                    _ => out.extend(std::iter::repeat_n(is(0.0), b.n as usize)),
                }
            } else {
                out.extend(std::iter::repeat_n(false, b.n as usize));
            }
        }
        out
    }

    /// The block holding node `id`.
    pub fn block_of(&self, id: u64) -> Option<&Block> {
        let i = self.blocks.partition_point(|b| b.start + b.n <= id);
        self.blocks.get(i)
    }
}

/// A scalar as a number: bools are 1 and 0, strings are not numbers.
pub fn scalar_number(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        Scalar::Bool(b) => Some(f64::from(u8::from(*b))),
        Scalar::Str(_) => None,
    }
}

/// Whether a node's value `b` of a property is one a selector accepts (`a`): strings equal
/// strings, numbers and bools compare as numbers, a string never equals a number (`"123"` is
/// not 123). The one comparison of selectors: [`Network::matches`] applies it to every node
/// (its column loops are this, unrolled per column type), and `report` to a built circuit's.
pub fn scalar_eq(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::Str(x), Scalar::Str(y)) => x == y,
        (Scalar::Str(_), _) | (_, Scalar::Str(_)) => false,
        _ => scalar_number(a) == scalar_number(b),
    }
}

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
        .map(|i| crate::import::imported_network(&i.network, &i.nodes))
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
                crate::circuit::GenKind::UniformInt { .. } => Some(Dtype::I64),
                crate::circuit::GenKind::Choice(v) | crate::circuit::GenKind::Csv(v) => {
                    scalars_dtype(v)
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::{generator, GenKind};

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
}
