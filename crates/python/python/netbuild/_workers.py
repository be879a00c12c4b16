"""The script's Python functions evaluated before the native build, on every core.

In: the session's :class:`~netbuild._calls.ConnectionCall` and
:class:`~netbuild._calls.PropertyCall` objects (keyed by edge type and property index) and a
number of worker processes. Out: per edge type, one table of its connections and Python
property values (bytes, as ``netbuild._netbuild.build`` reads them), which the build then
replays without calling Python.

How: each function's units (targets, or sources for ``one_to_all``; for properties, the
connected targets) are cut into blocks whose boundaries depend only on the number of units
(:func:`netbuild._calls.units_per_block`). Connections first (every edge type's blocks), then
the property functions over the assembled connections. This process and its worker processes
(:class:`_Pool`) each take a share of the blocks of about equal cost covering a contiguous range
of node ids (so a per-node cache in the script, a morphology say, fills once per node), then,
when done, the last blocks of the share with the most left (:class:`_Queue`). The first workers
are forked when the first large pass starts (they inherit the nodes and selections: only the
answers, numpy arrays, come back) and are kept for the next passes, of this ``save`` and of the
later ones: a block goes to the process that ran the same function on its nodes before, whose
caches (BMTK's ``get_swc`` morphologies) are warm, and stays there. A kept worker receives a
pass's jobs pickled (the script's functions by name) and runs them only when the functions, and
the values of the script's globals they read, are what this process has (:func:`fingerprint`);
else a new worker is forked for the pass. One worker means no fork. Under MPI the blocks are
split over the ranks (a contiguous share each) and the answers all-gathered.

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

import atexit
import bisect
import gc
import hashlib
import logging
import mmap
import multiprocessing
import os
import pickle
import random
import signal
import struct
import sys
import traceback
import types

import numpy as np

from . import _netbuild
from ._calls import ConnectionCall, Strings, _Bound, merge_strings, units_per_block

logger = logging.getLogger("netbuild")

# What the forked workers inherit: the jobs of the running phase.
_JOBS = {"rules": {}, "props": {}, "tables": {}, "base": 0, "shares": []}

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


def _function(task):
    """The name of a task's function (what its per-node caches belong to)."""
    phase, job = task[0], task[1]
    call = _JOBS["rules"][job][1] if phase == _CONNECT else _JOBS["props"][job][2]
    fn = getattr(call, "fn", None)
    fn = getattr(fn, "fn", fn) if isinstance(fn, _Bound) else fn
    fn = getattr(call, "of_synapses", None) or fn
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"


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

# A kept worker gets a later pass's jobs pickled through its pipe; above this size a new fork
# (which shares them for free) is cheaper than what the worker's caches save.
REUSE_MAX_BYTES = 64 << 20


def _shares(tasks, n, owner=None):
    """``tasks`` cut into ``n`` lists of about equal cost, each a contiguous range of node ids:
    the blocks of every function over the same nodes go to the same worker (what a function
    caches per node, a morphology say, is made once). ``owner``: a function of a task giving
    the share whose process ran its function on its nodes in an earlier pass (None: none did);
    such a task goes to that share, before the others, which fill the shares up to equal cost
    in node-id order. Returns the shares and, per share, the number of those owned tasks."""
    placed = sorted((_place(t), t) for t in tasks)
    total = sum(cost for (_key, cost), _t in placed) or 1
    owned = [owner(t) if owner else None for _p, t in placed]
    shares, others, load = [[] for _ in range(n)], [[] for _ in range(n)], [0] * n
    for o, ((_key, cost), t) in zip(owned, placed):
        if o is not None:
            shares[o].append(t)
            load[o] += cost
    free = sum(cost for o, ((_key, cost), _t) in zip(owned, placed) if o is None)
    if free == total:  # nothing owned: equal shares of the cost
        done = 0
        for (_key, cost), t in placed:
            others[min(n - 1, int((done + cost / 2) * n / total))].append(t)
            done += cost
    else:
        slot = 0
        for o, ((_key, cost), t) in zip(owned, placed):
            if o is None:
                while slot < n - 1 and load[slot] + cost / 2 > total / n:
                    slot += 1
                others[slot].append(t)
                load[slot] += cost
    floors = [len(s) for s in shares]
    return [s + o for s, o in zip(shares, others)], floors


def _run(tasks, workers, chosen):
    """{task: answer} of every task: this rank's share computed here (with ``workers`` - 1
    worker processes when more than one), the others' all-gathered under MPI."""
    rank, size = _netbuild.rank(), _netbuild.size()
    mine = tasks[rank * len(tasks) // size:(rank + 1) * len(tasks) // size]
    if workers > 1 and not hasattr(os, "fork"):
        workers = 1
    if not chosen and sum(_place(t)[1] for t in mine) < FORK_MIN_CALLS:
        # Small work, no worker count asked for: forking costs more than it saves, and in
        # this process the script's module-level state (counters, logs, caches it reads after
        # save) sees every call.
        workers = 1
    if workers > 1 and len(mine) > 1:
        answers = _pool(workers).run(mine)
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


class _Queue:
    """The tasks of a pass, shared by this process (slot 0) and its workers (slots 1..): each
    slot takes its own share from the front; a slot whose share is done takes the last task of
    the share with the most left (so that a share of slower nodes, larger morphologies say, does
    not keep the others waiting), but not the tasks a share owns (whose nodes its process has
    handled with the same function: made again elsewhere, their caches would cost more time and
    memory than the steal saves). Which process computes a task does not change its answer
    (each task reseeds the generators)."""

    def __init__(self, slots):
        self.lock = multiprocessing.Lock()
        # Anonymous and MAP_SHARED: the workers forked from here see the same counters.
        self.memory = mmap.mmap(-1, 24 * slots)
        # Per slot: [next task from the front, end of what is left, end of its owned tasks].
        self.counters = np.frombuffer(self.memory, dtype=np.int64).reshape(slots, 3)

    def reset(self, shares, floors):
        with self.lock:
            self.counters[:, 0] = 0
            self.counters[:, 1] = [len(s) for s in shares]
            self.counters[:, 2] = floors

    def take(self, slot):
        """The next task of ``slot`` (None when none is left)."""
        shares = _JOBS["shares"]
        with self.lock:
            c = self.counters
            front, end = int(c[slot, 0]), int(c[slot, 1])
            if front < end:
                c[slot, 0] = front + 1
                return shares[slot][front]
            left = c[:, 1] - np.maximum(c[:, 0], c[:, 2])
            other = int(np.argmax(left))
            if left[other] <= 0:
                return None
            c[other, 1] -= 1
            return shares[other][int(c[other, 1])]

    def drain(self, slot, answers):
        """Computes tasks for ``slot`` into ``answers`` until none is left."""
        while (task := self.take(slot)) is not None:
            key, value = _task(task)
            answers[key] = value
        return answers


class _Pool:
    """This process (slot 0) and ``n`` - 1 worker processes, kept from one pass to the next
    (another ``save``, another builder's): what the script's functions cache per node in a
    library (BMTK's ``get_swc(..., use_cache=True)``: a morphology per target) is made once per
    node, not once per pass, because a node goes to the process that ran the same function on
    it before. A kept worker gets a pass's jobs pickled (functions by name) and first checks
    that the script's functions, and the script's globals they read, are still what this
    process has: if not (or if the jobs do not pickle, or are larger than REUSE_MAX_BYTES), a
    new worker is forked for the pass, as it always is for the first. The workers end with the
    script (or with an exception in a pass)."""

    def __init__(self, n):
        self.n = n
        self.queue = _Queue(n)
        self.workers = {}  # slot -> (pid, connection)
        # (function, network, first node id) of a task -> the slot that computed it.
        self.owner = {}
        self._keys = []

    def owners(self, task):
        """The slot whose process ran ``task``'s function on its first node last: the slot of
        the nearest earlier task of that function and network (None: none)."""
        key = (_function(task), *_place(task)[0])
        i = bisect.bisect_right(self._keys, key) - 1
        if i < 0 or self._keys[i][:2] != key[:2]:
            return None
        return self.owner[self._keys[i]]

    def _owns(self, slot, tasks):
        for t in tasks:
            self.owner[(_function(t), *_place(t)[0])] = slot

    def run(self, tasks):
        """{task: answer} of ``tasks``, computed here and in the workers."""
        self._keys = sorted(self.owner)
        shares, floors = _shares(tasks, self.n, self.owners if self.owner else None)
        _JOBS["shares"] = shares
        self.queue.reset(shares, floors)
        jobs = self._jobs()
        answers, done = {}, False
        try:
            fresh = [s for s in range(1, self.n) if not self._resume(s, jobs)]
            if fresh and shares[0]:
                # One task here first: what it loads (NEURON, a morphology, the script's
                # modules) is then shared with the new workers, not loaded by each.
                key, value = _task(self.queue.take(0))
                answers[key] = value
            for s in fresh:
                self._fork(s)
            mine = set(self.queue.drain(0, answers))
            for s in range(1, self.n):
                pid, conn = self.workers[s]
                try:
                    message = conn.recv()
                except EOFError:
                    raise RuntimeError(f"a worker process (pid {pid}) ended without its answers "
                                       "(killed, or out of memory?)") from None
                if message[0] == "error":
                    _, error, text = message
                    raise error from WorkerTraceback(text)
                answers.update(message[1])
                self._owns(s, message[1])
            self._owns(0, mine)
            done = True
            return answers
        finally:
            if not done:  # after an exception the workers' work is lost: end them
                self.close(signal.SIGTERM)

    def _jobs(self):
        """The pass's jobs as a kept worker receives them (None when they do not pickle or
        are too large: new workers then)."""
        if not self.workers:
            return None
        calls = [c for _i, c in _JOBS["rules"].values()] + [c for _i, _k, c in _JOBS["props"].values()]
        try:
            functions = [c.fn.fn for c in calls if isinstance(getattr(c, "fn", None), _Bound)]
            data = pickle.dumps({k: _JOBS[k] for k in ("rules", "props", "tables", "base", "shares")},
                                protocol=pickle.HIGHEST_PROTOCOL)
            checks = pickle.dumps([(f, fingerprint(f)) for f in functions],
                                  protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 (a lambda, a closure, an object without pickling)
            return None
        return None if len(data) + len(checks) > REUSE_MAX_BYTES else (checks, data)

    def _resume(self, slot, jobs):
        """Gives the pass's jobs to the kept worker of ``slot``; False when there is none or it
        cannot take them (then it has ended)."""
        if slot not in self.workers:
            return False
        pid, conn = self.workers[slot]
        reply = None
        if jobs is not None:
            try:
                conn.send(("jobs", *jobs))
                reply = conn.recv()
            except (EOFError, OSError):
                reply = None
        if reply is not None and reply[0] == "ready":
            return True
        logger.debug("worker %d: a new one for this pass (%s)", slot,
                     "the jobs do not pickle" if jobs is None else reply and reply[1])
        self._end(slot)
        return False

    def _fork(self, slot):
        reader, writer = multiprocessing.Pipe(duplex=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # The objects inherited from this process, frozen: the worker's cyclic collector does not
        # walk them (nor write to them: their pages stay shared with this process).
        pid = -1
        gc.freeze()
        try:
            pid = os.fork()
        finally:
            if pid != 0:
                gc.unfreeze()
        if pid == 0:  # the worker: never returns
            reader.close()
            for _pid, conn in self.workers.values():  # the other workers' pipes are not its own
                conn.close()
            _serve(self.queue, slot, writer)
        writer.close()
        self.workers[slot] = (pid, reader)

    def _end(self, slot, sig=None):
        pid, conn = self.workers.pop(slot)
        conn.close()  # a waiting worker reads the end of its pipe and exits
        if sig is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)

    def close(self, sig=None):
        """Ends the workers (``sig``: signalled, when they may be working)."""
        global _POOL
        for slot in list(self.workers):
            self._end(slot, sig)
        if _POOL is self:
            _POOL = None


_POOL = None


def _pool(n):
    """The kept pool of ``n`` processes (a new one when none, or one of another size, is)."""
    global _POOL
    if _POOL is not None and _POOL.n != n:
        _POOL.close()
    if _POOL is None:
        _POOL = _Pool(n)
    return _POOL


@atexit.register
def _close_pool():
    if _POOL is not None:
        _POOL.close()


def _serve(queue, slot, conn):
    """A worker's life: its tasks of a pass (from its share, then the others' leftovers), the
    answers sent at once (it never waits on the parent before that); then the next pass's jobs,
    until the parent closes the pipe. An exception goes back with its traceback."""
    code = 0
    try:
        while True:
            conn.send(("answers", queue.drain(slot, {})))
            try:
                message = conn.recv()
            except EOFError:
                break
            stale = _install(message[1], message[2])
            conn.send(("stale", stale) if stale else ("ready",))
            if stale:
                break
    except BaseException as e:  # noqa: B902 (everything goes back to the parent)
        code = 1
        text = traceback.format_exc()
        try:
            conn.send(("error", e, text))
        except Exception:  # the exception does not pickle: its text does
            try:
                conn.send(("error", RuntimeError(f"{type(e).__name__}: {e}"), text))
            except Exception:  # noqa: BLE001 (the parent has gone)
                pass
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # No atexit handlers (MPI's finalize, the script's): they are the parent's.
        os._exit(code)


def _install(checks, data):
    """Takes a pass's jobs in a kept worker; why it cannot (None: it can)."""
    try:
        for f, digest in pickle.loads(checks):
            if fingerprint(f) != digest:
                return f"{getattr(f, '__qualname__', f)} or a global it reads changed"
        jobs = pickle.loads(data)
    except Exception as e:  # noqa: BLE001 (defined after the fork, say)
        return f"its jobs do not load here: {type(e).__name__}: {e}"
    _JOBS.update(jobs)
    return None


def fingerprint(fn):
    """A digest of what a kept worker must share with the script's process to run ``fn`` as a
    new fork would: its code, defaults and closure, and the values of the globals it reads
    (functions of its own module in the same way, recursively; modules, classes and functions
    of other modules by name: a library's code, not its caches). Raises when a value read does
    not pickle."""
    h = hashlib.sha256()
    _digest(fn, getattr(fn, "__module__", None), h, set())
    return h.digest()


def _digest(obj, module, h, seen):
    if isinstance(obj, types.ModuleType):
        h.update(b"module " + obj.__name__.encode())
    elif isinstance(obj, types.FunctionType):
        h.update(f"function {obj.__module__}.{obj.__qualname__}".encode())
        if obj.__module__ != module or id(obj) in seen:
            return
        seen.add(id(obj))
        names = set()
        _code(obj.__code__, h, names)
        for v in obj.__defaults__ or ():
            _digest(v, module, h, seen)
        for k, v in sorted((obj.__kwdefaults__ or {}).items()):
            h.update(k.encode())
            _digest(v, module, h, seen)
        for cell in obj.__closure__ or ():
            try:
                _digest(cell.cell_contents, module, h, seen)
            except ValueError:  # an empty cell
                h.update(b"empty cell")
        for name in sorted(names):
            if name in obj.__globals__:
                h.update(b"global " + name.encode())
                _digest(obj.__globals__[name], module, h, seen)
    elif isinstance(obj, type):
        h.update(f"class {obj.__module__}.{obj.__qualname__}".encode())
        if obj.__module__ == module and id(obj) not in seen:
            seen.add(id(obj))
            for k, v in sorted(vars(obj).items()):
                if isinstance(v, (types.FunctionType, staticmethod, classmethod)):
                    h.update(k.encode())
                    _digest(getattr(v, "__func__", v), module, h, seen)
    elif isinstance(obj, (types.BuiltinFunctionType, types.MethodWrapperType)):
        h.update(f"builtin {getattr(obj, '__module__', '')}.{obj.__qualname__}".encode())
    else:
        h.update(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _code(code, h, names):
    """A code object's instructions, constants and names (nested code objects included)."""
    h.update(code.co_code)
    h.update(repr(code.co_names).encode())
    names.update(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _code(c, h, names)
        else:
            h.update(repr(c).encode())


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
        _JOBS.update(rules={}, props={}, tables={}, shares=[])
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
