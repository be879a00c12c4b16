//! What a build dropped or changed, counted: nothing is dropped or bent silently.
//!
//! In: notes from the rules as they prepare and connect (a file row left out, a NaN probability,
//! a value clamped by its dtype, a value no simulator can use). Out: [`Issues`], a tally per
//! (edge type, kind) of how many times it happened and the first few places (CSV line numbers,
//! or (source, target) pairs in file order), which merges commutatively: tallies made by any
//! number of threads or ranks, merged in any order, give the same counts and the same "first".

use std::collections::BTreeMap;

/// How many of the first places an issue keeps.
pub const FIRST_KEPT: usize = 5;

/// What happened to a row, pair or value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueKind {
    /// A `file` row from a node to itself, left out because `autapses = false`. Places: lines.
    SelfConnection,
    /// A `file` row whose nodes are farther apart than `max_distance`, left out. Places: lines.
    BeyondMaxDistance,
    /// A probability expression that is NaN for a pair: the pair never connects. Places: pairs.
    NanProbability,
    /// A count expression that is NaN for a pair: no synapse. Places: pairs.
    NanCount,
    /// A count expression above the most synapses one pair may get, capped. Places: pairs.
    CountCapped,
    /// Per-edge property k: a value outside its integer dtype's range, clamped by the cast.
    Clamped(usize),
    /// Per-edge property k: a value that is NaN or infinite once stored (a fatal error).
    NonFinite(usize),
}

impl IssueKind {
    /// Whether the build must stop even without `--strict`: no simulator can use the value.
    pub fn is_fatal(self) -> bool {
        matches!(self, IssueKind::NonFinite(_))
    }

    /// Whether the places are CSV lines (else (source, target) pairs, see [`pair_key`]).
    pub fn places_are_lines(self) -> bool {
        matches!(
            self,
            IssueKind::SelfConnection | IssueKind::BeyondMaxDistance
        )
    }

    fn code(self) -> [u64; 2] {
        match self {
            IssueKind::SelfConnection => [0, 0],
            IssueKind::BeyondMaxDistance => [1, 0],
            IssueKind::NanProbability => [2, 0],
            IssueKind::NanCount => [3, 0],
            IssueKind::CountCapped => [4, 0],
            IssueKind::Clamped(k) => [5, k as u64],
            IssueKind::NonFinite(k) => [6, k as u64],
        }
    }

    fn from_code(c: u64, k: u64) -> Option<IssueKind> {
        Some(match c {
            0 => IssueKind::SelfConnection,
            1 => IssueKind::BeyondMaxDistance,
            2 => IssueKind::NanProbability,
            3 => IssueKind::NanCount,
            4 => IssueKind::CountCapped,
            5 => IssueKind::Clamped(k as usize),
            6 => IssueKind::NonFinite(k as usize),
            _ => return None,
        })
    }
}

/// A (source, target) pair as a place: ordered by target, then source, as rows are in a file
/// sorted by target. Node ids are below 2^32 (the rules refuse larger networks).
pub fn pair_key(source: u64, target: u64) -> u64 {
    (target << 32) | (source & 0xffff_ffff)
}

/// The (source, target) pair of a [`pair_key`].
pub fn pair_of(key: u64) -> (u64, u64) {
    (key & 0xffff_ffff, key >> 32)
}

/// One kind of issue of one edge type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Index of the edge type in the circuit.
    pub edge_type: usize,
    /// What happened.
    pub kind: IssueKind,
    /// How many times.
    pub count: u64,
    /// The first places (smallest first), at most [`FIRST_KEPT`].
    pub first: Vec<u64>,
}

/// A tally of issues: (edge type, kind) → (count, first places).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Issues {
    map: BTreeMap<(usize, IssueKind), (u64, Vec<u64>)>,
}

impl Issues {
    /// Whether nothing was noted.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Counts one occurrence at `place`.
    pub fn note(&mut self, edge_type: usize, kind: IssueKind, place: u64) {
        let (count, first) = self.map.entry((edge_type, kind)).or_default();
        *count += 1;
        keep_first(first, place);
    }

    /// Adds `other`'s counts and places.
    pub fn merge(&mut self, other: &Issues) {
        for (key, (count, places)) in &other.map {
            let (c, first) = self.map.entry(*key).or_default();
            *c += count;
            for &p in places {
                keep_first(first, p);
            }
        }
    }

    /// Every issue, by edge type then kind.
    pub fn iter(&self) -> impl Iterator<Item = Issue> + '_ {
        self.map
            .iter()
            .map(|(&(edge_type, kind), (count, first))| Issue {
                edge_type,
                kind,
                count: *count,
                first: first.clone(),
            })
    }

    /// Whether any issue is fatal ([`IssueKind::is_fatal`]).
    pub fn any_fatal(&self) -> bool {
        self.map.keys().any(|(_, k)| k.is_fatal())
    }

    /// As numbers, to send to other ranks: per issue [edge type, kind, k, count, n, places..].
    pub fn to_u64s(&self) -> Vec<u64> {
        let mut out = Vec::new();
        for (&(edge_type, kind), (count, first)) in &self.map {
            let [c, k] = kind.code();
            out.extend([edge_type as u64, c, k, *count, first.len() as u64]);
            out.extend_from_slice(first);
        }
        out
    }

    /// The inverse of [`Issues::to_u64s`] (a malformed tail is ignored).
    pub fn from_u64s(v: &[u64]) -> Issues {
        let mut out = Issues::default();
        let mut i = 0;
        while let Some(&[e, c, k, count, n]) = v.get(i..i + 5) {
            let places = v.get(i + 5..i + 5 + n as usize).unwrap_or(&[]);
            if let Some(kind) = IssueKind::from_code(c, k) {
                let mut one = Issues::default();
                one.map.insert((e as usize, kind), (count, places.to_vec()));
                out.merge(&one);
            }
            i += 5 + n as usize;
        }
        out
    }
}

/// Inserts `place` into the sorted `first`, keeping the smallest [`FIRST_KEPT`] distinct places.
fn keep_first(first: &mut Vec<u64>, place: u64) {
    if first.len() >= FIRST_KEPT && first.last().is_some_and(|&l| place >= l) {
        return;
    }
    if let Err(i) = first.binary_search(&place) {
        first.insert(i, place);
        first.truncate(FIRST_KEPT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_in_any_order_keeps_the_smallest_places() {
        let mut a = Issues::default();
        let mut b = Issues::default();
        for p in [9, 3, 7, 1] {
            a.note(0, IssueKind::SelfConnection, p);
        }
        for p in [8, 2, 6, 4, 5] {
            b.note(0, IssueKind::SelfConnection, p);
        }
        b.note(1, IssueKind::NonFinite(2), pair_key(4, 5));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        let all: Vec<Issue> = ab.iter().collect();
        assert_eq!(all[0].count, 9);
        assert_eq!(all[0].first, vec![1, 2, 3, 4, 5]);
        assert_eq!(pair_of(all[1].first[0]), (4, 5));
        assert!(ab.any_fatal() && !a.any_fatal());
        assert_eq!(Issues::from_u64s(&ab.to_u64s()), ab);
    }
}
