"""import_nodes: `python import_nodes.py DIR nodes` writes network v1 (nodes only) into DIR;
`python import_nodes.py DIR edges` imports it as BMTK's import_nodes does and adds lgn and
lgn -> v1 edges (a Python function reading the imported nodes' properties, and a rule object)
to the same folder."""
import sys

import numpy as np

from netbuild import NetworkBuilder, rules

out, step = sys.argv[1], sys.argv[2]
v1 = NetworkBuilder("v1")
if step == "nodes":
    v1.add_nodes(N=50, pop_name="e", x=np.arange(50.0), y=np.zeros(50), z=np.zeros(50))
    v1.add_nodes(N=10, pop_name="i", x=np.arange(10.0), y=np.ones(10), z=np.zeros(10))
    v1.save_nodes(output_dir=out)
    sys.exit(0)

v1.import_nodes(nodes_file_name=f"{out}/v1_nodes.h5", node_types_file_name=f"{out}/v1_node_types.csv")
lgn = NetworkBuilder("lgn")
lgn.add_nodes(N=5, pop_name="tON", model_type="virtual")


def by_x(source, target):
    # Source i connects to the targets whose x is i, i + 10, i + 20, ...
    assert target["pop_name"] == "e"
    return 2 if int(target["x"]) % 10 == source.node_id else None


lgn.add_edges(source=lgn.nodes(), target=v1.nodes(pop_name="e"), connection_rule=by_x, label="fn")
lgn.add_edges(source=lgn.nodes(), target=v1.nodes(pop_name="i"), connection_rule=rules.indegree(2),
              label="native")
lgn.build()
lgn.save(output_dir=out)
