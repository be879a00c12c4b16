//! [`Dtype`]: the numeric type of a column, as a spec names it (`f32`, ..., `u64`), as the edge
//! tables buffer it and as the SONATA writer stores it in HDF5.

/// The numeric element type of a column. (Strings are a SONATA writer's matter only: its column
/// type adds them to these.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 32-bit signed integer.
    I32,
    /// 64-bit signed integer.
    I64,
    /// 32-bit unsigned integer.
    U32,
    /// 64-bit unsigned integer.
    U64,
}

impl Dtype {
    /// Every dtype, in the order of the spec's list of names.
    pub const ALL: [Dtype; 6] = [
        Dtype::F32,
        Dtype::F64,
        Dtype::I32,
        Dtype::I64,
        Dtype::U32,
        Dtype::U64,
    ];

    /// Whether values of this dtype are integers.
    pub fn is_integer(self) -> bool {
        !matches!(self, Dtype::F32 | Dtype::F64)
    }

    /// Bytes of one value.
    pub fn size(self) -> usize {
        match self {
            Dtype::F32 | Dtype::I32 | Dtype::U32 => 4,
            Dtype::F64 | Dtype::I64 | Dtype::U64 => 8,
        }
    }

    /// The lower-case name used in specs and messages (`f32`, ..., `u64`).
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
            Dtype::I32 => "i32",
            Dtype::I64 => "i64",
            Dtype::U32 => "u32",
            Dtype::U64 => "u64",
        }
    }

    /// Whether the finite number `x` is within the range of `self` (integers: after dropping
    /// the fraction, as a cast does). Outside it, a cast clamps an integer and makes an f32
    /// infinite.
    #[inline]
    pub fn holds(self, x: f64) -> bool {
        // Integer bounds as exact powers of two: the upper ones are excluded.
        let two = |k: i32| 2f64.powi(k);
        // `trunc` in the integer arms only: it is a call to libm on baseline x86-64, made for
        // every float value too when it stood before the match (2% of Allen's V1 build).
        let int = |lo: f64, hi: f64| (lo..hi).contains(&x.trunc());
        match self {
            Dtype::F64 => x.is_finite(),
            Dtype::F32 => (x as f32).is_finite(),
            Dtype::I32 => int(-two(31), two(31)),
            Dtype::U32 => int(0.0, two(32)),
            Dtype::I64 => int(-two(63), two(63)),
            Dtype::U64 => int(0.0, two(64)),
        }
    }
}

impl std::fmt::Display for Dtype {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_sizes() {
        assert!(Dtype::U32.holds(4294967295.5));
        assert!(!Dtype::U32.holds(4294967296.0));
        assert!(!Dtype::U64.holds(-1.0));
        assert!(!Dtype::F32.holds(1e40));
        assert!(Dtype::F64.holds(1e300));
        assert_eq!(Dtype::ALL.map(Dtype::size), [4, 8, 4, 8, 4, 8]);
        assert_eq!(Dtype::I64.to_string(), "i64");
    }
}
