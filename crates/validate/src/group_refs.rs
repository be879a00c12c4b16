//! Group references of a population's records (nodes or edges): every `*_group_id` must name an
//! existing group, every `*_group_index` a row inside it, and every group row must be used by
//! exactly one record. Shared by the nodes and edges checks.
//!
//! In: the groups' ids and row counts (`None` for a group without datasets), then the group ids
//! and indices of the records, block by block. Out: findings in the [`Sink`].

use crate::h5util::{show, Bitmap, GrowBitmap};
use crate::Sink;

pub(crate) struct GroupRefs {
    rows: Vec<(u64, Option<u64>)>,
    maps: Vec<Option<Bitmap>>,
    grow: Vec<GrowBitmap>,
}

impl GroupRefs {
    pub(crate) fn new(rows: Vec<(u64, Option<u64>)>) -> Self {
        let maps = rows.iter().map(|(_, r)| r.map(Bitmap::new)).collect();
        let grow = rows.iter().map(|_| GrowBitmap::default()).collect();
        GroupRefs { rows, maps, grow }
    }

    /// Checks records `lo..lo + gids.len()` of `n`; `what` is "node" or "edge".
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check(
        &mut self,
        what: &str,
        lo: u64,
        gids: &[u64],
        gidx: &[u64],
        n: u64,
        label: &str,
        ppath: &str,
        sink: &mut Sink,
    ) {
        let id_path = format!("{ppath}/{what}_group_id");
        let index_path = format!("{ppath}/{what}_group_index");
        for (k, (&gid, &idx)) in gids.iter().zip(gidx).enumerate() {
            let e = lo + k as u64;
            let Some(s) = self.rows.iter().position(|(id, _)| *id == gid) else {
                let known: Vec<String> = self.rows.iter().map(|(id, _)| id.to_string()).collect();
                sink.error(
                    label,
                    &id_path,
                    format!(
                        "{what} {e}: group {} does not exist (groups: {})",
                        show(gid),
                        known.join(", ")
                    ),
                );
                continue;
            };
            let dup = match (&mut self.maps[s], self.rows[s].1) {
                (Some(map), Some(r)) => {
                    if idx >= r {
                        sink.error(
                            label,
                            &index_path,
                            format!(
                                "{what} {e}: index {} outside group {gid}, which has {r} rows",
                                show(idx)
                            ),
                        );
                        continue;
                    }
                    map.test_and_set(idx)
                }
                _ => match self.grow[s].test_and_set(idx, n) {
                    Some(d) => d,
                    None => {
                        sink.error(
                            label,
                            &index_path,
                            format!(
                                "{what} {e}: index {} of group {gid} exceeds the {what} count",
                                show(idx)
                            ),
                        );
                        continue;
                    }
                },
            };
            if dup {
                sink.error(
                    label,
                    &index_path,
                    format!("{what} {e}: row {idx} of group {gid} is used by another {what} too"),
                );
            }
        }
    }

    /// After every record: group rows that no record used.
    pub(crate) fn finish(self, what: &str, label: &str, ppath: &str, sink: &mut Sink) {
        for (s, (gid, r)) in self.rows.iter().enumerate() {
            let gpath = format!("{ppath}/{gid}");
            match (&self.maps[s], r) {
                (Some(map), Some(r)) => {
                    let used = map.count_ones();
                    if used < *r {
                        let first = map.first_clear(1);
                        sink.error(
                            label,
                            &gpath,
                            format!(
                                "{} of its {r} rows are used by no {what} (first: row {})",
                                r - used,
                                first.first().copied().unwrap_or(0)
                            ),
                        );
                    }
                }
                _ => {
                    let b = &self.grow[s];
                    if let Some(max) = b.max {
                        if max + 1 != b.set {
                            sink.error(
                                label,
                                &gpath,
                                format!(
                                    "a group without datasets is used by {} {what}s with indices up to {max}: expected 0..{}",
                                    b.set, b.set
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}
