//! The sink that connection rules push edges into.
//!
//! A rule never knows whether its rows are buffered in memory, spilled to disk or sent to another
//! rank: it calls [`EdgeSink::push`] and the sink (netbuild's `EdgeTypesTable`) decides.

/// One row of an edges file, as a rule produces it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeRow<'a> {
    /// Index of the edge type in the circuit (its declaration order).
    pub edge_type: usize,
    /// Source node id.
    pub source: u64,
    /// Target node id.
    pub target: u64,
    /// Synapses this row stands for: the pair's count for edge types stored one row per pair,
    /// always 1 for edge types stored one row per synapse.
    pub nsyns: u32,
    /// One value per per-edge property, in declaration order (empty for one-row-per-pair types).
    pub properties: &'a [f64],
}

/// Receives the rows of one edges population on one rank.
///
/// Execution model, which every implementation may rely on: a rank calls `push` for the targets
/// of its block in ascending target id; for one target, edge types in declaration order; for one
/// (edge type, target), sources in ascending id, the rows of one pair consecutive. Rows therefore
/// arrive in the final file order of the block (sorted by target), and a sink never sorts.
///
/// `push` returns an error only for the sink's own failures (a full disk, a closed channel);
/// the rule then stops and passes it on unchanged.
pub trait EdgeSink {
    /// The sink's own failure.
    type Error;
    /// Takes one row.
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), Self::Error>;

    /// Takes the rows of one (edge type, target), sources ascending, as `push` would take them
    /// one by one, which is what the default does. A sink that appends a stretch of rows
    /// faster than row by row overrides it; the result must be the same.
    fn push_rows(&mut self, rows: EdgeRows<'_>) -> Result<(), Self::Error> {
        for i in 0..rows.len() {
            self.push(rows.row(i))?;
        }
        Ok(())
    }
}

/// The rows of one (edge type, target) pair, sources ascending: what [`EdgeSink::push_rows`]
/// takes at once.
#[derive(Debug, Clone, Copy)]
pub struct EdgeRows<'a> {
    /// Index of the edge type in the circuit.
    pub edge_type: usize,
    /// Target node id of every row.
    pub target: u64,
    /// Source node id of each row.
    pub sources: &'a [u64],
    /// `nsyns` of each row (as [`EdgeRow::nsyns`]).
    pub nsyns: &'a [u32],
    /// `width` values per row, row after row (as [`EdgeRow::properties`]; empty if 0).
    pub properties: &'a [f64],
    /// Per-edge properties of each row.
    pub width: usize,
}

impl<'a> EdgeRows<'a> {
    /// Rows held.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Row `i`, as [`EdgeSink::push`] takes it.
    pub fn row(&self, i: usize) -> EdgeRow<'a> {
        EdgeRow {
            edge_type: self.edge_type,
            source: self.sources[i],
            target: self.target,
            nsyns: self.nsyns[i],
            properties: &self.properties[i * self.width..(i + 1) * self.width],
        }
    }
}

/// A sink that keeps every row in memory: for tests and small circuits built as a library.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct VecSink {
    /// (edge type, source, target, nsyns, properties) of every row, in push order.
    pub rows: Vec<(usize, u64, u64, u32, Vec<f64>)>,
}

impl EdgeSink for VecSink {
    type Error = std::convert::Infallible;
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), Self::Error> {
        self.rows.push((
            row.edge_type,
            row.source,
            row.target,
            row.nsyns,
            row.properties.to_vec(),
        ));
        Ok(())
    }
}
