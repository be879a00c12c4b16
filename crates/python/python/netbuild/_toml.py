"""TOML text for the spec netbuild builds: values, inline tables, keys (in: Python and numpy
values; out: strings the spec loader reads)."""

import json
import math
import re

import numpy as np

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key(k):
    """A TOML key: bare when it can be, else quoted."""
    k = str(k)
    return k if _BARE_KEY.match(k) else json.dumps(k)


def is_scalar(v):
    """Whether ``v`` is a value the spec stores as a scalar (string, number, bool)."""
    return isinstance(v, (str, bool, int, float, np.generic)) and not isinstance(v, np.void)


def scalar(v):
    """A scalar as TOML (numpy scalars as their Python value)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        # JSON's escapes are TOML's basic-string escapes.
        return json.dumps(v, ensure_ascii=False)
    raise TypeError(f"cannot write {v!r} ({type(v).__name__}) as a spec value")


def array(values):
    """A 1-D sequence as a TOML array (numpy arrays through their Python values)."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def rows(values):
    """An N x k array as a TOML array of N arrays of k values (the spec's per-node rows)."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    return "[" + ", ".join(array(row) for row in values) + "]"


def inline(fields):
    """An inline table from (key, TOML text) pairs."""
    return "{ " + ", ".join(f"{key(k)} = {v}" for k, v in fields) + " }"
