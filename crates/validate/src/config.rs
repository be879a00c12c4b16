//! Finding the files of a circuit, with netbuild's one finder
//! ([`netbuild_sonata::find_circuit`]): what it could not read and every problem it met in how
//! the files are listed become findings (errors) and notes.

use std::path::Path;

use netbuild_sonata::read::circuit::{FindError, Severity};
use netbuild_sonata::{CircuitFiles, CIRCUIT_CONFIG};

use crate::Sink;

/// The files of the circuit in `dir`; none when they cannot be listed (a finding says why).
pub(crate) fn discover(dir: &Path, sink: &mut Sink) -> CircuitFiles {
    let shown = dir.display().to_string();
    let found = match netbuild_sonata::find_circuit(dir) {
        Ok(found) => found,
        Err(e) => {
            match e {
                FindError::NotAFolder { .. } => sink.error(&shown, "", "not a folder"),
                FindError::CannotList { source, .. } => {
                    sink.error(&shown, "", format!("cannot list: {source}"))
                }
                FindError::ConfigUnreadable { source, .. } => {
                    sink.error(CIRCUIT_CONFIG, "", format!("cannot read: {source}"))
                }
                FindError::ConfigNotJson { source, .. } => {
                    sink.error(CIRCUIT_CONFIG, "", format!("invalid JSON: {source}"))
                }
            }
            return CircuitFiles::default();
        }
    };
    for p in found.problems {
        match p.severity {
            Severity::Note => sink.note(&p.file, &p.object, p.message),
            Severity::Error | Severity::Skipped => sink.error(&p.file, &p.object, p.message),
        }
    }
    found.files
}
