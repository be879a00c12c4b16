//! Hand-written SVG charts: horizontal bars, histograms, lines with points and error bars, and
//! heat maps.
//! Each function returns one `<svg>` element, with a `viewBox` so that it scales to its box,
//! `<title>` tooltips on bars and points, and nothing external (fonts are the browser's
//! sans-serif).
//!
//! In: the data of one chart (bars, bins, series or a matrix of cells) and its size. Out: the
//! `<svg>` text. Modules by plot kind: `bars` (horizontal bars and histograms), `xy` (lines and
//! points with error bars), `heatmap` (cells on a colour scale with a colour bar); this file
//! holds what they share (text escaping, number formats, ticks, the frame and its axes).

mod bars;
mod heatmap;
mod xy;

pub use bars::{hbar, histogram, Bar, Bin};
pub use heatmap::{heat_color, heatmap, short, Heatmap, NO_VALUE};
pub use xy::{xy, Series};

use std::fmt::Write;

/// Colours that stay apart for the colour-blind and in greyscale (seaborn's "deep").
pub const PALETTE: [&str; 8] = [
    "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c",
];

const FONT: &str =
    "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\"";
const AXIS: &str = "#333";
const GRID: &str = "#e3e3e3";

/// `s` safe inside HTML/SVG text and attribute values (`&`, `<`, `>`, `"`, `'` escaped).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1380550` -> `1,380,550`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Round tick positions covering [lo, hi], about `target` of them.
pub fn ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !span.is_finite() {
        return (vec![lo], 1.0);
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let step = mag
        * if f < 1.5 {
            1.0
        } else if f < 3.0 {
            2.0
        } else if f < 7.0 {
            5.0
        } else {
            10.0
        };
    let mut out = Vec::new();
    let mut k = (lo / step).ceil();
    while k * step <= hi + step * 1e-9 {
        out.push(k * step);
        k += 1.0;
    }
    (out, step)
}

/// A tick label: `k`/`M`/`G` for large round numbers, just enough decimals otherwise.
pub fn tick_label(v: f64, step: f64) -> String {
    let fixed = |x: f64, st: f64| {
        let dec = if st >= 1.0 {
            0
        } else {
            (-st.log10().floor()) as usize
        };
        let s = format!("{x:.dec$}");
        if s == "-0" {
            "0".into()
        } else {
            s
        }
    };
    let a = v.abs();
    if a >= 1e9 && step >= 1e8 {
        format!("{}G", fixed(v / 1e9, step / 1e9))
    } else if a >= 1e6 && step >= 1e5 {
        format!("{}M", fixed(v / 1e6, step / 1e6))
    } else if a >= 1e4 && step >= 1e3 {
        format!("{}k", fixed(v / 1e3, step / 1e3))
    } else {
        fixed(v, step)
    }
}

fn open_svg(out: &mut String, w: f64, h: f64, label: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-label=\"{}\" {FONT} font-size=\"13\">\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
        escape(label)
    );
}

/// The plotting area inside the margins, and its data ranges.
struct Frame {
    left: f64,
    top: f64,
    w: f64,
    h: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    /// The plotting area of a `width` × `height` chart with axes: room for the y tick labels
    /// and title on the left (70), 20 on the right, the x tick labels and title below (52),
    /// `top` above (a legend's, or a margin). x from `x0` to `x1`, y from 0 to `y1`.
    fn with_axes((width, height): (f64, f64), top: f64, (x0, x1): (f64, f64), y1: f64) -> Frame {
        Frame {
            left: 70.0,
            top,
            w: width - 70.0 - 20.0,
            h: height - top - 52.0,
            x0,
            x1,
            y0: 0.0,
            y1,
        }
    }

    fn x(&self, v: f64) -> f64 {
        self.left + (v - self.x0) / (self.x1 - self.x0) * self.w
    }
    fn y(&self, v: f64) -> f64 {
        self.top + self.h - (v - self.y0) / (self.y1 - self.y0) * self.h
    }

    /// Grid lines, ticks, tick labels, axis lines and axis titles.
    fn axes(&self, out: &mut String, xlabel: &str, ylabel: &str, x_integer: bool) {
        let (xt, xs) = ticks(self.x0, self.x1, 7);
        let xs = if x_integer { xs.max(1.0) } else { xs };
        let (yt, ys) = ticks(self.y0, self.y1, 5);
        let bottom = self.top + self.h;
        // Grid lines and tick marks as one path each, labels in groups that carry their
        // common attributes: a page holds hundreds of these charts.
        let (mut grid, mut marks) = (String::new(), String::new());
        let (mut ylabels, mut xlabels) = (String::new(), String::new());
        for &v in &yt {
            let y = self.y(v);
            let _ = write!(grid, "M{:.1},{y:.1}H{:.1}", self.left, self.left + self.w);
            let _ = write!(
                ylabels,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                self.left - 6.0,
                y + 4.0,
                tick_label(v, ys)
            );
        }
        for &v in &xt {
            if x_integer && v.fract() != 0.0 {
                continue;
            }
            let x = self.x(v);
            let _ = write!(marks, "M{x:.1},{bottom:.1}v5");
            let _ = write!(
                xlabels,
                "<text x=\"{x:.1}\" y=\"{:.1}\">{}</text>",
                bottom + 19.0,
                tick_label(v, xs)
            );
        }
        let _ = write!(
            out,
            "<path d=\"{grid}\" stroke=\"{GRID}\"/><path d=\"{marks}\" stroke=\"{AXIS}\"/>\
             <g fill=\"{AXIS}\" text-anchor=\"end\">{ylabels}</g>\
             <g fill=\"{AXIS}\" text-anchor=\"middle\">{xlabels}</g>"
        );
        let _ = write!(
            out,
            "<path d=\"M{l:.1},{t:.1}V{b:.1}H{r:.1}\" fill=\"none\" stroke=\"{AXIS}\"/>\
             <text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" fill=\"{AXIS}\">{xl}</text>\
             <text transform=\"translate({yx:.1},{cy:.1}) rotate(-90)\" text-anchor=\"middle\" \
             fill=\"{AXIS}\">{yl}</text>",
            l = self.left,
            t = self.top,
            b = bottom,
            r = self.left + self.w,
            cx = self.left + self.w / 2.0,
            ly = bottom + 38.0,
            xl = escape(xlabel),
            yx = self.left - 52.0,
            cy = self.top + self.h / 2.0,
            yl = escape(ylabel),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 10.0, 5).0, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(0.0, 0.29, 5).1, 0.05);
        assert_eq!(tick_label(1_500_000.0, 500_000.0), "1.5M");
        assert_eq!(tick_label(20_000.0, 10_000.0), "20k");
        assert_eq!(tick_label(0.25, 0.05), "0.25");
        assert_eq!(thousands(1380550), "1,380,550");
        assert_eq!(thousands(100), "100");
    }
}
