"""Two builders saved one after the other, as BMTK's scripts do, their Python functions in
worker processes: `WORKERS=K CHANGE=none|global|function python kept_workers.py OUT_DIR`
prints `pool <pid>` (netbuild's kept worker, 0 for none) after each save.

- none: the second save's functions are the first's, reading the same globals: a kept worker
  serves both;
- global: the script changes a global the property function reads between the saves;
- function: the script defines the property function again (another body) between them.
A kept worker must give the files of a new one (and of one process) in every case.
"""
import os
import sys

from kept_cache import load

from netbuild import NetworkBuilder
from netbuild import _workers

OUT = sys.argv[1]
WORKERS = int(os.environ.get("WORKERS", "2"))
CHANGE = os.environ.get("CHANGE", "none")
SCALE = 1.0


def pair(source, target):
    return 1 + (source.node_id % 2) if (source.node_id * 7 + target.node_id * 3) % 10 < 2 else None


def weight(source, target):
    return SCALE * (load(target.node_id) + source.node_id / 1000.0)


def pool():
    p = _workers._POOL
    return p.workers[1][0] if p is not None and 1 in p.workers else 0


a = NetworkBuilder("a")
a.add_nodes(N=150, pop_name="a")
cm = a.add_edges(source=a.nodes(), target=a.nodes(), connection_rule=pair)
cm.add_properties("syn_weight", rule=weight, dtypes=float)
a.build()
a.save(output_dir=OUT, workers=WORKERS)
print("pool", pool())

if CHANGE == "global":
    SCALE = 2.0
elif CHANGE == "function":
    def weight(source, target):  # noqa: F811 (the change under test)
        return -load(target.node_id) - source.node_id / 1000.0

b = NetworkBuilder("b")
b.add_nodes(N=40, pop_name="b")
cm = b.add_edges(source=b.nodes(), target=a.nodes(), connection_rule=pair)
cm.add_properties("syn_weight", rule=weight, dtypes=float)
b.build()
b.save(output_dir=OUT, workers=WORKERS)
print("pool", pool())
