//! `[[import]]` end to end, on a small copy of `v1core.toml` (N / 40, radii / 4, cylinders as
//! boxes of the same extent: this tests imports, not positions):
//!
//! 1. its V1, LGN and background nodes and the V1 -> V1 edges are built once;
//! 2. a spec holding only `[[import]]` and the LGN and background `[[edges]]` blocks adds those
//!    edges into the same folder: the V1 -> V1 and node files are untouched, the circuit config
//!    lists every population, `netbuild-mpi validate` accepts the folder;
//! 3. the same import spec gives the same files on 1 and 2 ranks;
//! 4. run again, it is refused (the LGN edges exist now) unless `replace_edges = true`.

mod common;

use common::{assert_same_content, netbuild, netbuild_on, run};
use std::path::Path;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(300);

/// The small copy of v1core.toml, split: (nodes + V1 -> V1 edges, the LGN and bkg edge blocks).
fn small_v1core() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(common::example("v1core.toml")).unwrap();
    let mut chunks = text.split("\n[[");
    let head = chunks
        .next()
        .unwrap()
        .replace("output_dir = \"v1core_network\"", "output_dir = \"v1core\"");
    let mut base = head;
    let mut inputs = Vec::new();
    for chunk in chunks {
        let chunk = format!("\n[[{chunk}");
        if chunk.starts_with("\n[[nodes]]") {
            base.push_str(&shrink_nodes(&chunk));
        } else if chunk.contains("source = { network = \"lgn\"")
            || chunk.contains("source = { network = \"bkg\"")
        {
            inputs.push(chunk);
        } else {
            base.push_str(&chunk);
        }
    }
    assert!(
        inputs.len() >= 2,
        "v1core.toml has LGN and background edges"
    );
    (base, inputs)
}

/// N / 40 (at least 20, or N when smaller); `positions = { cylinder = [r, lo, hi] }` as a box of side r / 2.
fn shrink_nodes(block: &str) -> String {
    let mut out = String::new();
    for line in block.lines() {
        if let Some(n) = line.strip_prefix("N = ") {
            let n: u64 = n.trim().parse().unwrap();
            out.push_str(&format!("N = {}\n", (n / 40).max(n.min(20))));
        } else if let Some(rest) = line.strip_prefix("positions = { cylinder = [") {
            let nums: Vec<f64> = rest
                .trim_end_matches(['}', ']', ' '])
                .split(',')
                .map(|s| s.trim().parse().unwrap())
                .collect();
            let r = nums[0] / 4.0;
            out.push_str(&format!("x = {{ uniform = [{}, {r}] }}\n", -r));
            out.push_str(&format!("z = {{ uniform = [{}, {r}] }}\n", -r));
            if nums[1] < nums[2] {
                out.push_str(&format!("y = {{ uniform = [{}, {}] }}\n", nums[1], nums[2]));
            } else {
                out.push_str(&format!("y = {:.1}\n", nums[1]));
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn import_spec(inputs: &[String], extra: &str) -> String {
    let mut s = String::from("[build]\nseed = 2020\noutput_dir = \"v1core\"\n");
    for net in ["v1", "lgn", "bkg"] {
        s.push_str(&format!(
            "\n[[import]]\nnodes = \"v1core/{net}_nodes.h5\"\nnode_types = \"v1core/{net}_node_types.csv\"\n{extra}"
        ));
    }
    for i in inputs {
        s.push_str(i);
    }
    s
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn v1core_inputs_added_to_built_v1() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, inputs) = small_v1core();
    let a = tmp.path().join("v1.toml");
    std::fs::write(&a, base).unwrap();
    run(netbuild([&a]), TIMEOUT).assert_success();
    let dir = tmp.path().join("v1core");
    assert!(dir.join("v1_v1_edges.h5").is_file());
    assert!(!dir.join("lgn_v1_edges.h5").exists());
    let kept = [
        "v1_v1_edges.h5",
        "v1_v1_edge_types.csv",
        "v1_nodes.h5",
        "lgn_nodes.h5",
    ];
    let before: Vec<Vec<u8>> = kept.iter().map(|f| bytes(&dir.join(f))).collect();

    let b = tmp.path().join("inputs.toml");
    std::fs::write(&b, import_spec(&inputs, "")).unwrap();
    // The same import on 1 and 2 ranks, elsewhere, gives the same files.
    let np1 = tmp.path().join("np1");
    let np2 = tmp.path().join("np2");
    run(
        netbuild_on(1, [b.as_os_str(), "-o".as_ref(), np1.as_os_str()]),
        TIMEOUT,
    )
    .assert_success();
    run(
        netbuild_on(2, [b.as_os_str(), "-o".as_ref(), np2.as_os_str()]),
        TIMEOUT,
    )
    .assert_success();
    assert_same_content(&np1, &np2, "the import spec on 2 ranks vs 1");
    assert_eq!(
        bytes(&np1.join("v1_nodes.h5")),
        before[2],
        "a copied population is the imported file"
    );

    // Into the built folder itself.
    run(netbuild([&b]), TIMEOUT).assert_success();
    for (f, old) in kept.iter().zip(&before) {
        assert!(bytes(&dir.join(f)) == *old, "{f} changed");
    }
    for f in ["lgn_v1_edges.h5", "bkg_v1_edges.h5"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let cfg: serde_json::Value =
        serde_json::from_slice(&bytes(&dir.join("circuit_config.json"))).unwrap();
    let pops = |kind: &str| -> Vec<String> {
        let mut v: Vec<String> = cfg["networks"][kind]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["populations"].as_object().unwrap().keys().cloned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(pops("nodes"), ["bkg", "lgn", "v1"]);
    assert_eq!(pops("edges"), ["bkg_to_v1", "lgn_to_v1", "v1_to_v1"]);
    let v = run(netbuild(["validate".as_ref(), dir.as_os_str()]), TIMEOUT);
    assert_eq!(v.code(), Some(0), "validate: {}", v.describe());

    // Again: lgn_to_v1 and bkg_to_v1 exist now.
    let again = run(netbuild([&b]), TIMEOUT);
    assert_eq!(again.code(), Some(2), "{}", again.describe());
    assert!(
        again.stderr.contains("_to_v1' already exists") && again.stderr.contains("replace_edges"),
        "{}",
        again.stderr
    );
    std::fs::write(&b, import_spec(&inputs, "replace_edges = true\n")).unwrap();
    run(netbuild([&b]), TIMEOUT).assert_success();
    assert!(bytes(&dir.join("v1_v1_edges.h5")) == before[0]);
}
