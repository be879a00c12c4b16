//! Progress of the edge generation, reported by rank 0: a progress bar when stderr is a
//! terminal, else (a SLURM log, a pipe) a line every few seconds, such as
//! `progress: v1_to_v1 42% (10.6M of ~25.1M edges, 1.2M edges/s, ETA 12 s)`.
//!
//! In: the population's prepared edge types and work per target ([`TargetWork`], the plan's),
//! rank 0's block of targets, and after each batch of
//! [`crate::generate::generate_block`] the targets done and rows made so far per edge type. Out:
//! the bar or the log lines (`tracing` at info level, like the rest of the story).
//!
//! **Across all ranks, without MPI traffic.** Only rank 0 reports, and it hears nothing from
//! the others while they generate. It does not need to: the plan is identical on every rank, so
//! rank 0 knows the estimated work of every target ([`TargetWork`]), hence of its own
//! block, of each edge type and of the whole population. The blocks are cut to equal estimated
//! work, so all ranks advance at about the same pace, and rank 0 extrapolates from its own
//! fraction done `f` (work of its targets done over its block's work):
//! - the population is `f` done, and the ETA is the time so far × (1 − f) / f;
//! - the total edges: for each edge type, the rows a light sample of its targets expects
//!   ([`crate::estimate::sample::expected_rows`], `check`'s code, taken when the first figure is
//!   shown, so short builds never pay for it) until rank 0 has done a quarter of
//!   the type's work, then its rows so far on rank 0 × (the type's work over all targets / its
//!   work done on rank 0) — rows per unit of work are alike within an edge type, not across
//!   them (edge types whose targets all lie in other ranks' blocks keep the sample's figure);
//! - the edges so far, on all ranks: `f` × that total.
//!
//! With one rank the total is exact at the end; with more it is as good as the work estimate
//! that balanced the blocks.
//!
//! `BuildOptions::progress_secs` (the binary's `NETBUILD_PROGRESS_SECS`) sets the seconds
//! between log lines (default 5; 0 turns progress off, bar included).

use crate::plan::work::TargetWork;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use netbuild_model::PreparedEdgeType;
use std::io::IsTerminal;
use std::ops::Range;
use std::time::{Duration, Instant};

/// Seconds between two progress lines in a log, unless `BuildOptions::progress_secs` (the
/// binary's `NETBUILD_PROGRESS_SECS`) says otherwise.
pub const DEFAULT_SECS: f64 = 5.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Off,
    Bar,
    Log(Duration),
}

/// How this rank reports progress: not at all, with a bar, or with log lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    mode: Mode,
}

impl Progress {
    /// Progress for a rank that reports if `reporting` (rank 0): a bar if stderr is a terminal,
    /// else a log line every `secs` seconds (default [`DEFAULT_SECS`]; 0 for none).
    pub fn new(reporting: bool, secs: Option<f64>) -> Progress {
        let secs = secs
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(DEFAULT_SECS);
        if !reporting || secs == 0.0 {
            Progress::off()
        } else if std::io::stderr().is_terminal() {
            Progress { mode: Mode::Bar }
        } else {
            Progress::log_every(Duration::from_secs_f64(secs))
        }
    }

    /// No progress at all.
    pub fn off() -> Progress {
        Progress { mode: Mode::Off }
    }

    /// A log line at most every `interval`.
    pub fn log_every(interval: Duration) -> Progress {
        Progress {
            mode: Mode::Log(interval),
        }
    }

    /// The reporter of one population, whose `edge_types` (with `work` per target) rank 0
    /// connects for targets `block`.
    pub fn population<'a, 'c>(
        &self,
        name: &str,
        edge_types: &'a [&'a PreparedEdgeType<'c>],
        work: &'a TargetWork,
        block: Range<u64>,
    ) -> PopulationProgress<'a, 'c> {
        let mut p = PopulationProgress {
            mode: self.mode,
            name: name.to_string(),
            edge_types,
            work,
            type_total: work.type_totals().to_vec(),
            type_done: vec![0.0; edge_types.len()],
            type_expected: Vec::new(),
            cursor: block.start,
            block_start: block.start,
            block_end: block.end,
            block_work: 0.0,
            work_done: 0.0,
            started: Instant::now(),
            last_line: Instant::now(),
            bar: None,
        };
        if p.mode == Mode::Off {
            return p;
        }
        // The same estimate as the plan's (`plan::split_targets`).
        p.block_work = block.map(|t| work.weight(t)).sum();
        if p.mode == Mode::Bar {
            let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix:.bold} {percent:>3}% [{wide_bar:.cyan/blue}] {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(name.to_string());
            bar.set_message("starting");
            p.bar = Some(bar);
        }
        p
    }
}

/// Rank 0's view of one population's generation.
pub struct PopulationProgress<'a, 'c> {
    mode: Mode,
    name: String,
    edge_types: &'a [&'a PreparedEdgeType<'c>],
    /// The plan's work per target: which edge types target each, and their sum.
    work: &'a TargetWork,
    /// Work of each edge type over all targets, and over rank 0's targets done.
    type_total: Vec<f64>,
    type_done: Vec<f64>,
    /// Rows of each edge type expected from a sample (empty: none).
    type_expected: Vec<f64>,
    /// Targets below this are counted in `work_done`.
    cursor: u64,
    block_start: u64,
    block_end: u64,
    block_work: f64,
    work_done: f64,
    started: Instant,
    last_line: Instant,
    bar: Option<ProgressBar>,
}

/// Where a population stands, extrapolated to all ranks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// Fraction done, 0 to 1.
    pub fraction: f64,
    /// Edges (rows) made so far by all ranks.
    pub edges: f64,
    /// Edges the population will have.
    pub total: f64,
    /// Edges per second.
    pub rate: f64,
    /// Seconds left.
    pub eta: f64,
}

impl PopulationProgress<'_, '_> {
    /// Rank 0 has connected the first `targets_done` targets of its block into `rows` rows of
    /// each edge type.
    pub fn update(&mut self, targets_done: u64, rows: &[u64]) {
        if self.mode == Mode::Off {
            return;
        }
        let goal = (self.block_start + targets_done).min(self.block_end);
        while self.cursor < goal {
            let t = self.cursor;
            self.work_done += self.work.weight(t);
            // Rank 0's own targets, each once: only the edge types that target it.
            for &l in self.work.types_of(t) {
                self.type_done[l as usize] += self.edge_types[l as usize].work(t);
            }
            self.cursor += 1;
        }
        let secs = self.started.elapsed().as_secs_f64();
        match self.mode {
            Mode::Bar => {
                if secs >= SAMPLE_AFTER_SECS {
                    self.sample_expected_rows();
                }
                let standing = self.standing(rows, secs);
                if let Some(bar) = &self.bar {
                    bar.set_position((standing.fraction * 1000.0).round() as u64);
                    bar.set_message(describe(&standing));
                }
            }
            Mode::Log(every) => {
                if self.last_line.elapsed() >= every {
                    self.sample_expected_rows();
                    let standing = self.standing(rows, secs);
                    self.last_line = Instant::now();
                    tracing::info!("{}", line(&self.name, &standing));
                }
            }
            Mode::Off => {}
        }
    }

    /// Each edge type's rows from a light sample (rank 0 alone, a fraction of a second of
    /// connecting): until rank 0 has done a good share of a type's work, its total comes from
    /// here. Taken once, when the first figure is shown, so that a build done before then
    /// never pays for it (on Allen's V1 at 150 um it was a fifth of the build's CPU).
    fn sample_expected_rows(&mut self) {
        if self.type_expected.is_empty() {
            self.type_expected = self
                .edge_types
                .iter()
                .zip(&self.type_total)
                .map(|(e, &total)| crate::estimate::sample::expected_rows(e, total))
                .collect();
        }
    }

    /// Where the whole population stands, from rank 0's `rows` per edge type after `secs` seconds.
    pub fn standing(&self, rows: &[u64], secs: f64) -> Standing {
        let fraction = if self.block_work > 0.0 {
            self.work_done / self.block_work
        } else {
            1.0
        };
        extrapolate(
            fraction,
            rows,
            &self.type_done,
            &self.type_total,
            &self.type_expected,
            secs,
        )
    }

    /// Generation of the population is over: the bar goes away.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Seconds before a progress bar's totals include the sample's expectations (a log line takes
/// the sample when it is first due).
const SAMPLE_AFTER_SECS: f64 = 1.0;

/// Share of an edge type's work rank 0 must have done before its own rows, scaled up, are
/// trusted over the sample's expectation.
const TRUST_SEEN: f64 = 0.25;

/// Rank 0 is `fraction` through its block after `secs` seconds, having made `rows[e]` rows of
/// edge type e for `done[e]` of its work (`total[e]` over all targets), and a sample expects
/// `expected[e]` rows of it (empty: no sample): where the whole population stands.
pub fn extrapolate(
    fraction: f64,
    rows: &[u64],
    done: &[f64],
    total: &[f64],
    expected: &[f64],
    secs: f64,
) -> Standing {
    let fraction = fraction.clamp(0.0, 1.0);
    let (mut seen_rows, mut seen_work, mut projected, mut unseen_work) = (0.0, 0.0, 0.0, 0.0);
    for (i, ((&r, &d), &w)) in rows.iter().zip(done).zip(total).enumerate() {
        if let Some(&x) = expected.get(i).filter(|_| d < TRUST_SEEN * w) {
            projected += x;
        } else if d > 0.0 {
            seen_rows += r as f64;
            seen_work += d;
            projected += r as f64 * w / d;
        } else {
            unseen_work += w;
        }
    }
    if seen_work > 0.0 {
        projected += unseen_work * seen_rows / seen_work;
    }
    let total = projected;
    let edges = fraction * total;
    let rate = if secs > 0.0 { edges / secs } else { 0.0 };
    let eta = if fraction > 0.0 {
        secs * (1.0 - fraction) / fraction
    } else {
        f64::INFINITY
    };
    Standing {
        fraction,
        edges,
        total,
        rate,
        eta,
    }
}

/// `10.6M of ~25.1M edges, 1.2M edges/s, ETA 12 s`.
fn describe(e: &Standing) -> String {
    format!(
        "{} of ~{} edges, {} edges/s, ETA {}",
        human(e.edges),
        human(e.total),
        human(e.rate),
        duration(e.eta)
    )
}

/// `progress: v1_to_v1 42% (10.6M of ~25.1M edges, 1.2M edges/s, ETA 12 s)`.
pub fn line(name: &str, e: &Standing) -> String {
    format!(
        "progress: {name} {:.0}% ({})",
        (e.fraction * 100.0).floor(),
        describe(e)
    )
}

/// 950, 10.6k, 25.1M, 3.2G.
pub fn human(x: f64) -> String {
    if !x.is_finite() {
        return "?".to_string();
    }
    let units = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    for (scale, unit) in units {
        if x.abs() >= scale {
            return format!("{:.1}{unit}", x / scale);
        }
    }
    format!("{x:.0}")
}

/// `12 s`, `4 min 5 s`, `2 h 10 min`, `?` when unknown.
pub fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "?".to_string();
    }
    let s = secs.round() as u64;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {} s", s / 60, s % 60)
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extrapolates_from_rank_zero() {
        // Rank 0 is 25% through; edge type 0 made 1000 rows for 10 of its 40 units of work,
        // type 1 made 500 for 10 of 100; type 2 (60 units) is not met yet: 1500 rows per 20.
        let e = extrapolate(
            0.25,
            &[1000, 500, 0],
            &[10.0, 10.0, 0.0],
            &[40.0, 100.0, 60.0],
            &[],
            2.0,
        );
        assert_eq!(e.fraction, 0.25);
        assert_eq!(e.total, 4000.0 + 5000.0 + 4500.0);
        assert_eq!(e.edges, 13500.0 / 4.0);
        assert_eq!(e.rate, 13500.0 / 8.0);
        assert_eq!(e.eta, 6.0);
        let e = extrapolate(0.25, &[1000], &[10.0], &[160.0], &[], 2.0);
        assert_eq!((e.edges, e.total, e.rate), (4000.0, 16000.0, 2000.0));
        assert_eq!(
            line("a_to_b", &e),
            "progress: a_to_b 25% (4.0k of ~16.0k edges, 2.0k edges/s, ETA 6 s)"
        );
    }

    /// A sample's expectation stands for an edge type until a quarter of its work is done.
    #[test]
    fn expected_rows_stand_in_until_a_type_is_well_seen() {
        // Type 0: 10 of 40 units done (25%): its own 1000 rows scale to 4000. Type 1: 10 of
        // 100 (10%): the sample's 7000. Type 2, not met: the sample's 3000.
        let e = extrapolate(
            0.25,
            &[1000, 500, 0],
            &[10.0, 10.0, 0.0],
            &[40.0, 100.0, 60.0],
            &[3500.0, 7000.0, 3000.0],
            2.0,
        );
        assert_eq!(e.total, 4000.0 + 7000.0 + 3000.0);
    }

    #[test]
    fn human_numbers_and_durations() {
        assert_eq!(human(950.0), "950");
        assert_eq!(human(10_600_000.0), "10.6M");
        assert_eq!(duration(12.2), "12 s");
        assert_eq!(duration(245.0), "4 min 5 s");
        assert_eq!(duration(f64::INFINITY), "?");
    }
}
