//! What a build dropped or changed, over all ranks, in words.
//!
//! In: the rules' [`Issues`] (prepare-time ones, the same on every rank; connect-time ones, a
//! tally per rank). Out: the global tally (counts summed over ranks, the globally first places
//! kept: the same for any rank count) and one sentence per issue for the log, the end summary
//! and errors.

use crate::write::edge_type_id;
use netbuild_comm::{bytes_to_u64s, u64s_to_bytes, Comm};
use netbuild_model::issues::{pair_of, FIRST_KEPT};
use netbuild_model::{Circuit, Issue, IssueKind, Issues, Rule};

/// Collective: every rank's tally `mine`, merged (identical on every rank).
pub fn gather(comm: &dyn Comm, mine: &Issues) -> Issues {
    let mut all = Issues::default();
    for bytes in comm.all_gather_bytes(&u64s_to_bytes(&mine.to_u64s())) {
        all.merge(&Issues::from_u64s(&bytes_to_u64s(&bytes)));
    }
    all
}

/// One sentence for `issue`: what happened, how often, where first.
pub fn describe(issue: &Issue, circuit: &Circuit) -> String {
    let def = circuit.edge_types.get(issue.edge_type);
    let n = issue.count;
    let s = |one: &str, many: &str| if n == 1 { one } else { many }.to_string();
    let prop = |k: usize| {
        def.and_then(|d| d.edge_props.get(k))
            .map_or((String::from("?"), String::from("?")), |p| {
                (p.name.clone(), format!("{:?}", p.dtype).to_lowercase())
            })
    };
    let what = match issue.kind {
        IssueKind::SelfConnection => format!(
            "{n} {} dropped (autapses = false)",
            s("self-connection", "self-connections")
        ),
        IssueKind::BeyondMaxDistance => format!(
            "{n} file {} dropped: farther apart than max_distance = {}",
            s("row", "rows"),
            def.and_then(|d| d.max_distance).unwrap_or(f64::NAN)
        ),
        IssueKind::NanProbability => format!(
            "{n} candidate {} never connected: the probability is NaN",
            s("pair", "pairs")
        ),
        IssueKind::NanCount => format!(
            "{n} {} got no synapse: the count is NaN",
            s("pair", "pairs")
        ),
        IssueKind::CountCapped => format!(
            "{n} {} got {} synapses: the count was above it",
            s("pair", "pairs"),
            netbuild_model::rules::MAX_COUNT
        ),
        IssueKind::Clamped(k) => {
            let (name, dtype) = prop(k);
            format!(
                "{n} {} of property '{name}' outside the {dtype} range clamped",
                s("value", "values")
            )
        }
        IssueKind::NonFinite(k) => {
            let (name, dtype) = prop(k);
            let why = match dtype.as_str() {
                "f32" => "NaN, infinite, or beyond the f32 range",
                "f64" => "NaN or infinite",
                _ => "NaN or infinite, which no integer holds",
            };
            format!(
                "property '{name}' is {why} for {n} {}; no simulator can use such a value",
                s("synapse", "synapses")
            )
        }
    };
    let places: Vec<String> = issue
        .first
        .iter()
        .map(|&p| place(issue.kind, p, def.map(|d| &d.rule)))
        .collect();
    let more = if n > FIRST_KEPT as u64 && places.len() == FIRST_KEPT {
        ", ..."
    } else {
        ""
    };
    let first = if issue.kind.places_are_lines() {
        "first at"
    } else {
        "first (source, target) ="
    };
    format!(
        "edge type {}: {what}, {first} {}{more}",
        edge_type_id(issue.edge_type),
        places.join(", ")
    )
}

/// A place as a user reads it: `edges.csv:6`, or a (source, target) pair.
fn place(kind: IssueKind, p: u64, rule: Option<&Rule>) -> String {
    if kind.places_are_lines() {
        return match rule {
            Some(Rule::File(f)) => f.place(p),
            _ => format!("row {p}"),
        };
    }
    let (s, t) = pair_of(p);
    format!("({s}, {t})")
}

/// Logs every issue (rank 0 only, so that a multi-rank job says it once).
pub fn log(comm: &dyn Comm, issues: &Issues, circuit: &Circuit) {
    if comm.rank() != 0 {
        return;
    }
    for i in issues.iter() {
        tracing::warn!("{}", describe(&i, circuit));
    }
}
