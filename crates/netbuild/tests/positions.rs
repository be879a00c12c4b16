//! `positions` end to end through the library: spec text → builder calls → drawn nodes → the
//! nodes .h5 file, read back. x, y, z lie in each block's volume, are spaced by `min_distance`,
//! are what rules see as positions, and are the same however often they are drawn.

use netbuild::model::{generate_networks, Columns, Network, Values};
use netbuild::write::write_network;
use std::path::Path;

const SPEC: &str = r#"
[build]
seed = 11

[[nodes]]
network = "net"
N = 1500
ei = "e"
positions = { cylinder = [100.0, 10.0, 60.0], center = [5.0, 0.0, -5.0], min_distance = 4.0 }

[[nodes]]
network = "net"
N = 400
ei = "i"
positions = { box = [[0, 10], [20, 30], [-5, 5]] }

[[nodes]]
network = "net"
N = 400
ei = "s"
positions = { sphere = 40.0, center = [0, 100, 0] }

[[edges]]
source = { network = "net", ei = "e" }
target = { network = "net" }
rule = { probability = "exp(-d * d / 800)", max_distance = 30.0 }
"#;

fn networks() -> Vec<Network> {
    let spec = netbuild::spec::parse_str(SPEC, Path::new("/nonexistent/spec.toml")).unwrap();
    let (circuit, _) = netbuild::circuit_from_spec(&spec);
    generate_networks(&circuit).unwrap()
}

/// The x, y, z of `net`'s nodes as written to and read back from its nodes file.
fn written_positions(net: &Network) -> Vec<[f64; 3]> {
    let dir = tempfile::tempdir().unwrap();
    write_network(
        dir.path(),
        net,
        netbuild_sonata::Compression::None,
        &Default::default(),
    )
    .unwrap();
    let f = hdf5::File::open(dir.path().join("net_nodes.h5")).unwrap();
    let group = f.group("nodes/net/0").unwrap();
    let [x, y, z] = ["x", "y", "z"].map(|c| {
        let ds = group.dataset(c).unwrap();
        assert_eq!(
            ds.dtype().unwrap().to_descriptor().unwrap(),
            hdf5::types::TypeDescriptor::Float(hdf5::types::FloatSize::U8),
            "{c} is stored as f64"
        );
        ds.read_raw::<f64>().unwrap()
    });
    (0..x.len()).map(|i| [x[i], y[i], z[i]]).collect()
}

#[test]
fn positions_are_written_inside_their_volumes() {
    let nets = networks();
    let net = &nets[0];
    assert_eq!(net.n, 2300);
    let p = written_positions(net);
    assert_eq!(p.len(), 2300);
    let (cyl, rest) = p.split_at(1500);
    let (boxed, ball) = rest.split_at(400);
    for q in cyl {
        assert!((q[0] - 5.0).hypot(q[2] + 5.0) <= 100.0, "{q:?}");
        assert!((10.0..=60.0).contains(&q[1]), "{q:?}");
    }
    for q in boxed {
        assert!(
            (0.0..=10.0).contains(&q[0]) && (20.0..=30.0).contains(&q[1]),
            "{q:?}"
        );
        assert!((-5.0..=5.0).contains(&q[2]), "{q:?}");
    }
    for q in ball {
        assert!((q[0] * q[0] + (q[1] - 100.0).powi(2) + q[2] * q[2]).sqrt() <= 40.0);
    }
    // min_distance holds within its block (brute force).
    for i in 0..cyl.len() {
        for j in 0..i {
            let d: f64 = (0..3).map(|k| (cyl[i][k] - cyl[j][k]).powi(2)).sum();
            assert!(d.sqrt() >= 4.0, "nodes {j} and {i} are {} apart", d.sqrt());
        }
    }
    // The written values are the drawn ones, and the rules see them as positions.
    let mut columns = Columns::new(&nets);
    assert_eq!(columns.positions(0)[..], p[..]);
}

#[test]
fn positions_are_drawn_the_same_every_time() {
    let xyz = |nets: &[Network]| -> Vec<Values> {
        nets[0]
            .blocks
            .iter()
            .flat_map(|b| b.columns.iter().map(|c| c.values.clone()))
            .collect()
    };
    let a = xyz(&networks());
    assert_eq!(a.len(), 9, "x, y, z of three blocks");
    assert_eq!(a, xyz(&networks()));
}

/// BMTK's `add_nodes(positions=<N x 3 array>)`, as the spec takes it: one N x 3 f64 dataset
/// `positions` in the node group (no x, y, z), any other N x k array likewise, and rules reading
/// x, y, z from it (where the block gives no x, y or z of its own).
#[test]
fn positions_given_as_rows_are_one_n_by_3_column_that_rules_read() {
    let spec = r#"
[[nodes]]
network = "net"
N = 3
ei = "e"
positions = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.5, 0.0, 2.5]]
ids = [[1, 2], [3, 4], [5, 6]]

[[nodes]]
network = "net"
N = 2
ei = "i"
positions = [[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]]
x = [7.0, 8.0]

[[edges]]
source = { network = "net" }
target = { network = "net", x = 7.0 }
rule = { probability = "d < 1000" }
"#;
    let spec = netbuild::spec::parse_str(spec, Path::new("/nonexistent/spec.toml")).unwrap();
    let (circuit, _) = netbuild::circuit_from_spec(&spec);
    let nets = generate_networks(&circuit).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_network(
        dir.path(),
        &nets[0],
        netbuild_sonata::Compression::None,
        &Default::default(),
    )
    .unwrap();
    let f = hdf5::File::open(dir.path().join("net_nodes.h5")).unwrap();
    let g0 = f.group("nodes/net/0").unwrap();
    let mut names = g0.member_names().unwrap();
    names.sort();
    assert_eq!(names, ["ids", "positions"]);
    let pos = g0.dataset("positions").unwrap();
    assert_eq!(pos.shape(), [3, 3]);
    assert_eq!(
        pos.dtype().unwrap().to_descriptor().unwrap(),
        hdf5::types::TypeDescriptor::Float(hdf5::types::FloatSize::U8)
    );
    assert_eq!(
        pos.read_raw::<f64>().unwrap(),
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -1.5, 0.0, 2.5]
    );
    assert_eq!(pos.attr_names().unwrap(), Vec::<String>::new());
    let ids = g0.dataset("ids").unwrap();
    assert_eq!(ids.shape(), [3, 2]);
    assert_eq!(
        ids.dtype().unwrap().to_descriptor().unwrap(),
        hdf5::types::TypeDescriptor::Integer(hdf5::types::IntSize::U8)
    );
    assert_eq!(ids.read_raw::<i64>().unwrap(), [1, 2, 3, 4, 5, 6]);
    // The second block has other columns: its own group, rows in node order.
    let g1 = f.group("nodes/net/1").unwrap();
    assert_eq!(g1.dataset("positions").unwrap().shape(), [2, 3]);
    assert_eq!(
        g1.dataset("x").unwrap().read_raw::<f64>().unwrap(),
        [7.0, 8.0]
    );
    let csv = std::fs::read_to_string(dir.path().join("net_node_types.csv")).unwrap();
    assert!(!csv.contains("positions"), "{csv}");

    // Rules: x, y, z from positions; the block's own x wins over positions' first column.
    let mut columns = Columns::new(&nets);
    assert_eq!(
        columns.positions(0)[..],
        [
            [1.0, 2.0, 3.0],
            [4.0, 5.0, 6.0],
            [-1.5, 0.0, 2.5],
            [7.0, 20.0, 30.0],
            [8.0, 50.0, 60.0]
        ]
    );
    assert_eq!(nets[0].number_at("z", 2), Some(2.5));
    assert_eq!(nets[0].number_at("positions", 2), None);
    assert_eq!(
        nets[0].matches("y", &[netbuild::model::Scalar::Float(5.0)]),
        [false, true, false, false, false]
    );
}
