//! Allen's V1 rules through the whole spec path (spec -> circuit -> nodes -> prepared edge types
//! -> tree-pruned connection): on a 100 um copy of `v1full.toml` (~4,200 V1 cells, 361 V1->V1
//! edge types: rotated anisotropic gaussians without cut-off, E->E with the orientation term),
//! the connections of every (source type, target type) lie within 5 sd of the sum of p over all
//! its pairs, computed here by brute force.

mod common;

use netbuild::model::{generate_networks, EdgeRow, EdgeSink, Rule, Scratch, Value};
use netbuild_expr::Var;
use rand::rngs::mock::StepRng;

/// Counts the connections of each edge type.
struct Counts(Vec<f64>);

impl EdgeSink for Counts {
    type Error = std::convert::Infallible;
    fn push(&mut self, row: EdgeRow<'_>) -> Result<(), Self::Error> {
        self.0[row.edge_type] += 1.0;
        Ok(())
    }
}

#[test]
fn v1full_counts_per_type_pair_match_the_sum_of_p() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::small_radius_copy("v1full.toml", 100.0, dir.path());
    let spec = netbuild::spec::load(&path).unwrap();
    let (circuit, _) = netbuild::circuit_from_spec(&spec);
    let networks = generate_networks(&circuit).unwrap();
    let setup = netbuild::plan::setup::prepare_edges(&circuit, &networks).unwrap();
    let v1 = networks.iter().find(|n| n.name == "v1").unwrap();
    assert!((4000..4500).contains(&v1.n), "{} V1 cells", v1.n);
    let [x, y, z] = ["x", "y", "z"].map(|c| v1.numeric(c));

    let mut counts = Counts(vec![0.0; setup.prepared.len()]);
    let mut checked = 0;
    let mut scratch = Scratch::default();
    for e in &setup.prepared {
        let Rule::Probability(Value::Expr(expr)) = &e.def.rule else {
            continue;
        };
        if e.def.source.network != "v1" || e.def.target.network != "v1" {
            continue;
        }
        // The build's own connection code, every target.
        let block = e.prepare_block(0..v1.n);
        for &t in &e.targets {
            let Ok(()) = e.connect(&block, t, &mut scratch, &mut counts);
        }
        // Every pair, by brute force.
        let columns: Vec<Option<Vec<f64>>> = expr
            .variables()
            .iter()
            .map(|v| match &v.var {
                Var::Src(name) | Var::Trg(name) => Some(v1.numeric(name)),
                _ => None,
            })
            .collect();
        let (mut mean, mut var) = (0.0, 0.0);
        let mut vars = Vec::new();
        for &t in &e.targets {
            for &s in &e.sources {
                if s == t {
                    continue;
                }
                let (s, t) = (s as usize, t as usize);
                let (dx, dy, dz) = (x[t] - x[s], y[t] - y[s], z[t] - z[s]);
                vars.clear();
                for (v, col) in expr.variables().iter().zip(&columns) {
                    vars.push(match (&v.var, col) {
                        (Var::D, _) => (dx * dx + dy * dy + dz * dz).sqrt(),
                        (Var::Dx, _) => dx,
                        (Var::Dy, _) => dy,
                        (Var::Dz, _) => dz,
                        (Var::Src(_), Some(c)) => c[s],
                        (Var::Trg(_), Some(c)) => c[t],
                        _ => unreachable!("columns follow the variables"),
                    });
                }
                let p = expr.eval(&vars, &mut StepRng::new(0, 0)).clamp(0.0, 1.0);
                mean += p;
                var += p * (1.0 - p);
            }
        }
        let got = counts.0[e.index];
        assert!(
            (got - mean).abs() <= 5.0 * var.sqrt().max(1.0),
            "{:?} -> {:?}: {got} connections, sum of p {mean:.1} (sd {:.1})",
            e.def.source.filters,
            e.def.target.filters,
            var.sqrt()
        );
        checked += 1;
    }
    assert_eq!(checked, 361, "every V1 -> V1 type pair");
}
