//! What a build and a `check` prepare alike before any edge is made: the edge types resolved
//! against the generated networks, the edges populations they form, and each population's
//! estimated work per target.
//!
//! In: a [`Circuit`] and its generated networks (`generate_networks`, identical on every rank).
//! Out: [`EdgeSetup`]. Errors are the circuit's (a rule that cannot be satisfied), found
//! identically on every rank before any work.

use crate::plan::work::TargetWork;
use crate::plan::{edge_populations, EdgePopulation};
use netbuild_model::{Circuit, Columns, Host, ModelError, Network, PreparedEdgeType, Private};
use rayon::prelude::*;

/// The prepared edge types of a circuit (by index in the circuit) and its edges populations.
pub struct EdgeSetup<'c> {
    /// Every edge type, prepared (rules bound to the networks), by index in the circuit.
    pub prepared: Vec<PreparedEdgeType<'c>>,
    /// The edges files, each with its edge types.
    pub populations: Vec<EdgePopulation>,
    /// The work per target of each of `populations`, computed once for the plan, the
    /// generation, the progress reporter and `check`.
    pub work: Vec<TargetWork>,
}

impl<'c> EdgeSetup<'c> {
    /// The prepared edge types of `pop`, in its order.
    pub fn types_of(&self, pop: &EdgePopulation) -> Vec<&PreparedEdgeType<'c>> {
        pop.edge_types.iter().map(|&i| &self.prepared[i]).collect()
    }
}

/// Prepares every edge type of `circuit` against `networks` (made by `generate_networks`).
pub fn prepare_edges<'c>(
    circuit: &'c Circuit,
    networks: &'c [Network],
) -> Result<EdgeSetup<'c>, ModelError> {
    prepare_edges_on(circuit, networks, &Private)
}

/// [`prepare_edges`], with the big arrays (positions, selections, grids) held once by the ranks
/// of `host` (*collective over the host*; `networks` made by `generate_networks_on`).
pub fn prepare_edges_on<'c>(
    circuit: &'c Circuit,
    networks: &'c [Network],
    host: &'c dyn Host,
) -> Result<EdgeSetup<'c>, ModelError> {
    let mut columns = Columns::on_host(networks, host);
    let prepared = circuit
        .edge_types
        .iter()
        .enumerate()
        .map(|(i, def)| PreparedEdgeType::prepare(i, def, circuit.seed, &mut columns))
        .collect::<Result<Vec<_>, _>>()?;
    // Each walked rule samples the work of its targets: a few dozen walks per edge type, in
    // parallel (hundreds of edge types for Allen's V1).
    prepared.par_iter().for_each(|p| {
        p.walk_work();
    });
    let mut setup = EdgeSetup {
        prepared,
        populations: edge_populations(circuit, networks),
        work: Vec::new(),
    };
    let work = setup
        .populations
        .iter()
        .map(|pop| {
            let t0 = std::time::Instant::now();
            let work = TargetWork::new_on(&setup.types_of(pop), networks[pop.target].n, host);
            let (segments, lists) = work.shape();
            tracing::debug!(population = %pop.name, entries = work.entries(), segments, lists, seconds = t0.elapsed().as_secs_f64(), "work per target");
            work
        })
        .collect();
    setup.work = work;
    Ok(setup)
}
