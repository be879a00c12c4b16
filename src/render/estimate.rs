//! `check`'s output: an [`Estimate`] as aligned text for people ([`text`]) or as JSON for
//! machines ([`json`]). In: the estimate and the spec's name as given on the command line.

use netbuild::estimate::projection::{project, Projection};
use netbuild::estimate::{Estimate, Method};
use serde_json::{json, Value};

use super::{bytes, row, selection, table, thousands};

/// How an edge type's numbers were found, in words.
fn describe(m: &Method) -> String {
    match m {
        Method::Rule => "exact (rule)".into(),
        Method::Enumerated => "exact (all targets connected)".into(),
        Method::Expected => "expected (p × pairs)".into(),
        Method::Sampled {
            targets,
            of,
            rel_se,
        } => format!(
            "sampled {} of {} targets (±{:.1}%)",
            thousands(*targets),
            thousands(*of),
            rel_se * 100.0
        ),
    }
}

/// A count, with `~` in front when it is estimated.
fn approx(x: f64, exact: bool) -> String {
    let n = thousands(x.round().max(0.0) as u64);
    if exact {
        n
    } else {
        format!("~{n}")
    }
}

/// Plain aligned text for people.
pub fn text(est: &Estimate, spec: &str) -> String {
    let mut out = String::new();
    let plural = if est.ranks == 1 { "" } else { "s" };
    out.push_str(&format!(
        "{spec}: the spec is valid; plan for {} rank{plural} (seed {}), nothing built\n\n",
        est.ranks, est.seed
    ));
    out.push_str("nodes\n");
    let mut t = vec![row(&["network", "nodes", "file", "size"])];
    for n in &est.networks {
        t.push(vec![
            n.name.clone(),
            thousands(n.nodes),
            n.file.clone(),
            format!("~{}", bytes(n.file_bytes)),
        ]);
    }
    out.push_str(&table(&t, &[false, true, false, true]));

    out.push_str("\nedge types (~ estimated; rows are synapses where edges have per-edge properties, else connections)\n");
    let mut t = vec![row(&[
        "id",
        "population",
        "source",
        "target",
        "rule",
        "pairs",
        "connections",
        "synapses",
        "rows",
        "how",
    ])];
    for e in &est.edge_types {
        t.push(vec![
            e.id.to_string(),
            e.population.clone(),
            selection(&e.source),
            selection(&e.target),
            e.rule.to_string(),
            thousands(e.pairs),
            approx(e.connections, e.method.exact()),
            approx(e.synapses, e.synapses_exact),
            approx(e.rows, e.rows_exact()),
            describe(&e.method),
        ]);
    }
    out.push_str(&table(
        &t,
        &[
            true, false, false, false, false, true, true, true, true, false,
        ],
    ));

    out.push_str("\nfiles to write (uncompressed: core columns 36 B/row, group columns, indices 16 B/range)\n");
    let mut t = vec![row(&["file", "rows", "synapses", "size"])];
    for p in &est.populations {
        t.push(vec![
            p.file.clone(),
            approx(p.rows, p.exact),
            approx(
                p.synapses,
                p.edge_types
                    .iter()
                    .all(|&i| est.edge_types[i].synapses_exact),
            ),
            format!("~{}", bytes(p.file_bytes)),
        ]);
    }
    out.push_str(&table(&t, &[false, true, true, true]));

    out.push_str(&format!(
        "\nmemory per rank (edge table: 12 B/row + group columns), {} rank{plural}\n",
        est.ranks
    ));
    let mut t = vec![row(&[
        "population",
        "rows, largest rank",
        "table, largest rank",
        "budget",
        "spills",
    ])];
    for p in &est.populations {
        let (r, b) = p.largest_share();
        t.push(vec![
            p.name.clone(),
            format!("{} (rank {r})", approx(p.rank_rows[r], false)),
            format!("~{}", bytes(b)),
            bytes(est.memory.budget.bytes as f64),
            if est.spills(b) {
                "yes".into()
            } else {
                "no".into()
            },
        ]);
    }
    out.push_str(&table(&t, &[false, true, true, true, false]));

    let exact = est.populations.iter().all(|p| p.exact);
    out.push_str(&format!(
        "\ntotal: {} edges (rows), {} synapses, ~{} to write\n",
        approx(est.rows(), exact),
        approx(
            est.synapses(),
            est.edge_types.iter().all(|e| e.synapses_exact)
        ),
        bytes(est.file_bytes())
    ));
    let budget = format!("{} per rank", bytes(est.memory.budget.bytes as f64));
    match est.largest_share() {
        Some((p, r, b)) => out.push_str(&format!(
            "memory: largest edge table ~{} ({}, rank {r}) against a budget of {budget}: {}\n",
            bytes(b),
            est.populations[p].name,
            if est.will_spill() {
                "will spill to disk"
            } else {
                "no spill"
            }
        )),
        None => out.push_str(&format!("memory: no edges; budget {budget}\n")),
    }
    out.push_str(&format!("budget from: {}\n", est.memory.budget.source));
    out.push_str(&projection_text(&project(est)));
    out
}

/// Seconds in words: "42 s", "3.5 min", "1.6 h".
fn duration(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// The projection's lines.
fn projection_text(p: &Projection) -> String {
    use netbuild::estimate::projection::*;
    let mb = |x: f64| format!("{:.0} MB/s", x / 1e6);
    format!(
        "\nprojection on {} rank{} (this machine's measured rates, docs/SCALING.md; a cluster's cores and file system change them)\n\
         generation: ~{} (busiest rank of each population; {:.1}M rows/s per rank for pair rules, {:.1}M for indegree/outdegree/total)\n\
         writing: ~{} with one writer (rank 0, {}), ~{} with the parallel writer ({} per rank, up to an assumed {:.0} GB/s file system)\n\
         memory: ~{} per rank (runtime, edge table up to the budget, 1 B per source node), ~{} more per host (node data, per-source counts, work per target: once per host)\n",
        p.ranks,
        if p.ranks == 1 { "" } else { "s" },
        duration(p.generate_s),
        PAIR_RULE_ROWS_PER_S / 1e6,
        FIXED_RULE_ROWS_PER_S / 1e6,
        duration(p.write_one_s),
        mb(WRITE_BYTES_PER_S),
        duration(p.write_parallel_s),
        mb(WRITE_BYTES_PER_S),
        FILE_SYSTEM_BYTES_PER_S / 1e9,
        bytes(p.rank_bytes),
        bytes(p.host_bytes),
    )
}

/// JSON for machines (`{:#}` prints it pretty).
pub fn json(est: &Estimate, spec: &str) -> Value {
    let edge_types: Vec<Value> = est
        .edge_types
        .iter()
        .map(|e| {
            let (method, sample) = match e.method {
                Method::Rule => ("rule", Value::Null),
                Method::Enumerated => ("enumerated", Value::Null),
                Method::Expected => ("expected", Value::Null),
                Method::Sampled {
                    targets,
                    of,
                    rel_se,
                } => (
                    "sampled",
                    json!({"targets": targets, "of": of, "relative_standard_error": rel_se}),
                ),
            };
            json!({
                "index": e.index,
                "id": e.id,
                "population": e.population,
                "source": selection(&e.source),
                "target": selection(&e.target),
                "rule": e.rule,
                "pairs": e.pairs,
                "connections": e.connections,
                "synapses": e.synapses,
                "rows": e.rows,
                "row_per_synapse": e.row_per_synapse,
                "method": method,
                "sample": sample,
                "exact": {
                    "connections": e.method.exact(),
                    "synapses": e.synapses_exact,
                    "rows": e.rows_exact(),
                },
                "table_bytes_per_row": e.table_bytes_per_row,
            })
        })
        .collect();
    let populations: Vec<Value> = est
        .populations
        .iter()
        .map(|p| {
            let (r, b) = p.largest_share();
            json!({
                "name": p.name,
                "file": p.file,
                "edge_type_ids": p.edge_types.iter().map(|&i| est.edge_types[i].id).collect::<Vec<_>>(),
                "rows": p.rows,
                "synapses": p.synapses,
                "exact": p.exact,
                "file_bytes": p.file_bytes,
                "rank_rows": p.rank_rows,
                "rank_table_bytes": p.rank_table_bytes,
                "largest_rank": r,
                "largest_table_bytes": b,
                "spills": est.spills(b),
            })
        })
        .collect();
    let projection = project(est);
    let largest = est.largest_share().map(
        |(p, r, b)| json!({"population": est.populations[p].name, "rank": r, "table_bytes": b}),
    );
    json!({
        "spec": spec,
        "ranks": est.ranks,
        "seed": est.seed,
        "networks": est.networks.iter().map(|n| json!({
            "name": n.name, "nodes": n.nodes, "file": n.file, "file_bytes": n.file_bytes,
        })).collect::<Vec<_>>(),
        "edge_types": edge_types,
        "populations": populations,
        "memory": {
            "budget": est.memory.budget.bytes,
            "default_budget": matches!(
                est.memory.budget.source,
                netbuild::run::budget::BudgetSource::Share { .. }
            ),
            "budget_source": est.memory.budget.source.key(),
            "budget_from": est.memory.budget.source.to_string(),
            "largest": largest,
            "will_spill": est.will_spill(),
        },
        "total": {
            "rows": est.rows(),
            "synapses": est.synapses(),
            "file_bytes": est.file_bytes(),
        },
        "projection": {
            "generate_seconds": projection.generate_s,
            "write_one_writer_seconds": projection.write_one_s,
            "write_parallel_seconds": projection.write_parallel_s,
            "rank_bytes": projection.rank_bytes,
            "host_bytes": projection.host_bytes,
        },
    })
}
