"""A netbuild script whose rules are all netbuild rule objects (native, keyed random streams):
the same files on any number of ranks. `[mpirun -n K] python native_rules.py OUT_DIR`."""
import sys

import numpy as np

import netbuild
from netbuild import NetworkBuilder, rules

netbuild.seed(5)
v1 = NetworkBuilder("v1")
v1.add_nodes(N=300, pop_name="e", ei="e", positions=rules.cylinder(200, 0, 100),
             tau=rules.uniform(5, 20))
v1.add_nodes(N=100, pop_name="i", ei="i", positions=np.column_stack(
    [np.linspace(0, 100, 100), np.zeros(100), np.arange(100.0)]))
lgn = NetworkBuilder("lgn")
lgn.add_nodes(N=50, pop_name="lgn", model_type="virtual")
cm = v1.add_edges(source=v1.nodes(ei="e"), target=v1.nodes(),
                  connection_rule=rules.probability("0.3 * exp(-d / 80)", max_distance=250),
                  syn_weight=1.0)
cm.add_properties("delay", rule=rules.expr("1 + d / 500", dtype="f32"))
cm.add_properties("w", rule=rules.normal(0.5, 0.1, min=0.0), dtypes=np.float32)
v1.add_edges(source=v1.nodes(ei="i"), target=v1.nodes(), connection_rule=rules.indegree(10),
             syn_weight=-1.0)
lgn.add_edges(source=lgn.nodes(), target=v1.nodes(ei="e"),
              connection_rule=rules.outdegree(20, nsyns=(1, 3)), syn_weight=2.0)
lgn.add_edges(source=lgn.nodes(), target=v1.nodes(ei="i"), connection_rule=rules.total(500),
              syn_weight=2.0)
v1.add_gap_junctions(source=v1.nodes(ei="i"), target=v1.nodes(ei="i"), resistance=2.0,
                     connection_rule=rules.probability(0.1))
v1.build()
lgn.build()
v1.save(output_dir=sys.argv[1])
lgn.save(output_dir=sys.argv[1])
