"""A connection function that raises for one target only (the last one, which the last rank
owns): `mpirun -n 2 python fails.py OUT_DIR` must end the job, non-zero, with the traceback and
no output folder."""
import sys

from netbuild import NetworkBuilder

net = NetworkBuilder("net")
net.add_nodes(N=200, pop_name="a")


def rule(source, target):
    if target.node_id == 199 and source.node_id == 3:
        raise RuntimeError("connection function failed on purpose for target 199")
    return 1 if (source.node_id + target.node_id) % 7 == 0 else None


net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=rule)
net.build()
net.save(output_dir=sys.argv[1])
