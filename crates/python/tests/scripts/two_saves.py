"""Saves after each builder and change, as BMTK's examples save after each builder: `python two_saves.py
OUT_DIR` prints the number of calls of the connection function after each save (one worker, so
that the calls are counted in this process)."""
import sys

from netbuild import NetworkBuilder

calls = [0]


def rule(source, target):
    calls[0] += 1
    return 1 if (source.node_id + target.node_id) % 5 == 0 else None


a = NetworkBuilder("a")
a.add_nodes(N=30)
a.add_edges(source=a.nodes(), target=a.nodes(), connection_rule=rule)
a.build()
a.save(output_dir=sys.argv[1], workers=1)
print("calls", calls[0])
a.save(output_dir=sys.argv[1], workers=1)  # nothing changed
print("calls", calls[0])
b = NetworkBuilder("b")
b.add_nodes(N=5)
b.add_edges(source=b.nodes(), target=a.nodes(), connection_rule=rule)
b.build()
b.save(output_dir=sys.argv[1], workers=1)  # b's build: its edge type only
print("calls", calls[0])
a.add_nodes(N=2)  # a network b's edges reach changed: b's edges again
b.save(output_dir=sys.argv[1], workers=1)
print("calls", calls[0])
