//! [`Local`]: one process, no MPI.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use crate::{check_peer_and_tag, failure_line, print_stderr, Comm};

/// Messages a rank sent to itself, by tag, oldest first.
#[derive(Debug, Default)]
pub(crate) struct SelfQueue(Mutex<HashMap<i32, VecDeque<Vec<u8>>>>);

impl SelfQueue {
    pub(crate) fn push(&self, tag: i32, data: &[u8]) {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.entry(tag).or_default().push_back(data.to_vec());
    }

    pub(crate) fn pop(&self, tag: i32) -> Option<Vec<u8>> {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.get_mut(&tag).and_then(VecDeque::pop_front)
    }
}

/// A group of one rank, without MPI: every collective is trivial and messages to oneself are
/// queued. For unit tests, tools, and code paths that must not touch MPI.
///
/// [`abort`](Comm::abort) prints the failure line and exits the process; panics are ordinary
/// Rust panics (no hook is installed).
#[derive(Debug, Default)]
pub struct Local {
    queue: SelfQueue,
}

impl Local {
    /// A one-rank group.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Comm for Local {
    fn rank(&self) -> usize {
        0
    }

    fn size(&self) -> usize {
        1
    }

    fn barrier(&self) {}

    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        vec![mine.to_vec()]
    }

    fn all_gather_u64(&self, mine: u64) -> Vec<u64> {
        vec![mine]
    }

    fn all_reduce_sum_u64(&self, v: &[u64]) -> Vec<u64> {
        v.to_vec()
    }

    fn all_reduce_max_u64(&self, v: &[u64]) -> Vec<u64> {
        v.to_vec()
    }

    fn broadcast_bytes(&self, root: usize, data: &[u8]) -> Vec<u8> {
        assert!(
            root == 0,
            "broadcast_bytes: rank {root} does not exist (the job has 1 rank)"
        );
        data.to_vec()
    }

    fn exchange_bytes(&self, per_rank: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        assert!(
            per_rank.len() == 1,
            "exchange_bytes: {} buffers given for 1 rank",
            per_rank.len()
        );
        per_rank
    }

    fn send_bytes(&self, to: usize, tag: i32, data: &[u8]) {
        check_peer_and_tag("send_bytes", to, 1, tag);
        self.queue.push(tag, data);
    }

    fn recv_bytes(&self, from: usize, tag: i32) -> Vec<u8> {
        check_peer_and_tag("recv_bytes", from, 1, tag);
        match self.queue.pop(tag) {
            Some(m) => m,
            None => panic!(
                "recv_bytes: nothing was sent to this rank by itself under tag {tag}; \
                 receiving would wait forever"
            ),
        }
    }

    fn abort(&self, code: i32, message: &str) -> ! {
        print_stderr(&failure_line(0, 1, message));
        std::process::exit(if code == 0 { 1 } else { code })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrefixSum;

    #[test]
    fn collectives_are_identities() {
        let c = Local::new();
        assert_eq!((c.rank(), c.size()), (0, 1));
        c.barrier();
        assert_eq!(c.all_gather_bytes(b"ab"), vec![b"ab".to_vec()]);
        assert_eq!(c.all_gather_u64(7), vec![7]);
        assert_eq!(c.all_reduce_sum_u64(&[1, 2]), vec![1, 2]);
        assert_eq!(c.all_reduce_max_u64(&[1, 2]), vec![1, 2]);
        assert_eq!(c.all_reduce_min_u64(&[1, 2]), vec![1, 2]);
        assert_eq!(c.broadcast_bytes(0, b"x"), b"x".to_vec());
        assert_eq!(c.exchange_bytes(vec![vec![9]]), vec![vec![9]]);
        assert!(c.any(true) && !c.any(false));
        assert!(c.all(true) && !c.all(false));
        assert_eq!(
            c.exclusive_prefix_sum(5),
            PrefixSum {
                offset: 0,
                total: 5
            }
        );
    }

    #[test]
    fn works_through_dyn_and_box() {
        let b: Box<dyn Comm> = Box::new(Local::new());
        assert_eq!(b.size(), 1);
        fn generic<C: Comm>(c: C) -> u64 {
            c.exclusive_prefix_sum(3).total
        }
        assert_eq!(generic(&b), 3);
        assert_eq!(generic(b), 3);
    }

    #[test]
    fn self_messages_queue_per_tag_in_order() {
        let c = Local::new();
        c.send_bytes(0, 1, b"a");
        c.send_bytes(0, 2, b"b");
        c.send_bytes(0, 1, b"c");
        assert_eq!(c.recv_bytes(0, 2), b"b");
        assert_eq!(c.recv_bytes(0, 1), b"a");
        assert_eq!(c.recv_bytes(0, 1), b"c");
    }

    #[test]
    #[should_panic(expected = "wait forever")]
    fn receiving_nothing_from_oneself_panics() {
        Local::new().recv_bytes(0, 0);
    }

    #[test]
    #[should_panic(expected = "does not exist")]
    fn bad_peer_panics() {
        Local::new().send_bytes(1, 0, b"");
    }

    #[test]
    #[should_panic(expected = "tag -1")]
    fn bad_tag_panics() {
        Local::new().send_bytes(0, -1, b"");
    }

    #[test]
    #[should_panic(expected = "2 buffers")]
    fn exchange_needs_one_buffer_per_rank() {
        Local::new().exchange_bytes(vec![vec![], vec![]]);
    }
}
