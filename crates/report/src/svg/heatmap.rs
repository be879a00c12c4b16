//! Heat maps: one cell per (row, column) on a sequential colour scale, with row and column
//! labels and a colour bar. In: a [`Heatmap`] (labels, values, tooltips, the scale's maximum)
//! and the cell size. Out: one `<svg>` element.

use super::{escape, open_svg, tick_label, ticks, AXIS};
use std::fmt::Write;

/// A sequential colour scale, light (0) to dark (1): ColorBrewer's YlGnBu, so that an empty
/// cell reads as paper and the densest as ink, also in greyscale.
const HEAT: [(f64, f64, f64); 7] = [
    (255.0, 255.0, 217.0),
    (199.0, 233.0, 180.0),
    (127.0, 205.0, 187.0),
    (65.0, 182.0, 196.0),
    (29.0, 145.0, 192.0),
    (34.0, 94.0, 168.0),
    (12.0, 44.0, 132.0),
];
/// Cells without a value (no edges population joins their groups, or no pair is possible).
pub const NO_VALUE: &str = "#e4e4e4";

/// The colour of `t` in [0, 1] on the heat scale.
pub fn heat_color(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (HEAT.len() - 1) as f64;
    let i = (x.floor() as usize).min(HEAT.len() - 2);
    let f = x - i as f64;
    let (a, b) = (HEAT[i], HEAT[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// A number in about four characters for a heat map cell: `4e-4`, `.008`, `.034`, `.50`, `1.5`,
/// `12`, `1.2k`.
pub fn short(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let s = if a >= 9_999.5 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 999.5 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 9.95 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else if a < 0.00095 {
        format!("{v:.0e}")
    } else if a < 0.0095 {
        format!("{v:.3}")
    } else {
        let dec = (1.0 - a.log10().floor()).max(2.0) as usize;
        format!("{v:.dec$}")
    };
    match s.strip_prefix("0.") {
        Some(rest) => format!(".{rest}"),
        None => s,
    }
}

/// A heat map: one cell per (row, column) on a linear colour scale from 0 to `vmax`, with a
/// colour bar on the right.
pub struct Heatmap<'a> {
    /// Row labels, top to bottom.
    pub rows: &'a [String],
    /// Column labels, left to right.
    pub cols: &'a [String],
    /// Row-major; `None`: no value (grey).
    pub values: &'a [Option<f64>],
    /// Tooltip of each cell, row-major.
    pub titles: &'a [String],
    /// The value of the darkest colour (larger values are drawn as it).
    pub vmax: f64,
    /// What the rows are (axis title).
    pub row_title: &'a str,
    /// What the columns are (axis title).
    pub col_title: &'a str,
    /// What the colour means (colour bar title).
    pub scale_title: &'a str,
}

/// Draws `h` with cells of at most `cell` pixels in about `width` pixels; cells of 22 pixels
/// and more carry their value.
pub fn heatmap(h: &Heatmap, width: f64, cell: f64) -> String {
    let (nr, nc) = (h.rows.len(), h.cols.len());
    let chars = |v: &[String]| v.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let left = (chars(h.rows) * 7.0 + 34.0).clamp(60.0, 220.0);
    let top = (chars(h.cols) * 5.6 + 18.0).clamp(40.0, 180.0);
    let legend = 92.0;
    // Whole pixels: the cells' coordinates print without decimals.
    let cs = ((width - left - legend) / nc.max(1) as f64)
        .min(cell)
        .max(4.0)
        .floor();
    let (left, top) = (left.round(), top.round());
    let (w, hh) = (cs * nc as f64, cs * nr as f64);
    let (total_w, total_h) = (left + w + legend, top + hh + 34.0);
    let mut out = String::new();
    open_svg(&mut out, total_w.ceil(), total_h.ceil(), h.scale_title);
    let vmax = if h.vmax > 0.0 && h.vmax.is_finite() {
        h.vmax
    } else {
        1.0
    };
    let font = (cs * 0.36).clamp(7.0, 11.0);
    // Cells (with their tooltips), then their values in one group that lets the pointer
    // through to the cells, then white lines between the cells: the attributes common to
    // hundreds of cells are written once.
    let mut cells = String::new();
    let mut values = String::new();
    let mut labels = String::new();
    for (i, row) in h.rows.iter().enumerate() {
        let y = top + i as f64 * cs;
        let _ = write!(
            labels,
            "<text x=\"{:.0}\" y=\"{:.1}\">{}</text>",
            left - 5.0,
            y + cs / 2.0 + 4.0,
            escape(row)
        );
        for j in 0..nc {
            let k = i * nc + j;
            let x = left + j as f64 * cs;
            let v = h.values.get(k).copied().flatten();
            let (fill, t) = match v {
                Some(v) => (heat_color(v / vmax), v / vmax),
                None => (NO_VALUE.to_string(), 0.0),
            };
            let _ = write!(
                cells,
                "<rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{cs:.0}\" height=\"{cs:.0}\" \
                 fill=\"{fill}\"><title>{}</title></rect>",
                escape(h.titles.get(k).map_or("", String::as_str))
            );
            if let (Some(v), true) = (v, cs >= 22.0) {
                let _ = write!(
                    values,
                    "<text x=\"{:.1}\" y=\"{:.1}\"{}>{}</text>",
                    x + cs / 2.0,
                    y + cs / 2.0 + font * 0.35,
                    if t > 0.5 { " fill=\"#fff\"" } else { "" },
                    short(v)
                );
            }
        }
    }
    let mut lines = String::new();
    for i in 1..nr {
        let _ = write!(lines, "M{left:.0},{:.0}h{w:.0}", top + i as f64 * cs);
    }
    for j in 1..nc {
        let _ = write!(lines, "M{:.0},{top:.0}v{hh:.0}", left + j as f64 * cs);
    }
    let _ = write!(
        out,
        "<g>{cells}</g><path d=\"{lines}\" stroke=\"#fff\" stroke-width=\"0.8\"/>\
         <g pointer-events=\"none\" text-anchor=\"middle\" font-size=\"{font:.1}\" \
         fill=\"#222\">{values}</g><g text-anchor=\"end\" fill=\"{AXIS}\" \
         font-size=\"11\">{labels}</g>"
    );
    for (j, col) in h.cols.iter().enumerate() {
        let x = left + j as f64 * cs + cs / 2.0 + 3.0;
        let _ = write!(
            out,
            "<text transform=\"translate({x:.1},{:.1}) rotate(-55)\" fill=\"{AXIS}\" \
             font-size=\"11\">{}</text>",
            top - 4.0,
            escape(col)
        );
    }
    // Axis titles: columns below the grid, rows along the left edge.
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{AXIS}\">{}</text>\
         <text transform=\"translate(14,{:.1}) rotate(-90)\" text-anchor=\"middle\" \
         fill=\"{AXIS}\">{}</text>",
        left + w / 2.0,
        top + hh + 22.0,
        escape(h.col_title),
        top + hh / 2.0,
        escape(h.row_title)
    );
    // The colour bar, right of the grid.
    colour_bar(&mut out, left + w + 16.0, top, hh.clamp(60.0, 260.0), vmax);
    out
}

/// The colour bar at `bx`, from `top`, `bh` high: 40 steps from 0 (bottom) to `vmax` (top),
/// with round ticks, and the swatch of cells without a value below it; closes the `<svg>`.
fn colour_bar(out: &mut String, bx: f64, top: f64, bh: f64, vmax: f64) {
    let steps = 40;
    for s in 0..steps {
        let t = (s as f64 + 0.5) / steps as f64;
        let _ = write!(
            out,
            "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"14\" height=\"{:.2}\" fill=\"{}\"/>",
            top + bh - (s + 1) as f64 * bh / steps as f64,
            bh / steps as f64 + 0.3,
            heat_color(t)
        );
    }
    let (ticks_at, step) = ticks(0.0, vmax, 4);
    for v in ticks_at.iter().filter(|&&v| v <= vmax * (1.0 + 1e-9)) {
        let y = top + bh - v / vmax * bh;
        let _ = write!(
            out,
            "<path d=\"M{:.1},{y:.1}h4\" stroke=\"{AXIS}\"/><text x=\"{:.1}\" y=\"{:.1}\" \
             fill=\"{AXIS}\" font-size=\"11\">{}</text>",
            bx + 14.0,
            bx + 21.0,
            y + 4.0,
            tick_label(*v, step)
        );
    }
    let _ = write!(
        out,
        "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"14\" height=\"10\" fill=\"{NO_VALUE}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{AXIS}\" font-size=\"10\">none</text></svg>",
        top + bh + 8.0,
        bx + 19.0,
        top + bh + 17.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_maps_have_a_cell_per_value_and_a_colour_bar() {
        let labels = ["a".to_string(), "b <".to_string()];
        let values = [Some(0.0), Some(0.5), None, Some(1.0)];
        let titles: Vec<String> = (0..4).map(|i| format!("cell {i}")).collect();
        let s = heatmap(
            &Heatmap {
                rows: &labels,
                cols: &labels,
                values: &values,
                titles: &titles,
                vmax: 1.0,
                row_title: "source",
                col_title: "target",
                scale_title: "p",
            },
            500.0,
            40.0,
        );
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert_eq!(s.matches("<title>cell").count(), 4);
        assert_eq!(s.matches("<rect").count(), 1 + 4 + 40 + 1);
        assert!(s.contains(&format!("fill=\"{NO_VALUE}\"")));
        assert!(s.contains(&format!("fill=\"{}\"", heat_color(1.0))));
        assert!(s.contains("b &lt;"));
        assert!(s.contains(">.50<"));
        assert_eq!(heat_color(0.0), "#ffffd9");
        assert_eq!(heat_color(1.0), "#0c2c84");
        assert_eq!(short(0.034), ".034");
        assert_eq!(short(0.00041), "4e-4");
        assert_eq!(short(0.008), ".008");
        assert_eq!(short(0.5), ".50");
        assert_eq!(short(12.3), "12");
        assert_eq!(short(1234.0), "1.2k");
        assert_eq!(short(0.0), "0");
    }
}
