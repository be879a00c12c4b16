//! Both SONATA indices of a population, gathered while its rows stream past in edge order.
//!
//! In: each row's source and target, in edge id order; the global rows per source node (from
//! the collator). Out: the (node, edge id) pairs, node-major, that the writer turns into
//! `node_id_to_ranges` / `range_to_edge_id`.
//!
//! The side the rows are sorted by needs only a first edge and a count per node. The other side
//! is a counting sort: each node's slot range is known in advance from the counts, and edge ids
//! arrive ascending, so each node's list comes out sorted without sorting. It costs 4 bytes per
//! edge (8 beyond 2^32 edges); past its share of the memory plan it is spilled by node range
//! (index_spill.rs).

use super::index_spill::SpilledByNode;
use std::ops::Range;

/// Edge ids grouped by node, filled by a counting sort.
#[derive(Debug)]
pub(super) struct ByNode {
    /// `offsets[n]..offsets[n+1]`: node n's slots.
    offsets: Vec<u64>,
    fill: Vec<u64>,
    ids: EdgeIds,
}

#[derive(Debug)]
enum EdgeIds {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl ByNode {
    /// For nodes with `counts[n]` edges each, whose ids are below the sum of `counts`.
    #[cfg(test)]
    pub(super) fn new(counts: &[u64]) -> Self {
        Self::with_ids_below(counts, counts.iter().sum())
    }

    /// For nodes with `counts[n]` edges each, whose ids are below `ids_below` (a rank's share
    /// of a parallel writer's index holds ids of the whole file: 32 bits may not hold them).
    pub(super) fn with_ids_below(counts: &[u64], ids_below: u64) -> Self {
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        let mut acc = 0u64;
        offsets.push(0);
        for &c in counts {
            acc += c;
            offsets.push(acc);
        }
        let ids = if ids_below.max(acc) <= u64::from(u32::MAX) + 1 {
            EdgeIds::Narrow(vec![0; acc as usize])
        } else {
            EdgeIds::Wide(vec![0; acc as usize])
        };
        let fill = offsets[..counts.len()].to_vec();
        ByNode { offsets, fill, ids }
    }

    /// Records that edge `edge` (ids must come ascending) belongs to `node`.
    #[inline]
    pub(super) fn push(&mut self, node: u64, edge: u64) {
        let slot = &mut self.fill[node as usize];
        match &mut self.ids {
            EdgeIds::Narrow(v) => v[*slot as usize] = edge as u32,
            EdgeIds::Wide(v) => v[*slot as usize] = edge,
        }
        *slot += 1;
    }

    /// Sorts each node's edge ids: for edges pushed out of order (as they arrive from several
    /// ranks), after which [`ByNode::runs`] is sorted again.
    pub(super) fn sort_within_nodes(&mut self) {
        for n in self.nodes() {
            let (a, b) = (self.offsets[n] as usize, self.offsets[n + 1] as usize);
            match &mut self.ids {
                EdgeIds::Narrow(v) => v[a..b].sort_unstable(),
                EdgeIds::Wide(v) => v[a..b].sort_unstable(),
            }
        }
    }

    /// The edge id in slot `i`.
    #[inline]
    fn id(&self, i: usize) -> u64 {
        match &self.ids {
            EdgeIds::Narrow(v) => u64::from(v[i]),
            EdgeIds::Wide(v) => v[i],
        }
    }

    /// Node `n`'s edge ids, ascending once pushed ascending or sorted.
    fn ids_of(&self, n: usize) -> impl Iterator<Item = u64> + '_ {
        (self.offsets[n] as usize..self.offsets[n + 1] as usize).map(move |i| self.id(i))
    }

    fn nodes(&self) -> std::ops::Range<usize> {
        0..self.offsets.len().saturating_sub(1)
    }

    /// Runs of consecutive edge ids, node-major, ascending within a node: [`ByNode::pairs`]
    /// with neighbouring ids merged (the index of a target-sorted file has about one run per
    /// edge: millions).
    pub(super) fn runs(&self) -> impl Iterator<Item = (u64, Range<u64>)> + '_ {
        self.nodes()
            .flat_map(move |n| runs_of(self.ids_of(n)).map(move |r| (n as u64, r)))
    }

    /// How many runs [`ByNode::runs`] yields.
    pub(super) fn count_runs(&self) -> u64 {
        self.runs().count() as u64
    }

    /// (node, edge) pairs, node-major, edges ascending within a node (the writers read
    /// [`ByNode::runs`]; the tests compare pairs).
    #[cfg(test)]
    pub(super) fn pairs(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.nodes()
            .flat_map(move |n| self.ids_of(n).map(move |e| (n as u64, e)))
    }
}

/// Ascending `ids` as runs of consecutive ids.
fn runs_of(ids: impl Iterator<Item = u64>) -> impl Iterator<Item = Range<u64>> {
    let mut ids = ids.peekable();
    std::iter::from_fn(move || {
        let start = ids.next()?;
        let mut end = start + 1;
        while ids.next_if_eq(&end).is_some() {
            end += 1;
        }
        Some(start..end)
    })
}

/// Ranges (runs of consecutive edge ids of one node) in `pairs`, sorted node-major.
pub(super) fn count_ranges(pairs: impl Iterator<Item = (u64, u64)>) -> u64 {
    let mut prev: Option<(u64, u64)> = None;
    let mut n = 0;
    for (node, e) in pairs {
        if prev != Some((node, e.wrapping_sub(1))) {
            n += 1;
        }
        prev = Some((node, e));
    }
    n
}

/// The index of the side rows are sorted by: one run of edges per node, for the nodes of one
/// range (all of them for the rank-0 writer, a rank's block of targets for the parallel one).
#[derive(Debug)]
pub(super) struct Sorted {
    /// The first node.
    base: u64,
    first: Vec<u64>,
    count: Vec<u64>,
}

impl Sorted {
    /// For the nodes of `nodes` (pushing another node is a bug: it panics).
    pub(super) fn new(nodes: Range<u64>) -> Self {
        let n = nodes.end.saturating_sub(nodes.start) as usize;
        Sorted {
            base: nodes.start,
            first: vec![0; n],
            count: vec![0; n],
        }
    }

    #[inline]
    pub(super) fn push(&mut self, node: u64, edge: u64) {
        let n = (node - self.base) as usize;
        if self.count[n] == 0 {
            self.first[n] = edge;
        }
        self.count[n] += 1;
    }

    /// Each node's edges as one run of ids (nodes without edges skipped).
    pub(super) fn runs(&self) -> impl Iterator<Item = (u64, std::ops::Range<u64>)> + '_ {
        (0..self.first.len())
            .filter(|&n| self.count[n] > 0)
            .map(|n| {
                let node = self.base + n as u64;
                (node, self.first[n]..self.first[n] + self.count[n])
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_past_32_bits_are_kept_whole_in_a_share_of_few_edges() {
        // A share of 3 edges whose ids are those of a file of 2^33 rows.
        let base = 1u64 << 33;
        let mut by = ByNode::with_ids_below(&[2, 1], base + 10);
        for (node, edge) in [(1, base + 1), (0, base + 2), (0, base + 7)] {
            by.push(node, edge);
        }
        let got: Vec<_> = by.pairs().collect();
        assert_eq!(got, vec![(0, base + 2), (0, base + 7), (1, base + 1)]);
    }

    #[test]
    fn counting_sort_groups_edges_by_node() {
        let sources = [2u64, 0, 2, 1, 0, 2];
        let mut counts = vec![0u64; 4];
        for &s in &sources {
            counts[s as usize] += 1;
        }
        let mut by = ByNode::new(&counts);
        for (e, &s) in sources.iter().enumerate() {
            by.push(s, e as u64);
        }
        let got: Vec<_> = by.pairs().collect();
        assert_eq!(got, vec![(0, 1), (0, 4), (1, 3), (2, 0), (2, 2), (2, 5)]);
        // Neighbouring ids of a node merge into one run.
        let mut by = ByNode::new(&[3, 1]);
        for (n, e) in [(0, 0), (0, 1), (1, 2), (0, 3)] {
            by.push(n, e);
        }
        let runs: Vec<_> = by.runs().collect();
        assert_eq!(runs, vec![(0, 0..2), (0, 3..4), (1, 2..3)]);
        assert_eq!(by.count_runs(), 3);
    }

    #[test]
    fn ranges_are_runs_of_consecutive_ids() {
        let pairs = [(0, 1), (0, 2), (0, 4), (1, 5), (1, 6), (3, 7)];
        assert_eq!(count_ranges(pairs.into_iter()), 4);
        assert_eq!(count_ranges(std::iter::empty()), 0);
    }

    #[test]
    fn sorted_side_is_runs() {
        let targets = [0u64, 0, 2, 2, 2, 3];
        let mut s = Sorted::new(0..5);
        for (e, &t) in targets.iter().enumerate() {
            s.push(t, e as u64);
        }
        let got: Vec<_> = s.runs().collect();
        assert_eq!(got, vec![(0, 0..2), (2, 2..5), (3, 5..6)]);
        // A block of nodes 2..4 (a parallel writer's targets): the same runs, node ids kept.
        let mut block = Sorted::new(2..4);
        for (e, &t) in targets
            .iter()
            .enumerate()
            .filter(|(_, &t)| (2..4).contains(&t))
        {
            block.push(t, e as u64);
        }
        let got: Vec<_> = block.runs().collect();
        assert_eq!(got, vec![(2, 2..5), (3, 5..6)]);
    }
}

/// The runs of consecutive edge ids per node, counted as edges are pushed in ascending order
/// (as rank 0 streams its rows): what a pass over the finished index would count, without the
/// pass (at 10^9 edges spilled, a read of 12 GB while the compressors waited).
#[derive(Debug)]
struct RunCounter {
    /// Per node, the edge id that would continue its last run (`u64::MAX`: none yet).
    next: Vec<u64>,
    runs: u64,
}

impl RunCounter {
    fn new(nodes: usize) -> Self {
        RunCounter {
            next: vec![u64::MAX; nodes],
            runs: 0,
        }
    }

    #[inline]
    fn push(&mut self, node: u64, edge: u64) {
        let next = &mut self.next[node as usize];
        if *next != edge {
            self.runs += 1;
        }
        *next = edge + 1;
    }
}

/// The index of the side rows are not sorted by: [`ByNode`] in memory when its 4 bytes per
/// edge (8 past 2^32 edges) fit `share` (the memory plan's `side_index`), else
/// [`SpilledByNode`] with buckets of about that size in `dir`.
pub(super) struct Unsorted {
    store: Store,
    /// Its runs, while every edge came through [`Unsorted::push_chunk`] (ascending).
    in_order: Option<RunCounter>,
}

enum Store {
    InMemory(ByNode),
    Spilled(SpilledByNode),
}

impl Unsorted {
    pub(super) fn new(counts: &[u64], share: u64, dir: &std::path::Path) -> std::io::Result<Self> {
        Self::with_ids_below(counts, counts.iter().sum(), share, dir)
    }

    /// As [`Unsorted::new`], for edge ids below `ids_below` (see [`ByNode::with_ids_below`]).
    pub(super) fn with_ids_below(
        counts: &[u64],
        ids_below: u64,
        share: u64,
        dir: &std::path::Path,
    ) -> std::io::Result<Self> {
        let edges: u64 = counts.iter().sum();
        let width = if ids_below.max(edges) > u64::from(u32::MAX) + 1 {
            8
        } else {
            4
        };
        let store = if edges.saturating_mul(width) <= share {
            Store::InMemory(ByNode::with_ids_below(counts, ids_below))
        } else {
            let spilled = SpilledByNode::new(counts, share, dir)?;
            tracing::debug!(buckets = spilled.buckets(), "index spilled by node range");
            Store::Spilled(spilled)
        };
        Ok(Unsorted {
            store,
            in_order: Some(RunCounter::new(counts.len())),
        })
    }

    /// Records edges `first..` for `nodes`, one edge per node in order; edge ids ascend from
    /// one call to the next.
    pub(super) fn push_chunk(&mut self, nodes: &[u64], first: u64) -> std::io::Result<()> {
        let edges = first..first + nodes.len() as u64;
        if let Some(c) = &mut self.in_order {
            nodes
                .iter()
                .zip(edges.clone())
                .for_each(|(&n, e)| c.push(n, e));
        }
        self.store_pairs(nodes.iter().copied().zip(edges))
    }

    /// Records each (node, edge) of `pairs` (in any order, if [`Unsorted::sort`] follows).
    pub(super) fn push_pairs(
        &mut self,
        pairs: impl Iterator<Item = (u64, u64)>,
    ) -> std::io::Result<()> {
        // Not known to ascend: the runs are counted in a pass at the end.
        self.in_order = None;
        self.store_pairs(pairs)
    }

    fn store_pairs(&mut self, pairs: impl Iterator<Item = (u64, u64)>) -> std::io::Result<()> {
        // One match per call, so that each loop is tight.
        match &mut self.store {
            Store::InMemory(b) => pairs.for_each(|(n, e)| b.push(n, e)),
            Store::Spilled(b) => {
                for (n, e) in pairs {
                    b.push(n, e)?;
                }
            }
        }
        Ok(())
    }

    /// Puts each node's edge ids in order, for edges that were not pushed ascending (the
    /// spilled form sorts each bucket as it reads it back).
    pub(super) fn sort(&mut self) {
        if let Store::InMemory(b) = &mut self.store {
            b.sort_within_nodes();
        }
    }

    /// How many runs [`Unsorted::runs`] yields: counted as edges were pushed when they came in
    /// order, else a pass in memory or over the spill files. An I/O error ends the pass early
    /// and is left in `error`.
    pub(super) fn count_runs(&mut self, error: &std::cell::RefCell<Option<std::io::Error>>) -> u64 {
        if let Some(c) = &self.in_order {
            return c.runs;
        }
        match &mut self.store {
            Store::InMemory(m) => m.count_runs(),
            Store::Spilled(s) => count_ranges(s.pairs(error)),
        }
    }

    /// [`Unsorted::pairs`] as runs of consecutive edge ids (merged in memory; one run per
    /// pair when spilled, which the index builder merges).
    pub(super) fn runs<'a>(
        &'a mut self,
        error: &'a std::cell::RefCell<Option<std::io::Error>>,
    ) -> impl Iterator<Item = (u64, Range<u64>)> + 'a {
        let (a, b) = match &mut self.store {
            Store::InMemory(m) => (Some(m.runs()), None),
            Store::Spilled(s) => (None, Some(s.pairs(error).map(|(n, e)| (n, e..e + 1)))),
        };
        a.into_iter().flatten().chain(b.into_iter().flatten())
    }

    /// (node, edge) pairs, node-major, edges ascending within a node; may be walked again. An
    /// I/O error ends the iteration early and is left in `error`. (The writers read
    /// [`Unsorted::runs`]; the tests compare pairs.)
    #[cfg(test)]
    pub(super) fn pairs<'a>(
        &'a mut self,
        error: &'a std::cell::RefCell<Option<std::io::Error>>,
    ) -> impl Iterator<Item = (u64, u64)> + 'a {
        let (a, b) = match &mut self.store {
            Store::InMemory(m) => (Some(m.pairs()), None),
            Store::Spilled(s) => (None, Some(s.pairs(error))),
        };
        a.into_iter().flatten().chain(b.into_iter().flatten())
    }
}

/// The source of each of `edges` edges, scattered over `nodes` nodes, and the edges per node.
#[cfg(test)]
pub(super) fn scattered(edges: u64, nodes: u64, step: u64) -> (Vec<u64>, Vec<u64>) {
    let sources: Vec<u64> = (0..edges).map(|e| (e * step) % nodes).collect();
    let mut counts = vec![0u64; nodes as usize];
    for &s in &sources {
        counts[s as usize] += 1;
    }
    (sources, counts)
}

#[cfg(test)]
mod unsorted_tests {
    use super::*;

    /// Edge ids pushed out of order within a node (as the ranks' rows arrive at the parallel
    /// writer) come out sorted, in memory and spilled alike.
    #[test]
    fn unsorted_pushes_come_out_sorted() {
        let (sources, counts) = scattered(3000, 57, 31);
        let dir = tempfile::tempdir().unwrap();
        let mut expected = ByNode::new(&counts);
        for (e, &s) in sources.iter().enumerate() {
            expected.push(s, e as u64);
        }
        let expected: Vec<_> = expected.pairs().collect();
        for memory in [1 << 30, 500] {
            let mut u = Unsorted::new(&counts, memory, dir.path()).unwrap();
            // Edge ids in a scrambled order.
            let scrambled = (0..sources.len())
                .rev()
                .step_by(2)
                .chain((0..sources.len()).step_by(2));
            u.push_pairs(scrambled.map(|e| (sources[e], e as u64)))
                .unwrap();
            u.sort();
            let err = std::cell::RefCell::new(None);
            let got: Vec<_> = u.pairs(&err).collect();
            assert!(err.borrow().is_none());
            assert_eq!(got, expected, "memory {memory}");
        }
    }

    /// Runs counted as rows stream past in order are the runs a pass over the index counts,
    /// in memory and spilled alike; pushed out of order, the pass counts them.
    #[test]
    fn runs_counted_while_pushed_equal_a_pass() {
        // Runs of several edges per node and single edges.
        for (step, nodes, run) in [(1, 3, 4), (7919, 101, 1), (2, 5, 3)] {
            let (sources, _) = scattered(4000, nodes, step);
            let sources: Vec<u64> = sources.iter().map(|&s| s / run % nodes).collect();
            let mut counts = vec![0u64; nodes as usize];
            for &s in &sources {
                counts[s as usize] += 1;
            }
            let dir = tempfile::tempdir().unwrap();
            for memory in [1 << 30, 500] {
                let err = std::cell::RefCell::new(None);
                let mut u = Unsorted::new(&counts, memory, dir.path()).unwrap();
                for (at, chunk) in sources.chunks(333).enumerate() {
                    u.push_chunk(chunk, (at * 333) as u64).unwrap();
                }
                let counted = u.count_runs(&err);
                assert_eq!(counted, count_ranges(u.pairs(&err)), "step {step}");
                u.in_order = None;
                assert_eq!(u.count_runs(&err), counted, "step {step}, memory {memory}");
                assert!(err.borrow().is_none());
            }
        }
    }
}
