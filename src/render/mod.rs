//! Text for people: the number, size and selector formats and the aligned tables the
//! commands print. In: library data (counts, byte sizes, selectors, an estimate). Out: strings.
//! The library crates compute; how their results read is decided here.

pub mod estimate;

use netbuild::model::{Scalar, Selector};

/// `net[ei=e]`, `net[pop_name=L4E|L4I]`, `net`.
pub fn selection(sel: &Selector) -> String {
    if sel.filters.is_empty() {
        return sel.network.clone();
    }
    let value = |s: &Scalar| match s {
        Scalar::Str(s) => s.clone(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    };
    let filters: Vec<String> = sel
        .filters
        .iter()
        .map(|(k, vs)| format!("{k}={}", vs.iter().map(value).collect::<Vec<_>>().join("|")))
        .collect();
    format!("{}[{}]", sel.network, filters.join(","))
}

/// 7680728 → `7,680,728`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let head = match s.len() % 3 {
        0 => 3.min(s.len()),
        r => r,
    };
    let mut out = s[..head].to_string();
    for group in s.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).unwrap_or_default());
    }
    out
}

/// 1536 → `1.5 KiB`.
pub fn bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut x = b.max(0.0);
    let mut u = 0;
    while x >= 1024.0 && u + 1 < units.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{x:.0} B")
    } else {
        format!("{x:.1} {}", units[u])
    }
}

/// A table row from string slices.
pub fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// Aligned columns, two spaces apart, indented by two; `right[i]` right-aligns column i.
pub fn table(rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            line.push(' ');
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if c + 1 < r.len() {
                    line.push_str(&" ".repeat(pad));
                }
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use netbuild::model::{all_nodes, SelectorExt};

    #[test]
    fn formatting() {
        assert_eq!(thousands(7_680_728), "7,680,728");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(123), "123");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(100.0), "100 B");
        assert_eq!(
            selection(&all_nodes("v1").filters_eq("pop_name", "L4E")),
            "v1[pop_name=L4E]"
        );
        assert_eq!(selection(&all_nodes("v1")), "v1");
    }

    #[test]
    fn tables_align_columns() {
        let t = table(
            &[row(&["name", "n"]), row(&["a", "1000"]), row(&["bb", "7"])],
            &[false, true],
        );
        assert_eq!(t, "  name     n\n  a     1000\n  bb       7\n");
    }
}
