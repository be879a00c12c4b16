//! Splitting transfers into rounds whose counts and displacements fit an MPI `int`.
//!
//! Pure arithmetic, so it can be tested without MPI. A buffer of `len` bytes sent in pieces of at
//! most `chunk` bytes takes `rounds(len, chunk)` rounds; in round `k` it sends
//! `piece(len, chunk, k)`. A collective runs as many rounds as the largest buffer needs; buffers
//! that are done send empty pieces.

use std::ops::Range;

/// Largest byte count in one MPI call: `i32::MAX` rounded down to a multiple of 8 so `u64`
/// payloads are never split mid-value (not needed for correctness, only tidier).
pub(crate) const MAX_COUNT: usize = (i32::MAX as usize) & !7;

/// Number of rounds of at most `chunk` bytes (`chunk >= 1`) that `len` bytes need (0 for 0).
pub(crate) fn rounds(len: usize, chunk: usize) -> usize {
    len.div_ceil(chunk.max(1))
}

/// The byte range of a `len`-byte buffer sent in round `round` (empty once it is all sent).
pub(crate) fn piece(len: usize, chunk: usize, round: usize) -> Range<usize> {
    let chunk = chunk.max(1);
    let start = round.saturating_mul(chunk).min(len);
    let end = start.saturating_add(chunk).min(len);
    start..end
}

/// Per-peer chunk for a collective over `size` ranks where each round's whole receive buffer
/// (the sum of all peers' pieces) must fit one MPI count, capped by `limit` bytes.
pub(crate) fn collective_chunk(size: usize, limit: usize) -> usize {
    (MAX_COUNT / size.max(1)).min(limit).max(1)
}

/// MPI counts and displacements (in bytes) for pieces of the given lengths laid end to end.
/// Callers keep the total within [`MAX_COUNT`], so the conversions cannot fail; if they somehow
/// did, the counts saturate and MPI reports a truncation, which is fatal, rather than corrupting.
pub(crate) fn counts_displs(lens: impl IntoIterator<Item = usize>) -> (Vec<i32>, Vec<i32>) {
    let mut counts = Vec::new();
    let mut displs = Vec::new();
    let mut at = 0usize;
    for len in lens {
        counts.push(to_count(len));
        displs.push(to_count(at));
        at += len;
    }
    (counts, displs)
}

/// A length as an MPI count, saturating (see [`counts_displs`]).
pub(crate) fn to_count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_cover_the_buffer_exactly() {
        for len in 0..40 {
            for chunk in 1..12 {
                let r = rounds(len, chunk);
                let mut got = Vec::new();
                for k in 0..r + 2 {
                    let p = piece(len, chunk, k);
                    assert!(p.len() <= chunk);
                    if k < r {
                        assert!(!p.is_empty());
                    } else {
                        assert!(p.is_empty());
                    }
                    got.extend(p);
                }
                assert_eq!(got, (0..len).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn huge_rounds_do_not_overflow() {
        assert_eq!(piece(10, usize::MAX, 3), 10..10);
        assert_eq!(
            piece(usize::MAX, 1 << 30, usize::MAX),
            usize::MAX..usize::MAX
        );
        assert_eq!(rounds(usize::MAX, 1), usize::MAX);
    }

    #[test]
    fn collective_chunk_fits_an_int() {
        for size in [1, 2, 3, 64, 1000, 1 << 20] {
            let c = collective_chunk(size, usize::MAX);
            assert!(c >= 1);
            assert!(c.saturating_mul(size) <= i32::MAX as usize || c == 1);
        }
        assert_eq!(collective_chunk(4, 5), 5);
        assert_eq!(collective_chunk(0, 0), 1);
    }

    #[test]
    fn counts_and_displacements() {
        let (c, d) = counts_displs([3, 0, 4]);
        assert_eq!(c, [3, 0, 4]);
        assert_eq!(d, [0, 3, 3]);
        assert_eq!(to_count(usize::MAX), i32::MAX);
    }
}
