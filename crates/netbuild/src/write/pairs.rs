//! A (node, edge) pair as bytes: how the spilled index stores pairs in its bucket files and how
//! the parallel writer sends them to the rank that owns the node.
//!
//! In: a node id below 2^32 and an edge id. Out: [`PAIR_BYTES`] little-endian bytes, and back.

/// Bytes of one (node, edge) pair in a bucket file or a message: the node as u32, the edge as
/// u64, little-endian.
pub(super) const PAIR_BYTES: usize = 12;

/// A (node, edge) pair as [`PAIR_BYTES`] bytes.
#[inline]
pub(super) fn encode_pair(node: u64, edge: u64) -> [u8; PAIR_BYTES] {
    let mut pair = [0u8; PAIR_BYTES];
    pair[..4].copy_from_slice(&(node as u32).to_le_bytes());
    pair[4..].copy_from_slice(&edge.to_le_bytes());
    pair
}

/// The (node, edge) pair of [`PAIR_BYTES`] bytes `p`.
#[inline]
pub(super) fn decode_pair(p: &[u8]) -> (u64, u64) {
    let node = u64::from(u32::from_le_bytes([p[0], p[1], p[2], p[3]]));
    let mut e = [0u8; 8];
    e.copy_from_slice(&p[4..PAIR_BYTES]);
    (node, u64::from_le_bytes(e))
}
