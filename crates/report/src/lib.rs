//! `netbuild-mpi report DIR [--spec SPEC] [--group-by PROP]`: one self-contained HTML page of
//! plots of a built SONATA circuit (netbuild's or anyone's). First the source-group ×
//! target-group heat maps of connection probability and mean in-degree (nodes grouped by a node
//! property, `pop_name` by default), measured and, with the spec, expected from the rules; then
//! in- and out-degree and synapses-per-connection histograms per edge population; then, folded,
//! the per-edge-type charts: edges per edge type and, with the spec, the measured connection
//! probability against distance beside each distance rule's own curve.
//!
//! In: a circuit folder (`circuit_config.json`, or `*_nodes.h5` / `*_edges.h5` with their type
//! tables). Out: `DIR/report.html`, inline SVG only (no scripts, fonts or links to fetch).
//!
//! Cost: each edge population's rows are read once, whatever the number of edge types; node
//! properties are read once per population.
//!
//! Modules: `options` (what the caller sets and gets back), `error` (why no report), `gather`
//! (the run: read, measure, compare with the rules, into one `Report`), `circuit` (which
//! files, type tables, node properties), `measure` (one edge population: sampled profiles and
//! one scan), `scan` (one pass over the rows of an edge population, in blocks), `matrix` (node
//! groups and the distinct connected pairs per pair of groups), `expected` (the rules'
//! expected connections per pair of groups, from netbuild's estimator), `distance` (candidate
//! pairs and rule curves from sampled pairs), `svg` (the charts, by plot kind), `html` (the
//! page, by section).

#![warn(missing_docs)]

mod circuit;
mod distance;
mod error;
mod expected;
mod gather;
mod html;
pub mod matrix;
mod measure;
mod options;
mod scan;
pub mod svg;

use std::path::Path;

pub use error::ReportError;
pub use options::{Options, Written, DEFAULT_GROUP_BY};

/// Reads the circuit in `dir` and writes `dir/report.html`.
pub fn write_report(dir: &Path, opts: &Options) -> Result<Written, ReportError> {
    let report = gather::gather(dir, opts)?;
    let page = html::page(&report);
    let path = dir.join("report.html");
    std::fs::write(&path, &page.text).map_err(|e| ReportError::io(&path, e))?;
    Ok(Written {
        path,
        charts: page.text.matches("<svg").count(),
        distance_profiles: page.distance_profiles,
        groups: report.matrices.grouping.len(),
        expected: report.matrices.expected.is_some(),
        notes: report.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gather::group_nodes;
    use hdf5::types::VarLenUnicode;
    use std::path::PathBuf;

    /// A 4-node circuit with two edge types: 100 stores one row per pair with `nsyns` (group 0),
    /// 101 one row per synapse (group 1), rows sorted by target.
    fn tiny_circuit(dir: &Path) {
        let nodes = hdf5::File::create(dir.join("net_nodes.h5")).unwrap();
        let g = nodes
            .create_group("nodes")
            .unwrap()
            .create_group("net")
            .unwrap();
        let put_i64 = |g: &hdf5::Group, name: &str, v: &[i64]| {
            g.new_dataset_builder().with_data(v).create(name).unwrap();
        };
        put_i64(&g, "node_type_id", &[100, 100, 101, 101]);
        put_i64(&g, "node_group_id", &[0, 0, 0, 0]);
        put_i64(&g, "node_group_index", &[0, 1, 2, 3]);
        let g0 = g.create_group("0").unwrap();
        g0.new_dataset_builder()
            .with_data(&[0.0f64, 10.0, 20.0, 30.0])
            .create("x")
            .unwrap();
        std::fs::write(
            dir.join("net_node_types.csv"),
            "node_type_id pop_name\n100 a\n101 b\n",
        )
        .unwrap();

        let edges = hdf5::File::create(dir.join("net_net_edges.h5")).unwrap();
        let e = edges
            .create_group("edges")
            .unwrap()
            .create_group("net_to_net")
            .unwrap();
        let net: VarLenUnicode = "net".parse().unwrap();
        for (name, v) in [
            ("source_node_id", [0u64, 2, 1, 1, 3, 0]),
            ("target_node_id", [1, 1, 2, 2, 2, 3]),
        ] {
            let ds = e.new_dataset_builder().with_data(&v).create(name).unwrap();
            ds.new_attr::<VarLenUnicode>()
                .shape(())
                .create("node_population")
                .unwrap()
                .write_scalar(&net)
                .unwrap();
        }
        put_i64(&e, "edge_type_id", &[100, 100, 101, 101, 101, 100]);
        put_i64(&e, "edge_group_id", &[0, 0, 1, 1, 1, 0]);
        put_i64(&e, "edge_group_index", &[0, 1, 0, 1, 2, 2]);
        e.create_group("0")
            .unwrap()
            .new_dataset_builder()
            .with_data(&[3u32, 1, 2])
            .create("nsyns")
            .unwrap();
        e.create_group("1")
            .unwrap()
            .new_dataset_builder()
            .with_data(&[0.5f64, 0.5, 0.5])
            .create("syn_weight")
            .unwrap();
        std::fs::write(
            dir.join("net_net_edge_types.csv"),
            "edge_type_id target_query source_query\n100 * pop_name=='a'\n101 * pop_name=='b'\n",
        )
        .unwrap();
    }

    #[test]
    fn counts_connections_synapses_and_degrees() {
        let dir = tempfile::tempdir().unwrap();
        tiny_circuit(dir.path());
        let files = circuit::find_files(dir.path()).unwrap();
        let pops = circuit::read_edge_pops(&files.edges).unwrap();
        assert_eq!(pops.len(), 1);
        assert_eq!((pops[0].source_pop.as_str(), pops[0].rows), ("net", 6));
        let s = scan::scan(&pops[0], 4, 4, None, None).unwrap();
        let c = |rows, connections, synapses| scan::TypeCounts {
            rows,
            connections,
            synapses,
        };
        assert_eq!(s.types[&100], c(3, 3, 6));
        assert_eq!(s.types[&101], c(3, 2, 3));
        assert_eq!(s.in_degree, vec![0, 2, 2, 1]);
        assert_eq!(s.out_degree, vec![2, 1, 1, 1]);
        let nsyns: Vec<(u64, u64)> = s.nsyns.into_iter().collect();
        assert_eq!(nsyns, vec![(1, 2), (2, 2), (3, 1)]);
    }

    #[test]
    fn writes_a_page_with_and_without_the_spec() {
        let dir = tempfile::tempdir().unwrap();
        tiny_circuit(dir.path());
        let w = write_report(dir.path(), &Options::default()).unwrap();
        let page = std::fs::read_to_string(&w.path).unwrap();
        assert_eq!(w.distance_profiles, 0);
        assert!(page.contains("100  pop_name==&#39;a&#39; → *"));
        assert!(w.notes.iter().any(|n| n.contains("no --spec")));
        assert!(!page.contains("<script"));

        let spec = dir.path().join("spec.toml");
        std::fs::write(
            &spec,
            [
                TINY_NODES,
                r#"[[edges]]
source = { network = "net", pop_name = "a" }
target = { network = "net" }
rule = { probability = "exp(-d / 10)", max_distance = 35.0 }
[[edges]]
source = { network = "net", pop_name = "b" }
target = { network = "net" }
rule = { indegree = 1 }
[edges.properties]
syn_weight = "0.5"
"#,
            ]
            .concat(),
        )
        .unwrap();
        let opts = Options {
            spec: Some(spec),
            samples: 5_000,
            bins: 4,
            ..Options::default()
        };
        let w = write_report(dir.path(), &opts).unwrap();
        assert_eq!(w.distance_profiles, 1);
        // The files carry no netbuild_spec_sha256: said, not fatal.
        assert!(w.notes.iter().any(|n| n.contains("netbuild_spec_sha256")));
        let page = std::fs::read_to_string(&w.path).unwrap();
        assert!(page.contains("probability = &quot;exp(-d / 10)&quot;, max_distance = 35"));
        // Rows per type, in- and out-degree, nsyns, one profile; four heat maps.
        assert_eq!(page.matches("<svg").count(), 5 + 4);
    }

    /// `tiny_circuit`'s nodes in a spec: two of pop_name a at x 0 and 10, two of b at 20 and 30.
    const TINY_NODES: &str = r#"
[[nodes]]
network = "net"
N = 2
pop_name = "a"
x = [0.0, 10.0]
[[nodes]]
network = "net"
N = 2
pop_name = "b"
x = [20.0, 30.0]
"#;

    /// The spec of `tiny_circuit`'s nodes with rules whose connections are known exactly: a to
    /// all by all_to_all (a→a 2, a→b 4 connections), b to all by indegree 1 (b→a 2, b→b 2:
    /// each b node's only candidate among b is the other one).
    fn exact_spec(dir: &Path) -> PathBuf {
        let spec = dir.join("exact.toml");
        std::fs::write(
            &spec,
            [
                TINY_NODES,
                r#"[[edges]]
source = { network = "net", pop_name = "a" }
target = { network = "net" }
rule = { all_to_all = true }
[[edges]]
source = { network = "net", pop_name = "b" }
target = { network = "net" }
rule = { indegree = 1 }
"#,
            ]
            .concat(),
        )
        .unwrap();
        spec
    }

    #[test]
    fn group_matrices_measured_and_expected() {
        let dir = tempfile::tempdir().unwrap();
        tiny_circuit(dir.path());
        let opts = Options {
            spec: Some(exact_spec(dir.path())),
            samples: 100,
            ..Options::default()
        };
        let w = write_report(dir.path(), &opts).unwrap();
        assert_eq!((w.groups, w.expected), (2, true));
        // Build the same matrices as the page, to read the numbers.
        let files = circuit::find_files(dir.path()).unwrap();
        let nodes = circuit::read_node_pops(&files.nodes).unwrap();
        let pops = circuit::read_edge_pops(&files.edges).unwrap();
        let mut notes = Vec::new();
        let grouping = group_nodes(&nodes, &pops, None, &mut notes).unwrap();
        assert!(notes.is_empty());
        assert_eq!(grouping.labels, vec!["a", "b"]);
        assert_eq!(grouping.size, vec![2, 2]);
        let mut m = matrix::Matrices::new(grouping, &[("net".into(), "net".into())]);
        let g = &m.grouping;
        let mut pairs = matrix::PairCounter::new(&g.of_node["net"], &g.of_node["net"], 2);
        scan::scan(&pops[0], 4, 4, None, Some(&mut pairs)).unwrap();
        let pairs = pairs.finish();
        m.add(&pairs);
        assert!(m.exact);
        // Pairs (0,1) a→a; (2,1) b→a; (1,2) twice (one per synapse row) and (0,3) a→b;
        // (3,2) b→b. Possible: 2 on the diagonal (no node with itself), 4 off it.
        assert_eq!(m.pairs, vec![1, 2, 1, 1]);
        let p = |i, j| m.probability(i, j).unwrap();
        assert_eq!([p(0, 0), p(0, 1), p(1, 0), p(1, 1)], [0.5, 0.5, 0.25, 0.5]);
        let k = |i, j| m.in_degree(i, j).unwrap();
        assert_eq!([k(0, 0), k(0, 1), k(1, 0), k(1, 1)], [0.5, 1.0, 0.5, 0.5]);

        let spec = netbuild_spec::load(opts.spec.as_ref().unwrap()).unwrap();
        let types = expected::per_type(&spec).unwrap();
        assert!(types.iter().all(|t| t.exact));
        m.expected = Some(expected::per_cell(&spec, &types, &nodes, &m.grouping).unwrap());
        let e = |i, j| m.expected_connections(i, j).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        for ((i, j), want) in [((0, 0), 2.0), ((0, 1), 4.0), ((1, 0), 2.0), ((1, 1), 2.0)] {
            assert!(
                close(e(i, j), want),
                "expected {i}->{j}: {} not {want}",
                e(i, j)
            );
        }
        let ep = |i, j| m.expected_probability(i, j).unwrap();
        assert!(close(ep(0, 0), 1.0) && close(ep(0, 1), 1.0));
        assert!(close(ep(1, 0), 0.5) && close(ep(1, 1), 1.0));
        assert!(close(m.expected_in_degree(0, 1).unwrap(), 2.0));

        // The page: measured and expected, probability and in-degree: four heat maps.
        let page = std::fs::read_to_string(&w.path).unwrap();
        assert_eq!(page.matches("<figure class=\"matrix\">").count(), 4);
        assert!(page.contains(
            "a → b (2 → 2 nodes): p = 0.50000 (2 connected of 4 possible pairs); \
             expected p = 1.00000 (4.0 connections)"
        ));
        // It opens on the matrices; the per-type charts are folded.
        let at = |s: &str| page.find(s).unwrap();
        assert!(at("id=\"matrices\"") < at("id=\"edge-types\""));
        assert!(page.contains("<details id=\"edge-types\""));
        assert!(page.contains("<details id=\"distance\""));
    }

    #[test]
    fn group_by_any_property_or_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        tiny_circuit(dir.path());
        let opts = |p: &str| Options {
            group_by: Some(p.into()),
            ..Options::default()
        };
        let w = write_report(dir.path(), &opts("x")).unwrap();
        assert_eq!(w.groups, 4);
        assert!(!w.expected);
        let page = std::fs::read_to_string(&w.path).unwrap();
        assert!(page.contains("Nodes grouped by <code>x</code>"));
        assert!(page.contains("Expected connection probability</b>: needs the rules"));
        // Two heat maps (measured only), 4 × 4 cells each.
        assert_eq!(page.matches("<figure class=\"matrix\">").count(), 2);
        assert!(page.contains("<title>0 → 10 (1 → 1 nodes): p = 1.00000"));

        let e = write_report(dir.path(), &opts("layer")).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ReportError::GroupBy { .. }), "{text}");
        assert!(
            text.contains("--group-by \"layer\": no node of the circuit has this property")
                && text.contains("pop_name")
                && text.contains("x"),
            "{text}"
        );
    }

    #[test]
    fn rules_that_cannot_be_prepared_leave_the_measured_side() {
        let dir = tempfile::tempdir().unwrap();
        tiny_circuit(dir.path());
        // Two b sources cannot give every target 5 connections.
        let spec = exact_spec(dir.path());
        let text = std::fs::read_to_string(&spec).unwrap();
        std::fs::write(&spec, text.replace("indegree = 1", "indegree = 5")).unwrap();
        let opts = Options {
            spec: Some(spec),
            samples: 100,
            ..Options::default()
        };
        let w = write_report(dir.path(), &opts).unwrap();
        assert!(!w.expected);
        assert!(
            w.notes
                .iter()
                .any(|n| n.starts_with("no expected matrices: ")),
            "{:?}",
            w.notes
        );
        let page = std::fs::read_to_string(&w.path).unwrap();
        assert_eq!(page.matches("<figure class=\"matrix\">").count(), 2);
    }

    #[test]
    fn without_pop_name_groups_are_node_populations() {
        let dir = tempfile::tempdir().unwrap();
        tiny_circuit(dir.path());
        std::fs::write(
            dir.path().join("net_node_types.csv"),
            "node_type_id model_type\n100 point\n101 point\n",
        )
        .unwrap();
        let w = write_report(dir.path(), &Options::default()).unwrap();
        assert_eq!(w.groups, 1);
        assert!(w
            .notes
            .iter()
            .any(|n| n.contains("group nodes by node population")));
    }
}
