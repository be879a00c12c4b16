//! The spec is a thin layer over the builder API: this module makes the builder calls a checked
//! [`Spec`] describes, as a BMTK script would make `add_nodes` / `add_edges` calls.
//!
//! In: a [`Spec`]. Out: a [`Circuit`] and the [`BuildOptions`] of its `[build]` table
//! ([`crate::run::settings::spec_options`]).

use crate::run::options::BuildOptions;
use netbuild_model::Circuit;
use netbuild_spec::Spec;

/// The circuit and options a spec describes.
pub fn circuit_from_spec(spec: &Spec) -> (Circuit, BuildOptions) {
    let mut c = Circuit::new(spec.build.seed);
    for block in &spec.nodes {
        let mut b = c.add_nodes(&block.network, block.n);
        for (k, v) in &block.type_props {
            b = b.type_prop(k, v.clone());
        }
        for (k, v) in &block.node_props {
            b = b.prop(k, v.clone());
        }
        if let Some(p) = block.positions {
            b = b.positions(p);
        }
    }
    for imp in &spec.imports {
        c.import_nodes(imp.clone());
    }
    for e in &spec.edges {
        let mut b = c
            .add_edges(e.source.clone(), e.target.clone(), e.rule.clone())
            .autapses(e.autapses)
            .nsyns(e.nsyns);
        if let Some(d) = e.max_distance {
            b = b.max_distance(d);
        }
        if let Some(g) = e.gap {
            b = b.gap(g);
        }
        for (k, v) in &e.type_props {
            b = b.type_prop(k, v.clone());
        }
        for p in &e.edge_props {
            b = b.edge_prop(&p.name, p.dtype, p.value.clone());
        }
        if let Some((l, _)) = &e.locations {
            b.locations(l.clone());
        }
    }
    // The spec's part of the settings, resolved with the rest by crate::run::settings::resolve.
    let options = crate::run::settings::spec_options(&spec.build);
    (c, options)
}
