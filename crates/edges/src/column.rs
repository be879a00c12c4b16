//! Typed numeric columns: the buffers of an edge table, their on-disk and on-wire form.
//!
//! In: f64 values as rules compute them. Out: the column's own dtype, stored as plain
//! little-endian bytes when spilled or sent to another rank (no serializer needed for bulk data).

use netbuild_model::Dtype;

/// A column of one numeric dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// 32-bit floats.
    F32(Vec<f32>),
    /// 64-bit floats.
    F64(Vec<f64>),
    /// 32-bit signed integers.
    I32(Vec<i32>),
    /// 64-bit signed integers.
    I64(Vec<i64>),
    /// 32-bit unsigned integers.
    U32(Vec<u32>),
    /// 64-bit unsigned integers.
    U64(Vec<u64>),
}

/// Applies `$body` to the vector inside any variant, binding it to `$v`.
macro_rules! each_variant {
    ($col:expr, $v:ident => $body:expr) => {
        match $col {
            Column::F32($v) => $body,
            Column::F64($v) => $body,
            Column::I32($v) => $body,
            Column::I64($v) => $body,
            Column::U32($v) => $body,
            Column::U64($v) => $body,
        }
    };
}

/// Bytes of one value of `dtype` (its [`Dtype::size`]).
pub fn width(dtype: Dtype) -> usize {
    dtype.size()
}

impl Column {
    /// An empty column of `dtype`.
    pub fn new(dtype: Dtype) -> Column {
        match dtype {
            Dtype::F32 => Column::F32(Vec::new()),
            Dtype::F64 => Column::F64(Vec::new()),
            Dtype::I32 => Column::I32(Vec::new()),
            Dtype::I64 => Column::I64(Vec::new()),
            Dtype::U32 => Column::U32(Vec::new()),
            Dtype::U64 => Column::U64(Vec::new()),
        }
    }

    /// The column's dtype.
    pub fn dtype(&self) -> Dtype {
        match self {
            Column::F32(_) => Dtype::F32,
            Column::F64(_) => Dtype::F64,
            Column::I32(_) => Dtype::I32,
            Column::I64(_) => Dtype::I64,
            Column::U32(_) => Dtype::U32,
            Column::U64(_) => Dtype::U64,
        }
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        each_variant!(self, v => v.len())
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every value (keeping the memory).
    pub fn clear(&mut self) {
        each_variant!(self, v => v.clear())
    }

    /// Appends `x` converted to the column's dtype (`as` semantics: saturating for integers,
    /// NaN to 0; integer properties come from expressions that users round themselves).
    #[inline]
    pub fn push_f64(&mut self, x: f64) {
        match self {
            Column::F32(v) => v.push(x as f32),
            Column::F64(v) => v.push(x),
            Column::I32(v) => v.push(x as i32),
            Column::I64(v) => v.push(x as i64),
            Column::U32(v) => v.push(x as u32),
            Column::U64(v) => v.push(x as u64),
        }
    }

    /// Appends the little-endian bytes of every value to `out`.
    pub fn write_le(&self, out: &mut Vec<u8>) {
        self.write_le_range(0..self.len(), out)
    }

    /// Appends the little-endian bytes of the values at `range` to `out`.
    pub fn write_le_range(&self, range: std::ops::Range<usize>, out: &mut Vec<u8>) {
        each_variant!(self, v => {
            let v = &v[range];
            out.reserve(v.len() * std::mem::size_of_val(&v.first().copied().unwrap_or_default()));
            for x in v {
                out.extend_from_slice(&x.to_le_bytes());
            }
        })
    }

    /// Appends values decoded from little-endian `bytes` (a whole number of values).
    pub fn extend_from_le(&mut self, bytes: &[u8]) {
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
            Column::F32(v) => decode!(v, f32),
            Column::F64(v) => decode!(v, f64),
            Column::I32(v) => decode!(v, i32),
            Column::I64(v) => decode!(v, i64),
            Column::U32(v) => decode!(v, u32),
            Column::U64(v) => decode!(v, u64),
        }
    }

    /// Makes room for one more value without ever holding more than `limit` values' worth of
    /// memory: capacity doubles as usual but stops at `limit` (the memory budget in rows), so
    /// a table never overshoots its budget by a doubling.
    #[inline]
    pub fn grow_within(&mut self, limit: usize) {
        each_variant!(self, v => {
            if v.len() == v.capacity() {
                let add = v.capacity().max(1024).min(limit.saturating_sub(v.capacity())).max(1);
                v.reserve_exact(add);
            }
        })
    }

    /// Frees the buffer's memory (after its values went to disk).
    pub fn release(&mut self) {
        each_variant!(self, v => *v = Vec::new())
    }

    /// The values at `positions`, in that order.
    pub fn gather(&self, positions: &[usize]) -> Column {
        match self {
            Column::F32(v) => Column::F32(positions.iter().map(|&i| v[i]).collect()),
            Column::F64(v) => Column::F64(positions.iter().map(|&i| v[i]).collect()),
            Column::I32(v) => Column::I32(positions.iter().map(|&i| v[i]).collect()),
            Column::I64(v) => Column::I64(positions.iter().map(|&i| v[i]).collect()),
            Column::U32(v) => Column::U32(positions.iter().map(|&i| v[i]).collect()),
            Column::U64(v) => Column::U64(positions.iter().map(|&i| v[i]).collect()),
        }
    }

    /// Value `i` as f64 (exact for every dtype but 64-bit integers beyond 2^53).
    pub fn get_f64(&self, i: usize) -> f64 {
        match self {
            Column::F32(v) => f64::from(v[i]),
            Column::F64(v) => v[i],
            Column::I32(v) => f64::from(v[i]),
            Column::I64(v) => v[i] as f64,
            Column::U32(v) => f64::from(v[i]),
            Column::U64(v) => v[i] as f64,
        }
    }

    /// Bytes held in memory.
    pub fn heap_bytes(&self) -> usize {
        self.len() * width(self.dtype())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_for_every_dtype() {
        for dtype in Dtype::ALL {
            let mut c = Column::new(dtype);
            for x in [0.0, 1.5, 7.0, 3e9] {
                c.push_f64(x);
            }
            let mut bytes = Vec::new();
            c.write_le(&mut bytes);
            assert_eq!(bytes.len(), 4 * width(dtype));
            let mut d = Column::new(dtype);
            d.extend_from_le(&bytes);
            assert_eq!(c, d);
        }
    }
}
