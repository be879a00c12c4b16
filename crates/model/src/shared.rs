//! Arrays that the ranks of one host hold once: [`Shared`], made through a [`Host`].
//!
//! In: a [`Host`] (what the caller's group of ranks offers: whether this rank computes, and a
//! collective that publishes bytes to the host) and, on the rank that computes, the array. Out:
//! on every rank of the host, a [`Shared`] slice of the same values. Without a host to share
//! with ([`Private`], a single process) the array is simply owned: no copy, no file.
//!
//! Why: the node columns and what is derived from them (positions, the `max_distance` grid,
//! selections, the targets' synapse-location tables) are the same on every rank and, for millions of nodes, most of a rank's memory;
//! 16 ranks on one host would otherwise hold 16 copies.
//!
//! Every rank of a host must make the same [`share`] / [`publish`] calls in the same order (they
//! are collective): the model's preparation does, since it is the same on every rank.

use std::ops::Deref;
use std::sync::Arc;

/// Plain old data: any bit pattern of the right size is a value, and it has no pointers, so
/// its bytes can be written by one process and read by another.
///
/// # Safety
/// Implement only for types without padding, pointers or invalid bit patterns.
pub unsafe trait Plain: Copy + Send + Sync + 'static {}
// SAFETY: numbers and arrays of numbers: no padding, every bit pattern valid.
unsafe impl Plain for f64 {}
unsafe impl Plain for u32 {}
unsafe impl Plain for u64 {}
unsafe impl Plain for [f64; 3] {}
unsafe impl Plain for [[f64; 3]; 3] {}
unsafe impl Plain for u8 {}
// SAFETY: `repr(C)`, numbers only, no padding (its size is asserted where it is defined).
unsafe impl Plain for netbuild_morphology::Slot {}

/// Bytes held in the host's shared memory, read only.
pub trait Region: Send + Sync {
    /// The region's bytes.
    fn bytes(&self) -> &[u8];
}

/// What the caller's group of ranks offers for sharing.
pub trait Host {
    /// Whether this rank computes the arrays to share (the host's first rank, or a rank alone).
    fn computes(&self) -> bool;
    /// Whether other ranks share this host's memory, so that [`Host::publish`] is worth it.
    fn shares(&self) -> bool;
    /// *Collective over the host.* The computing rank passes `Some(bytes)`, the others `None`;
    /// every rank gets the computing rank's bytes. Errors are the text of an I/O error.
    fn publish(&self, bytes: Option<&[u8]>) -> Result<Arc<dyn Region>, String>;
}

/// One process alone: computes everything and shares nothing.
pub struct Private;

impl Host for Private {
    fn computes(&self) -> bool {
        true
    }
    fn shares(&self) -> bool {
        false
    }
    fn publish(&self, bytes: Option<&[u8]>) -> Result<Arc<dyn Region>, String> {
        Ok(Arc::new(bytes.unwrap_or_default().to_vec()))
    }
}

impl Region for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

/// A read-only array, owned or mapped from the host's shared memory; cheap to clone.
pub struct Shared<T: Plain> {
    repr: Repr<T>,
}

enum Repr<T> {
    Owned(Arc<Vec<T>>),
    /// `region`'s bytes, aligned for `T` and a whole number of `T` (checked when made).
    Mapped(Arc<dyn Region>),
}

impl<T: Plain> Shared<T> {
    /// A view of `region` as `T`s; copied where its bytes do not fit `T` (alignment, length),
    /// which a page-aligned mapping of a `T` array never does.
    fn of_region(region: Arc<dyn Region>) -> Shared<T> {
        let b = region.bytes();
        let size = std::mem::size_of::<T>();
        if b.as_ptr().align_offset(std::mem::align_of::<T>()) == 0 && b.len().is_multiple_of(size) {
            return Shared {
                repr: Repr::Mapped(region),
            };
        }
        let copied: Vec<T> = b
            .chunks_exact(size)
            // SAFETY: `T` is `Plain`; `read_unaligned` reads `size` bytes from each chunk.
            .map(|c| unsafe { std::ptr::read_unaligned(c.as_ptr() as *const T) })
            .collect();
        Shared::from(copied)
    }

    /// Whether the values live in the host's shared memory (not in this process).
    pub fn is_mapped(&self) -> bool {
        matches!(self.repr, Repr::Mapped(_))
    }
}

impl<T: Plain> Deref for Shared<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.repr {
            Repr::Owned(v) => v,
            Repr::Mapped(r) => {
                let b = r.bytes();
                // SAFETY: checked in `of_region`: aligned for `T`, a whole number of `T`s, and
                // `T: Plain` accepts any bytes; the region lives as long as `self`.
                unsafe {
                    std::slice::from_raw_parts(
                        b.as_ptr() as *const T,
                        b.len() / std::mem::size_of::<T>(),
                    )
                }
            }
        }
    }
}

impl<T: Plain> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared {
            repr: match &self.repr {
                Repr::Owned(v) => Repr::Owned(v.clone()),
                Repr::Mapped(r) => Repr::Mapped(r.clone()),
            },
        }
    }
}

impl<T: Plain> From<Vec<T>> for Shared<T> {
    fn from(v: Vec<T>) -> Self {
        Shared {
            repr: Repr::Owned(Arc::new(v)),
        }
    }
}

impl<'a, T: Plain> IntoIterator for &'a Shared<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Plain> FromIterator<T> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Shared::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<T: Plain + std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Plain + PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

/// Bytes of a `T` array.
fn bytes_of<T: Plain>(d: &[T]) -> &[u8] {
    // SAFETY: `T: Plain` has no padding, so all of its bytes are initialised.
    unsafe { std::slice::from_raw_parts(d.as_ptr() as *const u8, std::mem::size_of_val(d)) }
}

/// *Collective over the host.* `make()`, run on the computing rank, as a [`Shared`] on every rank
/// of the host; owned, without copy, where there is nobody to share with. Where sharing fails
/// on a rank (the leader could not write the file, this rank could not map it), that rank holds
/// its own copy (the leader keeps its array, the others run `make()` themselves): the values are
/// the same either way, only the memory differs.
pub fn share<T: Plain>(host: &dyn Host, make: impl FnOnce() -> Vec<T>) -> Shared<T> {
    let [one] = share_many(host, || [make()]);
    one
}

/// *Collective over the host.* [`share`] for `N` arrays made together.
pub fn share_many<T: Plain, const N: usize>(
    host: &dyn Host,
    make: impl FnOnce() -> [Vec<T>; N],
) -> [Shared<T>; N] {
    if !host.shares() {
        return make().map(Shared::from);
    }
    let mut make = Some(make);
    let data = if host.computes() {
        make.take().map(|m| m())
    } else {
        None
    };
    // Every rank publishes all N, whatever failed before: the calls are collective.
    let regions: [Result<Arc<dyn Region>, String>; N] =
        std::array::from_fn(|i| host.publish(data.as_ref().map(|d| bytes_of(&d[i]))));
    if regions.iter().all(Result::is_ok) {
        return regions.map(|r| match r {
            Ok(r) => Shared::of_region(r),
            Err(_) => unreachable!("checked above"),
        });
    }
    let own = data.or_else(|| make.take().map(|m| m()));
    own.map(|d| d.map(Shared::from))
        .unwrap_or_else(|| std::array::from_fn(|_| Shared::from(Vec::new())))
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Two "ranks" in one test: the first computes and keeps the bytes it published, the
    /// second gets them back without computing.
    struct Pair {
        computes: bool,
        board: Rc<RefCell<Option<Arc<dyn Region>>>>,
    }

    impl Host for Pair {
        fn computes(&self) -> bool {
            self.computes
        }
        fn shares(&self) -> bool {
            true
        }
        fn publish(&self, bytes: Option<&[u8]>) -> Result<Arc<dyn Region>, String> {
            if let Some(b) = bytes {
                // Page-aligned like a real mapping: a Vec<u64>'s buffer is 8-aligned.
                let words: Vec<u64> = b
                    .chunks(8)
                    .map(|c| {
                        let mut w = [0u8; 8];
                        w[..c.len()].copy_from_slice(c);
                        u64::from_ne_bytes(w)
                    })
                    .collect();
                struct Words(Vec<u64>, usize);
                impl Region for Words {
                    fn bytes(&self) -> &[u8] {
                        // SAFETY: test helper; the Vec's bytes, cut to the published length.
                        unsafe { std::slice::from_raw_parts(self.0.as_ptr() as *const u8, self.1) }
                    }
                }
                *self.board.borrow_mut() = Some(Arc::new(Words(words, b.len())));
            }
            self.board.borrow().clone().ok_or_else(|| "nothing".into())
        }
    }

    /// A host whose every publish fails (a full `/dev/shm`).
    struct Broken(bool);

    impl Host for Broken {
        fn computes(&self) -> bool {
            self.0
        }
        fn shares(&self) -> bool {
            true
        }
        fn publish(&self, _: Option<&[u8]>) -> Result<Arc<dyn Region>, String> {
            Err("No space left on device".into())
        }
    }

    #[test]
    fn where_sharing_fails_each_rank_holds_its_own_copy() {
        for computes in [true, false] {
            let [a, b] = share_many(&Broken(computes), || [vec![1.0, 2.0], vec![3.0]]);
            assert!(!a.is_mapped() && !b.is_mapped());
            assert_eq!((&a[..], &b[..]), (&[1.0, 2.0][..], &[3.0][..]));
        }
    }

    #[test]
    fn the_computing_rank_makes_and_the_others_map() {
        let board = Rc::new(RefCell::new(None));
        let first = Pair {
            computes: true,
            board: board.clone(),
        };
        let second = Pair {
            computes: false,
            board,
        };
        let a = share(&first, || vec![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let b: Shared<[f64; 3]> = share(&second, || panic!("only the first computes"));
        assert!(a.is_mapped() && b.is_mapped());
        assert_eq!(&b[..], &[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let owned = share(&Private, || vec![7u32, 8]);
        assert!(!owned.is_mapped());
        assert_eq!(&owned[..], &[7, 8]);
    }
}
