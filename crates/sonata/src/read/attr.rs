//! HDF5 attributes and types as readers need them: a string attribute of any of the string
//! types SONATA writers use, and a dtype's name for messages.
//!
//! In: an open file, group or dataset. Out: the attribute's text, or why it cannot be read.

use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};
use hdf5::Location;

/// A dtype as people name it: `int32`, `uint64`, `float64`, else HDF5's own description.
pub fn dtype_name(t: &TypeDescriptor) -> String {
    match t {
        TypeDescriptor::Integer(s) => format!("int{}", *s as usize * 8),
        TypeDescriptor::Unsigned(s) => format!("uint{}", *s as usize * 8),
        TypeDescriptor::Float(s) => format!("float{}", *s as usize * 8),
        other => other.to_string(),
    }
}

/// The string attribute `name` of a file, group or dataset (its first value when it holds
/// several): `Ok(None)` when absent, `Err` (why) when it is not a string or cannot be read.
/// Variable- and fixed-length, ASCII and UTF-8 strings are read alike (netbuild writes
/// variable-length UTF-8, h5py and BMTK either).
pub fn string_attr(loc: &Location, name: &str) -> Result<Option<String>, String> {
    if !loc
        .attr_names()
        .map_err(|e| e.to_string())?
        .iter()
        .any(|n| n == name)
    {
        return Ok(None);
    }
    let a = loc.attr(name).map_err(|e| e.to_string())?;
    let t = a
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("unreadable type: {e}"))?;
    let first = |v: Vec<String>| v.into_iter().next().ok_or_else(|| "empty".to_string());
    let r = match t {
        TypeDescriptor::VarLenUnicode => a
            .read_raw::<VarLenUnicode>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        TypeDescriptor::VarLenAscii => a
            .read_raw::<VarLenAscii>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        TypeDescriptor::FixedAscii(_) => a
            .read_raw::<FixedAscii<1024>>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        TypeDescriptor::FixedUnicode(_) => a
            .read_raw::<FixedUnicode<1024>>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        other => return Err(format!("expected a string, found {}", dtype_name(&other))),
    };
    r.map_err(|e| format!("unreadable: {e}"))
        .and_then(first)
        .map(Some)
}
