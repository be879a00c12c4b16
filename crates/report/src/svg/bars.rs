//! Bar charts: horizontal bars (one per labelled row) and histograms (vertical bars over
//! bins). In: the bars or bins, the size and axis titles. Out: one `<svg>` element.

use super::{escape, open_svg, thousands, tick_label, ticks, Frame, AXIS, GRID};
use std::fmt::Write;

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
    let f = Frame::with_axes(
        (width, height),
        14.0,
        (x0, x1),
        yt.last().copied().unwrap_or(cmax).max(cmax),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::svg::PALETTE;

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
}
