"""The script's Python functions as netbuild calls them, and the nodes they see.

In: a BMTK connection or property function with its ``connection_params`` / ``rule_params``,
and the :class:`Node` lists of the source and target networks. Out: callables over node ids
returning plain numbers (synapse counts, property values), which the native build attaches to
the edge types' placeholder rules and properties.
"""

import threading

import numpy as np

__all__ = ["Node"]


class Node:
    """A node as BMTK's connection functions see it: ``node['x']``, ``node.node_id``,
    ``node.get('pop_name')``, ``'x' in node``, ``node.keys()``."""

    __slots__ = ("node_id", "node_type_id", "network", "_props")

    def __init__(self, node_id, node_type_id, network, props):
        self.node_id = node_id
        self.node_type_id = node_type_id
        self.network = network
        self._props = props

    def __getitem__(self, k):
        return self._props[k]

    def get(self, k, default=None):
        """The property ``k``, or ``default``."""
        return self._props.get(k, default)

    def __contains__(self, k):
        return k in self._props

    def keys(self):
        """The property names (node-type and per-node, ``node_id``, ``node_type_id``)."""
        return self._props.keys()

    def items(self):
        """(name, value) of every property."""
        return self._props.items()

    @property
    def positions(self):
        """(x, y, z), missing coordinates as 0."""
        return np.array([self._props.get(a, 0.0) for a in ("x", "y", "z")])

    def __repr__(self):
        return f"Node({self.network}, node_id={self.node_id})"


def _nsyns(v):
    """A connection function's answer as a synapse count (None/False: 0)."""
    if v is None or v is False:
        return 0
    if v is True:
        return 1
    n = int(v)
    if n < 0:
        raise ValueError(f"the connection rule returned {v!r}: expected a number of synapses >= 0")
    return n


def _counts(values, n):
    """A per-node connection function's answer as a list of ``n`` synapse counts."""
    if values is None:
        return [0] * n
    a = np.asarray(values)
    if a.dtype.kind in "biuf":
        a = a.reshape(-1)
        if np.any(a < 0):
            raise ValueError("the connection rule returned a negative number of synapses")
        return np.nan_to_num(a).astype(np.int64).tolist()
    return [_nsyns(v) for v in values]


class _PairCall:
    """``one_to_one``: ``f(source, target)`` for each pair, called by netbuild once per target
    with (target id, source ids): one entry into Python per target, not per pair."""

    def __init__(self, fn, params, src, trg):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg

    def __call__(self, t, ids):
        fn, params, src, target = self.fn, self.params, self.src, self.trg[t]
        counts = []
        for s in ids:
            v = fn(src[s], target, **params)
            # The common answers without a call: None (no edge) and 1.
            counts.append(0 if v is None else 1 if v is True or (type(v) is int and v == 1)
                          else _nsyns(v))
        return counts


class _TargetCall:
    """``all_to_one``: called with (target id, source ids): ``f(sources, target)``."""

    def __init__(self, fn, params, src, trg, selected):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg
        # The candidates are the whole selection (autapses on, no max_distance): one list.
        self.all_ids, self.all_nodes = selected, [src[i] for i in selected]

    def __call__(self, t, ids):
        nodes = self.all_nodes if ids == self.all_ids else [self.src[i] for i in ids]
        return _counts(self.fn(nodes, self.trg[t], **self.params), len(ids))


class _SourceCall:
    """``one_to_all``: called with (source id, target ids): ``f(source, targets)``."""

    def __init__(self, fn, params, src, trg, selected):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg
        self.all_ids, self.all_nodes = selected, [trg[i] for i in selected]

    def __call__(self, s, ids):
        nodes = self.all_nodes if ids == self.all_ids else [self.trg[i] for i in ids]
        return _counts(self.fn(self.src[s], nodes, **self.params), len(ids))


class _PropertyCall:
    """Property ``k`` of an ``add_properties`` function, per synapse: ``rule(source, target)``.
    For several names the function is called once per synapse (for property 0) and the others
    read its tuple: netbuild asks for a synapse's properties in order, on one thread."""

    def __init__(self, fn, params, src, trg, k, n, cache):
        self.fn, self.params, self.src, self.trg = fn, params, src, trg
        self.k, self.n, self.cache = k, n, cache

    def __call__(self, s, t):
        if self.n == 1:
            return float(self.fn(self.src[s], self.trg[t], **self.params))
        me = threading.get_ident()
        if self.k == 0:
            vals = tuple(self.fn(self.src[s], self.trg[t], **self.params))
            if len(vals) != self.n:
                raise ValueError(f"the property rule returned {len(vals)} values for {self.n} names")
            self.cache[me] = vals
        return float(self.cache[me][self.k])
