//! Hand-written SVG charts: horizontal bars, histograms, lines with points and error bars, and
//! heat maps.
//! Each function returns one `<svg>` element, with a `viewBox` so that it scales to its box,
//! `<title>` tooltips on bars and points, and nothing external (fonts are the browser's
//! sans-serif).

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

/// One bar of a horizontal bar chart.
pub struct Bar {
    /// Written left of the bar.
    pub label: String,
    /// The bar's length, on the chart's scale.
    pub value: f64,
    /// Printed at the end of the bar.
    pub value_text: String,
    /// Fill colour (CSS).
    pub color: &'static str,
    /// Tooltip.
    pub title: String,
}

/// Horizontal bars, one per row, labels on the left, values at the bars' ends.
pub fn hbar(bars: &[Bar], width: f64, xlabel: &str) -> String {
    let row = 24.0;
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let wanted = longest as f64 * 7.4 + 20.0;
    let left = wanted.clamp(80.0, width * 0.45);
    let max_chars = if wanted > left {
        ((left - 20.0) / 7.4) as usize
    } else {
        usize::MAX
    };
    let right = 90.0;
    let top = 12.0;
    let h_plot = row * bars.len().max(1) as f64;
    let height = top + h_plot + 52.0;
    let vmax = bars.iter().map(|b| b.value).fold(0.0f64, f64::max);
    let (xt, xs) = ticks(0.0, if vmax > 0.0 { vmax } else { 1.0 }, 6);
    let x1 = xt.last().copied().unwrap_or(1.0).max(vmax).max(1e-300);
    let f = Frame {
        left,
        top,
        w: width - left - right,
        h: h_plot,
        x0: 0.0,
        x1,
        y0: 0.0,
        y1: 1.0,
    };
    let mut out = String::new();
    open_svg(&mut out, width, height, xlabel);
    let bottom = top + h_plot;
    for &v in &xt {
        let x = f.x(v);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top:.1}\" y2=\"{bottom:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{AXIS}\">{}</text>",
            bottom + 18.0,
            tick_label(v, xs)
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * row;
        let w = (f.x(b.value) - left).max(if b.value > 0.0 { 1.0 } else { 0.0 });
        let label: String = if b.label.chars().count() > max_chars {
            b.label
                .chars()
                .take(max_chars.saturating_sub(1))
                .collect::<String>()
                + "…"
        } else {
            b.label.clone()
        };
        let _ = write!(
            out,
            "<g><title>{t}</title><text x=\"{lx:.1}\" y=\"{ty:.1}\" text-anchor=\"end\" \
             fill=\"{AXIS}\">{l}</text><rect x=\"{left:.1}\" y=\"{ry:.1}\" width=\"{w:.1}\" \
             height=\"{rh:.1}\" fill=\"{c}\"/><text x=\"{vx:.1}\" y=\"{ty:.1}\" fill=\"{AXIS}\" \
             font-size=\"12\">{v}</text></g>",
            t = escape(&b.title),
            lx = left - 8.0,
            ty = y + row / 2.0 + 4.5,
            l = escape(&label),
            ry = y + 3.0,
            rh = row - 6.0,
            c = b.color,
            vx = left + w + 5.0,
            v = escape(&b.value_text),
        );
    }
    let _ = write!(
        out,
        "<path d=\"M{left:.1},{top:.1}V{bottom:.1}H{:.1}\" fill=\"none\" stroke=\"{AXIS}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{AXIS}\">{}</text></svg>",
        left + f.w,
        left + f.w / 2.0,
        bottom + 40.0,
        escape(xlabel)
    );
    out
}

/// One histogram bin: from `lo` to `hi` on the x axis, its count, and what it holds (tooltip).
pub struct Bin {
    /// Left edge on the x axis.
    pub lo: f64,
    /// Right edge on the x axis.
    pub hi: f64,
    /// The bar's height.
    pub count: u64,
    /// Tooltip.
    pub label: String,
}

/// Vertical bars over integer-valued bins.
pub fn histogram(
    bins: &[Bin],
    width: f64,
    height: f64,
    xlabel: &str,
    ylabel: &str,
    color: &str,
) -> String {
    let x0 = bins.first().map_or(0.0, |b| b.lo);
    let x1 = bins.last().map_or(1.0, |b| b.hi).max(x0 + 1.0);
    let cmax = bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let (yt, _) = ticks(0.0, cmax, 5);
    let f = Frame {
        left: 70.0,
        top: 14.0,
        w: width - 70.0 - 20.0,
        h: height - 14.0 - 52.0,
        x0,
        x1,
        y0: 0.0,
        y1: yt.last().copied().unwrap_or(cmax).max(cmax),
    };
    let mut out = String::new();
    open_svg(&mut out, width, height, xlabel);
    f.axes(&mut out, xlabel, ylabel, true);
    let gap = if (f.x(x0 + 1.0) - f.x(x0)) * (bins.first().map_or(1.0, |b| b.hi - b.lo)) > 4.0 {
        1.0
    } else {
        0.0
    };
    for b in bins.iter().filter(|b| b.count > 0) {
        let (xa, xb) = (f.x(b.lo), f.x(b.hi));
        let y = f.y(b.count as f64);
        let _ = write!(
            out,
            "<rect x=\"{:.2}\" y=\"{y:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{color}\">\
             <title>{}: {}</title></rect>",
            xa + gap / 2.0,
            (xb - xa - gap).max(0.5),
            (f.top + f.h - y).max(0.5),
            escape(&b.label),
            thousands(b.count)
        );
    }
    out.push_str("</svg>");
    out
}

/// A series of an x-y chart.
pub struct Series {
    /// Its name in the legend.
    pub name: String,
    /// Line or dot colour (CSS).
    pub color: &'static str,
    /// (x, y) points, in x order.
    pub points: Vec<(f64, f64)>,
    /// `Some`: drawn as dots with these (low, high) error bars; `None`: a line.
    pub errors: Option<Vec<(f64, f64)>>,
    /// Dashed line.
    pub dashed: bool,
}

/// Lines and points, x from 0 to `x_max`, y from 0.
pub fn xy(
    series: &[Series],
    width: f64,
    height: f64,
    x_max: f64,
    xlabel: &str,
    ylabel: &str,
) -> String {
    let ymax = series
        .iter()
        .flat_map(|s| {
            s.points.iter().map(|p| p.1).chain(
                s.errors
                    .iter()
                    .flatten()
                    .map(|e| e.1)
                    .filter(|v| v.is_finite()),
            )
        })
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let ymax = if ymax > 0.0 { ymax * 1.05 } else { 1.0 };
    let (yt, _) = ticks(0.0, ymax, 5);
    let (xt, _) = ticks(0.0, x_max, 7);
    let f = Frame {
        left: 70.0,
        top: 34.0,
        w: width - 70.0 - 20.0,
        h: height - 34.0 - 52.0,
        x0: 0.0,
        x1: xt.last().copied().unwrap_or(x_max).max(x_max),
        y0: 0.0,
        y1: yt.last().copied().unwrap_or(ymax).max(ymax),
    };
    let mut out = String::new();
    open_svg(&mut out, width, height, ylabel);
    f.axes(&mut out, xlabel, ylabel, false);
    for s in series {
        match &s.errors {
            None => {
                let mut d = String::new();
                let mut pen_up = true;
                for &(x, y) in &s.points {
                    if !y.is_finite() {
                        pen_up = true;
                        continue;
                    }
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1}",
                        if pen_up { "M" } else { "L" },
                        f.x(x),
                        f.y(y)
                    );
                    pen_up = false;
                }
                let _ = write!(
                    out,
                    "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{}/>",
                    s.color,
                    if s.dashed {
                        " stroke-dasharray=\"7 4\""
                    } else {
                        ""
                    }
                );
            }
            Some(err) => {
                // All error bars in one path, all dots in one group with their style.
                let (mut bars, mut dots) = (String::new(), String::new());
                for (&(x, y), &(lo, hi)) in s.points.iter().zip(err) {
                    if !y.is_finite() {
                        continue;
                    }
                    let (px, py) = (f.x(x), f.y(y));
                    if lo.is_finite() && hi.is_finite() {
                        let _ = write!(
                            bars,
                            "M{px:.1},{:.1}V{:.1}",
                            f.y(lo.max(0.0)),
                            f.y(hi.min(f.y1))
                        );
                    }
                    let _ = write!(
                        dots,
                        "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3.6\"><title>{x:.0} µm: \
                         {y:.4}</title></circle>"
                    );
                }
                let _ = write!(
                    out,
                    "<path d=\"{bars}\" stroke=\"{c}\" stroke-width=\"1.2\"/><g fill=\"{c}\" \
                     stroke=\"#fff\" stroke-width=\"0.8\">{dots}</g>",
                    c = s.color
                );
            }
        }
    }
    // Legend, in a row above the plotting area.
    let mut lx = f.left + 4.0;
    let y = 14.0;
    for s in series {
        if s.errors.is_some() {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"3.6\" fill=\"{}\"/>",
                lx + 12.0,
                s.color
            );
        } else {
            let _ = write!(
                out,
                "<path d=\"M{:.1},{y:.1}h24\" stroke=\"{}\" stroke-width=\"2.5\"{}/>",
                lx,
                s.color,
                if s.dashed {
                    " stroke-dasharray=\"7 4\""
                } else {
                    ""
                }
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{AXIS}\" font-size=\"12.5\">{}</text>",
            lx + 30.0,
            y + 4.0,
            escape(&s.name)
        );
        lx += 30.0 + s.name.chars().count() as f64 * 6.9 + 22.0;
    }
    out.push_str("</svg>");
    out
}

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
    // The colour bar: 40 steps from 0 (bottom) to vmax (top), with round ticks.
    let (bx, bh) = (left + w + 16.0, hh.clamp(60.0, 260.0));
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
    out
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

    #[test]
    fn charts_are_single_svg_elements() {
        let bars = [Bar {
            label: "100 <a>".into(),
            value: 5.0,
            value_text: "5".into(),
            color: PALETTE[0],
            title: "t".into(),
        }];
        let s = hbar(&bars, 600.0, "rows");
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("100 &lt;a&gt;"));
        let h = histogram(
            &[Bin {
                lo: 0.0,
                hi: 1.0,
                count: 3,
                label: "0".into(),
            }],
            400.0,
            300.0,
            "x",
            "y",
            PALETTE[1],
        );
        assert_eq!(h.matches("<svg").count(), 1);
    }

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
