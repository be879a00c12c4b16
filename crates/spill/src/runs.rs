//! Run-length encoded `u32` columns: how an edge table holds the columns that repeat.
//!
//! Rows arrive sorted by target, and within a target grouped by edge type, so the target and
//! edge type columns are long runs of one value; so is `nsyns` under a probability rule (all
//! 1). Held as (value, run length) pairs they cost 8 bytes per run instead of 4 per row.
//!
//! In: values pushed in row order. Out: the same values expanded, by a forward [`RunCursor`].

/// A column of `u32` values as runs: `values[i]` repeated `lens[i]` times.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Runs {
    values: Vec<u32>,
    lens: Vec<u32>,
    len: usize,
}

impl Runs {
    /// Rows held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Runs held.
    pub(crate) fn runs(&self) -> usize {
        self.values.len()
    }

    /// Appends `v`; true when it started a new run.
    #[inline]
    pub(crate) fn push(&mut self, v: u32, limit: usize) -> bool {
        self.len += 1;
        if let (Some(&last), Some(n)) = (self.values.last(), self.lens.last_mut()) {
            if last == v && *n < u32::MAX {
                *n += 1;
                return false;
            }
        }
        grow_within(&mut self.values, limit);
        grow_within(&mut self.lens, limit);
        self.values.push(v);
        self.lens.push(1);
        true
    }

    /// Appends `k` more copies of the last value, as `k` calls of [`Self::push`] with it would
    /// (a run longer than `u32::MAX` goes on in a new one).
    pub(crate) fn repeat_last(&mut self, mut k: usize, limit: usize) {
        let Some(&v) = self.values.last() else {
            return;
        };
        while k > 0 {
            let Some(n) = self.lens.last_mut() else {
                return;
            };
            let room = (u32::MAX - *n) as usize;
            if room == 0 {
                self.push(v, limit);
                k -= 1;
                continue;
            }
            let add = room.min(k);
            *n += add as u32;
            self.len += add;
            k -= add;
        }
    }

    pub(crate) fn clear(&mut self) {
        self.values.clear();
        self.lens.clear();
        self.len = 0;
    }

    pub(crate) fn release(&mut self) {
        *self = Runs::default();
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        (self.values.len() + self.lens.len()) * 4
    }

    /// Every value, expanded (for a column that stops being worth encoding).
    pub(crate) fn expand(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len);
        RunCursor::default().take(self, self.len, &mut out);
        out
    }
}

/// Like [`crate::Column::grow_within`]: doubling, but never past `limit` values.
#[inline]
pub(crate) fn grow_within(v: &mut Vec<u32>, limit: usize) {
    if v.len() == v.capacity() {
        let add = v
            .capacity()
            .max(1024)
            .min(limit.saturating_sub(v.capacity()))
            .max(1);
        v.reserve_exact(add);
    }
}

/// A reading position in a [`Runs`]: run `run`, `within` values into it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct RunCursor {
    run: usize,
    within: u32,
}

impl RunCursor {
    /// Appends the next up to `max` values to `out`; returns how many.
    pub(crate) fn take(&mut self, runs: &Runs, max: usize, out: &mut Vec<u32>) -> usize {
        let mut taken = 0;
        while taken < max && self.run < runs.values.len() {
            let left = (runs.lens[self.run] - self.within) as usize;
            let n = left.min(max - taken);
            out.extend(std::iter::repeat_n(runs.values[self.run], n));
            taken += n;
            if n == left {
                self.run += 1;
                self.within = 0;
            } else {
                self.within += n as u32;
            }
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeating_the_last_value_is_pushing_it_again() {
        let (mut pushed, mut repeated) = (Runs::default(), Runs::default());
        for (v, n) in [(4u32, 1usize), (4, 3), (9, 1), (9, 1000), (2, 5)] {
            for _ in 0..n {
                pushed.push(v, 1 << 20);
            }
            repeated.push(v, 1 << 20);
            repeated.repeat_last(n - 1, 1 << 20);
        }
        assert_eq!(pushed, repeated);
        // Past u32::MAX a run goes on in a new one.
        let mut long = Runs::default();
        long.push(7, 16);
        long.repeat_last(u32::MAX as usize + 4, 16);
        assert_eq!((long.runs(), long.len()), (2, u32::MAX as usize + 5));
    }

    #[test]
    fn runs_expand_to_what_was_pushed_in_any_slicing() {
        let values: Vec<u32> = (0..10_000u32)
            .map(|i| (i / 7) % 5 + (i % 101 == 0) as u32)
            .collect();
        let mut r = Runs::default();
        for &v in &values {
            r.push(v, usize::MAX);
        }
        assert_eq!(r.len(), values.len());
        assert!(r.runs() < values.len() / 4);
        assert_eq!(r.expand(), values);
        for step in [1, 3, 64, 9_999, 20_000] {
            let mut c = RunCursor::default();
            let mut got = Vec::new();
            while c.take(&r, step, &mut got) > 0 {}
            assert_eq!(got, values, "step {step}");
        }
    }

    #[test]
    fn a_run_longer_than_u32_counts_splits() {
        let mut r = Runs::default();
        r.values.push(9);
        r.lens.push(u32::MAX);
        r.len = u32::MAX as usize;
        r.push(9, usize::MAX);
        assert_eq!(r.runs(), 2);
        assert_eq!(r.len(), u32::MAX as usize + 1);
    }
}
