//! Bytes -> `netbuild_spec::parse_str`: any input must give `Ok` or a located `Err`, never a
//! panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A path in a folder that does not exist: `csv`/`file` references fail to open, cleanly.
    let path = Path::new("/nonexistent-netbuild-fuzz/spec.toml");
    if let Err(e) = netbuild_spec::parse_str(text, path) {
        // Formatting the error must not panic either (line/column computation).
        let _ = e.to_string();
    }
});
