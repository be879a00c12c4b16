//! Typed columns: what the writer is given, owned ([`ColumnData`]) or borrowed ([`ColumnSlice`]).
//!
//! In: numbers as the vocabulary's [`NumColumn`] / [`NumSlice`] (`netbuild-types`: the one
//! definition of a numeric column, shared with the edge tables, so their columns reach the
//! writer without a copy), or strings. Out: a column the HDF5 code writes, with its
//! [`ColumnType`]. The two enums here only add strings to those numbers: node columns may hold
//! strings, edge columns never do.

pub use netbuild_types::{Compression, Dtype, NumColumn, NumSlice};

/// The element type of a column, as stored in HDF5: a number of a [`Dtype`], or a
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

/// Provenance written as string attributes on the root group of every HDF5 file
/// (e.g. `netbuild_version`, `seed`, `spec_sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// Attribute names and values, written in this order.
    pub attrs: Vec<(String, String)>,
}
