//! Typed columns: what the writer is given, owned ([`ColumnData`]) or borrowed ([`ColumnSlice`]).

pub use netbuild_types::{Compression, Dtype};

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

/// An owned column of values.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    Str(Vec<String>),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dtype(&self) -> ColumnType {
        self.as_slice().dtype()
    }

    /// Borrows the whole column.
    pub fn as_slice(&self) -> ColumnSlice<'_> {
        match self {
            ColumnData::F32(v) => ColumnSlice::F32(v),
            ColumnData::F64(v) => ColumnSlice::F64(v),
            ColumnData::I32(v) => ColumnSlice::I32(v),
            ColumnData::I64(v) => ColumnSlice::I64(v),
            ColumnData::U32(v) => ColumnSlice::U32(v),
            ColumnData::U64(v) => ColumnSlice::U64(v),
            ColumnData::Str(v) => ColumnSlice::Str(v),
        }
    }
}

/// A borrowed run of values of one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnSlice<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U32(&'a [u32]),
    U64(&'a [u64]),
    Str(&'a [String]),
}

impl ColumnSlice<'_> {
    pub fn len(&self) -> usize {
        match self {
            ColumnSlice::F32(v) => v.len(),
            ColumnSlice::F64(v) => v.len(),
            ColumnSlice::I32(v) => v.len(),
            ColumnSlice::I64(v) => v.len(),
            ColumnSlice::U32(v) => v.len(),
            ColumnSlice::U64(v) => v.len(),
            ColumnSlice::Str(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dtype(&self) -> ColumnType {
        match self {
            ColumnSlice::F32(_) => Dtype::F32.into(),
            ColumnSlice::F64(_) => Dtype::F64.into(),
            ColumnSlice::I32(_) => Dtype::I32.into(),
            ColumnSlice::I64(_) => Dtype::I64.into(),
            ColumnSlice::U32(_) => Dtype::U32.into(),
            ColumnSlice::U64(_) => Dtype::U64.into(),
            ColumnSlice::Str(_) => ColumnType::Str,
        }
    }
}

/// A named column (a node or edge group property).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

impl Column {
    pub fn new(name: impl Into<String>, data: ColumnData) -> Self {
        Column {
            name: name.into(),
            data,
        }
    }
}

/// Provenance written as string attributes on the root group of every HDF5 file
/// (e.g. `netbuild_version`, `seed`, `spec_sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    pub attrs: Vec<(String, String)>,
}
