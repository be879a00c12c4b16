//! One column of an edge table: an in-memory tail over an optional spill file.
//!
//! In: values appended in row order; `spill` moves the tail to disk. Out: the same values in the
//! same order, read back in chunks. Rules push rows in final file order, so a "sorted run" is just
//! the next stretch of each column: spilling appends, reading streams, nothing is merged.
//!
//! A `u32` column starts run-length encoded ([`Runs`]) and turns plain for good the first time
//! its runs average under two values: the target and edge type columns (rows are sorted by
//! target) and a constant `nsyns` stay a few bytes per target, while a source column pays for
//! one check. Spill files always hold plain values.
//!
//! Spill files are anonymous (`O_TMPFILE` / unlinked at creation): nothing is left behind in
//! `spill_dir` when the process ends, even by SIGKILL.

use crate::column::{width, LeBytes};
use crate::runs::{RunCursor, Runs};
use netbuild_model::Dtype;
use netbuild_types::NumColumn;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Values encoded and written at a time when spilling.
const SPILL_PIECE: usize = 1 << 16;

/// Runs between two checks of whether encoding still pays.
const RUNS_CHECK: usize = 4096;

/// The values not yet spilled.
#[derive(Debug)]
enum Tail {
    Plain(NumColumn),
    Runs(Runs),
}

impl Tail {
    fn len(&self) -> usize {
        match self {
            Tail::Plain(c) => c.len(),
            Tail::Runs(r) => r.len(),
        }
    }

    fn dtype(&self) -> Dtype {
        match self {
            Tail::Plain(c) => c.dtype(),
            Tail::Runs(_) => Dtype::U32,
        }
    }
}

#[derive(Debug)]
pub(crate) struct ColumnStore {
    tail: Tail,
    file: Option<File>,
    spilled: u64,
    scratch: Vec<u8>,
}

impl ColumnStore {
    /// An empty column of `dtype` (run-length encoded while that pays, for `u32`).
    pub(crate) fn new(dtype: Dtype) -> Self {
        let tail = match dtype {
            Dtype::U32 => Tail::Runs(Runs::default()),
            d => Tail::Plain(NumColumn::new(d)),
        };
        ColumnStore {
            tail,
            file: None,
            spilled: 0,
            scratch: Vec::new(),
        }
    }

    /// Appends `v`, growing buffers within `limit` values (see [`NumColumn::grow_within`]). The
    /// column must be `u32`.
    #[inline]
    pub(crate) fn push_u32(&mut self, v: u32, limit: usize) {
        match &mut self.tail {
            Tail::Runs(r) => {
                if r.push(v, limit) && r.runs() % RUNS_CHECK == 0 && r.runs() * 2 > r.len() {
                    self.tail = Tail::Plain(NumColumn::U32(r.expand()));
                }
            }
            Tail::Plain(c) => {
                c.grow_within(limit);
                match c {
                    NumColumn::U32(values) => values.push(v),
                    other => other.push_f64(f64::from(v)),
                }
            }
        }
    }

    /// Appends `n` copies of `v`, as `n` calls of [`Self::push_u32`] would.
    #[inline]
    pub(crate) fn push_u32_repeat(&mut self, v: u32, n: usize, limit: usize) {
        if n == 0 {
            return;
        }
        self.push_u32(v, limit);
        match &mut self.tail {
            // The run `v` is in (the last) grows; no run starts, so no check is due.
            Tail::Runs(r) => r.repeat_last(n - 1, limit),
            Tail::Plain(_) => (1..n).for_each(|_| self.push_u32(v, limit)),
        }
    }

    /// Appends `values`, as [`Self::push_u32`] one by one would.
    #[inline]
    pub(crate) fn extend_u32(&mut self, values: impl Iterator<Item = u32>, limit: usize) {
        for v in values {
            match &mut self.tail {
                Tail::Plain(NumColumn::U32(plain)) => {
                    crate::runs::grow_within(plain, limit);
                    plain.push(v);
                }
                _ => self.push_u32(v, limit),
            }
        }
    }

    /// Appends `values`, as [`Self::push_f64`] one by one would.
    #[inline]
    pub(crate) fn extend_f64(&mut self, values: impl Iterator<Item = f64>, limit: usize) {
        match &mut self.tail {
            Tail::Plain(c) => values.for_each(|x| {
                c.grow_within(limit);
                c.push_f64(x);
            }),
            Tail::Runs(_) => values.for_each(|x| self.push_u32(x as u32, limit)),
        }
    }

    /// Appends `x` converted to the column's dtype (see [`NumColumn::push_f64`]).
    #[inline]
    pub(crate) fn push_f64(&mut self, x: f64, limit: usize) {
        match &mut self.tail {
            Tail::Plain(c) => {
                c.grow_within(limit);
                c.push_f64(x);
            }
            Tail::Runs(_) => self.push_u32(x as u32, limit),
        }
    }

    /// Frees the in-memory buffer; only meaningful once everything is spilled.
    pub(crate) fn release(&mut self) {
        match &mut self.tail {
            Tail::Plain(c) => c.release(),
            Tail::Runs(r) => r.release(),
        }
        self.scratch = Vec::new();
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        match &self.tail {
            Tail::Plain(c) => c.heap_bytes(),
            Tail::Runs(r) => r.heap_bytes(),
        }
    }

    /// Appends the in-memory tail to this column's spill file (created in `dir` on first use).
    pub(crate) fn spill(&mut self, dir: &Path) -> std::io::Result<()> {
        let n = self.tail.len();
        if n == 0 {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(tempfile::tempfile_in(dir)?),
        };
        // In pieces: a scratch copy of the whole tail would double the table's memory.
        match &mut self.tail {
            Tail::Plain(c) => {
                for start in (0..n).step_by(SPILL_PIECE) {
                    self.scratch.clear();
                    c.write_le_range(start..(start + SPILL_PIECE).min(n), &mut self.scratch);
                    file.write_all(&self.scratch)?;
                }
                c.clear();
            }
            Tail::Runs(r) => {
                let mut cursor = RunCursor::default();
                let mut values = Vec::with_capacity(SPILL_PIECE);
                loop {
                    values.clear();
                    if cursor.take(r, SPILL_PIECE, &mut values) == 0 {
                        break;
                    }
                    self.scratch.clear();
                    self.scratch
                        .extend(values.iter().flat_map(|v| v.to_le_bytes()));
                    file.write_all(&self.scratch)?;
                }
                r.clear();
            }
        }
        self.spilled += n as u64;
        Ok(())
    }

    /// Turns the store into a reader positioned at the first row.
    pub(crate) fn into_reader(self) -> std::io::Result<ColumnReader> {
        let file = match self.file {
            Some(mut f) => {
                f.seek(SeekFrom::Start(0))?;
                Some(BufReader::with_capacity(1 << 20, f))
            }
            None => None,
        };
        Ok(ColumnReader {
            tail: self.tail,
            cursor: RunCursor::default(),
            file,
            spilled: self.spilled,
            pos: 0,
            bytes: Vec::new(),
        })
    }
}

/// Reads a column back in row order.
#[derive(Debug)]
pub(crate) struct ColumnReader {
    tail: Tail,
    /// Where reading a run-length tail is.
    cursor: RunCursor,
    file: Option<BufReader<File>>,
    spilled: u64,
    pos: u64,
    bytes: Vec<u8>,
}

impl ColumnReader {
    pub(crate) fn len(&self) -> u64 {
        self.spilled + self.tail.len() as u64
    }

    /// Replaces `out` (made the column's dtype) with the next up to `max` values: fewer only at
    /// the end, none once exhausted. Reusing `out` spares an allocation per chunk.
    pub(crate) fn next_into(&mut self, out: &mut NumColumn, max: usize) -> std::io::Result<()> {
        if out.dtype() != self.tail.dtype() {
            *out = NumColumn::new(self.tail.dtype());
        }
        out.clear();
        let mut want = max as u64;
        if self.pos < self.spilled {
            let n = want.min(self.spilled - self.pos);
            let w = width(self.tail.dtype());
            self.bytes.resize(n as usize * w, 0);
            if let Some(f) = &mut self.file {
                f.read_exact(&mut self.bytes)?;
            }
            out.extend_from_le(&self.bytes);
            self.pos += n;
            want -= n;
        }
        if want > 0 && self.pos < self.len() {
            let start = (self.pos - self.spilled) as usize;
            let taken = match (&self.tail, &mut *out) {
                (Tail::Runs(r), NumColumn::U32(o)) => self.cursor.take(r, want as usize, o),
                (Tail::Plain(from), out) => {
                    let end = (start + want as usize).min(from.len());
                    append_range(out, from, start..end);
                    end - start
                }
                _ => unreachable!("a reader's output has its tail's dtype"),
            };
            self.pos += taken as u64;
        }
        Ok(())
    }
}

fn append_range(out: &mut NumColumn, from: &NumColumn, r: std::ops::Range<usize>) {
    match (out, from) {
        (NumColumn::F32(o), NumColumn::F32(f)) => o.extend_from_slice(&f[r]),
        (NumColumn::F64(o), NumColumn::F64(f)) => o.extend_from_slice(&f[r]),
        (NumColumn::I32(o), NumColumn::I32(f)) => o.extend_from_slice(&f[r]),
        (NumColumn::I64(o), NumColumn::I64(f)) => o.extend_from_slice(&f[r]),
        (NumColumn::U32(o), NumColumn::U32(f)) => o.extend_from_slice(&f[r]),
        (NumColumn::U64(o), NumColumn::U64(f)) => o.extend_from_slice(&f[r]),
        _ => unreachable!("a reader's output has its tail's dtype"),
    }
}
