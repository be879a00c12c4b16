//! Where a node stands in an edge type's selection: node id → position in the ascending list of
//! selected ids, or [`NONE`].
//!
//! Why not one `u32` per node of the network: Allen's V1 has 361 edge types over 200k cells, and
//! a dense table per type and side would cost 0.6 GB per rank for what is, for selections by
//! population (`pop_name`), one run of consecutive ids. Selections are kept as runs, and fall
//! back to the dense table only when runs would take more room (a scattered selection).

use super::NONE;

/// Positions of selected node ids.
#[derive(Debug)]
pub(crate) enum Slots {
    /// Runs of consecutive selected ids: (first id, end id, position of the first).
    Runs(Vec<(u64, u64, u32)>),
    /// One entry per node of the network.
    Dense(Vec<u32>),
}

impl Slots {
    /// The slots of `ids` (ascending, distinct) among a network of `n` nodes.
    pub fn new(n: u64, ids: &[u64]) -> Slots {
        let mut runs: Vec<(u64, u64, u32)> = Vec::new();
        for (i, &id) in ids.iter().enumerate() {
            match runs.last_mut() {
                Some(r) if r.1 == id => r.1 += 1,
                _ => runs.push((id, id + 1, i as u32)),
            }
        }
        if runs.len() * std::mem::size_of::<(u64, u64, u32)>() <= n as usize * 4 {
            return Slots::Runs(runs);
        }
        let mut dense = vec![NONE; n as usize];
        for (i, &id) in ids.iter().enumerate() {
            dense[id as usize] = i as u32;
        }
        Slots::Dense(dense)
    }

    /// The position of node `id` in the selection, or [`NONE`].
    #[inline]
    pub fn get(&self, id: u64) -> u32 {
        match self {
            Slots::Dense(d) => d.get(id as usize).copied().unwrap_or(NONE),
            Slots::Runs(runs) => {
                let i = runs.partition_point(|r| r.1 <= id);
                match runs.get(i) {
                    Some(&(first, end, at)) if first <= id && id < end => at + (id - first) as u32,
                    _ => NONE,
                }
            }
        }
    }

    /// Whether node `id` is selected.
    #[inline]
    pub fn contains(&self, id: u64) -> bool {
        self.get(id) != NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_dense_agree() {
        let ids: Vec<u64> = (10..20).chain(30..31).chain(50..60).collect();
        let runs = Slots::new(100, &ids);
        assert!(matches!(runs, Slots::Runs(_)));
        let scattered: Vec<u64> = (0..100).step_by(2).collect();
        assert!(matches!(Slots::new(100, &scattered), Slots::Dense(_)));
        for id in 0..110 {
            let want = ids.iter().position(|&x| x == id).map_or(NONE, |p| p as u32);
            assert_eq!(runs.get(id), want, "id {id}");
        }
    }
}
