//! The one conversion left between the model's types and the SONATA writer's: a scalar as a
//! type-table cell. (Numeric columns need none: the edge tables and the writer share
//! `netbuild_types::NumColumn`.)

use netbuild_model::Scalar;

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
