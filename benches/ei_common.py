"""What BMTK's two ei_networks scripts share (each defines it in its own file), for their
replicas ei_pointnet_bmtk.py and ei_bionet_bmtk.py: the builder (FRONT=bmtk: BMTK's, else
netbuild's; the import line is the one difference), the Brunel network's sizes (times SCALE)
and its per-pair connection function."""
import os

import numpy as np

if os.environ.get("FRONT") == "bmtk":
    from bmtk.builder import NetworkBuilder  # noqa: F401 (the replicas' builder)
else:
    from netbuild import NetworkBuilder  # noqa: F401

SCALE = float(os.environ.get("SCALE", "1"))
N_EXC = int(10000 * SCALE)  # excitatory cells (80%)
N_INH = int(2500 * SCALE)  # inhibitory cells (20%)
EPS = 0.1  # connection probability
DELAY = 1.5  # ms


def random_connections(source, target, p=0.1):
    """One synapse with probability p, none to itself."""
    sid, tid = source["node_id"], target["node_id"]
    if sid == tid:
        if sid % 1000 == 0:
            print(sid)
        return None
    return np.random.binomial(1, p)
