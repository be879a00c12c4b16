//! Writes small nodes and edges files into a temp dir and reads them back with the hdf5 crate.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use hdf5::types::{FloatSize, IntSize, TypeDescriptor, VarLenUnicode};
use netbuild_sonata::*;

/// HDF5 opens files without `O_CLOEXEC`, so a child spawned by one test (`h5dump`) inherits
/// the descriptors (and `flock` locks) of files other tests have open at that moment, and a
/// reopen then fails with "unable to lock file". The tests touching files take this lock.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn prov() -> Provenance {
    Provenance {
        attrs: vec![
            ("netbuild_version".into(), "0.1.0".into()),
            ("seed".into(), "42".into()),
        ],
    }
}

fn desc(ds: &hdf5::Dataset) -> TypeDescriptor {
    ds.dtype().unwrap().to_descriptor().unwrap()
}

fn u64s(f: &hdf5::File, p: &str) -> Vec<u64> {
    f.dataset(p).unwrap().read_raw::<u64>().unwrap()
}

fn str_attr(loc: &hdf5::Location, name: &str) -> String {
    let a = loc.attr(name).unwrap();
    assert_eq!(
        a.dtype().unwrap().to_descriptor().unwrap(),
        TypeDescriptor::VarLenUnicode
    );
    a.read_scalar::<VarLenUnicode>()
        .unwrap()
        .as_str()
        .to_owned()
}

fn check_root(f: &hdf5::File) {
    let magic = f.attr("magic").unwrap();
    assert_eq!(desc_attr(&magic), TypeDescriptor::Unsigned(IntSize::U4));
    assert_eq!(magic.read_scalar::<u32>().unwrap(), 0x0A7A);
    let version = f.attr("version").unwrap();
    assert_eq!(desc_attr(&version), TypeDescriptor::Unsigned(IntSize::U4));
    assert_eq!(version.read_raw::<u32>().unwrap(), vec![0, 1]);
    assert_eq!(str_attr(f, "netbuild_version"), "0.1.0");
    assert_eq!(str_attr(f, "seed"), "42");
}

fn desc_attr(a: &hdf5::Attribute) -> TypeDescriptor {
    a.dtype().unwrap().to_descriptor().unwrap()
}

fn sample_nodes() -> NodePopulation {
    NodePopulation {
        name: "v1".into(),
        node_type_id: vec![100, 100, 101, 100, 101],
        node_group_id: vec![0, 0, 1, 0, 1],
        node_group_index: vec![0, 1, 0, 2, 1],
        groups: vec![
            NodeGroup {
                columns: vec![
                    Column::new("x", ColumnData::Num(NumColumn::F64(vec![1.0, 2.0, 3.0]))),
                    Column::new(
                        "label",
                        ColumnData::Str(vec!["a".into(), "b c".into(), "é".into()]),
                    ),
                ],
            },
            NodeGroup {
                columns: vec![Column::new(
                    "k",
                    ColumnData::Num(NumColumn::I32(vec![-1, 7])),
                )],
            },
        ],
    }
}

fn check_nodes(path: &Path, gzip: bool) {
    let f = hdf5::File::open(path).unwrap();
    check_root(&f);
    assert_eq!(u64s(&f, "/nodes/v1/node_id"), vec![0, 1, 2, 3, 4]);
    let ds = f.dataset("/nodes/v1/node_id").unwrap();
    assert_eq!(desc(&ds), TypeDescriptor::Unsigned(IntSize::U8));
    assert_eq!(ds.is_chunked(), gzip);
    assert_eq!(!ds.filters().is_empty(), gzip);
    let ds = f.dataset("/nodes/v1/node_type_id").unwrap();
    assert_eq!(desc(&ds), TypeDescriptor::Integer(IntSize::U8));
    assert_eq!(ds.read_raw::<i64>().unwrap(), vec![100, 100, 101, 100, 101]);
    let ds = f.dataset("/nodes/v1/node_group_id").unwrap();
    assert_eq!(desc(&ds), TypeDescriptor::Unsigned(IntSize::U4));
    assert_eq!(ds.read_raw::<u32>().unwrap(), vec![0, 0, 1, 0, 1]);
    assert_eq!(u64s(&f, "/nodes/v1/node_group_index"), vec![0, 1, 0, 2, 1]);
    let ds = f.dataset("/nodes/v1/0/x").unwrap();
    assert_eq!(desc(&ds), TypeDescriptor::Float(FloatSize::U8));
    assert_eq!(ds.read_raw::<f64>().unwrap(), vec![1.0, 2.0, 3.0]);
    let ds = f.dataset("/nodes/v1/0/label").unwrap();
    assert_eq!(desc(&ds), TypeDescriptor::VarLenUnicode);
    let labels: Vec<String> = ds
        .read_raw::<VarLenUnicode>()
        .unwrap()
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    assert_eq!(labels, vec!["a", "b c", "é"]);
    let ds = f.dataset("/nodes/v1/1/k").unwrap();
    assert_eq!(desc(&ds), TypeDescriptor::Integer(IntSize::U4));
    assert_eq!(ds.read_raw::<i32>().unwrap(), vec![-1, 7]);
}

#[test]
fn nodes_roundtrip_plain_and_gzip() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pop = sample_nodes();
    let p = dir.path().join("v1_nodes.h5");
    write_nodes(&p, &pop, Compression::None, &prov()).unwrap();
    check_nodes(&p, false);
    let p = dir.path().join("v1_nodes_gz.h5");
    write_nodes(&p, &pop, Compression::Gzip(4), &prov()).unwrap();
    check_nodes(&p, true);
}

#[test]
fn nodes_refuse_inconsistent_input() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut pop = sample_nodes();
    pop.node_group_index[3] = 3; // group 0 has 3 rows
    let err = write_nodes(&dir.path().join("x.h5"), &pop, Compression::None, &prov());
    assert!(matches!(err, Err(SonataError::Invalid { .. })), "{err:?}");
    let mut pop = sample_nodes();
    pop.groups[0].columns[0].name = "a/b".into();
    let err = write_nodes(&dir.path().join("y.h5"), &pop, Compression::None, &prov());
    assert!(matches!(err, Err(SonataError::Invalid { .. })), "{err:?}");
}

/// 6 edges a(3 nodes) -> b(4 nodes), sorted by target:
/// e0 0->0 g0/0, e1 2->0 g0/1, e2 0->1 g1/0, e3 1->3 g0/2, e4 2->3 g1/1, e5 0->3 g0/3.
fn layout() -> EdgePopulationLayout {
    EdgePopulationLayout {
        name: "a_to_b".into(),
        source_population: "a".into(),
        target_population: "b".into(),
        n_edges: 6,
        groups: vec![
            EdgeGroupLayout {
                columns: vec![
                    ("syn_weight".into(), Dtype::F32.into()),
                    ("delay".into(), Dtype::F64.into()),
                ],
                n_rows: 4,
            },
            EdgeGroupLayout {
                columns: vec![("nsyns".into(), Dtype::I32.into())],
                n_rows: 2,
            },
        ],
        n_source_nodes: 3,
        n_target_nodes: 4,
    }
}

const SRC: [u64; 6] = [0, 2, 0, 1, 2, 0];
const TRG: [u64; 6] = [0, 0, 1, 3, 3, 3];

fn write_sample_edges(path: &Path, compression: Compression) {
    let mut w = EdgesWriter::create(path, &layout(), compression, &prov()).unwrap();
    let types = [100i64, 100, 101, 100, 101, 100];
    let gid = [0u32, 0, 1, 0, 1, 0];
    let gidx = [0u64, 1, 0, 2, 1, 3];
    // Two blocks, plus an empty one.
    w.append_edges(&SRC[..4], &TRG[..4], &types[..4], &gid[..4], &gidx[..4])
        .unwrap();
    w.append_edges(&[], &[], &[], &[], &[]).unwrap();
    w.append_edges(&SRC[4..], &TRG[4..], &types[4..], &gid[4..], &gidx[4..])
        .unwrap();
    w.append_group(
        0,
        &[
            ColumnSlice::Num(NumSlice::F32(&[0.5, 1.5])),
            ColumnSlice::Num(NumSlice::F64(&[1.0, 2.0])),
        ],
    )
    .unwrap();
    w.append_group(
        0,
        &[
            ColumnSlice::Num(NumSlice::F32(&[2.5, 3.5])),
            ColumnSlice::Num(NumSlice::F64(&[3.0, 4.0])),
        ],
    )
    .unwrap();
    // Positioned write for group 1, out of order.
    w.write_group_at(1, 1, &[ColumnSlice::Num(NumSlice::I32(&[9]))])
        .unwrap();
    w.write_group_at(1, 0, &[ColumnSlice::Num(NumSlice::I32(&[8]))])
        .unwrap();

    let mut t2s: Vec<(u64, u64)> = TRG
        .iter()
        .enumerate()
        .map(|(e, &t)| (t, e as u64))
        .collect();
    t2s.sort_unstable();
    w.write_index(IndexDirection::TargetToSource, t2s.into_iter())
        .unwrap();
    let mut s2t: Vec<(u64, u64)> = SRC
        .iter()
        .enumerate()
        .map(|(e, &s)| (s, e as u64))
        .collect();
    s2t.sort_unstable();
    w.write_index(IndexDirection::SourceToTarget, s2t.into_iter())
        .unwrap();
    w.finish().unwrap();
}

fn check_edges(path: &Path, gzip: bool) {
    let f = hdf5::File::open(path).unwrap();
    check_root(&f);
    let pop = f.group("/edges/a_to_b").unwrap();
    let src = pop.dataset("source_node_id").unwrap();
    assert_eq!(desc(&src), TypeDescriptor::Unsigned(IntSize::U8));
    assert_eq!(src.read_raw::<u64>().unwrap(), SRC.to_vec());
    assert_eq!(str_attr(&src, "node_population"), "a");
    assert_eq!(src.is_chunked(), gzip);
    let trg = pop.dataset("target_node_id").unwrap();
    assert_eq!(trg.read_raw::<u64>().unwrap(), TRG.to_vec());
    assert_eq!(str_attr(&trg, "node_population"), "b");
    let et = pop.dataset("edge_type_id").unwrap();
    assert_eq!(desc(&et), TypeDescriptor::Integer(IntSize::U8));
    assert_eq!(
        et.read_raw::<i64>().unwrap(),
        vec![100, 100, 101, 100, 101, 100]
    );
    let g = pop.dataset("edge_group_id").unwrap();
    assert_eq!(desc(&g), TypeDescriptor::Unsigned(IntSize::U4));
    assert_eq!(g.read_raw::<u32>().unwrap(), vec![0, 0, 1, 0, 1, 0]);
    assert_eq!(
        u64s(&f, "/edges/a_to_b/edge_group_index"),
        vec![0, 1, 0, 2, 1, 3]
    );
    let w = pop.dataset("0/syn_weight").unwrap();
    assert_eq!(desc(&w), TypeDescriptor::Float(FloatSize::U4));
    assert_eq!(w.read_raw::<f32>().unwrap(), vec![0.5, 1.5, 2.5, 3.5]);
    assert_eq!(
        pop.dataset("0/delay").unwrap().read_raw::<f64>().unwrap(),
        vec![1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(
        pop.dataset("1/nsyns").unwrap().read_raw::<i32>().unwrap(),
        vec![8, 9]
    );

    let t2s = "/edges/a_to_b/indices/target_to_source";
    let n2r = f.dataset(&format!("{t2s}/node_id_to_ranges")).unwrap();
    assert_eq!(n2r.shape(), vec![4, 2]);
    assert_eq!(
        u64s(&f, &format!("{t2s}/node_id_to_ranges")),
        vec![0, 1, 1, 2, 0, 0, 2, 3]
    );
    let r2e = f.dataset(&format!("{t2s}/range_to_edge_id")).unwrap();
    assert_eq!(r2e.shape(), vec![3, 2]);
    assert_eq!(r2e.read_raw::<u64>().unwrap(), vec![0, 2, 2, 3, 3, 6]);
    let s2t = "/edges/a_to_b/indices/source_to_target";
    assert_eq!(
        u64s(&f, &format!("{s2t}/node_id_to_ranges")),
        vec![0, 3, 3, 4, 4, 6]
    );
    assert_eq!(
        u64s(&f, &format!("{s2t}/range_to_edge_id")),
        vec![0, 1, 2, 3, 5, 6, 3, 4, 1, 2, 4, 5]
    );
    // The singular name is a hard link to the same object.
    for dir in [t2s, s2t] {
        let a = f.dataset(&format!("{dir}/node_id_to_ranges")).unwrap();
        let b = f.dataset(&format!("{dir}/node_id_to_range")).unwrap();
        assert_eq!(a.loc_info().unwrap().token, b.loc_info().unwrap().token);
        assert_eq!(a.read_raw::<u64>().unwrap(), b.read_raw::<u64>().unwrap());
    }
}

#[test]
fn edges_roundtrip_plain_and_gzip() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a_b_edges.h5");
    write_sample_edges(&p, Compression::None);
    check_edges(&p, false);
    let p = dir.path().join("a_b_edges_gz.h5");
    write_sample_edges(&p, Compression::Gzip(4));
    check_edges(&p, true);
}

#[test]
fn edges_with_zero_rows() {
    let _serial = serial();
    for compression in [Compression::None, Compression::Gzip(6)] {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty_edges.h5");
        let mut layout = layout();
        layout.n_edges = 0;
        layout.groups[0].n_rows = 0;
        layout.groups[1].n_rows = 0;
        let mut w = EdgesWriter::create(&p, &layout, compression, &prov()).unwrap();
        w.append_edges(&[], &[], &[], &[], &[]).unwrap();
        w.write_index(IndexDirection::SourceToTarget, std::iter::empty())
            .unwrap();
        w.write_index(IndexDirection::TargetToSource, std::iter::empty())
            .unwrap();
        w.finish().unwrap();

        let f = hdf5::File::open(&p).unwrap();
        assert_eq!(
            f.dataset("/edges/a_to_b/source_node_id").unwrap().shape(),
            vec![0]
        );
        assert_eq!(
            f.dataset("/edges/a_to_b/0/syn_weight").unwrap().shape(),
            vec![0]
        );
        assert_eq!(f.dataset("/edges/a_to_b/1/nsyns").unwrap().shape(), vec![0]);
        let idx = "/edges/a_to_b/indices/target_to_source";
        assert_eq!(u64s(&f, &format!("{idx}/node_id_to_ranges")), vec![0; 8]);
        assert_eq!(
            f.dataset(&format!("{idx}/range_to_edge_id"))
                .unwrap()
                .shape(),
            vec![0, 2]
        );
        assert!(f.link_exists(&format!("{idx}/node_id_to_range")));
    }
    // A population with a group that has no columns at all still gets its group.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nocols.h5");
    let layout = EdgePopulationLayout {
        name: "x_to_x".into(),
        source_population: "x".into(),
        target_population: "x".into(),
        n_edges: 0,
        groups: vec![EdgeGroupLayout::default()],
        n_source_nodes: 0,
        n_target_nodes: 0,
    };
    let mut w = EdgesWriter::create(&p, &layout, Compression::Gzip(4), &prov()).unwrap();
    w.write_index(IndexDirection::SourceToTarget, std::iter::empty())
        .unwrap();
    w.write_index(IndexDirection::TargetToSource, std::iter::empty())
        .unwrap();
    w.finish().unwrap();
    let f = hdf5::File::open(&p).unwrap();
    assert!(f.link_exists("/edges/x_to_x/0"));
    assert_eq!(
        f.dataset("/edges/x_to_x/indices/source_to_target/node_id_to_ranges")
            .unwrap()
            .shape(),
        vec![0, 2]
    );
}

#[test]
fn edges_refuse_bad_input() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.h5");
    let mut w = EdgesWriter::create(&p, &layout(), Compression::None, &prov()).unwrap();
    // Wrong dtype.
    let e = w.append_group(1, &[ColumnSlice::Num(NumSlice::I64(&[1]))]);
    assert!(matches!(e, Err(SonataError::Invalid { .. })), "{e:?}");
    // Past the end.
    let e = w.write_group_at(1, 2, &[ColumnSlice::Num(NumSlice::I32(&[1]))]);
    assert!(matches!(e, Err(SonataError::Invalid { .. })), "{e:?}");
    // Target id out of range.
    let e = w.append_edges(&[0], &[4], &[100], &[0], &[0]);
    assert!(matches!(e, Err(SonataError::Invalid { .. })), "{e:?}");
    // Unsorted index input.
    let e = w.write_index(IndexDirection::TargetToSource, [(1, 0), (0, 1)].into_iter());
    assert!(matches!(e, Err(SonataError::Invalid { .. })), "{e:?}");
    // Missing rows.
    let e = w.finish();
    let msg = format!("{}", e.unwrap_err());
    assert!(
        msg.contains("bad.h5") && msg.contains("source_node_id"),
        "{msg}"
    );

    // Layout whose groups do not add up to n_edges.
    let mut l = layout();
    l.groups[1].n_rows = 1;
    let e = EdgesWriter::create(&dir.path().join("bad2.h5"), &l, Compression::None, &prov());
    assert!(matches!(e, Err(SonataError::Invalid { .. })));
}

#[test]
fn type_tables() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v1_node_types.csv");
    let table = TypeTable {
        columns: vec![
            "node_type_id".into(),
            "model_type".into(),
            "model_template".into(),
            "pop name".into(),
        ],
        rows: vec![
            vec![
                Some("100".into()),
                Some("point_neuron".into()),
                Some("nest:iaf_psc_alpha".into()),
                Some("exc \"L4\"".into()),
            ],
            vec![
                Some("101".into()),
                Some("virtual".into()),
                None,
                Some(String::new()),
            ],
        ],
    };
    write_node_types(&p, &table).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(
        text,
        "node_type_id model_type model_template \"pop name\"\n\
         100 point_neuron nest:iaf_psc_alpha \"exc \"\"L4\"\"\"\n\
         101 virtual NULL \"\"\n"
    );
    // The id column must come first.
    let mut bad = table.clone();
    bad.columns.swap(0, 1);
    assert!(write_node_types(&p, &bad).is_err());
    assert!(write_edge_types(&p, &table).is_err());
    // Ragged row.
    let mut bad = table;
    bad.rows[0].pop();
    assert!(write_node_types(&p, &bad).is_err());
}

#[test]
fn circuit_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CircuitConfig {
        nodes: vec![
            NodesEntry {
                nodes_file: "v1_nodes.h5".into(),
                node_types_file: Some("v1_node_types.csv".into()),
                populations: vec![("v1".into(), "point_neuron".into())],
            },
            NodesEntry {
                nodes_file: "lgn_nodes.h5".into(),
                node_types_file: Some("lgn_node_types.csv".into()),
                populations: vec![("lgn".into(), "virtual".into())],
            },
        ],
        edges: vec![EdgesEntry {
            edges_file: "v1_v1_edges.h5".into(),
            edge_types_file: Some("v1_v1_edge_types.csv".into()),
            populations: vec![("v1_to_v1".into(), "chemical".into())],
        }],
        node_sets_file: Some("node_sets.json".into()),
    };
    let path = write_circuit_config(dir.path(), &cfg).unwrap();
    assert_eq!(path, dir.path().join("circuit_config.json"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["manifest"]["$BASE_DIR"], ".");
    assert_eq!(v["manifest"]["$NETWORK_DIR"], "$BASE_DIR");
    assert_eq!(v["manifest"]["$COMPONENTS_DIR"], "$BASE_DIR/components");
    // libsonata refuses any target_simulator but NEURON/CORENEURON in a circuit config.
    assert!(v.get("target_simulator").is_none());
    assert_eq!(
        v["components"]["point_neuron_models_dir"],
        "$COMPONENTS_DIR/point_neuron_models"
    );
    assert_eq!(
        v["components"]["synaptic_models_dir"],
        "$COMPONENTS_DIR/synaptic_models"
    );
    let n = &v["networks"]["nodes"];
    assert_eq!(n[0]["nodes_file"], "$NETWORK_DIR/v1_nodes.h5");
    assert_eq!(n[0]["node_types_file"], "$NETWORK_DIR/v1_node_types.csv");
    assert_eq!(n[0]["populations"]["v1"]["type"], "point_neuron");
    assert_eq!(n[1]["populations"]["lgn"]["type"], "virtual");
    let e = &v["networks"]["edges"];
    assert_eq!(e[0]["edges_file"], "$NETWORK_DIR/v1_v1_edges.h5");
    assert_eq!(e[0]["edge_types_file"], "$NETWORK_DIR/v1_v1_edge_types.csv");
    assert_eq!(e[0]["populations"]["v1_to_v1"]["type"], "chemical");
    assert!(dir.path().join("components/point_neuron_models").is_dir());
    assert!(dir.path().join("components/synaptic_models").is_dir());
    assert_eq!(v["node_sets_file"], "$NETWORK_DIR/node_sets.json");

    // The simulators' config: the same circuit under BMTK's `${configdir}` manifest, with no
    // path written from `$BASE_DIR` itself (NEST resolves only the variables derived from it)
    // and no `network` key (BMTK would let that file's cwd-relative paths replace these).
    let run = RunParams {
        tstop_ms: 250.0,
        dt_ms: 0.025,
    };
    let sim_path = write_simulation_config(dir.path(), &cfg, run).unwrap();
    assert_eq!(sim_path, dir.path().join("simulation_config.json"));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sim_path).unwrap()).unwrap();
    assert_eq!(s["manifest"]["$BASE_DIR"], "${configdir}");
    assert_eq!(s["manifest"]["$NETWORK_DIR"], "$BASE_DIR");
    assert_eq!(s["target_simulator"], "NEST");
    assert_eq!(s["run"]["tstop"], 250.0);
    assert_eq!(s["run"]["dt"], 0.025);
    assert!(s.get("network").is_none());
    for key in ["networks", "components", "node_sets_file"] {
        assert_eq!(s[key], v[key], "{key} differs between the two configs");
    }
    let text = std::fs::read_to_string(&sim_path).unwrap();
    let outside_manifest = text.replace("\"$BASE_DIR\": \"${configdir}\"", "");
    assert_eq!(
        outside_manifest.matches("\"$BASE_DIR/").count(),
        2,
        "only $COMPONENTS_DIR and $OUTPUT_DIR may be built on $BASE_DIR"
    );

    let mut bad = cfg;
    bad.nodes[0].nodes_file = "../x.h5".into();
    assert!(write_circuit_config(dir.path(), &bad).is_err());
}

#[test]
fn h5dump_reads_the_files() {
    let _serial = serial();
    let Ok(out) = std::process::Command::new("h5dump")
        .arg("--version")
        .output()
    else {
        eprintln!("h5dump not on PATH: skipped");
        return;
    };
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a_b_edges.h5");
    write_sample_edges(&p, Compression::Gzip(4));
    let out = std::process::Command::new("h5dump")
        .arg("-H")
        .arg(&p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("ATTRIBUTE \"magic\""), "{text}");
    assert!(text.contains("DATASET \"source_node_id\""), "{text}");
    assert!(text.contains("ATTRIBUTE \"node_population\""), "{text}");
    assert!(text.contains("H5T_STD_U64LE"), "{text}");
    // h5dump shows the second name of a hard-linked dataset as HARDLINK.
    assert!(text.contains("HARDLINK"), "{text}");
    assert!(text.contains("CSET H5T_CSET_UTF8"), "{text}");

    let p = dir.path().join("v1_nodes.h5");
    write_nodes(&p, &sample_nodes(), Compression::None, &prov()).unwrap();
    let out = std::process::Command::new("h5dump")
        .arg(&p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("\"b c\""), "{text}");
}
