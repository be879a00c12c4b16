"""Python functions of every kind, for netbuild's worker processes: a per-pair, a per-target
(all_to_one) and a per-source (one_to_all) connection function, an int rule with a Python
property, a one-name and a two-name property function. Run as
`WORKERS=K MODE=pure|random|fail python workers.py OUT_DIR`:

- pure: the functions are functions of their arguments only (hashes of the node ids);
- random: they draw from numpy's global generator, seeded once by the script (SEED, default 1);
- fail: as pure, but the per-pair function raises for one pair (target 97, source 5).
"""
import os
import sys

import numpy as np

from netbuild import NetworkBuilder

MODE = os.environ.get("MODE", "pure")
np.random.seed(int(os.environ.get("SEED", "1")))


def h(*ids):
    """A pseudo-random number in [0, 1) from node ids: the same in any process."""
    x = 0
    for i in ids:
        x = (x * 1_000_003 + int(i) * 7919 + 12345) % 2_147_483_647
    return ((x * 48271) % 2_147_483_647) / 2_147_483_647


def u(*ids):
    return np.random.random() if MODE == "random" else h(*ids)


def pair_rule(source, target, p):
    if MODE == "fail" and target.node_id == 97 and source.node_id == 5:
        raise RuntimeError("pair rule failed on purpose for target 97")
    return 1 + int(3 * u(source.node_id, target.node_id, 2)) if u(source.node_id, target.node_id) < p else None


def per_target(sources, target):
    return [int(u(s.node_id, target.node_id, 3) < 0.2) for s in sources]


def per_source(source, targets, k):
    return np.array([k if u(source.node_id, t.node_id, 5) < 0.1 else 0 for t in targets])


def weight(source, target):
    return source.get("x", 0.0) - target["x"] + u(source.node_id, target.node_id, 7)


def weight_and_delay(source, target, scale):
    return scale * u(source.node_id, target.node_id, 11), 1 + source.node_id % 3


net = NetworkBuilder("net")
rng = np.random.default_rng(3)
net.add_nodes(N=120, ei="e", x=rng.uniform(0, 100, 120), y=rng.uniform(0, 100, 120),
              z=rng.uniform(0, 100, 120), model_type="point_neuron")
net.add_nodes(N=40, ei="i", x=rng.uniform(0, 100, 40), y=rng.uniform(0, 100, 40),
              z=rng.uniform(0, 100, 40), model_type="point_neuron")
ext = NetworkBuilder("ext")
ext.add_nodes(N=30, model_type="virtual")

cm = net.add_edges(source=net.nodes(ei="e"), target=net.nodes(), connection_rule=pair_rule,
                   connection_params={"p": 0.15}, label="pair")
cm.add_properties("syn_weight", rule=weight, dtypes=np.float32)
cm.add_properties(["w2", "delay"], rule=weight_and_delay, rule_params={"scale": 2.0},
                  dtypes=[float, np.int32])
net.add_edges(source=net.nodes(ei="i"), target=net.nodes(ei="e"), connection_rule=per_target,
              iterator="all_to_one", label="per_target", syn_weight=-1.0)
cm = ext.add_edges(source=ext.nodes(), target=net.nodes(), connection_rule=per_source,
                   connection_params={"k": 2}, iterator="one_to_all", label="per_source")
cm.add_properties("syn_weight", rule=weight, dtypes=float)
cm = ext.add_edges(source=ext.nodes(), target=net.nodes(ei="i"), connection_rule=1, label="int")
cm.add_properties("syn_weight", rule=weight, dtypes=float)

workers = os.environ.get("WORKERS")
net.save(output_dir=sys.argv[1], workers=int(workers) if workers else None)
