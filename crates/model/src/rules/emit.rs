//! The rows of one target's connections: their nsyns, per-edge property values and synapse
//! locations, pushed into the sink.
//!
//! In: the (source, synapses) pairs a rule chose for a target (with their file rows, for a file
//! rule). Out: the rows, sources in the given order, a row per synapse when the edge type has
//! properties or locations; values a property's dtype cannot hold counted into [`Issues`].
//!
//! Rows' properties are evaluated a batch of rows at a time ([`RowBatch`]) when that draws the
//! same numbers in the same order as row by row: every property an expression or a file column,
//! and at most one random function call among them all (Allen's V1: `syn_weight = -1.0 *
//! lognormal(0, 0.5)`). The property stream's draws are then that call's, one per row in row
//! order, which the lane-wise program makes in the same order (`Expr::eval_lanes_drawing`).
//! Why: row by row the scalar interpreter's dispatch, a normal draw and an `exp` were a tenth
//! of that build's instructions.

use super::{PreparedEdgeType, PreparedProp};
use crate::draw::{draw, Drawn};
use crate::issues::{pair_key, IssueKind, Issues};
use crate::sink::{EdgeRow, EdgeRows, EdgeSink};
use crate::stream::{stream, Domain, Purpose};
use netbuild_types::Nsyns;
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;

/// Rows evaluated together: enough to pay for the lane-wise program's dispatch, few enough that
/// a target with many rows keeps its scratch small.
const BATCH_ROWS: usize = 256;

/// Scratch space of the batched rows, kept between targets.
#[derive(Default)]
pub(super) struct RowBatch {
    /// Each row's connection (index into the target's connections).
    conn: Vec<u32>,
    /// Each row's source, and its position when a property reads positions.
    sources: Vec<u64>,
    positions: Vec<[f64; 3]>,
    /// Property `k` of row `i` at `values[k * rows + i]`.
    values: Vec<f64>,
    vars: Vec<f64>,
    stack: Vec<f64>,
    out: Vec<f64>,
    /// The values row after row, as a sink takes them (when there are two properties or more).
    by_row: Vec<f64>,
    /// 1s: the nsyns of rows of one synapse each.
    ones: Vec<u32>,
}

/// The streams one target's rows draw from, each its own: none's draws shift another's. Each
/// is made on its first draw: a stream costs a key derivation and a ChaCha8 set-up (1% of
/// Allen's V1 at 150 um, whose rows draw from one of the three).
struct Streams {
    seed: u64,
    domain: Domain,
    t: u64,
    made: [Option<ChaCha8Rng>; 3],
}

impl Streams {
    fn new(seed: u64, domain: Domain, t: u64) -> Streams {
        Streams {
            seed,
            domain,
            t,
            made: [None, None, None],
        }
    }

    /// The stream of `purpose`, kept in `made[i]`.
    fn get(&mut self, i: usize, purpose: Purpose) -> &mut ChaCha8Rng {
        let (seed, domain, t) = (self.seed, self.domain, self.t);
        self.made[i].get_or_insert_with(|| stream(seed, domain, t, purpose))
    }

    fn nsyns(&mut self) -> &mut ChaCha8Rng {
        self.get(0, Purpose::Nsyns)
    }

    fn prop(&mut self) -> &mut ChaCha8Rng {
        self.get(1, Purpose::EdgeProperty)
    }

    fn loc(&mut self) -> &mut ChaCha8Rng {
        self.get(2, Purpose::SynLocation)
    }
}

/// What [`PreparedEdgeType::emit`] reads and writes besides the connections.
pub(super) struct EmitScratch<'s> {
    pub file_rows: &'s [u32],
    pub vars: &'s mut Vec<f64>,
    pub props: &'s mut Vec<f64>,
    pub rows: &'s mut RowBatch,
    pub issues: &'s mut Issues,
}

/// Whether `props` can be evaluated a batch of rows at a time with the draws of row by row
/// evaluation: expressions and file columns only, with one random function call at most.
pub(super) fn props_in_batches(props: &[PreparedProp]) -> bool {
    let mut draws = 0;
    for p in props {
        match p {
            PreparedProp::Expr(e) => draws += e.draw_sites(),
            PreparedProp::FileColumn(_) => {}
            PreparedProp::Generator(_) | PreparedProp::Custom(_) => return false,
        }
    }
    draws <= 1
}

impl PreparedEdgeType<'_> {
    /// Draws nsyns and per-edge properties for the connections `conns` of `t` and pushes the
    /// rows. Values that their dtype cannot hold are counted.
    pub(super) fn emit<S: EdgeSink>(
        &self,
        t: u64,
        conns: &[(u64, u32)],
        scratch: EmitScratch<'_>,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        if conns.is_empty() {
            return Ok(());
        }
        let mut streams = Streams::new(self.seed, Domain::EdgeType(self.index), t);
        let per_synapse = self.def.row_per_synapse();
        let batched = per_synapse && self.props_in_batches;
        let EmitScratch {
            file_rows,
            vars,
            props,
            rows,
            issues,
        } = scratch;
        rows.conn.clear();
        for (c, &(s, count)) in conns.iter().enumerate() {
            let nsyns = if count > 0 {
                count
            } else {
                match self.def.nsyns {
                    Nsyns::Fixed(n) => n,
                    Nsyns::UniformInt(lo, hi) => streams.nsyns().gen_range(lo..=hi.max(lo)),
                }
            };
            if !per_synapse {
                sink.push(EdgeRow {
                    edge_type: self.index,
                    source: s,
                    target: t,
                    nsyns,
                    properties: &[],
                })?;
            } else if batched {
                for _ in 0..nsyns {
                    rows.conn.push(c as u32);
                    if rows.conn.len() == BATCH_ROWS {
                        self.emit_batch(
                            t,
                            conns,
                            file_rows,
                            rows,
                            props,
                            &mut streams,
                            issues,
                            sink,
                        )?;
                    }
                }
            } else {
                // Only an expression of `d`, `dx`, ... reads it: each row's load was a cache
                // miss (sources are far apart in the positions).
                let sp = self.source_position(s);
                for _ in 0..nsyns {
                    props.clear();
                    for (k, p) in self.props.iter().enumerate() {
                        let x = match p {
                            PreparedProp::Expr(e) => {
                                e.eval(s, t, sp, self.trg_pos[t as usize], vars, streams.prop())
                            }
                            PreparedProp::Generator(g) => match draw(g, 0, 1, streams.prop()) {
                                Drawn::Num(x) => x,
                                Drawn::Str(_) => f64::NAN,
                            },
                            PreparedProp::Custom(f) => f(&self.pair(s, t), streams.prop()),
                            PreparedProp::FileColumn(j) => self.file_value(file_rows.get(c), *j),
                        };
                        self.check_value(k, x, s, t, issues);
                        props.push(x);
                    }
                    self.push_synapse(s, t, props, &mut streams, sink)?;
                }
            }
        }
        if !rows.conn.is_empty() {
            self.emit_batch(t, conns, file_rows, rows, props, &mut streams, issues, sink)?;
        }
        Ok(())
    }

    /// The rows of `rows.conn` (then forgotten): every property evaluated over the batch, then
    /// the rows checked and pushed one by one, as [`PreparedEdgeType::emit`] row by row.
    #[allow(clippy::too_many_arguments)]
    fn emit_batch<S: EdgeSink>(
        &self,
        t: u64,
        conns: &[(u64, u32)],
        file_rows: &[u32],
        rows: &mut RowBatch,
        props: &mut Vec<f64>,
        streams: &mut Streams,
        issues: &mut Issues,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let n = rows.conn.len();
        let tp = self.trg_pos[t as usize];
        rows.sources.clear();
        rows.sources
            .extend(rows.conn.iter().map(|&c| conns[c as usize].0));
        rows.positions.clear();
        if self.props_read_positions {
            let src_pos = &self.src_pos;
            rows.positions
                .extend(rows.sources.iter().map(|&s| src_pos[s as usize]));
        }
        rows.values.clear();
        for p in &self.props {
            match p {
                PreparedProp::Expr(e) => {
                    let drawn = e.eval_rows(
                        t,
                        tp,
                        &rows.sources,
                        &rows.positions,
                        (&mut rows.vars, &mut rows.stack, &mut rows.out),
                        streams.prop(),
                    );
                    debug_assert!(drawn, "props_in_batches allows one draw at most");
                    if rows.values.is_empty() {
                        // The first property's values: no copy.
                        std::mem::swap(&mut rows.values, &mut rows.out);
                    } else {
                        rows.values.extend_from_slice(&rows.out);
                    }
                }
                PreparedProp::FileColumn(j) => rows.values.extend(
                    rows.conn
                        .iter()
                        .map(|&c| self.file_value(file_rows.get(c as usize), *j)),
                ),
                PreparedProp::Generator(_) | PreparedProp::Custom(_) => {
                    unreachable!("props_in_batches refuses them")
                }
            }
        }
        // Property by property (a tally: the order of notes does not matter), one dtype each.
        for (k, values) in rows.values.chunks_exact(n).enumerate() {
            let dtype = self.def.edge_props[k].dtype;
            for (&x, &s) in values.iter().zip(&rows.sources) {
                if !(x.is_finite() && dtype.holds(x)) {
                    self.note_value(k, x, s, t, issues);
                }
            }
        }
        if self.locations.is_none() {
            // No location to draw per row: the batch goes to the sink as one stretch.
            let width = self.props.len();
            let properties = if width <= 1 {
                &rows.values
            } else {
                rows.by_row.clear();
                rows.by_row
                    .extend((0..n * width).map(|j| rows.values[(j % width) * n + j / width]));
                &rows.by_row
            };
            if rows.ones.len() < n {
                rows.ones.resize(n, 1);
            }
            sink.push_rows(EdgeRows {
                edge_type: self.index,
                target: t,
                sources: &rows.sources,
                nsyns: &rows.ones[..n],
                properties,
                width,
            })?;
        } else {
            for (i, &s) in rows.sources.iter().enumerate() {
                props.clear();
                props.extend((0..self.props.len()).map(|k| rows.values[k * n + i]));
                self.push_synapse(s, t, props, streams, sink)?;
            }
        }
        rows.conn.clear();
        Ok(())
    }

    /// Source `s`'s position when a property expression reads positions; NaN otherwise
    /// (nothing reads it).
    fn source_position(&self, s: u64) -> [f64; 3] {
        if self.props_read_positions {
            self.src_pos[s as usize]
        } else {
            [f64::NAN; 3]
        }
    }

    /// Pushes the row of one synapse of (`s`, `t`) with property values `props`, to which its
    /// location's columns are added (drawn from the location stream) when the edge type has locations.
    fn push_synapse<S: EdgeSink>(
        &self,
        s: u64,
        t: u64,
        props: &mut Vec<f64>,
        streams: &mut Streams,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        if let Some(l) = &self.locations {
            let tslot = self.trg_slot.get(t) as usize;
            let at = l.draw(tslot, streams.loc().next_u64());
            props.extend([
                f64::from(at.section_id),
                at.section_pos,
                at.swc_id as f64,
                at.swc_pos,
            ]);
            if let Some(c) = l.coords(tslot, at) {
                props.extend(c);
            }
        }
        sink.push(EdgeRow {
            edge_type: self.index,
            source: s,
            target: t,
            nsyns: 1,
            properties: props,
        })
    }

    /// Counts value `x` of property `k` for pair (`s`, `t`) if its dtype cannot hold it: NaN,
    /// infinite or beyond f32 (no simulator can use it), or an integer out of range (clamped).
    fn check_value(&self, k: usize, x: f64, s: u64, t: u64, issues: &mut Issues) {
        let dtype = self.def.edge_props[k].dtype;
        if !(x.is_finite() && dtype.holds(x)) {
            self.note_value(k, x, s, t, issues);
        }
    }

    /// Counts value `x` of property `k` for pair (`s`, `t`), which its dtype cannot hold.
    fn note_value(&self, k: usize, x: f64, s: u64, t: u64, issues: &mut Issues) {
        let dtype = self.def.edge_props[k].dtype;
        let kind = if x.is_finite() && dtype.is_integer() {
            IssueKind::Clamped(k)
        } else {
            IssueKind::NonFinite(k)
        };
        issues.note(self.index, kind, pair_key(s, t));
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        all_nodes, generate_networks, generator, Circuit, Columns, Dtype, EdgeValue, GenKind,
        NodeValues, Nsyns, PreparedEdgeType, Rule, Scratch, Value, VecSink,
    };

    type Rows = Vec<(usize, u64, u64, u32, Vec<u64>)>;

    /// Every row of edge type `index` (properties as bits) and the issues, evaluating the
    /// properties in batches or row by row.
    fn rows(c: &Circuit, index: usize, batched: bool) -> (Rows, Vec<crate::Issue>) {
        let nets = generate_networks(c).unwrap();
        let mut cols = Columns::new(&nets);
        let mut e =
            PreparedEdgeType::prepare(index, &c.edge_types[index], c.seed, &mut cols).unwrap();
        assert!(e.props_in_batches, "edge type {index} is batched");
        e.props_in_batches = batched;
        let n = e.target_network().n;
        let state = e.prepare_block(0..n);
        let (mut scratch, mut sink) = (Scratch::default(), VecSink::default());
        for t in (0..n).filter(|&t| e.is_target(t)) {
            e.connect(&state, t, &mut scratch, &mut sink).unwrap();
        }
        let bits = |p: Vec<f64>| p.into_iter().map(f64::to_bits).collect();
        let rows = sink.rows.into_iter();
        let rows = rows.map(|(e, s, t, n, p)| (e, s, t, n, bits(p))).collect();
        (rows, scratch.issues.iter().collect())
    }

    /// Batched rows are row by row's, bit for bit, with the same issues: one random call among
    /// the properties, positions and columns read, NaNs and out of range values, and targets
    /// with more rows than a batch.
    #[test]
    fn batched_rows_equal_row_by_row() {
        let mut c = Circuit::new(9);
        let uniform = |lo, hi| NodeValues::Generator(generator(GenKind::Uniform { lo, hi }));
        c.add_nodes("a", 150)
            .prop("x", uniform(0.0, 100.0))
            .prop("y", uniform(0.0, 100.0))
            .prop("z", uniform(0.0, 100.0))
            .prop("angle", uniform(-10.0, 360.0));
        let x = |s: &str| EdgeValue::Expr(netbuild_expr::Expr::parse(s).unwrap());
        let p = netbuild_expr::Expr::parse("exp(-d * d / 5000)").unwrap();
        c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll)
            .nsyns(Nsyns::UniformInt(1, 3))
            .edge_prop("w", Dtype::F32, x("-1.0 * lognormal(0, 0.5)"))
            .edge_prop("d", Dtype::F64, x("d * 0.5 + src.angle - trg.angle"))
            .edge_prop("n", Dtype::U32, x("src.angle - 100"));
        c.add_edges(
            all_nodes("a"),
            all_nodes("a"),
            Rule::Probability(Value::Expr(p)),
        )
        .edge_prop("u", Dtype::F64, x("if(dx > 0, 2, log(dx)) * 3"))
        .edge_prop("r", Dtype::I32, x("randint(src.angle, trg.angle)"));
        c.add_edges(all_nodes("a"), all_nodes("a"), Rule::AllToAll)
            .edge_prop("v", Dtype::F32, x("2"));
        for index in 0..c.edge_types.len() {
            let (batched, issues) = rows(&c, index, true);
            assert!(batched.len() > 1000, "{}", batched.len());
            assert_eq!(
                issues.is_empty(),
                index == 2,
                "edge type {index}: {issues:?}"
            );
            assert_eq!(
                (batched, issues),
                rows(&c, index, false),
                "edge type {index}"
            );
        }
    }
}
