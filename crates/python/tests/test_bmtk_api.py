"""BMTK's ``Network`` API and semantics in netbuild's Python front, against BMTK 1.2 itself.

Run by scripts/test with the project's venv (scripts/venv builds the package into it):
    .venv/bin/python -m pytest crates/python/tests/test_bmtk_api.py -q

Each test writes a small BMTK builder script (the patterns of BMTK's own examples: pop_2pops'
``nsyns=``, tutorial chapter 4's second builder importing the saved files, point_stdp's
``nodes(node_id=0)``, bio_1cell's ``values=[...]``, bio_stp_models' file names), runs it once
with ``from bmtk.builder import NetworkBuilder`` and once with ``from netbuild import
NetworkBuilder`` (the only difference), each in its own folder, and compares what they wrote or
returned. The rules here are deterministic (an int, ``nsyns=``, node-id selections), so the
edges must be the same pairs, synapse counts and values, not only alike in distribution.
"""

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

PYTHON = sys.executable
TIMEOUT = 300

HEADER = """\
import json, os, sys
import numpy as np
if os.environ["FRONT"] == "bmtk":
    from bmtk.builder import NetworkBuilder
else:
    from netbuild import NetworkBuilder, NetbuildError
"""


def run(script, folder, front, check=True):
    """Runs ``script`` (body after HEADER) in ``folder/front`` with that front; returns the
    finished process and the folder."""
    d = folder / front
    d.mkdir(parents=True, exist_ok=True)
    (d / "build.py").write_text(HEADER + textwrap.dedent(script))
    env = dict(os.environ, FRONT=front)
    p = subprocess.run([PYTHON, "build.py"], cwd=d, capture_output=True, text=True,
                       timeout=TIMEOUT, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"{front} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p, d


def both(script, tmp_path):
    """(BMTK's folder, netbuild's folder) after running ``script`` with each."""
    return run(script, tmp_path, "bmtk")[1], run(script, tmp_path, "netbuild")[1]


def edges(path):
    """Sorted rows (edge type id, source, target, nsyns or per-edge values...) of an edges file,
    with its population name."""
    with h5py.File(path) as h:
        (name,) = list(h["edges"])
        p = h["edges"][name]
        src, trg = p["source_node_id"][()], p["target_node_id"][()]
        types, grp, idx = p["edge_type_id"][()], p["edge_group_id"][()], p["edge_group_index"][()]
        rows = []
        for i in range(len(src)):
            g = p[str(grp[i])]
            cols = sorted(c for c in g if isinstance(g[c], h5py.Dataset))
            vals = tuple((c, round(float(g[c][idx[i]]), 9)) for c in cols)
            rows.append((int(types[i]), int(src[i]), int(trg[i])) + vals)
    return name, sorted(rows)


def type_rows(path, queries=True):
    """The rows of a type table, NULL columns left out (and ``source_query`` /
    ``target_query`` unless ``queries``: netbuild writes a list filter as ``x in [0.0,5.0]``,
    BMTK as ``x=='[0.0, 5.0]'``)."""
    skip = () if queries else ("source_query", "target_query")
    with open(path) as f:
        return sorted(tuple(sorted((k, v) for k, v in r.items() if v != "NULL" and k not in skip))
                      for r in csv.DictReader(f, delimiter=" "))


def sonata_files(d):
    return sorted(str(f.relative_to(d)) for f in d.rglob("*")
                  if f.is_file() and f.suffix in (".h5", ".csv"))


POP_2POPS = """
internal = NetworkBuilder('internal')
internal.add_nodes(pop_name='excitatory', ei='e', model_type='population',
                   model_template='dipde:Internal', dynamics_params='exc_model.json')
internal.add_nodes(pop_name='inhibitory', ei='i', model_type='population',
                   model_template='dipde:Internal', dynamics_params='inh_model.json')
internal.add_edges(source={'ei': 'e'}, target={'ei': 'i'}, syn_weight=0.005, nsyns=20,
                   delay=0.002, dynamics_params='ExcToInh.json')
internal.add_edges(source={'ei': 'i'}, target={'ei': 'e'}, syn_weight=-0.002, nsyns=10,
                   delay=0.002, dynamics_params='InhToExc.json')
internal.build()
internal.save(output_dir='network')

external = NetworkBuilder('external')
external.add_nodes(pop_name='tON', ei='e', model_type='virtual')
external.add_edges(target=internal.nodes(ei='e'), syn_weight=0.0025, nsyns=10, delay=0.002,
                   dynamics_params='input_ExcToExc.json')
# ei_networks/popnet: a float count
external.add_edges(target=internal.nodes(ei='i'), syn_weight=0.0025, nsyns=1e4, delay=0.002,
                   dynamics_params='input_ExcToInh.json')
external.build()
external.save(output_dir='network')
"""


def test_pop_2pops_nsyns_as_bmtk(tmp_path):
    bmtk, nb = both(POP_2POPS, tmp_path)
    assert sonata_files(nb) == sonata_files(bmtk)
    name, rows = edges(nb / "network" / "internal_internal_edges.h5")
    assert name == "internal_to_internal"
    # pop_2pops: 20 synapses e -> i, 10 i -> e, stored in the nsyns column PopNet reads.
    assert rows == [(100, 0, 1, ("nsyns", 20.0)), (101, 1, 0, ("nsyns", 10.0))]
    assert edges(nb / "network" / "external_internal_edges.h5")[1] == [
        (100, 0, 0, ("nsyns", 10.0)), (101, 0, 1, ("nsyns", 10000.0))]
    for f in ("internal_internal_edges.h5", "external_internal_edges.h5"):
        assert edges(nb / "network" / f) == edges(bmtk / "network" / f)
        t = f.replace("_edges.h5", "_edge_types.csv")
        assert type_rows(nb / "network" / t) == type_rows(bmtk / "network" / t)
        assert "nsyns" not in (nb / "network" / t).read_text().split("\n")[0]
    for f in ("internal_node_types.csv", "external_node_types.csv"):
        assert type_rows(nb / "network" / f) == type_rows(bmtk / "network" / f)
    # PopNet reads each edge's nsyns through bmtk's SONATA reader (PopEdge: edge['nsyns']).
    from bmtk.utils.sonata import File

    net = nb / "network"
    sf = File(data_files=[str(net / "internal_internal_edges.h5")],
              data_type_files=[str(net / "internal_internal_edge_types.csv")])
    got = sorted((e.source_node_id, e.target_node_id, int(e["nsyns"]))
                 for e in sf.edges["internal_to_internal"])
    assert got == [(0, 1, 20), (1, 0, 10)]


CHAPTER4 = """
net = NetworkBuilder('V1')
net.add_nodes(N=6, pop_name='Scnn1a', ei='e', x=np.arange(6.0), model_type='biophysical')
net.add_nodes(N=4, pop_name='PV', ei='i', x=np.arange(4.0), model_type='biophysical')
net.add_edges(source={'ei': 'e'}, target={'pop_name': 'PV'}, connection_rule=2, syn_weight=1.0,
              model_template='exp2syn')
net.add_edges(source=net.nodes(ei='i'), target=net.nodes(x=[0.0, 5.0]), connection_rule=3,
              syn_weight=-1.0, model_template='exp2syn')
net.build()
net.save_nodes(output_dir='network')
net.save_edges(output_dir='network')

lgn = NetworkBuilder('LGN')
lgn.add_nodes(N=5, pop_name='tON', potential='exc', model_type='virtual')
v1 = NetworkBuilder('V1')
v1.import_nodes(nodes_file_name='network/V1_nodes.h5',
                node_types_file_name='network/V1_node_types.csv')
lgn.add_edges(source=lgn.nodes(), target=net.nodes(pop_name='Scnn1a'), connection_rule=4,
              syn_weight=4e-03, model_template='exp2syn')
lgn.add_edges(source=lgn.nodes(pop_name='tON'), target=net.nodes(pop_name='PV'),
              connection_rule=1, syn_weight=1e-03, model_template='exp2syn')
lgn.build()
lgn.save_nodes(output_dir='network')
lgn.save_edges(output_dir='network')

# A builder of the same name that imports the saved files, connecting to them itself.
ext = NetworkBuilder('EXT')
ext.add_nodes(N=2, pop_name='EXT', model_type='virtual')
v1.add_edges(source=ext.nodes(), target=v1.nodes(pop_name='PV'), connection_rule=1,
             syn_weight=2.0, model_template='expsyn')
v1.build()
v1.save_edges(output_dir='network2')
print(json.dumps({'nnodes': [net.nnodes, lgn.nnodes]}))
"""


def test_same_name_builders_each_save_their_own_files(tmp_path):
    (tmp_path / "bmtk").mkdir()
    pb, bmtk = run(CHAPTER4, tmp_path, "bmtk")
    pn, nb = run(CHAPTER4, tmp_path, "netbuild")
    assert sonata_files(nb) == sonata_files(bmtk) == sorted([
        "network/LGN_V1_edges.h5", "network/LGN_V1_edge_types.csv", "network/LGN_node_types.csv",
        "network/LGN_nodes.h5", "network/V1_V1_edges.h5", "network/V1_V1_edge_types.csv",
        "network/V1_node_types.csv", "network/V1_nodes.h5", "network2/EXT_V1_edges.h5",
        "network2/EXT_V1_edge_types.csv"])
    for f in ("network/V1_V1_edges.h5", "network/LGN_V1_edges.h5", "network2/EXT_V1_edges.h5"):
        assert edges(nb / f) == edges(bmtk / f), f
        t = f.replace("_edges.h5", "_edge_types.csv")
        assert type_rows(nb / t, queries=False) == type_rows(bmtk / t, queries=False), t
    assert json.loads(pn.stdout.splitlines()[-1]) == json.loads(pb.stdout.splitlines()[-1])


POINT_STDP = """
targets = NetworkBuilder('targets')
targets.add_nodes(N=3, model_type='point_neuron', model_template='nest:iaf_psc_delta')
targets.build()
targets.save(output_dir='network')
sources = NetworkBuilder('sources')
sources.add_nodes(N=2, model_type='point_neuron', model_template='nest:iaf_psc_delta',
                  rate=np.array([10.0, 20.0]))
sources.add_edges(source=sources.nodes(node_id=0), target=targets.nodes(node_id=0),
                  connection_rule=1, syn_weight=15.0, model_template='stdp_synapse')
sources.add_edges(source=sources.nodes(node_id=1), target=targets.nodes(node_id=[1, 2]),
                  connection_rule=1, syn_weight=15.0, model_template='stdp_synapse')
sources.add_edges(source=sources.nodes(rate=20.0), target=targets.nodes(node_type_id=100),
                  connection_rule=2, syn_weight=1.0, model_template='static_synapse')
sources.add_edges(source=sources.nodes(rate=lambda r: r < 15), target=targets.nodes(),
                  connection_rule=1, syn_weight=2.0, model_template='static_synapse')
sources.build()
sources.save(output_dir='network')
"""


def test_node_id_and_any_column_select(tmp_path):
    bmtk, nb = both(POINT_STDP, tmp_path)
    f = "network/sources_targets_edges.h5"
    assert edges(nb / f) == edges(bmtk / f)
    pairs = {(r[0], r[1], r[2]) for r in edges(nb / f)[1]}
    assert {(100, 0, 0), (101, 1, 1), (101, 1, 2), (102, 1, 0), (103, 0, 2)} <= pairs
    assert len(pairs) == 1 + 2 + 3 + 3


BIO_1CELL = """
net = NetworkBuilder('biocell')
net.add_nodes(N=2, pop_name='Scnn1a', model_type='biophysical')
net.build()
net.save(output_dir='network')
virt = NetworkBuilder('virt')
virt.add_nodes(N=3, model_type='virtual')
cm = virt.add_edges(source=virt.nodes(), target=net.nodes(), connection_rule=4, syn_weight=0.035)
cm.add_properties('afferent_section_id', values=np.arange(24) % 7, dtypes=int)
cm.add_properties('afferent_section_pos', values=np.linspace(0, 1, 24), dtypes=float)
cm = virt.add_edges(source=virt.nodes(node_id=0), target=net.nodes(node_id=1), nsyns=12)
cm.add_properties('afferent_section_pos', values=list(np.arange(12) / 12.0), dtypes=float)
virt.build()
virt.save(output_dir='network')
"""


def test_values_lists_in_bmtks_order_of_edges(tmp_path):
    bmtk, nb = both(BIO_1CELL, tmp_path)
    f = "network/virt_biocell_edges.h5"
    got = edges(nb / f)
    assert got == edges(bmtk / f)
    # value i is BMTK's edge i: source by source, target by target, synapse by synapse
    first = [r for r in got[1] if r[0] == 100]
    assert len(first) == 24
    want = sorted((s, t, (s * 2 + t) * 4 + k) for s in range(3) for t in range(2) for k in range(4))
    assert sorted((r[1], r[2], round(r[4][1] * 23)) for r in first) == want


def test_a_values_list_with_a_function_rule_is_refused_with_the_reason(tmp_path):
    script = """
    net = NetworkBuilder('a')
    net.add_nodes(N=3)
    cm = net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=lambda s, t: 1)
    cm.add_properties('w', values=[1.0] * 9, dtypes=float)
    """
    p, _ = run(script, tmp_path, "netbuild", check=False)
    assert p.returncode != 0
    assert "only known once they are made" in p.stderr and "connection_rule=<int>" in p.stderr


BIO_STP = """
os.makedirs('network', exist_ok=True)
net = NetworkBuilder('slice')
net.add_nodes(N=4, pop_name='Scnn1a', synapse_model='a', firing_rate=[10, 20, 50, 100],
              model_type='biophysical')
net.build()
net.save_nodes(nodes_file_name='network/slice_nodes.h5',
               node_types_file_name='network/slice_node_types.csv')
ext = NetworkBuilder('EXT')
ext.add_nodes(N=4, pop_name='EXT', model_type='virtual', firing_rate=[10, 20, 50, 100])
ext.save_nodes(nodes_file_name='network/ext_nodes.h5', node_types_file_name='network/ext_node_types.csv')
net = NetworkBuilder('slice')
net.import_nodes(nodes_file_name='network/slice_nodes.h5',
                 node_types_file_name='network/slice_node_types.csv')
for rate in (10, 20, 50, 100):
    net.add_edges(source=ext.nodes(firing_rate=rate), target=net.nodes(firing_rate=rate),
                  connection_rule=5, syn_weight=0.002, model_template='expsyn')
net.add_edges(source=net.nodes(firing_rate=10), target=net.nodes(firing_rate=[20, 50]),
              connection_rule=1, syn_weight=0.5)
net.build()
net.save_edges(edges_file_name='network/ext_to_slice_edges.h5',
               edge_types_file_name='network/ext_to_slice_edge_types.csv', src_network='EXT')
net.save_edges(output_dir='other', trg_network='slice', src_network='slice', name='recurrent')
print(json.dumps({'nedges': int(net.nedges),
                  'types': [cm.edge_type_properties['edge_type_id'] for cm in net.get_connections()]}))
"""


def test_save_file_names_and_networks_as_bmtk(tmp_path):
    pb, bmtk = run(BIO_STP, tmp_path, "bmtk")
    pn, nb = run(BIO_STP, tmp_path, "netbuild")
    assert sonata_files(nb) == sonata_files(bmtk) == sorted([
        "network/ext_node_types.csv", "network/ext_nodes.h5", "network/ext_to_slice_edge_types.csv",
        "network/ext_to_slice_edges.h5", "network/slice_node_types.csv", "network/slice_nodes.h5",
        "other/slice_slice_edge_types.csv", "other/slice_slice_edges.h5"])
    for f in ("network/ext_to_slice_edges.h5", "other/slice_slice_edges.h5"):
        assert edges(nb / f) == edges(bmtk / f), f
    assert edges(nb / "other/slice_slice_edges.h5")[0] == "recurrent"
    assert json.loads(pn.stdout.splitlines()[-1]) == json.loads(pb.stdout.splitlines()[-1])


ACCESSORS = """
def rule(s, t, k):
    # Counted in a file: netbuild may call it in worker processes.
    with open('calls.txt', 'a') as f:
        f.write(f'{s.node_id} {t.node_id}\\n')
    return (s.node_id + t.node_id) % k

net = NetworkBuilder('net')
net.add_nodes(N=6, pop_name='a', ei='e')
net.add_nodes(N=4, pop_name='b', ei='i')
net.add_edges(source={'ei': 'e'}, target={'ei': 'i'}, connection_rule=rule,
              connection_params={'k': 3}, syn_weight=1.0, model_template='exp2syn')
cm = net.add_edges(source={'ei': 'i'}, target={'ei': 'e'}, connection_rule=2, syn_weight=-1.0)
cm.add_properties('delay', values=np.arange(48) / 10.0, dtypes=float)
lgn = NetworkBuilder('lgn')
lgn.add_nodes(N=2, pop_name='x')
net.add_edges(source=lgn.nodes(), target=net.nodes(pop_name='a'), connection_rule=1, w=3.0)
net.build()
out = {'nnodes': net.nnodes, 'nedges': int(net.nedges),
       'ntypes': len(net.get_connections())}
def rows(es):
    return [[int(e.source_node_id), int(e.target_node_id), int(e.edge_type_id), e['nsyns'],
             None if e['delay'] is None else round(float(e['delay']), 6), e['syn_weight'], e['w'],
             e['model_template']] for e in es]
out['all'] = rows(net.edges())
out['to_2'] = rows(net.edges(target_nodes=[7, 2], source_network='net'))
out['from_i'] = rows(net.edges(source_nodes=net.nodes(ei='i'), syn_weight=-1.0))
out['iter'] = rows(net.edges_iter([0, 1, 6], src_network='lgn'))
out['by_dict'] = rows(net.edges(target_nodes={'pop_name': 'b'}))
net.save(output_dir='network')
out['calls'] = len(open('calls.txt').readlines())
print(json.dumps(out, default=lambda v: v.item() if hasattr(v, 'item') else str(v)))
"""


def test_edges_nedges_and_connections_as_bmtk(tmp_path):
    pb, _ = run(ACCESSORS, tmp_path, "bmtk")
    pn, _ = run(ACCESSORS, tmp_path, "netbuild")
    b, n = (json.loads(p.stdout.splitlines()[-1]) for p in (pb, pn))
    assert n["calls"] == b["calls"] == 24  # the function runs once per pair: built once
    n.pop("calls"), b.pop("calls")
    for k in b:
        assert n[k] == b[k], k
    assert n["nedges"] > 0 and len(n["all"]) > 0 and len(n["iter"]) == 4


GAPS = """
net = NetworkBuilder('net')
net.add_nodes(N=5, pop_name='PV', model_type='biophysical')
net.add_edges(source=net.nodes(node_id=[0, 1]), target=net.nodes(node_id=[3, 4]), connection_rule=1,
              syn_weight=1.0)
net.add_gap_junctions(source=net.nodes(node_id=[0, 1, 2]), target=net.nodes(node_id=[3, 4]),
                      resistance=2.0, target_sections=None, connection_rule=1)
net.add_gap_junctions(source=net.nodes(node_id=4), target=net.nodes(node_id=[0, 2]),
                      conductance=0.1, target_sections=None, connection_rule=1)
net.build()
net.save(output_dir='network')
"""


def test_gap_junction_table_as_bmtk(tmp_path):
    bmtk, nb = both(GAPS, tmp_path)
    with h5py.File(bmtk / "network/net_gap_juncs.h5") as b, h5py.File(nb / "network/net_gap_juncs.h5") as n:
        assert sorted(n) == sorted(b) == ["source_ids", "src_gap_ids", "target_ids", "trg_gap_ids"]
        for k in b:
            assert n[k][()].tolist() == b[k][()].tolist(), k
        assert n["source_ids"][()].tolist() == [0, 0, 1, 1, 2, 2, 4, 4]


def test_force_overwrite_and_files_netbuild_did_not_write(tmp_path):
    script = """
    net = NetworkBuilder('a')
    net.add_nodes(N=3)
    net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=1)
    net.save(output_dir='network')
    net.save(output_dir='network')  # netbuild's own files: replaced
    try:
        net.save_nodes(output_dir='network', force_overwrite=False)
    except NetbuildError as e:
        print('refused:', e)
    with open('network/mine_nodes.h5', 'w') as f:
        f.write('mine')
    # A file netbuild did not write in the way of force_overwrite=True: kept as <name>.orig.
    net.save_nodes(output_dir='network', nodes_file_name='mine_nodes.h5', force_overwrite=True)
    """
    p, d = run(script, tmp_path, "netbuild")
    assert f"refused: {d / 'network/a_nodes.h5'} exists (force_overwrite=False)" in p.stdout
    assert "mine_nodes.h5 was not written by netbuild: kept as mine_nodes.h5.orig" in p.stderr
    assert (d / "network/mine_nodes.h5.orig").read_text() == "mine"
    assert (d / "network/mine_nodes.h5").read_bytes()[:4] == b"\x89HDF"
    assert not [f for f in d.iterdir() if f.name.startswith(".netbuild-stage")]


def mpirun2(script, d):
    """Runs ``script`` (body after HEADER) with netbuild on 2 ranks in folder ``d``."""
    d.mkdir(parents=True)
    (d / "build.py").write_text(HEADER + textwrap.dedent(script))
    env = dict(os.environ, FRONT="netbuild", OMPI_MCA_rmaps_base_oversubscribe="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return subprocess.run(["mpirun", "-n", "2", PYTHON, "build.py"], cwd=d, capture_output=True,
                          text=True, timeout=TIMEOUT, env=env)


def test_an_exception_after_a_build_leaves_no_staging_folder(tmp_path):
    # Under MPI an uncaught exception ends the job without atexit: the rank that raised removes
    # the builds' staging folders first.
    script = POP_2POPS + (
        "import netbuild\n"
        "if netbuild.rank() == 1:\n"
        "    raise RuntimeError('after the build, on purpose')\n"
        "netbuild.barrier()\n")
    d = tmp_path / "np2"
    p = mpirun2(script, d)
    assert p.returncode != 0 and "after the build, on purpose" in p.stderr
    assert (d / "network" / "external_internal_edges.h5").exists()
    assert not [f.name for f in d.iterdir() if f.name.startswith(".netbuild-stage")]


def test_the_same_files_on_2_ranks(tmp_path):
    # Every rank runs the script; the staging folder, the placing of files (rank 0), the
    # values lists and the gap junction table give what one process gives.
    script = POP_2POPS + BIO_1CELL + GAPS
    _, one = run(script, tmp_path / "np1", "netbuild")
    d = tmp_path / "np2" / "netbuild"
    p = mpirun2(script, d)
    assert p.returncode == 0, p.stderr
    assert sonata_files(d) == sonata_files(one)
    for f in sonata_files(one):
        if f.endswith("_edges.h5"):
            assert edges(d / f) == edges(one / f), f
    with h5py.File(one / "network/net_gap_juncs.h5") as a, h5py.File(d / "network/net_gap_juncs.h5") as b:
        assert {k: a[k][()].tolist() for k in a} == {k: b[k][()].tolist() for k in b}
    assert not [f for f in d.iterdir() if f.name.startswith(".netbuild-stage")]


def test_a_change_after_build_builds_again(tmp_path):
    script = """
    def rule(s, t):
        # Counted in a file: netbuild may call it in worker processes.
        with open('calls.txt', 'a') as f:
            f.write('x\\n')
        return 1
    def ncalls():
        return len(open('calls.txt').readlines()) if os.path.exists('calls.txt') else 0
    net = NetworkBuilder('a')
    net.add_nodes(N=4)
    net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=rule)
    net.build()
    net.save(output_dir='one')
    n1 = ncalls()
    net.save_edges(output_dir='two')      # what build made: no call
    n2 = ncalls()
    net.add_edges(source=net.nodes(node_id=0), target=net.nodes(), connection_rule=2)
    net.save(output_dir='three')          # the builder changed: built again
    n3 = ncalls()
    net.build(force=True)
    print(json.dumps([n1, n2, n3, net.nedges, ncalls()]))
    """
    p, d = run(script, tmp_path, "netbuild")
    assert json.loads(p.stdout.splitlines()[-1]) == [16, 16, 32, 16 + 8, 48]
    assert len(type_rows(d / "one/a_a_edge_types.csv")) == 1
    assert len(type_rows(d / "three/a_a_edge_types.csv")) == 2
    assert edges(d / "one/a_a_edges.h5") == edges(d / "two/a_a_edges.h5")


def test_values_in_bmtk_order_per_synapse_and_at_once():
    # The two ways netbuild may ask for a values list (one call per synapse, or a block of
    # synapses): value i of BMTK's i-th edge either way, k counted within each pair.
    from netbuild._edges import ValuesInBmtkOrder

    values = np.arange(2 * 3 * 2, dtype=float)
    syn = [(s, t) for t in (7, 8, 9) for s in (4, 5) for _ in range(2)]  # by target, as netbuild
    one = ValuesInBmtkOrder(values, [4, 5], [7, 8, 9], 2)
    per_call = [one(s, t) for s, t in syn]
    at_once = ValuesInBmtkOrder(values, [4, 5], [7, 8, 9], 2).of_synapses(*zip(*syn))
    want = [((s - 4) * 3 + (t - 7)) * 2 + k for t in (7, 8, 9) for s in (4, 5) for k in range(2)]
    assert per_call == want and at_once.tolist() == want
