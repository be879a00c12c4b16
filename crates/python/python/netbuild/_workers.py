"""The script's Python functions evaluated before the native build, on every core.

In: the session's :class:`~netbuild._calls.ConnectionCall` and
:class:`~netbuild._calls.PropertyCall` objects (keyed by edge type and property index) and a
number of worker processes. Out: per edge type, one table of its connections and Python
property values (bytes, as ``netbuild._netbuild.build`` reads them), which the build then
replays without calling Python.

How: each function's units (targets, or sources for ``one_to_all``; for properties, the
connected targets) are cut into blocks whose boundaries depend only on the number of units
(:func:`netbuild._calls.units_per_block`). Connections first (every edge type's blocks), then
the property functions over the assembled connections. Worker processes are forked after the
nodes and selections exist (they inherit them: only the answers, numpy arrays, come back), each
with a share of the blocks of about equal cost covering a contiguous range of node ids (so a
per-node cache in the script, a morphology say, fills once per node); this process computes the
first share itself (its caches serve the next ``save``), so one worker means no fork. Under
MPI the blocks are split over the ranks (a contiguous share each) and the answers all-gathered.

Random draws: before each block, numpy's global generator (``np.random``) and Python's
``random`` are reseeded from the script's generator state at ``save`` (itself set by
``np.random.seed(...)`` in the script; Python's ``random`` state does not count), the edge type, the phase (connections, or the property
function) and the block number. So a function drawing from ``np.random`` gives the same files
run after run, and for any number of workers and ranks; after the pre-pass the script's
generators are reseeded the same way (the script's later draws do not depend on the workers).

String properties: each block's strings come back dictionary-coded (its sorted strings and a
uint32 code per synapse, :class:`netbuild._calls.Strings`); the blocks are merged into one sorted
vocabulary per property, so the codes the build receives depend on the values only.

Errors: an exception in a worker ends the others and is re-raised in the parent with the
worker's traceback (as its cause), before anything is written.
"""

import hashlib
import multiprocessing
import os
import pickle
import random
import signal
import struct
import sys
import traceback

import numpy as np

from . import _netbuild
from ._calls import ConnectionCall, Strings, merge_strings, units_per_block

# What the forked workers inherit: the jobs of the running phase.
_JOBS = {"rules": {}, "props": {}, "tables": {}, "base": 0}

_CONNECT, _PROPERTY, _AFTER = 0, 1, 2


def default_workers():
    """The worker processes when the script does not choose: the cores this process may run on,
    shared by the ranks on the host (one per rank under MPI)."""
    if _netbuild.size() > 1:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _base_seed():
    """A 64-bit digest of numpy's global generator state (what ``np.random.seed`` in the script
    sets; Python's ``random`` is left out: seeded from the OS at start-up, it would make every
    run differ for scripts that never use it)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    h = hashlib.sha256(kind.encode())
    h.update(np.asarray(keys, dtype=np.uint32).tobytes())
    h.update(struct.pack("<qqd", int(pos), int(has_gauss), float(cached)))
    return int.from_bytes(h.digest()[:8], "little")


def _reseed(*key):
    """Seeds numpy's global generator and Python's ``random`` from ``key`` (a tuple of ints)."""
    words = np.random.SeedSequence([_JOBS["base"], *key]).generate_state(8)
    np.random.seed(words)
    random.seed(int.from_bytes(words.tobytes(), "little"))


def _blocks(n):
    per = units_per_block(n)
    return [(lo, min(n, lo + per)) for lo in range(0, n, per)]


def _task(task):
    """Runs one block (in a worker, or in this process): ``task`` = (phase, job, block, lo, hi)."""
    phase, job, block, lo, hi = task
    _reseed(phase, job, block)
    if phase == _CONNECT:
        return task, _JOBS["rules"][job][1].block(lo, hi)
    index, _k, call = _JOBS["props"][job]
    return task, call.block(_JOBS["tables"][index], lo, hi)


def _place(task):
    """((network, first node id), cost) of a task."""
    phase, job, _block, lo, hi = task
    if phase == _CONNECT:
        return _JOBS["rules"][job][1].place(lo, hi)
    index, _k, call = _JOBS["props"][job]
    return call.place(_JOBS["tables"][index], lo, hi)


# Below this many calls of the script's functions (pairs, or synapses for properties) in one
# pass, they run in the script's process: the same answers (each block reseeds numpy alike), no
# fork. Larger work runs in forked workers, whose changes to the script's globals stay there.
FORK_MIN_CALLS = 10_000


def _shares(tasks, n):
    """``tasks`` cut into ``n`` lists of about equal cost, each a contiguous range of node ids:
    the blocks of every function over the same nodes go to the same worker (what a function
    caches per node, a morphology say, is made once)."""
    placed = sorted((_place(t), t) for t in tasks)
    total = sum(cost for (_key, cost), _t in placed) or 1
    shares, done = [[] for _ in range(n)], 0
    for (_key, cost), t in placed:
        shares[min(n - 1, int((done + cost / 2) * n / total))].append(t)
        done += cost
    return [s for s in shares if s]


def _run(tasks, workers, chosen):
    """{task: answer} of every task: this rank's share computed here (by ``workers`` forked
    processes when more than one), the others' all-gathered under MPI."""
    rank, size = _netbuild.rank(), _netbuild.size()
    mine = tasks[rank * len(tasks) // size:(rank + 1) * len(tasks) // size]
    if workers > 1 and not hasattr(os, "fork"):
        workers = 1
    if not chosen and sum(_place(t)[1] for t in mine) < FORK_MIN_CALLS:
        # Small work, no worker count asked for: forking costs more than it saves, and in
        # this process the script's module-level state (counters, logs, caches it reads after
        # save) sees every call.
        workers = 1
    shares = _shares(mine, workers) if workers > 1 else []
    if len(shares) > 1:
        answers = _forked(shares)
    else:
        answers = dict(map(_task, mine))
    if size > 1:
        gathered = {}
        for part in _netbuild.all_gather(pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL)):
            gathered.update(pickle.loads(part))
        answers = gathered
    return answers


class WorkerTraceback(Exception):
    """The traceback of an exception raised in a worker process (the cause of the exception
    re-raised in the script's process)."""

    def __str__(self):
        return "\n\n" + self.args[0]


def _forked(shares):
    """Runs the first share here and each other one in a forked process; {task: answer}. This
    process takes a share so that what the script's functions cache here (per node) serves
    the next ``save`` too. An exception in a worker ends the others and is re-raised here,
    caused by its traceback."""
    sys.stdout.flush()
    sys.stderr.flush()
    workers, done = [], False
    try:
        for share in shares[1:]:
            reader, writer = multiprocessing.Pipe(duplex=False)
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                reader.close()
                _work(share, writer)
            writer.close()
            workers.append((pid, reader))
        answers = dict(map(_task, shares[0]))
        for pid, reader in workers:
            try:
                message = reader.recv()
            except EOFError:
                raise RuntimeError(f"a worker process (pid {pid}) ended without its answers "
                                   "(killed, or out of memory?)") from None
            if message[0] == "error":
                _, error, text = message
                raise error from WorkerTraceback(text)
            answers.update(message[1])
        done = True
        return answers
    finally:
        for pid, reader in workers:
            reader.close()
            if not done:  # after an exception the others' work is lost: end them
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            os.waitpid(pid, 0)


def _work(share, writer):
    """A worker's life: its tasks' answers sent at once (it never waits on the parent before
    that), or its exception with its traceback."""
    code = 0
    try:
        answers = dict(map(_task, share))
        writer.send(("answers", answers))
    except BaseException as e:  # noqa: B902 (everything goes back to the parent)
        code = 1
        text = traceback.format_exc()
        try:
            writer.send(("error", e, text))
        except Exception:  # the exception does not pickle: its text does
            writer.send(("error", RuntimeError(f"{type(e).__name__}: {e}"), text))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # No atexit handlers (MPI's finalize, the script's): they are the parent's.
        os._exit(code)


def evaluate(rules, props, workers=None):
    """The tables of the edge types with Python functions. ``rules``: [(edge type index,
    ConnectionCall)]; ``props``: [(edge type index, first property index, PropertyCall)]."""
    if not rules and not props:
        return []
    chosen = workers is not None
    workers = default_workers() if workers is None else max(1, int(workers))
    # Python properties on an edge type whose connections are an int rule: made here as well.
    rules, have = list(rules), {index for index, _ in rules}
    for index, _k, call in props:
        if index not in have:
            rules.append((index, ConnectionCall(call.cm)))
            have.add(index)
    _JOBS["base"] = _base_seed()
    _JOBS["rules"] = dict(enumerate(rules))
    _JOBS["props"] = dict(enumerate(props))
    _JOBS["tables"] = {}
    try:
        made = _evaluate(rules, props, workers, chosen)
    finally:
        _reseed(_AFTER)
        _JOBS.update(rules={}, props={}, tables={})
    out = []
    for index, _call in rules:
        (targets, offsets, sources, counts), columns = made[index]
        out.append((index, targets.astype(np.uint64).tobytes(), offsets.astype(np.uint64).tobytes(),
                    sources.tobytes(), counts.tobytes(),
                    [(k, values.codes.astype(np.float64).tobytes(), values.vocabulary)
                     if isinstance(values, Strings) else (k, values.tobytes(), None)
                     for k, values in columns]))
    return out


def _evaluate(rules, props, workers, chosen):
    """{edge type index: (connections table, [(property index, values)])}."""
    tasks = [(_CONNECT, j, b, lo, hi) for j, (_, call) in enumerate(rules)
             for b, (lo, hi) in enumerate(_blocks(call.units))]
    answers = _run(tasks, workers, chosen)
    for j, (index, call) in enumerate(rules):
        parts = [answers[t] for t in tasks if t[1] == j]
        targets, sources, counts = (np.concatenate([p[i] for p in parts]) if parts
                                    else np.zeros(0, np.uint32) for i in range(3))
        del parts
        if call.iterator == "one_to_all":
            order = np.lexsort((sources, targets))
            targets, sources, counts = targets[order], sources[order], counts[order]
        # One row per connected target: its connections are offsets[i]..offsets[i + 1].
        starts = np.flatnonzero(np.r_[True, targets[1:] != targets[:-1]]) if len(targets) else \
            np.zeros(0, np.int64)
        offsets = np.r_[starts, len(targets)].astype(np.int64)
        _JOBS["tables"][index] = (targets[starts].astype(np.int64), offsets, sources, counts)
    del answers
    tasks = [(_PROPERTY, j, b, lo, hi) for j, (index, _k, _call) in enumerate(props)
             for b, (lo, hi) in enumerate(_blocks(len(_JOBS["tables"][index][0])))]
    answers = _run(tasks, workers, chosen)
    columns = {index: [] for index, _ in rules}
    for j, (index, k, call) in enumerate(props):
        parts = [answers[t] for t in tasks if t[1] == j]
        for c in range(call.n):
            column = [p[c] for p in parts]
            if call.strings[c]:
                values = merge_strings(column)
            else:
                values = np.ascontiguousarray(np.concatenate(column) if column else np.zeros(0))
            columns[index].append((k + c, values))
    return {index: (_JOBS["tables"][index], columns[index]) for index, _ in rules}
