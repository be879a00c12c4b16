//! Spec texts edited for a test: a `[build]` key added, the output folder changed, a benchmark
//! shrunk to a small radius.

use std::path::Path;

use super::example;

/// The spec text with `line` added right after the `[build]` header.
pub fn with_build_key(spec_text: &str, line: &str) -> String {
    let mut out = String::new();
    let mut done = false;
    for l in spec_text.lines() {
        out.push_str(l);
        out.push('\n');
        if !done && l.trim() == "[build]" {
            out.push_str(line);
            out.push('\n');
            done = true;
        }
    }
    assert!(done, "the spec has no [build] section");
    out
}

/// The spec text with its `output_dir = ...` line replaced by `line`.
pub fn with_output_dir_line(spec_text: &str, line: &str) -> String {
    let mut found = false;
    let out: Vec<String> = spec_text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("output_dir") {
                found = true;
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(found, "the spec has no output_dir line");
    out.join("\n") + "\n"
}

/// A copy of the benchmark `name` shrunk to a cylinder of radius `radius` (micrometres) at the
/// same cell density: every `[[nodes]]` block drawn in a cylinder has its radius multiplied by
/// `radius` / the first cylinder's radius, and its N by the square of that; other blocks (the
/// background units) are kept. Written into `dir`.
pub fn small_radius_copy(name: &str, radius: f64, dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(example(name)).unwrap();
    let key = "cylinder = [";
    let radius_at = |line: &str| -> Option<(usize, usize, f64)> {
        let start = line.find(key)? + key.len();
        let len = line[start..].find(',')?;
        Some((start, len, line[start..start + len].trim().parse().ok()?))
    };
    let first = text
        .lines()
        .find_map(radius_at)
        .unwrap_or_else(|| panic!("{name}: no cylinder positions"))
        .2;
    let scale = radius / first;
    // Blocks start at `[[...]]` headers; only node blocks with a cylinder are shrunk.
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        if line.starts_with("[[") {
            blocks.push(Vec::new());
        }
        blocks.last_mut().unwrap().push(line);
    }
    let mut out = String::new();
    for block in blocks {
        let shrink = block.first().is_some_and(|h| h.starts_with("[[nodes]]"))
            && block.iter().any(|l| radius_at(l).is_some());
        for line in block {
            let new = match (shrink, line.strip_prefix("N = "), radius_at(line)) {
                (true, Some(n), _) => {
                    let n: f64 = n.trim().parse().unwrap();
                    format!("N = {}", (n * scale * scale).round().max(1.0))
                }
                (true, None, Some((start, len, r))) => {
                    format!("{}{:?}{}", &line[..start], r * scale, &line[start + len..])
                }
                _ => line.to_string(),
            };
            out.push_str(&new);
            out.push('\n');
        }
    }
    let path = dir.join(format!("{}_small.toml", name.trim_end_matches(".toml")));
    std::fs::write(&path, out).unwrap();
    path
}
