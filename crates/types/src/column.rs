//! Columns: the one definition of "a vector of values of one [`Dtype`]", owned
//! ([`NumColumn`]) or borrowed ([`NumSlice`]); of a column of numbers or strings
//! ([`ColumnData`], [`ColumnSlice`], typed by [`ColumnType`]); and of a named column of rows
//! ([`Column`], a dataset of a node or edge group).
//!
//! In: f64 values as rules and generators compute them (converted with `as` semantics), or
//! vectors already of the right type. Out: the typed values, their dtype, length and memory.
//!
//! Why here: the edge tables (`netbuild-spill`) fill columns and the SONATA writer
//! (`netbuild-sonata`) writes them; with one type in the vocabulary crate a table's columns go to
//! the writer as they are, without a variant-by-variant copy between two enums. The "numbers or
//! strings" columns live here too, not in the SONATA crate, so that an imported population
//! ([`crate::NodePopulation`]) is plain data the model takes without depending on HDF5. What
//! each side does with the bytes stays with it: the edge tables' spill/wire encoding is an
//! extension trait in `netbuild-spill`, the HDF5 layout is `netbuild-sonata`'s.

use crate::Dtype;

/// An owned column of one numeric dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum NumColumn {
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

/// A borrowed run of values of one numeric dtype (a [`NumColumn`]'s, or any slice's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumSlice<'a> {
    /// 32-bit floats.
    F32(&'a [f32]),
    /// 64-bit floats.
    F64(&'a [f64]),
    /// 32-bit signed integers.
    I32(&'a [i32]),
    /// 64-bit signed integers.
    I64(&'a [i64]),
    /// 32-bit unsigned integers.
    U32(&'a [u32]),
    /// 64-bit unsigned integers.
    U64(&'a [u64]),
}

/// Applies `$body` to the values inside any variant of `$enum` (`NumColumn` or `NumSlice`, in
/// scope at the call), binding them to `$v`: one place that lists the six dtypes for code that
/// does the same to each (e.g. byte encodings in the crates that own them).
#[macro_export]
macro_rules! each_num {
    ($enum:ident, $col:expr, $v:ident => $body:expr) => {
        match $col {
            $enum::F32($v) => $body,
            $enum::F64($v) => $body,
            $enum::I32($v) => $body,
            $enum::I64($v) => $body,
            $enum::U32($v) => $body,
            $enum::U64($v) => $body,
        }
    };
}

impl NumColumn {
    /// An empty column of `dtype`.
    pub fn new(dtype: Dtype) -> NumColumn {
        match dtype {
            Dtype::F32 => NumColumn::F32(Vec::new()),
            Dtype::F64 => NumColumn::F64(Vec::new()),
            Dtype::I32 => NumColumn::I32(Vec::new()),
            Dtype::I64 => NumColumn::I64(Vec::new()),
            Dtype::U32 => NumColumn::U32(Vec::new()),
            Dtype::U64 => NumColumn::U64(Vec::new()),
        }
    }

    /// `values` converted to `dtype` (see [`NumColumn::push_f64`]).
    pub fn from_f64s(values: &[f64], dtype: Dtype) -> NumColumn {
        let mut c = NumColumn::new(dtype);
        c.extend_f64(values);
        c
    }

    /// Borrows the whole column.
    #[inline]
    pub fn as_slice(&self) -> NumSlice<'_> {
        match self {
            NumColumn::F32(v) => NumSlice::F32(v),
            NumColumn::F64(v) => NumSlice::F64(v),
            NumColumn::I32(v) => NumSlice::I32(v),
            NumColumn::I64(v) => NumSlice::I64(v),
            NumColumn::U32(v) => NumSlice::U32(v),
            NumColumn::U64(v) => NumSlice::U64(v),
        }
    }

    /// The column's dtype.
    #[inline]
    pub fn dtype(&self) -> Dtype {
        self.as_slice().dtype()
    }

    /// The number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are no values.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every value (keeping the memory).
    pub fn clear(&mut self) {
        each_num!(NumColumn, self, v => v.clear())
    }

    /// Appends `x` converted to the column's dtype (`as` semantics: saturating for integers,
    /// NaN to 0; integer properties come from expressions that users round themselves).
    #[inline]
    pub fn push_f64(&mut self, x: f64) {
        match self {
            NumColumn::F32(v) => v.push(x as f32),
            NumColumn::F64(v) => v.push(x),
            NumColumn::I32(v) => v.push(x as i32),
            NumColumn::I64(v) => v.push(x as i64),
            NumColumn::U32(v) => v.push(x as u32),
            NumColumn::U64(v) => v.push(x as u64),
        }
    }

    /// Appends every value of `values`, converted as by [`NumColumn::push_f64`].
    pub fn extend_f64(&mut self, values: &[f64]) {
        for &x in values {
            self.push_f64(x);
        }
    }

    /// Makes room for one more value without ever holding more than `limit` values' worth of
    /// memory: capacity doubles as usual but stops at `limit` (a memory budget in rows), so a
    /// buffer never overshoots its budget by a doubling.
    #[inline]
    pub fn grow_within(&mut self, limit: usize) {
        each_num!(NumColumn, self, v => {
            if v.len() == v.capacity() {
                let add = v.capacity().max(1024).min(limit.saturating_sub(v.capacity())).max(1);
                v.reserve_exact(add);
            }
        })
    }

    /// Frees the buffer's memory (after its values went elsewhere).
    pub fn release(&mut self) {
        each_num!(NumColumn, self, v => *v = Vec::new())
    }

    /// The values at `positions`, in that order.
    pub fn gather(&self, positions: &[usize]) -> NumColumn {
        match self {
            NumColumn::F32(v) => NumColumn::F32(positions.iter().map(|&i| v[i]).collect()),
            NumColumn::F64(v) => NumColumn::F64(positions.iter().map(|&i| v[i]).collect()),
            NumColumn::I32(v) => NumColumn::I32(positions.iter().map(|&i| v[i]).collect()),
            NumColumn::I64(v) => NumColumn::I64(positions.iter().map(|&i| v[i]).collect()),
            NumColumn::U32(v) => NumColumn::U32(positions.iter().map(|&i| v[i]).collect()),
            NumColumn::U64(v) => NumColumn::U64(positions.iter().map(|&i| v[i]).collect()),
        }
    }

    /// Value `i` as f64 (exact for every dtype but 64-bit integers beyond 2^53).
    #[inline]
    pub fn get_f64(&self, i: usize) -> f64 {
        match self {
            NumColumn::F32(v) => f64::from(v[i]),
            NumColumn::F64(v) => v[i],
            NumColumn::I32(v) => f64::from(v[i]),
            NumColumn::I64(v) => v[i] as f64,
            NumColumn::U32(v) => f64::from(v[i]),
            NumColumn::U64(v) => v[i] as f64,
        }
    }

    /// Bytes of the values held (not counting spare capacity).
    pub fn heap_bytes(&self) -> usize {
        self.len() * self.dtype().size()
    }
}

impl NumSlice<'_> {
    /// The values' dtype.
    #[inline]
    pub fn dtype(&self) -> Dtype {
        match self {
            NumSlice::F32(_) => Dtype::F32,
            NumSlice::F64(_) => Dtype::F64,
            NumSlice::I32(_) => Dtype::I32,
            NumSlice::I64(_) => Dtype::I64,
            NumSlice::U32(_) => Dtype::U32,
            NumSlice::U64(_) => Dtype::U64,
        }
    }

    /// The number of values.
    #[inline]
    pub fn len(&self) -> usize {
        each_num!(NumSlice, self, v => v.len())
    }

    /// Whether there are no values.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> From<&'a NumColumn> for NumSlice<'a> {
    fn from(c: &'a NumColumn) -> Self {
        c.as_slice()
    }
}

/// The element type of a column as a SONATA file stores it: a number of a [`Dtype`], or a
/// variable-length UTF-8 string (what h5py writes for `str`, and what BMTK and libsonata read).
/// Only node columns hold strings; edge columns are numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// Numbers of this dtype.
    Num(Dtype),
    /// Variable-length UTF-8 strings.
    Str,
}

impl ColumnType {
    /// Bytes per element in memory (the pointer size for strings).
    pub fn size(self) -> usize {
        match self {
            ColumnType::Num(d) => d.size(),
            ColumnType::Str => std::mem::size_of::<usize>(),
        }
    }

    /// The lower-case name used in specs and messages (`f32`, ..., `str`).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Num(d) => d.name(),
            ColumnType::Str => "str",
        }
    }
}

impl From<Dtype> for ColumnType {
    fn from(d: Dtype) -> Self {
        ColumnType::Num(d)
    }
}

impl PartialEq<Dtype> for ColumnType {
    fn eq(&self, other: &Dtype) -> bool {
        *self == ColumnType::Num(*other)
    }
}

impl std::fmt::Display for ColumnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An owned column of values: numbers of one dtype, or strings.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers (the vocabulary's column, as the edge tables fill it).
    Num(NumColumn),
    /// Variable-length UTF-8 strings.
    Str(Vec<String>),
}

impl ColumnData {
    /// The number of values.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type.
    pub fn dtype(&self) -> ColumnType {
        self.as_slice().dtype()
    }

    /// Borrows the whole column.
    pub fn as_slice(&self) -> ColumnSlice<'_> {
        match self {
            ColumnData::Num(c) => ColumnSlice::Num(c.as_slice()),
            ColumnData::Str(v) => ColumnSlice::Str(v),
        }
    }
}

impl From<NumColumn> for ColumnData {
    fn from(c: NumColumn) -> Self {
        ColumnData::Num(c)
    }
}

/// A borrowed run of values of one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnSlice<'a> {
    /// Numbers of one dtype.
    Num(NumSlice<'a>),
    /// Variable-length UTF-8 strings.
    Str(&'a [String]),
}

impl ColumnSlice<'_> {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnSlice::Num(v) => v.len(),
            ColumnSlice::Str(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type.
    pub fn dtype(&self) -> ColumnType {
        match self {
            ColumnSlice::Num(v) => v.dtype().into(),
            ColumnSlice::Str(_) => ColumnType::Str,
        }
    }
}

impl<'a> From<NumSlice<'a>> for ColumnSlice<'a> {
    fn from(v: NumSlice<'a>) -> Self {
        ColumnSlice::Num(v)
    }
}

impl<'a> From<&'a NumColumn> for ColumnSlice<'a> {
    fn from(c: &'a NumColumn) -> Self {
        ColumnSlice::Num(c.as_slice())
    }
}

/// A named column (a node or edge group property): one row per node or edge, of `width` values
/// each. Width 1 is a 1-D dataset; a wider one (node columns only: BMTK's N x 3 `positions`) is
/// an N x `width` dataset whose values `data` holds row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The dataset's name in the group.
    pub name: String,
    /// The values (rows * width of them).
    pub data: ColumnData,
    /// Values per row (>= 1).
    pub width: usize,
}

impl Column {
    /// A 1-D column named `name` holding `data`.
    pub fn new(name: impl Into<String>, data: ColumnData) -> Self {
        Column::rows(name, data, 1)
    }

    /// A column named `name` of rows of `width` values, `data` row by row.
    pub fn rows(name: impl Into<String>, data: ColumnData, width: usize) -> Self {
        Column {
            name: name.into(),
            data,
            width,
        }
    }

    /// The number of rows (nodes or edges).
    pub fn n_rows(&self) -> usize {
        self.data.len() / self.width.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f64_values_convert_with_as_semantics() {
        let c = NumColumn::from_f64s(&[1.9, -2.5, f64::NAN, 5e9], Dtype::I32);
        assert_eq!(c, NumColumn::I32(vec![1, -2, 0, i32::MAX]));
        let c = NumColumn::from_f64s(&[1.5, -1.0], Dtype::U64);
        assert_eq!(c, NumColumn::U64(vec![1, 0]));
    }

    #[test]
    fn every_dtype_round_trips_through_new_and_slices() {
        for dtype in Dtype::ALL {
            let mut c = NumColumn::new(dtype);
            assert!(c.is_empty());
            c.extend_f64(&[3.0, 1.0, 2.0]);
            assert_eq!(c.dtype(), dtype);
            assert_eq!(c.as_slice().dtype(), dtype);
            assert_eq!(c.as_slice().len(), 3);
            assert_eq!(c.heap_bytes(), 3 * dtype.size());
            let g = c.gather(&[2, 0]);
            assert_eq!((g.get_f64(0), g.get_f64(1)), (2.0, 3.0));
            c.clear();
            assert_eq!(c.len(), 0);
            assert_eq!(c.dtype(), dtype);
        }
    }

    #[test]
    fn growth_stops_at_the_limit() {
        let mut c = NumColumn::new(Dtype::F64);
        for _ in 0..10 {
            c.grow_within(10);
            c.push_f64(1.0);
        }
        assert!(matches!(&c, NumColumn::F64(v) if v.capacity() == 10));
    }
}
