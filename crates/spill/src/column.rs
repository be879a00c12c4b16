//! The edge tables' columns and their on-disk and on-wire form.
//!
//! In: a [`NumColumn`] (the vocabulary's numeric column, the one column type of the tables).
//! Out: its values as plain little-endian bytes when spilled or sent to another
//! rank, and back (no serializer needed for bulk data).
//!
//! The column type itself lives in `netbuild-types` so that the SONATA writer takes a table's
//! columns as they are; the byte encoding stays here, as the [`LeBytes`] extension trait, because
//! only the spill files and the rank-to-rank messages use it.

use netbuild_model::Dtype;
use netbuild_types::NumColumn;
use netbuild_types::{each_num, NumSlice};

/// Bytes of one value of `dtype` (its [`Dtype::size`]).
pub fn width(dtype: Dtype) -> usize {
    dtype.size()
}

/// Little-endian bytes of a column's values: the spill file and wire format of the edge tables.
pub trait LeBytes {
    /// Appends the little-endian bytes of every value to `out`.
    fn write_le(&self, out: &mut Vec<u8>);

    /// Appends the little-endian bytes of the values at `range` to `out`.
    fn write_le_range(&self, range: std::ops::Range<usize>, out: &mut Vec<u8>);

    /// Appends values decoded from little-endian `bytes` (a whole number of values).
    fn extend_from_le(&mut self, bytes: &[u8]);
}

impl LeBytes for NumColumn {
    fn write_le(&self, out: &mut Vec<u8>) {
        self.write_le_range(0..self.len(), out)
    }

    fn write_le_range(&self, range: std::ops::Range<usize>, out: &mut Vec<u8>) {
        each_num!(NumSlice, self.as_slice(), v => {
            let v = &v[range];
            out.reserve(v.len() * std::mem::size_of_val(&v.first().copied().unwrap_or_default()));
            for x in v {
                out.extend_from_slice(&x.to_le_bytes());
            }
        })
    }

    fn extend_from_le(&mut self, bytes: &[u8]) {
        macro_rules! decode {
            ($v:ident, $t:ty) => {{
                const W: usize = std::mem::size_of::<$t>();
                $v.extend(bytes.chunks_exact(W).map(|c| {
                    let mut a = [0u8; W];
                    a.copy_from_slice(c);
                    <$t>::from_le_bytes(a)
                }))
            }};
        }
        match self {
            NumColumn::F32(v) => decode!(v, f32),
            NumColumn::F64(v) => decode!(v, f64),
            NumColumn::I32(v) => decode!(v, i32),
            NumColumn::I64(v) => decode!(v, i64),
            NumColumn::U32(v) => decode!(v, u32),
            NumColumn::U64(v) => decode!(v, u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_for_every_dtype() {
        for dtype in Dtype::ALL {
            let mut c = NumColumn::new(dtype);
            for x in [0.0, 1.5, 7.0, 3e9] {
                c.push_f64(x);
            }
            let mut bytes = Vec::new();
            c.write_le(&mut bytes);
            assert_eq!(bytes.len(), 4 * width(dtype));
            let mut d = NumColumn::new(dtype);
            d.extend_from_le(&bytes);
            assert_eq!(c, d);
        }
    }
}
