//! What a network is once generated or imported: [`Network`]s of [`Block`]s, each block's
//! node-type properties and per-node columns ([`Values`]), and the queries rules and selectors
//! make of them (a property as numbers, which nodes match a filter, the block of a node).
//!
//! In: networks built by [`crate::generate`]. Out: answers by node id (0..n-1 in block order).
//! Plain data and look-ups only: this file depends on no other file of the crate but
//! [`crate::shared`] (the columns' storage), so the builder API, [`crate::Pair`] and the rules
//! can all read networks without a circle back to generation.
//!
//! Why [`Values`] is not the vocabulary's `ColumnData`: see its docs.

use crate::shared::Shared;
use netbuild_types::{Dtype, Scalar};

/// The values of one per-node column of one block.
///
/// Why a shape of its own rather than the vocabulary's `netbuild_types::ColumnData` (the
/// column the reader fills and the writer takes):
/// - Rules see a generated number as drawn, in f64, whatever the dtype it is stored as: a rule
///   reading an `f32` or integer property gets the unrounded draw. `ColumnData` holds numbers
///   in their stored dtype, so rules would read rounded values and circuits would change.
/// - A generated column is [`Shared`]: drawn by the host's computing rank and mapped by its
///   other ranks, and handed to the rules as is ([`crate::Columns::numeric`]: no copy for a
///   one-block network). `ColumnData`'s numbers are a per-rank `Vec` of one of six types; the
///   rules' hot loops read `&[f64]`, so each rank would convert and hold its own copy.
///
/// An imported column is converted to this shape once ([`crate::generate::imported_network`]);
/// the writer converts back to the stored dtype (`dtype`) once per block.
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
