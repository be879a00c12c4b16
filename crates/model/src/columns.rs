//! Numeric node columns shared by every rule that reads them, looked up once per (network, name).
//!
//! In: the generated networks and the [`Host`] their ranks share memory through. Out: columns,
//! positions and source trees as cheap clones ([`Shared`] / `Arc`); with a sharing host, the big
//! arrays are made by the host's computing rank and mapped by the others (every rank asks for
//! the same ones in the same order: preparation is the same on every rank). Also the
//! morphologies read so far ([`Columns::morphology`]), which `[edges.locations]` tables are
//! made from: each file is parsed once per preparation, whatever the edge types.

use crate::nodes::{Network, Values};
use crate::shared::{share, Host, Private, Shared};
use crate::spatial::{SourceTree, SplitAxes};
use netbuild_morphology::{Cell, CellOptions, MorphologyError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A morphology file as read with some options (`fix_axon`, `dL` as bits).
type CellKey = (PathBuf, bool, Option<u64>);

/// Node positions and numeric property columns of every network, built on first request.
pub struct Columns<'n> {
    networks: &'n [Network],
    host: &'n dyn Host,
    cache: HashMap<(usize, String), Shared<f64>>,
    positions: HashMap<usize, Shared<[f64; 3]>>,
    /// Source trees by (network, selected node ids, split axes): edge types with the same
    /// sources and axes share one.
    trees: HashMap<(usize, Vec<u64>, SplitAxes), Arc<SourceTree>>,
    /// Numeric columns in a source tree's order, by (tree, network, name); the tree is one of
    /// `trees`, kept alive there, so its address names it.
    tree_columns: HashMap<(usize, usize, String), Arc<[f64]>>,
    /// Morphologies read so far (on the rank that makes the location tables).
    cells: HashMap<CellKey, Arc<Cell>>,
}

impl<'n> Columns<'n> {
    /// Columns of one process alone.
    pub fn new(networks: &'n [Network]) -> Self {
        Columns::on_host(networks, &Private)
    }

    /// Columns whose big arrays the ranks of `host` hold once.
    pub fn on_host(networks: &'n [Network], host: &'n dyn Host) -> Self {
        Columns {
            networks,
            host,
            cache: HashMap::new(),
            positions: HashMap::new(),
            trees: HashMap::new(),
            tree_columns: HashMap::new(),
            cells: HashMap::new(),
        }
    }

    /// The generated networks, in circuit order.
    pub fn networks(&self) -> &'n [Network] {
        self.networks
    }

    /// The host the arrays are shared on.
    pub fn host(&self) -> &'n dyn Host {
        self.host
    }

    /// Property `name` of every node of network `net`, as numbers (see [`Network::numeric`]):
    /// the generated column itself where one block holds all of it, else a new array.
    /// *Collective over the host* on first request.
    pub fn numeric(&mut self, net: usize, name: &str) -> Shared<f64> {
        if let Some(c) = self.cache.get(&(net, name.to_string())) {
            return c.clone();
        }
        let network = &self.networks[net];
        let whole = match network.blocks.as_slice() {
            [b] => b.columns.iter().find_map(|c| match &c.values {
                Values::Num { data, .. } if c.name == name => Some(data.clone()),
                _ => None,
            }),
            _ => None,
        };
        let column = match whole {
            Some(c) => c,
            None => share(self.host, || network.numeric(name)),
        };
        self.cache.insert((net, name.to_string()), column.clone());
        column
    }

    /// Positions (x, y, z) of every node of network `net`. *Collective over the host* on first
    /// request.
    pub fn positions(&mut self, net: usize) -> Shared<[f64; 3]> {
        if let Some(p) = self.positions.get(&net) {
            return p.clone();
        }
        let network = &self.networks[net];
        let p = share(self.host, || {
            let [x, y, z] = ["x", "y", "z"].map(|c| network.numeric(c));
            (0..x.len()).map(|i| [x[i], y[i], z[i]]).collect()
        });
        self.positions.insert(net, p.clone());
        p
    }

    /// The k-d tree over the positions of nodes `sources` (ascending ids) of network `net`,
    /// split along `axes`, built once for every edge type with that source selection and axes.
    pub fn source_tree(&mut self, net: usize, sources: &[u64], axes: SplitAxes) -> Arc<SourceTree> {
        let key = (net, sources.to_vec(), axes);
        if let Some(t) = self.trees.get(&key) {
            return t.clone();
        }
        let pos = self.positions(net);
        let points: Vec<[f64; 3]> = sources.iter().map(|&s| pos[s as usize]).collect();
        let tree = Arc::new(SourceTree::new(sources, &points, axes));
        self.trees.insert(key, tree.clone());
        tree
    }

    /// Property `name` of network `net` for the points of `tree` (a tree over nodes of `net`
    /// from [`Columns::source_tree`]), in tree order: the candidates of a tree node read theirs
    /// from one stretch of memory. Built once per (tree, name).
    pub fn tree_column(&mut self, net: usize, name: &str, tree: &Arc<SourceTree>) -> Arc<[f64]> {
        let key = (Arc::as_ptr(tree) as usize, net, name.to_string());
        if let Some(c) = self.tree_columns.get(&key) {
            return c.clone();
        }
        let column = self.numeric(net, name);
        let values: Arc<[f64]> = tree.ids().map(|id| column[id as usize]).collect();
        self.tree_columns.insert(key, values.clone());
        values
    }

    /// The morphology file at `path` prepared with `options`, parsed on its first request only
    /// (logged at debug level: `morphology parsed`, which tests count).
    pub fn morphology(
        &mut self,
        path: &Path,
        options: CellOptions,
    ) -> Result<Arc<Cell>, MorphologyError> {
        let key = (
            path.to_path_buf(),
            options.fix_axon,
            options.dl.map(f64::to_bits),
        );
        if let Some(c) = self.cells.get(&key) {
            return Ok(c.clone());
        }
        let cell = Arc::new(Cell::read(path, options)?);
        tracing::debug!(file = %path.display(), fix_axon = options.fix_axon, dl = ?options.dl, sections = cell.sections.len(), segments = cell.segments.len(), "morphology parsed");
        self.cells.insert(key, cell.clone());
        Ok(cell)
    }
}
