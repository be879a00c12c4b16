//! What describes nodes: property values ([`Scalar`], [`NodeValues`], [`Generator`]), node
//! selections ([`Selector`]) and drawn positions ([`Positions`] in a [`Shape`]).

/// A TOML scalar, as node-type and edge-type properties and selectors use them.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

/// A node selector: a network and filters on node properties (all must hold).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The network the nodes are in.
    pub network: String,
    /// (property, accepted values): a scalar in the spec is a one-element list.
    pub filters: Vec<(String, Vec<Scalar>)>,
}

/// The values of one per-node property of a node block.
#[derive(Debug, Clone)]
pub enum NodeValues {
    /// A literal array of length N (checked); all elements of one kind (ints may mix with floats,
    /// then all are Float).
    Array(Vec<Scalar>),
    /// A literal N x `width` array of numbers (BMTK's `positions=<N x 3 array>`), stored as one
    /// column of N rows of `width` values: `values` row-major, N * `width` of them (checked),
    /// all numbers (ints may mix with floats, then all are Float).
    Rows {
        /// Values per node (>= 1).
        width: usize,
        /// The values, node by node.
        values: Vec<Scalar>,
    },
    /// Drawn or computed per node.
    Generator(Generator),
}

/// A random or deterministic column generator (`{ uniform = [lo, hi] }` and friends).
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    /// What is drawn.
    pub kind: GenKind,
    /// Redraw until at least this (truncated distribution). Checked: the range can be hit.
    pub min: Option<f64>,
    /// Redraw until at most this.
    pub max: Option<f64>,
    /// Explicit `dtype`, if any.
    pub dtype: Option<crate::Dtype>,
}

/// The distribution or sequence of a [`Generator`].
#[derive(Debug, Clone, PartialEq)]
pub enum GenKind {
    /// Uniform in `[lo, hi)`.
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Normal (Gaussian).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Uniform over the integers from `lo` to `hi`, both ends included.
    UniformInt {
        /// Lowest value.
        lo: i64,
        /// Highest value.
        hi: i64,
    },
    /// N values, both ends included, as numpy.linspace.
    Linspace {
        /// First value.
        start: f64,
        /// Last value.
        stop: f64,
    },
    /// Uniform over the values.
    Choice(Vec<Scalar>),
    /// Loaded at check time: the column's N values, parsed as numbers where they all parse.
    Csv(Vec<Scalar>),
}

/// `positions = { cylinder = ..., center = ..., min_distance = ... }`: a block's x, y, z drawn
/// uniformly in a volume, as BMTK's `positions_columinar` / `positions_cuboid` / `CellLocations`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Positions {
    /// The volume, around the origin.
    pub shape: Shape,
    /// Added to every drawn point (the shape is given around the origin).
    pub center: [f64; 3],
    /// No two nodes of the block closer than this (micrometres).
    pub min_distance: Option<f64>,
}

/// The volume of [`Positions`], before `center` is added. Checked: sizes >= 0, lo <= hi.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// The disc x^2 + z^2 <= radius^2 times y in [y_lo, y_hi] (BMTK `positions_columinar`).
    Cylinder {
        /// Radius of the disc.
        radius: f64,
        /// Bottom of the column.
        y_lo: f64,
        /// Top of the column.
        y_hi: f64,
    },
    /// x in `[lo[0], hi[0]]`, y in `[lo[1], hi[1]]`, z in `[lo[2], hi[2]]` (BMTK `positions_cuboid`).
    Box {
        /// The low corner.
        lo: [f64; 3],
        /// The high corner.
        hi: [f64; 3],
    },
    /// The ball x^2 + y^2 + z^2 <= radius^2.
    Sphere {
        /// Radius of the ball.
        radius: f64,
    },
}

/// The largest [`Positions::fill_fraction`] accepted: what dart throwing (nodes placed one by one
/// at random points, each kept only where no earlier node is within `min_distance`, as BMTK's
/// `CellLocations`) reaches in practice. In theory random sequential addition jams at 0.3841 in
/// 3-D, but its last nodes need ever more tries; with the sampler's 10,000 tries per node it
/// stalls at 0.30-0.32 of the grown volume (measured from 2,000 to 200,000 nodes in a cylinder).
/// A spec above this is refused at load time instead of failing after minutes of work.
pub const MAX_FILL: f64 = 0.30;

impl Shape {
    /// The volume of the shape grown by `r` in every direction (Steiner's formula for convex
    /// bodies: V + S r + M r^2 + 4/3 pi r^3), so that flat or thin shapes still have room.
    pub fn grown_volume(&self, r: f64) -> f64 {
        use std::f64::consts::PI;
        let ball = 4.0 / 3.0 * PI * r.powi(3);
        match *self {
            Shape::Cylinder { radius, y_lo, y_hi } => {
                let h = y_hi - y_lo;
                PI * radius * radius * h
                    + (2.0 * PI * radius * radius + 2.0 * PI * radius * h) * r
                    + PI * (h + PI * radius) * r * r
                    + ball
            }
            Shape::Box { lo, hi } => {
                let [a, b, c] = [0, 1, 2].map(|i| hi[i] - lo[i]);
                a * b * c + 2.0 * (a * b + b * c + c * a) * r + PI * (a + b + c) * r * r + ball
            }
            Shape::Sphere { radius } => 4.0 / 3.0 * PI * (radius + r).powi(3),
        }
    }
}

impl Positions {
    /// The fraction of the room `n` nodes `min_distance` apart take: their balls of diameter
    /// `min_distance` over the shape grown by half of it (where those balls lie). 0 without
    /// `min_distance`. Above [`MAX_FILL`] the nodes cannot be placed at random.
    pub fn fill_fraction(&self, n: u64) -> f64 {
        match self.min_distance {
            Some(d) if d > 0.0 && n > 1 => {
                let ball = std::f64::consts::PI / 6.0 * d.powi(3);
                n as f64 * ball / self.shape.grown_volume(d / 2.0)
            }
            _ => 0.0,
        }
    }
}
