"""The worker processes that evaluate a script's Python functions (netbuild/_workers.py).

Run by scripts/test with the project's venv:
    .venv/bin/python -m pytest crates/python/tests/test_workers.py -q

scripts/workers.py here has a Python function of every kind (per pair, per target, per
source, one- and two-name properties, an int rule with a Python property):

- pure functions: the same files with 1, 2 and 3 worker processes, and on 2 MPI ranks;
- functions drawing from numpy's global generator: the same files run after run, and for any
  number of workers and ranks (each block of targets reseeds it); another seed, other files;
- an exception in a worker: the script fails with the worker's traceback, nothing written;
- a worker kept from one save to the next (kept_workers.py): the files of one process, a new
  worker when the script changed a function or a global it reads between the saves.
"""

import h5py
import numpy as np

from test_front import SCRIPTS, run, same_folder

SCRIPT = SCRIPTS / "workers.py"


def build(out, workers, mode, ranks=1, **env):
    run([SCRIPT, out], ranks=ranks, WORKERS=str(workers), MODE=mode, **env)
    return out


def rows(folder):
    """Edges of net_net: (source, target) pairs and syn_weight values."""
    with h5py.File(folder / "net_net_edges.h5") as h:
        (pop,) = h["edges"].values()
        return len(pop["source_node_id"]), pop["source_node_id"][()], pop["target_node_id"][()]


def test_pure_functions_give_the_same_files_with_any_number_of_workers(tmp_path):
    one = build(tmp_path / "w1", 1, "pure")
    n, _, _ = rows(one)
    assert n > 1000
    for w in (2, 3):
        same_folder(one, build(tmp_path / f"w{w}", w, "pure"))
    same_folder(one, build(tmp_path / "np2", 1, "pure", ranks=2))


def test_numpy_draws_are_reproducible_for_any_number_of_workers(tmp_path):
    a = build(tmp_path / "a", 2, "random")
    same_folder(a, build(tmp_path / "b", 2, "random"))
    same_folder(a, build(tmp_path / "c", 1, "random"))
    same_folder(a, build(tmp_path / "np2", 1, "random", ranks=2))
    other = build(tmp_path / "other", 2, "random", SEED="2")
    _, sa, ta = rows(a)
    _, so, to = rows(other)
    assert len(sa) != len(so) or not (np.array_equal(sa, so) and np.array_equal(ta, to))


def test_an_exception_in_a_worker_fails_the_script_with_its_traceback(tmp_path):
    out = tmp_path / "out"
    p = run([SCRIPT, out], check=False, WORKERS="2", MODE="fail")
    assert p.returncode != 0
    assert "RuntimeError: pair rule failed on purpose for target 97" in p.stderr
    # The worker's own frames, as its traceback gave them.
    assert 'workers.py", line' in p.stderr and "in pair_rule" in p.stderr
    assert not out.exists()
    assert [f.name for f in tmp_path.iterdir()] == []


def test_values_computed_per_block_follow_the_synapse_order():
    # A property whose values come from one call per block (SynapseValuesCall: BMTK-ordered
    # lists of values) sees the synapses as netbuild writes them: targets, then sources
    # ascending, the synapses of a pair one after the other.
    from netbuild import NetworkBuilder
    from netbuild._calls import SynapseValuesCall

    net = NetworkBuilder("values_net")
    net.add_nodes(N=4, pop_name="a")
    cm = net.add_edges(source=net.nodes(), target=net.nodes(), connection_rule=2)
    seen = []

    def of_synapses(sources, targets):
        seen.append((list(sources), list(targets)))
        return [10 * s + t for s, t in zip(sources, targets)]

    # Targets 1 and 3; target 1 from sources 0 (2 synapses) and 2 (1), target 3 from 1 (1).
    table = (np.array([1, 3]), np.array([0, 2, 3]), np.array([0, 2, 1], np.uint32),
             np.array([2, 1, 1], np.uint32))
    (values,) = SynapseValuesCall(cm, of_synapses).block(table, 0, 2)
    assert seen == [([0, 0, 2, 1], [1, 1, 1, 3])]
    assert values.tolist() == [1.0, 1.0, 21.0, 13.0]
    assert SynapseValuesCall(cm, of_synapses).place(table, 1, 2) == (("values_net", 3), 1)


def test_each_function_runs_once_per_build_of_its_builder(tmp_path):
    # A builder's edges are made once (BMTK's scripts save after each builder), in workers or
    # not; made again when a network they reach changed.
    p = run([SCRIPTS / "two_saves.py", tmp_path / "out"])
    counts = [int(line.split()[1]) for line in p.stdout.splitlines() if line.startswith("calls")]
    assert counts == [30 * 30, 30 * 30, 30 * 30 + 5 * 30, 30 * 30 + 5 * 30 + 5 * 32]


def pools(p):
    """The kept worker's pid printed after each save of kept_workers.py."""
    return [int(line.split()[1]) for line in p.stdout.splitlines() if line.startswith("pool ")]


def test_a_kept_worker_serves_the_next_builder_unless_the_script_changed(tmp_path):
    # The worker forked for the first builder's save is kept for the second's (what it cached
    # per node, BMTK's morphologies say, serves again) when the functions and the script's
    # globals they read are what the script has; after a change, a new worker is forked.
    # Either way the files are those of one process.
    kept = SCRIPTS / "kept_workers.py"
    weights = {}
    for change in ("none", "global", "function"):
        one = build_kept(kept, tmp_path / f"{change}-1", 1, change)[0]
        two, (first, second) = build_kept(kept, tmp_path / f"{change}-2", 2, change)
        assert first > 0 and second > 0
        assert (first == second) == (change == "none"), change
        same_folder(one, two)
        with h5py.File(two / "b_a_edges.h5") as h:
            weights[change] = h["edges/b_to_a/0/syn_weight"][()]
    # The changes under test change the files (a stale worker would have given "none"'s).
    assert len(weights["none"]) > 100
    assert np.allclose(weights["global"], 2 * weights["none"])
    assert np.all(weights["function"] <= 0) and np.any(weights["none"] > 0)


def build_kept(script, out, workers, change):
    p = run([script, out], WORKERS=str(workers), CHANGE=change)
    return out, pools(p)


def test_fingerprint_sees_code_defaults_and_script_globals_not_library_state():
    import sys
    import types

    from netbuild._workers import fingerprint

    script = types.ModuleType("fingerprinted_script")
    sys.modules[script.__name__] = script
    try:
        exec("import json\nK = 1\nLIMITS = [1, 2]\n"
             "def helper(x):\n    return x * LIMITS[0]\n"
             "def f(a, b, c=3):\n    return K * helper(a) + len(json.dumps(b)) + c\n", script.__dict__)
        digest = fingerprint(script.f)
        assert fingerprint(script.f) == digest
        script.K = 2  # a global the function reads
        assert fingerprint(script.f) != digest
        script.K = 1
        script.LIMITS.append(3)  # a global its helper (same module) reads, changed in place
        assert fingerprint(script.f) != digest
        script.LIMITS.pop()
        assert fingerprint(script.f) == digest
        script.json.kept_state = {"cache": 1}  # a library's state: not the script's
        try:
            assert fingerprint(script.f) == digest
        finally:
            del script.json.kept_state
        script.f.__defaults__ = (4,)
        assert fingerprint(script.f) != digest
        exec("def f(a, b, c=3):\n    return K * helper(a) - len(json.dumps(b)) + c\n", script.__dict__)
        assert fingerprint(script.f) != digest
    finally:
        del sys.modules[script.__name__]


def test_a_process_done_early_takes_the_others_last_tasks_but_not_their_owned_ones():
    from netbuild import _workers

    queue = _workers._Queue(2)
    shares = [["own0", "own1", "free0", "free1", "free2"], ["w0"]]
    _workers._JOBS["shares"] = shares
    try:
        queue.reset(shares, [2, 0])  # slot 0 owns its first two tasks
        assert queue.take(1) == "w0"
        # Done with its share: slot 1 takes slot 0's last tasks, its owned ones never.
        assert [queue.take(1), queue.take(1)] == ["free2", "free1"]
        assert queue.take(0) == "own0"
        assert queue.take(1) == "free0"
        assert queue.take(1) is None
        assert [queue.take(0), queue.take(0)] == ["own1", None]
    finally:
        _workers._JOBS["shares"] = []
