//! Keyed random streams: the source of every random draw in a build.
//!
//! In: the build seed, a domain (what the draw belongs to: a node block's property, an edge type),
//! a node id and a purpose. Out: a ChaCha8 generator positioned on its own stream.
//!
//! Why keyed streams and not one shared generator: a draw's value must not depend on which rank
//! or in which order it is made, so that 1 rank and 64 ranks, spilled or not, write the same rows.
//! ChaCha's key + stream number make "the generator for (edge type 7, target 123456, nsyns)" a
//! cheap constant-time seek.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is used for; distinct purposes never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Per-node property values of a node block (node = property index).
    NodeProperty = 0,
    /// Which sources a target connects to.
    Connect = 1,
    /// Synapses per connection.
    Nsyns = 2,
    /// Per-edge property values.
    EdgeProperty = 3,
    /// Which targets a source connects to (`outdegree`).
    Outdegree = 4,
    /// How many synapses each target receives (`total`).
    Total = 5,
    /// Candidate positions of a node of a block with `positions` (node = index in the block).
    Position = 6,
    /// Where each synapse of a target sits on its morphology (`[edges.locations]`).
    SynLocation = 7,
}

/// What a stream's key is derived from: node blocks and edge types never share keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// A node block (its index in the circuit).
    NodeBlock(usize),
    /// An edge type (its index in the circuit).
    EdgeType(usize),
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of draws of `purpose` for `node` within `domain`, under `seed`.
pub fn stream(seed: u64, domain: Domain, node: u64, purpose: Purpose) -> ChaCha8Rng {
    let (tag, index) = match domain {
        Domain::NodeBlock(i) => (0x6e6f_6465u64, i as u64),
        Domain::EdgeType(i) => (0x6564_6765u64, i as u64),
    };
    let words = [
        splitmix64(seed),
        splitmix64(seed ^ splitmix64(tag)),
        splitmix64(index ^ splitmix64(tag.rotate_left(17))),
        splitmix64(seed.rotate_left(29) ^ index),
    ];
    let mut key = [0u8; 32];
    for (chunk, w) in key.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    // Up to 8 purposes fit in 3 bits; node ids up to 2^61 keep streams distinct.
    rng.set_stream((node << 3) | purpose as u64);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: u64 = stream(1, Domain::EdgeType(0), 5, Purpose::Connect).gen();
        let b: u64 = stream(1, Domain::EdgeType(0), 5, Purpose::Connect).gen();
        assert_eq!(a, b);
        let others = [
            stream(2, Domain::EdgeType(0), 5, Purpose::Connect).gen::<u64>(),
            stream(1, Domain::EdgeType(1), 5, Purpose::Connect).gen::<u64>(),
            stream(1, Domain::NodeBlock(0), 5, Purpose::Connect).gen::<u64>(),
            stream(1, Domain::EdgeType(0), 6, Purpose::Connect).gen::<u64>(),
            stream(1, Domain::EdgeType(0), 5, Purpose::Nsyns).gen::<u64>(),
        ];
        for o in others {
            assert_ne!(a, o);
        }
    }
}
