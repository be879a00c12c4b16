//! Line and point charts: series of (x, y) points drawn as lines, or as dots with error bars,
//! with a legend above. In: the series, the size, the x range and axis titles. Out: one
//! `<svg>` element.

use super::{escape, open_svg, ticks, Frame, AXIS};
use std::fmt::Write;

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
    let f = Frame::with_axes(
        (width, height),
        34.0,
        (0.0, xt.last().copied().unwrap_or(x_max).max(x_max)),
        yt.last().copied().unwrap_or(ymax).max(ymax),
    );
    let mut out = String::new();
    open_svg(&mut out, width, height, ylabel);
    f.axes(&mut out, xlabel, ylabel, false);
    for s in series {
        match &s.errors {
            None => line(&mut out, &f, s),
            Some(err) => dots(&mut out, &f, s, err),
        }
    }
    legend(&mut out, &f, series);
    out.push_str("</svg>");
    out
}

/// A series drawn as a line, lifted over points without a finite value.
fn line(out: &mut String, f: &Frame, s: &Series) {
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

/// A series drawn as dots with error bars (`err`: each point's low and high).
fn dots(out: &mut String, f: &Frame, s: &Series, err: &[(f64, f64)]) {
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

/// The legend, in a row above the plotting area.
fn legend(out: &mut String, f: &Frame, series: &[Series]) {
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
}
