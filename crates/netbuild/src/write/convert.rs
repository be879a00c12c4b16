//! The few conversions between the model's types and the SONATA writer's.

use netbuild_edges::Column;
use netbuild_model::Dtype;
use netbuild_model::Scalar;
use netbuild_sonata as sonata;

/// A table column as the writer's borrowed slice.
pub(crate) fn column_slice(c: &Column) -> sonata::ColumnSlice<'_> {
    match c {
        Column::F32(v) => sonata::ColumnSlice::F32(v),
        Column::F64(v) => sonata::ColumnSlice::F64(v),
        Column::I32(v) => sonata::ColumnSlice::I32(v),
        Column::I64(v) => sonata::ColumnSlice::I64(v),
        Column::U32(v) => sonata::ColumnSlice::U32(v),
        Column::U64(v) => sonata::ColumnSlice::U64(v),
    }
}

/// Numbers from the model converted to a stored dtype.
pub(crate) fn numbers(data: &[f64], d: Dtype) -> sonata::ColumnData {
    let mut c = Column::new(d);
    for &x in data {
        c.push_f64(x);
    }
    match c {
        Column::F32(v) => sonata::ColumnData::F32(v),
        Column::F64(v) => sonata::ColumnData::F64(v),
        Column::I32(v) => sonata::ColumnData::I32(v),
        Column::I64(v) => sonata::ColumnData::I64(v),
        Column::U32(v) => sonata::ColumnData::U32(v),
        Column::U64(v) => sonata::ColumnData::U64(v),
    }
}

/// A scalar as a type-table cell, written the way pandas writes Python values.
pub(crate) fn cell(s: &Scalar) -> String {
    match s {
        Scalar::Str(s) => s.clone(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
        Scalar::Bool(true) => "True".into(),
        Scalar::Bool(false) => "False".into(),
    }
}
