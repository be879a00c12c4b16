//! `netbuild-mpi report`: the connection matrices end to end (build a small circuit, report it
//! with and without the spec, group by another property), and `--group-by` with a property no
//! node has (exit 2, a message that names the properties there are).

mod common;

use common::{netbuild, run};
use std::path::Path;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

/// 400 exc and 100 inh cells, constant probabilities: the rules' expected matrix is exact.
const SPEC: &str = r#"
[build]
seed = 7
output_dir = "out"

[[nodes]]
network = "net"
N = 400
pop_name = "exc"
ei = "e"
x = { uniform = [0.0, 100.0] }

[[nodes]]
network = "net"
N = 100
pop_name = "inh"
ei = "i"
x = { uniform = [0.0, 100.0] }

[[edges]]
source = { network = "net", ei = "e" }
target = { network = "net" }
rule = { probability = 0.1 }

[[edges]]
source = { network = "net", ei = "i" }
target = { network = "net", pop_name = "exc" }
rule = { indegree = 20 }
"#;

fn built(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let spec = dir.join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let out = dir.join("out");
    run(
        netbuild([spec.as_os_str(), "-o".as_ref(), out.as_os_str()]),
        TIMEOUT,
    )
    .assert_success();
    (spec, out)
}

/// The number after `key` in `text` (up to the next space).
fn number_after(text: &str, key: &str) -> f64 {
    let at = text
        .find(key)
        .unwrap_or_else(|| panic!("no {key:?} in {text}"))
        + key.len();
    text[at..].split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn matrices_measured_beside_the_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let (spec, out) = built(tmp.path());
    let r = run(
        netbuild([
            "report".as_ref(),
            out.as_os_str(),
            "--spec".as_ref(),
            spec.as_os_str(),
        ]),
        TIMEOUT,
    );
    r.assert_success();
    assert!(
        r.stdout.contains("2 groups in the matrices, with expected"),
        "{}",
        r.describe()
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(page.matches("<figure class=\"matrix\">").count(), 4);
    // exc → exc: p = 0.1 by the rule; 400 × 399 possible pairs, so the measured p is within
    // 5 standard deviations (0.0024) of it.
    let at = page.find("<title>exc → exc (400 → 400 nodes)").unwrap();
    let title = &page[at..at + page[at..].find("</title>").unwrap()];
    let (p, e) = (
        number_after(title, "p = "),
        number_after(title, "expected p = "),
    );
    assert!((e - 0.1).abs() < 1e-9, "{title}");
    assert!((p - 0.1).abs() < 0.0024, "{title}");
    // inh → exc: indegree 20 of 100 inh cells, exactly 0.2 measured and expected.
    let at = page.find("<title>inh → exc (100 → 400 nodes)").unwrap();
    let title = &page[at..at + page[at..].find("</title>").unwrap()];
    assert_eq!(number_after(title, "p = "), 0.2, "{title}");
    assert!(
        (number_after(title, "expected p = ") - 0.2).abs() < 1e-9,
        "{title}"
    );
    assert!(page.contains(
        "<title>inh → exc (100 → 400 nodes): mean in-degree 20.000 (8,000 connected pairs / \
         400 targets); expected 20.000</title>"
    ));

    // Grouped by another property, without the spec: measured only, said on the page.
    let r = run(
        netbuild([
            "report".as_ref(),
            out.as_os_str(),
            "--group-by".as_ref(),
            "ei".as_ref(),
        ]),
        TIMEOUT,
    );
    r.assert_success();
    assert!(
        r.stdout.contains("2 groups in the matrices)"),
        "{}",
        r.describe()
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("Nodes grouped by <code>ei</code>"));
    assert!(page.contains("<title>i → e (100 → 400 nodes): mean in-degree 20.000"));
    assert!(page.contains("no --spec given: the matrices show the measured connectivity only"));
}

#[test]
fn group_by_a_missing_property_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, out) = built(tmp.path());
    let r = run(
        netbuild([
            "report".as_ref(),
            out.as_os_str(),
            "--group-by".as_ref(),
            "layer".as_ref(),
        ]),
        TIMEOUT,
    );
    assert_eq!(r.status.code(), Some(2), "{}", r.describe());
    assert!(
        r.stderr
            .contains("--group-by \"layer\": no node of the circuit has this property"),
        "{}",
        r.describe()
    );
    assert!(
        r.stderr.contains("ei") && r.stderr.contains("pop_name"),
        "{}",
        r.describe()
    );
    assert!(!out.join("report.html").exists(), "{}", r.describe());
}
