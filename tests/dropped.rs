//! Nothing dropped or bent silently: what a build leaves out or changes is counted in the log
//! and the end summary with its first places, `--strict` makes it an error that writes nothing,
//! and a value no simulator can use is an error by default. The counts are the same on any
//! number of ranks.

mod common;

use common::{listing, netbuild_on, run, Run};
use std::path::{Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// Writes `files` (name, text) into a new temp folder; returns it and the path of `spec.toml`.
fn folder(files: &[(&str, String)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let spec = tmp.path().join("spec.toml");
    (tmp, spec)
}

fn build(ranks: usize, spec: &Path, extra: &[&str]) -> Run {
    let mut args = vec![spec.as_os_str().to_owned()];
    args.extend(extra.iter().map(|a| a.into()));
    run(netbuild_on(ranks, args), TIMEOUT)
}

/// 300 connections among 50 nodes, 8 of them self-connections, the first on line 6.
fn edges_csv() -> String {
    let mut text = String::from("source_node_id,target_node_id\n");
    let selfs = [4, 40, 77, 120, 150, 199, 250, 290];
    for i in 0..300u64 {
        let s = (i * 7 + 3) % 50;
        let t = if selfs.contains(&i) {
            s
        } else {
            (s + 1 + (i * 13) % 49) % 50
        };
        text.push_str(&format!("{s},{t}\n"));
    }
    text
}

const FILE_SPEC: &str = r#"[build]
output_dir = "out"

[[nodes]]
network = "net"
N = 50

[[edges]]
source = { network = "net" }
target = { network = "net" }
rule = { file = "edges.csv" }
"#;

const SELF_MESSAGE: &str =
    "edge type 100: 8 self-connections dropped (autapses = false), first at edges.csv:6, edges.csv:42, edges.csv:79, edges.csv:122, edges.csv:152, ...";

#[test]
fn self_connections_are_counted_in_the_log_and_the_summary() {
    let (tmp, spec) = folder(&[("spec.toml", FILE_SPEC.into()), ("edges.csv", edges_csv())]);
    let r = build(1, &spec, &[]);
    r.assert_success();
    assert!(r.stderr.contains(SELF_MESSAGE), "log: {}", r.describe());
    assert!(
        r.stdout.contains("dropped or changed:") && r.stdout.contains(SELF_MESSAGE),
        "summary: {}",
        r.describe()
    );
    assert!(r.stdout.contains("292 rows"), "{}", r.describe());
    assert!(tmp.path().join("out/circuit_config.json").is_file());
}

#[test]
fn strict_fails_on_self_connections_and_writes_nothing() {
    let (tmp, spec) = folder(&[("spec.toml", FILE_SPEC.into()), ("edges.csv", edges_csv())]);
    let r = build(1, &spec, &["--strict"]);
    assert_eq!(r.status.code(), Some(2), "{}", r.describe());
    let expected = format!(
        "netbuild: error: {}:11:1: {SELF_MESSAGE} (--strict)",
        spec.display()
    );
    assert!(r.stderr.contains(&expected), "{}", r.describe());
    assert_eq!(listing(tmp.path()), ["edges.csv", "spec.toml"]);
}

/// One spec per value a new user might compute by mistake: (properties, what stderr must say).
#[test]
fn values_no_simulator_can_use_are_errors_naming_the_expression_and_pair() {
    let head = "[build]\noutput_dir = \"out\"\n[[nodes]]\nnetwork = \"net\"\nN = 20\n[[edges]]\nsource = { network = \"net\" }\ntarget = { network = \"net\" }\nrule = { all_to_all = true }\n[edges.properties]\n";
    let cases = [
        (
            "syn_weight = \"1 / d\"",
            "11:14: edge type 100: property 'syn_weight' is NaN or infinite for 380 synapses; no simulator can use such a value, first (source, target) = (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), ...",
        ),
        (
            "delay = \"log(-1)\"",
            "11:9: edge type 100: property 'delay' is NaN or infinite for 380 synapses",
        ),
        (
            "w = { expr = \"1e40\", dtype = \"f32\" }",
            "11:5: edge type 100: property 'w' is NaN, infinite, or beyond the f32 range for 380 synapses",
        ),
    ];
    for (props, phrase) in cases {
        let (tmp, spec) = folder(&[("spec.toml", format!("{head}{props}\n"))]);
        let r = build(1, &spec, &[]);
        assert_eq!(r.status.code(), Some(2), "{props}: {}", r.describe());
        let expected = format!("netbuild: error: {}:{phrase}", spec.display());
        assert!(
            r.stderr.contains(&expected),
            "{props}: wants {expected:?}\n{}",
            r.describe()
        );
        assert_eq!(listing(tmp.path()), ["spec.toml"], "{props}");
    }
    // Out of an integer dtype's range: clamped and counted, the build goes on.
    let (_tmp, spec) = folder(&[(
        "spec.toml",
        format!("{head}w = {{ expr = \"-5\", dtype = \"u32\" }}\n"),
    )]);
    let r = build(1, &spec, &[]);
    r.assert_success();
    let line = "edge type 100: 380 values of property 'w' outside the u32 range clamped, first (source, target) = (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), ...";
    assert!(r.stdout.contains(line), "{}", r.describe());
    // Reading d on a network without positions is also a warning, before any work.
    let (_tmp, spec) = folder(&[("spec.toml", format!("{head}syn_weight = \"1 / d\"\n"))]);
    let r = build(1, &spec, &[]);
    let first = r.stderr.lines().next().unwrap_or("");
    assert_eq!(
        first,
        format!("netbuild: warning: {}:11:14: property 'syn_weight' reads 'd' but network 'net' has no positions (x, y, z): every distance is 0", spec.display())
    );
}

/// A spec with every kind of counted issue: file rows dropped (self-connections, beyond
/// max_distance), NaN probabilities, clamped integers.
fn mixed_spec() -> Vec<(&'static str, String)> {
    let spec = r#"[build]
output_dir = "out"
seed = 5

[[nodes]]
network = "net"
N = 50
x = { uniform = [0.0, 100.0] }
y = 0.0
z = 0.0
v = { linspace = [-1.0, 1.0] }

[[edges]]
source = { network = "net" }
target = { network = "net" }
rule = { file = "edges.csv", max_distance = 50.0 }

[[edges]]
source = { network = "net" }
target = { network = "net" }
rule = { probability = "if(src.v < 0, log(-1), 0.9)" }
[edges.properties]
w = { expr = "trg.v * 10", dtype = "u32" }
"#;
    vec![("spec.toml", spec.to_string()), ("edges.csv", edges_csv())]
}

/// The "dropped or changed" lines of a summary.
fn dropped_lines(r: &Run) -> Vec<String> {
    r.stdout
        .lines()
        .skip_while(|l| !l.contains("dropped or changed:"))
        .skip(1)
        .take_while(|l| l.starts_with("    edge type"))
        .map(str::to_string)
        .collect()
}

#[test]
fn counts_are_the_same_on_one_and_two_ranks() {
    let (_t1, spec1) = folder(&mixed_spec());
    let one = build(1, &spec1, &[]);
    one.assert_success();
    let lines = dropped_lines(&one);
    let kinds = [
        "edge type 100: 8 self-connections dropped (autapses = false), first at edges.csv:6,",
        "edge type 100: ",
        "edge type 101: ",
        "edge type 101: ",
    ];
    assert_eq!(lines.len(), 4, "{}", one.describe());
    for (l, k) in lines.iter().zip(kinds) {
        assert!(l.contains(k), "{l:?} lacks {k:?}");
    }
    assert!(lines[1].contains("file rows dropped: farther apart than max_distance = 50"));
    assert!(lines[2].contains("candidate pairs never connected: the probability is NaN"));
    assert!(lines[3].contains("values of property 'w' outside the u32 range clamped"));

    let (_t2, spec2) = folder(&mixed_spec());
    let two = build(2, &spec2, &[]);
    two.assert_success();
    assert_eq!(dropped_lines(&two), lines, "{}", two.describe());
    // Said once, by rank 0.
    assert_eq!(two.stderr.matches("8 self-connections dropped").count(), 1);

    // --strict on two ranks: the connect-time issues stop every rank, nothing is left behind.
    let (t3, spec3) = folder(&mixed_spec());
    let text = std::fs::read_to_string(&spec3).unwrap();
    std::fs::write(
        &spec3,
        text.replace(
            "max_distance = 50.0",
            "max_distance = 50.0, autapses = true",
        ),
    )
    .unwrap();
    let strict = build(2, &spec3, &["--strict"]);
    assert_eq!(strict.status.code(), Some(2), "{}", strict.describe());
    assert!(
        strict.stderr.contains("probability is NaN") && strict.stderr.contains("(--strict)"),
        "{}",
        strict.describe()
    );
    assert_eq!(listing(t3.path()), ["edges.csv", "spec.toml"]);
}

/// `check` says what preparing would drop, and the spec's warnings, before any build.
#[test]
fn check_warns_about_self_connections() {
    let (_tmp, spec) = folder(&[("spec.toml", FILE_SPEC.into()), ("edges.csv", edges_csv())]);
    let r = run(
        common::netbuild(["check".as_ref(), spec.as_os_str()]),
        TIMEOUT,
    );
    r.assert_success();
    assert!(
        r.stderr
            .contains(&format!("netbuild: warning: {SELF_MESSAGE}")),
        "{}",
        r.describe()
    );
}

/// A SONATA edges file read by a file rule: its rows and property columns come back the same,
/// and what is wrong with the file (a population it does not have) is an error at the rule.
#[test]
fn sonata_edges_file_rule_reads_rows_and_names_missing_populations() {
    let csv = "source_node_id,target_node_id,nsyns,w\n3,1,2,0.5\n0,1,1,-1.25\n4,0,1,2\n";
    let first = FILE_SPEC.replace("edges.csv\" }", "edges.csv\", dtypes = { w = \"f32\" } }");
    let first = first.replace(
        "output_dir = \"out\"",
        "output_dir = \"out\"\ncompression = \"gzip\"",
    );
    let (tmp, spec) = folder(&[("spec.toml", first), ("edges.csv", csv.into())]);
    build(1, &spec, &[]).assert_success();
    let reread = |rule: &str| {
        FILE_SPEC
            .replace("output_dir = \"out\"", "output_dir = \"re\"")
            .replace("rule = { file = \"edges.csv\" }", rule)
    };
    std::fs::write(
        tmp.path().join("re.toml"),
        reread("rule = { file = \"out/net_net_edges.h5\" }"),
    )
    .unwrap();
    let r = build(1, &tmp.path().join("re.toml"), &[]);
    r.assert_success();
    // nsyns expands to one row per synapse, as the first build wrote them.
    assert!(r.stdout.contains("4 rows  4 synapses"), "{}", r.describe());
    std::fs::write(
        tmp.path().join("bad.toml"),
        reread("rule = { file = \"out/net_net_edges.h5\", population = \"v1\" }")
            .replace("\"re\"", "\"bad\""),
    )
    .unwrap();
    let r = build(1, &tmp.path().join("bad.toml"), &[]);
    assert_eq!(r.status.code(), Some(2), "{}", r.describe());
    let expected = format!(
        "netbuild: error: {}:11:1: {}: no edges population 'v1' (it has: net_to_net)",
        tmp.path().join("bad.toml").display(),
        tmp.path().join("out/net_net_edges.h5").display()
    );
    assert!(r.stderr.contains(&expected), "{expected}\n{}", r.describe());
    assert!(!tmp.path().join("bad").exists());
}
