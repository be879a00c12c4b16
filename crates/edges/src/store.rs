//! One column of an edge table: an in-memory tail over an optional spill file.
//!
//! In: values appended in row order; `spill` moves the tail to disk. Out: the same values in the
//! same order, read back in chunks. Rules push rows in final file order, so a "sorted run" is just
//! the next stretch of each column: spilling appends, reading streams, nothing is merged.
//!
//! Spill files are anonymous (`O_TMPFILE` / unlinked at creation): nothing is left behind in
//! `spill_dir` when the process ends, even by SIGKILL.

use crate::column::{width, Column};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Values encoded and written at a time when spilling.
const SPILL_PIECE: usize = 1 << 16;

#[derive(Debug)]
pub(crate) struct ColumnStore {
    tail: Column,
    file: Option<File>,
    spilled: u64,
    scratch: Vec<u8>,
}

impl ColumnStore {
    pub(crate) fn new(tail: Column) -> Self {
        ColumnStore {
            tail,
            file: None,
            spilled: 0,
            scratch: Vec::new(),
        }
    }

    /// Makes room for the next value within `limit` values (see [`Column::grow_within`]).
    #[inline]
    pub(crate) fn room(&mut self, limit: usize) -> &mut Column {
        self.tail.grow_within(limit);
        &mut self.tail
    }

    /// Frees the in-memory buffer; only meaningful once everything is spilled.
    pub(crate) fn release(&mut self) {
        self.tail.release();
        self.scratch = Vec::new();
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.tail.heap_bytes()
    }

    /// Appends the in-memory tail to this column's spill file (created in `dir` on first use).
    pub(crate) fn spill(&mut self, dir: &Path) -> std::io::Result<()> {
        if self.tail.is_empty() {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(tempfile::tempfile_in(dir)?),
        };
        // In pieces: a scratch copy of the whole tail would double the table's memory.
        let n = self.tail.len();
        for start in (0..n).step_by(SPILL_PIECE) {
            self.scratch.clear();
            self.tail
                .write_le_range(start..(start + SPILL_PIECE).min(n), &mut self.scratch);
            file.write_all(&self.scratch)?;
        }
        self.spilled += self.tail.len() as u64;
        self.tail.clear();
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
    tail: Column,
    file: Option<BufReader<File>>,
    spilled: u64,
    pos: u64,
    bytes: Vec<u8>,
}

impl ColumnReader {
    pub(crate) fn len(&self) -> u64 {
        self.spilled + self.tail.len() as u64
    }

    /// The next up to `max` values (fewer only at the end; none once exhausted).
    pub(crate) fn next(&mut self, max: usize) -> std::io::Result<Column> {
        let mut out = Column::new(self.tail.dtype());
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
            let end = (start + want as usize).min(self.tail.len());
            append_range(&mut out, &self.tail, start..end);
            self.pos += (end - start) as u64;
        }
        Ok(out)
    }
}

fn append_range(out: &mut Column, from: &Column, r: std::ops::Range<usize>) {
    match (out, from) {
        (Column::F32(o), Column::F32(f)) => o.extend_from_slice(&f[r]),
        (Column::F64(o), Column::F64(f)) => o.extend_from_slice(&f[r]),
        (Column::I32(o), Column::I32(f)) => o.extend_from_slice(&f[r]),
        (Column::I64(o), Column::I64(f)) => o.extend_from_slice(&f[r]),
        (Column::U32(o), Column::U32(f)) => o.extend_from_slice(&f[r]),
        (Column::U64(o), Column::U64(f)) => o.extend_from_slice(&f[r]),
        _ => unreachable!("a reader's output has its tail's dtype"),
    }
}
