//! One rank's memory plan: its [`Budget`] split into named shares, one per consumer, which take
//! their share from here and never cut the budget themselves.
//!
//! In: the rank's [`Budget`] (resolved by [`crate::BuildOptions::budget`] once the ranks on the
//! host are known). Out: a [`MemoryPlan`], made once per build (and once by `check`), handed to
//! the generation stage and the writers.
//!
//! The stages of an edges population follow one another, and the budget is spent again in each:
//!
//! - generate: [`MemoryPlan::edge_table`], all of it: the population's edge table, which spills
//!   past it;
//! - write: [`MemoryPlan::side_index`], half: the index of the side rows are not sorted by
//!   (rank-0 writer), or a rank's part of `source_to_target` gathered by the index exchange
//!   (parallel writer), in memory when it fits, else spilled by node range in buckets of this
//!   size; and [`MemoryPlan::rows`], the rest: the rows on their way to the file (chunks read
//!   back or received, the writer thread's batches, HDF5's buffers, all of a fixed size today);
//! - sort (`sort_edges_by = "source"`): [`MemoryPlan::source_sort`], all of it: source ids cut
//!   into buckets whose rows (and the sort's own index) fit it; the buckets' tables share it.
//!
//! Each stage's shares add up to the budget ([`MemoryPlan::stage_total`]). Three things outlive
//! their stage, as the writers have always done (their figures decide what spills, what is
//! sorted in which buckets and what is finished in the background, so they are kept to the byte):
//! - a population's indices are finished in the background, over the next population's
//!   generation, when they hold at most [`MemoryPlan::background_index`] (1/8);
//! - with `sort_edges_by = "source"`, the sort's second pass holds one bucket (up to the sort's
//!   share) beside the side index (half the budget);
//! - an edge table that never spilled is still in memory while its rows are written.
//!
//! So the budget bounds what each stage's consumers buffer, not a rank's peak (see
//! docs/SCALING.md, "The memory plan").

use super::budget::Budget;

/// The stages of an edges population's build, each of which spends the whole budget again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The rules push the population's rows into this rank's edge table.
    Generate,
    /// The rows go to the file and its indices are gathered.
    Write,
    /// `sort_edges_by = "source"`: rank 0 re-orders the rows by source before writing them.
    SourceSort,
}

/// One named share of the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// The stage it is spent in.
    pub stage: Stage,
    /// Its name (the field of [`MemoryPlan`]).
    pub name: &'static str,
    /// Bytes.
    pub bytes: u64,
}

/// One rank's budget and the share each consumer takes of it (bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryPlan {
    /// The budget, and where it came from.
    pub budget: Budget,
    /// Generation: the edge table spills past this.
    pub edge_table: u64,
    /// Writing: the index of the unsorted side (or the exchanged `source_to_target` share) is
    /// kept in memory up to this, else spilled by node range in buckets of about this size.
    pub side_index: u64,
    /// Writing: what the rows on their way to the file may hold (the rest of the budget).
    pub rows: u64,
    /// `sort_edges_by = "source"`: the rows of one bucket of source ids, with the sort's index.
    pub source_sort: u64,
    /// A population's indices are finished in the background (during the next population's
    /// generation) when they hold at most this; else before the next population starts.
    pub background_index: u64,
}

impl MemoryPlan {
    /// The plan of `budget`.
    pub fn new(budget: Budget) -> MemoryPlan {
        let all = budget.bytes;
        let side_index = all / 2;
        let plan = MemoryPlan {
            edge_table: all,
            side_index,
            rows: all - side_index,
            source_sort: all,
            background_index: all / 8,
            budget,
        };
        debug_assert!(
            [Stage::Generate, Stage::Write, Stage::SourceSort]
                .iter()
                .all(|&s| plan.stage_total(s) == all),
            "every stage's shares add up to the budget"
        );
        plan
    }

    /// Every share of a stage, by name.
    pub fn shares(&self) -> [Share; 4] {
        let share = |stage, name, bytes| Share { stage, name, bytes };
        [
            share(Stage::Generate, "edge_table", self.edge_table),
            share(Stage::Write, "side_index", self.side_index),
            share(Stage::Write, "rows", self.rows),
            share(Stage::SourceSort, "source_sort", self.source_sort),
        ]
    }

    /// Bytes of the shares spent in `stage`.
    pub fn stage_total(&self, stage: Stage) -> u64 {
        self.shares()
            .iter()
            .filter(|s| s.stage == stage)
            .map(|s| s.bytes)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::super::budget::BudgetSource;
    use super::*;

    fn plan(bytes: u64) -> MemoryPlan {
        MemoryPlan::new(Budget {
            bytes,
            source: BudgetSource::Cli,
        })
    }

    #[test]
    fn every_stage_adds_up_to_the_budget() {
        for bytes in [0, 1, 7, 8, 9, 1000, 64 << 20, (2 << 30) + 3, u64::MAX] {
            let p = plan(bytes);
            for stage in [Stage::Generate, Stage::Write, Stage::SourceSort] {
                assert_eq!(p.stage_total(stage), bytes, "{stage:?} of {bytes}");
            }
        }
    }

    /// The figures the writers cut by hand before the plan: the same for any budget, so that
    /// every build spills, sorts and writes in the background exactly as before.
    #[test]
    fn the_shares_are_the_writers_former_cuts() {
        for bytes in [
            0,
            1,
            7,
            8,
            9,
            1000,
            12345,
            64 << 20,
            (2 << 30) + 3,
            u64::MAX,
        ] {
            let p = plan(bytes);
            // The generation table's SpillPolicy: the whole budget.
            assert_eq!(p.edge_table, bytes);
            // rank0.rs and parallel.rs: `budget / 2` for the unsorted side's index.
            assert_eq!(p.side_index, bytes / 2);
            // rank0.rs: the indices in the background when they hold `<= budget / 8`.
            assert_eq!(p.background_index, bytes / 8);
            // source_sort.rs: buckets of `budget / row_bytes` rows.
            assert_eq!(p.source_sort, bytes);
            assert_eq!(p.side_index + p.rows, bytes);
        }
    }
}
