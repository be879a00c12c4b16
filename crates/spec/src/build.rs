//! The `[build]` section.
//!
//! In: the located `[build]` table (or none) and the spec file's folder. Out: a [`BuildSection`]
//! with defaults filled in, paths resolved against the spec folder, the compression level and the
//! memory budget in bytes.

use crate::located::{Kind, Node, Source, Table};
use crate::values::{self, R};
use crate::{BuildSection, Compression, SortBy, Writer};
use std::path::Path;

pub const KEYS: [&str; 7] = [
    "seed",
    "output_dir",
    "compression",
    "sort_edges_by",
    "memory_budget",
    "spill_dir",
    "writer",
];

pub fn defaults(dir: &Path) -> BuildSection {
    BuildSection {
        seed: 0,
        output_dir: dir.join("network"),
        compression: Compression::None,
        sort_edges_by: SortBy::Target,
        memory_budget: None,
        spill_dir: None,
        writer: Writer::Auto,
    }
}

pub fn read(src: &Source, t: &Table, dir: &Path) -> R<BuildSection> {
    values::check_keys(src, t, &KEYS, "[build]")?;
    let mut b = defaults(dir);
    for e in &t.entries {
        let v = &e.value;
        match e.key.as_str() {
            "seed" => b.seed = values::uint(src, v, "seed")?,
            "output_dir" => {
                b.output_dir = dir.join(values::nonempty_string(src, v, "output_dir")?);
            }
            "compression" => b.compression = compression(src, v)?,
            "sort_edges_by" => {
                b.sort_edges_by = match values::string(src, v, "sort_edges_by")? {
                    "target" => SortBy::Target,
                    "source" => SortBy::Source,
                    _ => {
                        return Err(values::expected(
                            src,
                            v,
                            "\"target\" or \"source\"",
                            "sort_edges_by",
                        ))
                    }
                }
            }
            "memory_budget" => b.memory_budget = Some(memory_budget(src, v)?),
            "writer" => {
                b.writer = parse_writer(values::string(src, v, "writer")?)
                    .ok_or_else(|| values::expected(src, v, WRITER_EXPECTED, "writer"))?
            }
            "spill_dir" => {
                b.spill_dir = Some(dir.join(values::nonempty_string(src, v, "spill_dir")?));
            }
            _ => {}
        }
    }
    Ok(b)
}

/// What `writer` accepts.
pub const WRITER_EXPECTED: &str = "\"auto\", \"rank0\" or \"parallel\"";

/// `"auto"`, `"rank0"`, `"parallel"` → the [`Writer`] (the CLI's `--writer` too).
pub fn parse_writer(s: &str) -> Option<Writer> {
    match s {
        "auto" => Some(Writer::Auto),
        "rank0" => Some(Writer::Rank0),
        "parallel" => Some(Writer::Parallel),
        _ => None,
    }
}

fn compression(src: &Source, v: &Node) -> R<Compression> {
    const EXPECTED: &str = "\"none\", \"gzip\" or \"gzip:N\" with N in 1..9";
    let s = match &v.kind {
        Kind::Str(s) => s.as_str(),
        _ => return Err(values::expected(src, v, EXPECTED, "compression")),
    };
    match s {
        "none" => Ok(Compression::None),
        "gzip" => Ok(Compression::Gzip(4)),
        _ => match s.strip_prefix("gzip:").map(str::parse::<u8>) {
            Some(Ok(n)) if (1..=9).contains(&n) => Ok(Compression::Gzip(n)),
            _ => Err(values::expected(src, v, EXPECTED, "compression")),
        },
    }
}

fn memory_budget(src: &Source, v: &Node) -> R<u64> {
    const EXPECTED: &str =
        "a size such as \"512 MiB\", \"4 GiB\" or \"100 MB\", or a number of bytes > 0";
    let bytes = match &v.kind {
        Kind::Int(i) if *i > 0 => Some(*i as u64),
        Kind::Str(s) => parse_size(s),
        _ => None,
    };
    match bytes {
        Some(b) if b > 0 => Ok(b),
        _ => Err(values::expected(src, v, EXPECTED, "memory_budget")),
    }
}

/// `"512 MiB"`, `"1.5GiB"`, `"100 MB"`, `"4096"` (bytes) → bytes. Units: B, kB/KB, MB, GB, TB
/// (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024); K, M, G, T alone are binary.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let num: String = num.chars().filter(|&c| c != '_').collect();
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
        return None;
    }
    let x: f64 = num.parse().ok()?;
    let unit = unit.trim();
    let mult: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = (x * mult).round();
    // 2^64 as f64 is exact; anything at or above it does not fit.
    if !bytes.is_finite() || bytes >= 18_446_744_073_709_551_616.0 {
        return None;
    }
    Some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512 MiB"), Some(512 << 20));
        assert_eq!(parse_size("4 GiB"), Some(4 << 30));
        assert_eq!(parse_size("32 MiB"), Some(32 << 20));
        assert_eq!(parse_size("100 MB"), Some(100_000_000));
        assert_eq!(parse_size("1.5 GiB"), Some(3 << 29));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("12 parsecs"), None);
        assert_eq!(parse_size("MiB"), None);
        assert_eq!(parse_size("1.2.3 MiB"), None);
        assert_eq!(parse_size("99999999999 TiB"), None);
        assert_eq!(parse_size(""), None);
    }
}
