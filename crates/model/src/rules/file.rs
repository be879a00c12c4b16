//! The `file` rule: an explicit edge list, indexed by target once, then replayed target by target.
//!
//! In: the rule's [`FileEdges`] (rows in file order, with their property columns). Out, at
//! prepare time: a [`FileIndex`] (rows grouped by target, sources ascending, file order among
//! repeats) and, counted in the edge type's issues, the rows left out for good (self-connections
//! when autapses are off). At connect time: a target's rows within `max_distance` (the others
//! counted), each with its row number so that its property values follow it.

use super::{PreparedEdgeType, NONE};
use crate::circuit::Rule;
use crate::issues::{IssueKind, Issues};
use netbuild_types::FileEdges;

/// A file rule's rows grouped by target position.
pub(super) struct FileIndex {
    /// `offsets[i]..offsets[i + 1]` index the rows of target position i.
    offsets: Vec<usize>,
    /// (source, nsyns if the file gives it, row number in the file's rows).
    rows: Vec<(u64, Option<u32>, u32)>,
}

impl FileIndex {
    /// Rows of target position `tpos`.
    pub(super) fn rows_of(&self, tpos: usize) -> usize {
        self.offsets[tpos + 1] - self.offsets[tpos]
    }
}

impl PreparedEdgeType<'_> {
    /// Checks that every row joins selected nodes and groups the rows by target; rows from a
    /// node to itself are left out (and counted) when autapses are off.
    pub(super) fn index_file(&mut self, file: &FileEdges) -> Result<FileIndex, String> {
        if file.rows.len() >= NONE as usize {
            return Err(format!(
                "{} has {} rows; at most {} are supported",
                file.name,
                file.rows.len(),
                NONE - 1
            ));
        }
        let mut by_target: Vec<(u32, u64, Option<u32>, u32)> = Vec::with_capacity(file.rows.len());
        for (i, r) in file.rows.iter().enumerate() {
            let (ss, ts) = (self.src_slot.get(r.source), self.trg_slot.get(r.target));
            let place = file.place(r.line);
            if ss == NONE {
                return Err(format!(
                    "{place}: node {} is not in the source selection",
                    r.source
                ));
            }
            if ts == NONE {
                return Err(format!(
                    "{place}: node {} is not in the target selection",
                    r.target
                ));
            }
            if self.exclude_self && r.source == r.target {
                self.issues
                    .note(self.index, IssueKind::SelfConnection, r.line);
                continue;
            }
            by_target.push((ts, r.source, r.nsyns, i as u32));
        }
        // Sources ascending within a target; file order breaks ties so repeats keep their order.
        by_target.sort_unstable_by_key(|&(t, s, _, i)| (t, s, i));
        let mut offsets = vec![0usize; self.targets.len() + 1];
        for &(t, ..) in &by_target {
            offsets[t as usize + 1] += 1;
        }
        for i in 0..self.targets.len() {
            offsets[i + 1] += offsets[i];
        }
        Ok(FileIndex {
            offsets,
            rows: by_target
                .into_iter()
                .map(|(_, s, n, i)| (s, n, i))
                .collect(),
        })
    }

    /// The rows of the target at position `tpos` (at `tp`) into `conns`, with their row numbers
    /// in `file_rows`; rows beyond `max_distance` are counted in `issues` instead.
    pub(super) fn connect_file(
        &self,
        index: &FileIndex,
        tpos: usize,
        tp: [f64; 3],
        conns: &mut Vec<(u64, u32)>,
        file_rows: &mut Vec<u32>,
        issues: &mut Issues,
    ) {
        for &(s, n, row) in &index.rows[index.offsets[tpos]..index.offsets[tpos + 1]] {
            if !self.within_reach(s, tp) {
                let line = self.file().map_or(0, |f| f.rows[row as usize].line);
                issues.note(self.index, IssueKind::BeyondMaxDistance, line);
                continue;
            }
            if n == Some(0) {
                // Only the builder API can say 0 synapses (the spec refuses it): no edge asked.
                continue;
            }
            conns.push((s, n.unwrap_or(0)));
            file_rows.push(row);
        }
    }

    /// Value of property column `column` of file row `row` (NaN if there is no such value,
    /// which the value check then reports).
    pub(super) fn file_value(&self, row: Option<&u32>, column: usize) -> f64 {
        match (self.file(), row) {
            (Some(f), Some(&r)) => f
                .row_values(r as usize)
                .get(column)
                .copied()
                .unwrap_or(f64::NAN),
            _ => f64::NAN,
        }
    }

    fn file(&self) -> Option<&FileEdges> {
        match &self.def.rule {
            Rule::File(f) => Some(f),
            _ => None,
        }
    }
}
