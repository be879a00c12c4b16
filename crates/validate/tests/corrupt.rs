//! A tiny circuit written with netbuild-sonata's writer passes; copies corrupted one way each
//! are rejected with a finding naming the file and the dataset (or JSON pointer, csv line).

use std::path::{Path, PathBuf};

use ndarray::s;
use netbuild_sonata::{
    write_circuit_config, write_edge_types, write_node_types, write_nodes, CircuitConfig, Column,
    ColumnData, ColumnSlice, Compression, Dtype, EdgeGroupLayout, EdgePopulationLayout, EdgesEntry,
    EdgesWriter, IndexDirection, NodeGroup, NodePopulation, NodesEntry, NumColumn, NumSlice,
    Provenance, TypeTable,
};
use netbuild_validate::{validate, Report};

/// (source, target) of the 10 edges, sorted by target: nodes 1 and 2 have 2 edges each as
/// targets (edges 2, 3 and 4, 5).
const EDGES: [(u64, u64); 10] = [
    (1, 0),
    (2, 0),
    (0, 1),
    (3, 1),
    (0, 2),
    (4, 2),
    (1, 3),
    (0, 4),
    (1, 4),
    (2, 4),
];

fn write_circuit(dir: &Path) {
    let prov = Provenance::default();
    let pop = NodePopulation {
        name: "net".into(),
        node_type_id: vec![100, 100, 100, 101, 101],
        node_group_id: vec![0; 5],
        node_group_index: (0..5).collect(),
        groups: vec![NodeGroup {
            columns: vec![Column::new(
                "x",
                ColumnData::Num(NumColumn::F64(vec![0.0, 1.0, 2.0, 3.0, 4.0])),
            )],
        }],
    };
    write_nodes(&dir.join("net_nodes.h5"), &pop, Compression::None, &prov).unwrap();
    let table = |id: &str, ids: &[i64]| TypeTable {
        columns: vec![id.into(), "pop_name".into()],
        rows: ids
            .iter()
            .map(|i| vec![Some(i.to_string()), Some(format!("p{i}"))])
            .collect(),
    };
    write_node_types(
        &dir.join("net_node_types.csv"),
        &table("node_type_id", &[100, 101]),
    )
    .unwrap();
    write_edge_types(
        &dir.join("net_net_edge_types.csv"),
        &table("edge_type_id", &[100, 101]),
    )
    .unwrap();

    let n = EDGES.len() as u64;
    let layout = EdgePopulationLayout {
        name: "net_to_net".into(),
        source_population: "net".into(),
        target_population: "net".into(),
        n_edges: n,
        groups: vec![EdgeGroupLayout {
            columns: vec![("syn_weight".into(), Dtype::F64.into())],
            n_rows: n,
        }],
        n_source_nodes: 5,
        n_target_nodes: 5,
    };
    let mut w = EdgesWriter::create(
        &dir.join("net_net_edges.h5"),
        &layout,
        Compression::None,
        &prov,
    )
    .unwrap();
    let src: Vec<u64> = EDGES.iter().map(|e| e.0).collect();
    let trg: Vec<u64> = EDGES.iter().map(|e| e.1).collect();
    let types: Vec<i64> = (0..n).map(|e| if e < 7 { 100 } else { 101 }).collect();
    w.append_edges(
        &src,
        &trg,
        &types,
        &vec![0; n as usize],
        &(0..n).collect::<Vec<_>>(),
    )
    .unwrap();
    let weights: Vec<f64> = (0..n).map(|e| e as f64 * 0.5).collect();
    w.append_group(0, &[ColumnSlice::Num(NumSlice::F64(&weights))])
        .unwrap();
    let mut by_trg: Vec<(u64, u64)> = (0..n).map(|e| (trg[e as usize], e)).collect();
    by_trg.sort();
    let mut by_src: Vec<(u64, u64)> = (0..n).map(|e| (src[e as usize], e)).collect();
    by_src.sort();
    w.write_index(IndexDirection::TargetToSource, by_trg.into_iter())
        .unwrap();
    w.write_index(IndexDirection::SourceToTarget, by_src.into_iter())
        .unwrap();
    w.finish().unwrap();

    let config = CircuitConfig {
        nodes: vec![NodesEntry {
            nodes_file: "net_nodes.h5".into(),
            node_types_file: Some("net_node_types.csv".into()),
            populations: vec![("net".into(), "point_neuron".into())],
        }],
        edges: vec![EdgesEntry {
            edges_file: "net_net_edges.h5".into(),
            edge_types_file: Some("net_net_edge_types.csv".into()),
            populations: vec![("net_to_net".into(), "chemical".into())],
        }],
        node_sets_file: None,
    };
    write_circuit_config(dir, &config).unwrap();
}

/// A fresh copy of the clean circuit.
fn circuit() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("circuit");
    std::fs::create_dir(&dir).unwrap();
    write_circuit(&dir);
    (tmp, dir)
}

fn rw(dir: &Path, name: &str) -> hdf5::File {
    hdf5::File::open_rw(dir.join(name)).unwrap()
}

const E: &str = "net_net_edges.h5";
const N: &str = "net_nodes.h5";
const POP: &str = "/edges/net_to_net";
const T2S: &str = "/edges/net_to_net/indices/target_to_source";

/// Asserts the report has a finding `file: object: ...message...`.
fn assert_finding(r: &Report, file: &str, object: &str, message: &str) {
    let lines: Vec<String> = r.findings.iter().map(|f| f.to_string()).collect();
    assert!(
        r.findings
            .iter()
            .any(|f| f.file == file && f.object == object && f.message.contains(message)),
        "expected a finding `{file}: {object}: ...{message}...`, found:\n{}",
        lines.join("\n")
    );
}

#[test]
fn clean_circuit_passes() {
    let (_t, dir) = circuit();
    let r = validate(&dir);
    assert!(r.is_ok(), "{:#?}", r.findings);
    assert_eq!(r.populations, 2);
    assert_eq!(r.edges, 10);
    assert!(r
        .notes
        .iter()
        .any(|n| n.message.contains("rows sorted by target")));
}

#[test]
fn clean_circuit_passes_without_config() {
    let (_t, dir) = circuit();
    std::fs::remove_file(dir.join("circuit_config.json")).unwrap();
    let r = validate(&dir);
    assert!(r.is_ok(), "{:#?}", r.findings);
    assert_eq!(r.edges, 10);
}

#[test]
fn wrong_magic() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, N);
        f.delete_attr("magic").unwrap();
        f.new_attr::<u32>()
            .create("magic")
            .unwrap()
            .write_scalar(&0x0A7Bu32)
            .unwrap();
    }
    assert_finding(&validate(&dir), N, "/ (attribute magic)", "expected 0x0A7A");
}

#[test]
fn missing_dataset() {
    let (_t, dir) = circuit();
    rw(&dir, N).unlink("/nodes/net/node_group_index").unwrap();
    assert_finding(&validate(&dir), N, "/nodes/net/node_group_index", "missing");
}

#[test]
fn source_id_out_of_range() {
    let (_t, dir) = circuit();
    rw(&dir, E)
        .dataset("/edges/net_to_net/source_node_id")
        .unwrap()
        .write_slice(&[99u64], s![2..3])
        .unwrap();
    assert_finding(
        &validate(&dir),
        E,
        "/edges/net_to_net/source_node_id",
        "edge 2: source id 99 is not a node of 'net', which has 5 nodes",
    );
}

#[test]
fn wrong_dtype() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, E);
        let g = f.group(POP).unwrap();
        g.unlink("edge_type_id").unwrap();
        g.new_dataset_builder()
            .with_data(&[100.0f64; 10])
            .create("edge_type_id")
            .unwrap();
    }
    assert_finding(
        &validate(&dir),
        E,
        "/edges/net_to_net/edge_type_id",
        "expected an integer dtype, found float64",
    );
}

#[test]
fn edge_group_index_out_of_range() {
    let (_t, dir) = circuit();
    rw(&dir, E)
        .dataset("/edges/net_to_net/edge_group_index")
        .unwrap()
        .write_slice(&[1000u64], s![0..1])
        .unwrap();
    let r = validate(&dir);
    assert_finding(
        &r,
        E,
        "/edges/net_to_net/edge_group_index",
        "edge 0: index 1000 outside group 0, which has 10 rows",
    );
    // Row 0 of the group is now used by nobody.
    assert_finding(
        &r,
        E,
        "/edges/net_to_net/0",
        "1 of its 10 rows are used by no edge",
    );
}

#[test]
fn group_row_used_twice() {
    let (_t, dir) = circuit();
    rw(&dir, E)
        .dataset("/edges/net_to_net/edge_group_index")
        .unwrap()
        .write_slice(&[0u64], s![1..2])
        .unwrap();
    assert_finding(
        &validate(&dir),
        E,
        "/edges/net_to_net/edge_group_index",
        "edge 1: row 0 of group 0 is used by another edge too",
    );
}

/// range_to_edge_id rows of target_to_source: one per target node here (0..5).
fn read_ranges(f: &hdf5::File) -> Vec<u64> {
    f.dataset(&format!("{T2S}/range_to_edge_id"))
        .unwrap()
        .read_raw::<u64>()
        .unwrap()
}

#[test]
fn index_range_points_at_wrong_edges() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, E);
        let mut r = read_ranges(&f);
        // Node 1 lists edges [2, 4), node 2 lists [4, 6): swap them.
        assert_eq!(&r[2..6], &[2, 4, 4, 6]);
        r.swap(2, 4);
        r.swap(3, 5);
        let ds = f.dataset(&format!("{T2S}/range_to_edge_id")).unwrap();
        ds.write_raw(&r).unwrap();
    }
    assert_finding(
        &validate(&dir),
        E,
        &format!("{T2S}/range_to_edge_id"),
        "edge 4 listed under node 1 but its target is 2",
    );
}

#[test]
fn index_missing_an_edge() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, E);
        let mut r = read_ranges(&f);
        r[5] = 5; // node 2: [4, 6) -> [4, 5)
        f.dataset(&format!("{T2S}/range_to_edge_id"))
            .unwrap()
            .write_raw(&r)
            .unwrap();
    }
    let r = validate(&dir);
    assert_finding(
        &r,
        E,
        &format!("{T2S}/range_to_edge_id"),
        "1 of the 10 edges are listed under no node, e.g. edge 5 (target 2)",
    );
    assert_finding(
        &r,
        E,
        &format!("{T2S}/node_id_to_ranges"),
        "node 2: the index lists 1 edges, but 2 edges have it as target",
    );
}

#[test]
fn index_lists_an_edge_twice() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, E);
        let mut r = read_ranges(&f);
        r[4] = 3; // node 2: [4, 6) -> [3, 6): edge 3 again
        f.dataset(&format!("{T2S}/range_to_edge_id"))
            .unwrap()
            .write_raw(&r)
            .unwrap();
    }
    assert_finding(
        &validate(&dir),
        E,
        &format!("{T2S}/range_to_edge_id"),
        "edge 3 is listed twice (again under node 2",
    );
}

#[test]
fn singular_alias_differs() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, E);
        let g = f.group(T2S).unwrap();
        let mut v = g
            .dataset("node_id_to_ranges")
            .unwrap()
            .read_raw::<u64>()
            .unwrap();
        g.unlink("node_id_to_range").unwrap();
        v[2] = 7;
        let a = ndarray::Array2::from_shape_vec((5, 2), v).unwrap();
        g.new_dataset_builder()
            .with_data(&a)
            .create("node_id_to_range")
            .unwrap();
    }
    assert_finding(
        &validate(&dir),
        E,
        &format!("{T2S}/node_id_to_range"),
        "differs from node_id_to_ranges at node 1",
    );
}

#[test]
fn only_singular_index() {
    let (_t, dir) = circuit();
    rw(&dir, E)
        .unlink(&format!("{T2S}/node_id_to_ranges"))
        .unwrap();
    assert_finding(
        &validate(&dir),
        E,
        &format!("{T2S}/node_id_to_ranges"),
        "only the singular node_id_to_range exists",
    );
}

#[test]
fn csv_missing_a_type_id() {
    let (_t, dir) = circuit();
    let p = dir.join("net_node_types.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("101")).collect();
    std::fs::write(&p, kept.join("\n") + "\n").unwrap();
    assert_finding(
        &validate(&dir),
        N,
        "/nodes/net/node_type_id",
        "node 3: node_type_id 101 is not in the node types table",
    );
}

#[test]
fn csv_without_id_column() {
    let (_t, dir) = circuit();
    std::fs::write(
        dir.join("net_net_edge_types.csv"),
        "pop_name edge_type_id\na 100\n",
    )
    .unwrap();
    assert_finding(
        &validate(&dir),
        "net_net_edge_types.csv",
        "line 1",
        "the first column must be edge_type_id",
    );
}

#[test]
fn config_points_at_missing_file() {
    let (_t, dir) = circuit();
    std::fs::rename(dir.join(E), dir.join("moved.h5")).unwrap();
    assert_finding(
        &validate(&dir),
        "circuit_config.json",
        "/networks/edges/0/edges_file",
        "does not exist",
    );
}

#[test]
fn config_not_json() {
    let (_t, dir) = circuit();
    std::fs::write(dir.join("circuit_config.json"), "{ \"networks\": ").unwrap();
    assert_finding(&validate(&dir), "circuit_config.json", "", "invalid JSON");
}

#[test]
fn config_population_without_type() {
    let (_t, dir) = circuit();
    let p = dir.join("circuit_config.json");
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("\"type\": \"chemical\"", "\"kind\": \"chemical\"");
    std::fs::write(&p, text).unwrap();
    assert_finding(
        &validate(&dir),
        "circuit_config.json",
        "/networks/edges/0/populations/net_to_net",
        "no 'type'",
    );
}

#[test]
fn node_population_attribute_missing() {
    let (_t, dir) = circuit();
    rw(&dir, E)
        .dataset("/edges/net_to_net/target_node_id")
        .unwrap()
        .delete_attr("node_population")
        .unwrap();
    assert_finding(
        &validate(&dir),
        E,
        "/edges/net_to_net/target_node_id",
        "no node_population attribute",
    );
}

#[test]
fn node_population_unknown() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, E);
        let ds = f.dataset("/edges/net_to_net/source_node_id").unwrap();
        ds.delete_attr("node_population").unwrap();
        let v: hdf5::types::VarLenUnicode = "lgn".parse().unwrap();
        ds.new_attr::<hdf5::types::VarLenUnicode>()
            .create("node_population")
            .unwrap()
            .write_scalar(&v)
            .unwrap();
    }
    assert_finding(
        &validate(&dir),
        E,
        "/edges/net_to_net/source_node_id",
        "node_population 'lgn' is no node population of the circuit",
    );
}

#[test]
fn lengths_differ() {
    let (_t, dir) = circuit();
    {
        let f = rw(&dir, E);
        let g = f.group(POP).unwrap();
        g.unlink("edge_group_id").unwrap();
        g.new_dataset_builder()
            .with_data(&[0u32; 9])
            .create("edge_group_id")
            .unwrap();
    }
    assert_finding(
        &validate(&dir),
        E,
        "/edges/net_to_net/edge_group_id",
        "9 rows, but /edges/net_to_net/source_node_id has 10",
    );
}

#[test]
fn unsorted_rows_are_a_note_not_an_error() {
    let (_t, dir) = circuit();
    // Swap the core rows of edges 0 and 9 (their group rows stay where they are, which is
    // allowed), then rebuild both indices: the rows are now sorted by neither id.
    let f = rw(&dir, E);
    let swap = |name: &str| {
        let ds = f.dataset(&format!("{POP}/{name}")).unwrap();
        let mut v = ds.read_raw::<i64>().unwrap();
        v.swap(0, 9);
        ds.write_raw(&v).unwrap();
    };
    swap("source_node_id");
    swap("target_node_id");
    swap("edge_type_id");
    drop(f);
    rebuild_indices(&dir);
    let r = validate(&dir);
    assert!(r.is_ok(), "{:#?}", r.findings);
    assert!(
        r.notes
            .iter()
            .any(|n| n.message.contains("sorted neither by target nor by source")),
        "{:#?}",
        r.notes
    );
}

/// Rewrites both indices of the test circuit from its id columns (one range per edge).
fn rebuild_indices(dir: &Path) {
    let f = rw(dir, E);
    let src = f
        .dataset(&format!("{POP}/source_node_id"))
        .unwrap()
        .read_raw::<u64>()
        .unwrap();
    let trg = f
        .dataset(&format!("{POP}/target_node_id"))
        .unwrap()
        .read_raw::<u64>()
        .unwrap();
    f.unlink(&format!("{POP}/indices")).unwrap();
    let idx = f.group(POP).unwrap().create_group("indices").unwrap();
    for (dir_name, col) in [("source_to_target", &src), ("target_to_source", &trg)] {
        let g = idx.create_group(dir_name).unwrap();
        let mut n2r = vec![0u64; 10];
        let mut r2e = Vec::new();
        for node in 0..5u64 {
            let start = r2e.len() as u64 / 2;
            for (e, &v) in col.iter().enumerate() {
                if v == node {
                    r2e.extend([e as u64, e as u64 + 1]);
                }
            }
            n2r[2 * node as usize] = start;
            n2r[2 * node as usize + 1] = r2e.len() as u64 / 2;
        }
        let rows = r2e.len() / 2;
        g.new_dataset_builder()
            .with_data(&ndarray::Array2::from_shape_vec((5, 2), n2r).unwrap())
            .create("node_id_to_ranges")
            .unwrap();
        g.new_dataset_builder()
            .with_data(&ndarray::Array2::from_shape_vec((rows, 2), r2e).unwrap())
            .create("range_to_edge_id")
            .unwrap();
    }
}
