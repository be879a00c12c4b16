"""A library-like cache per node for kept_workers.py (its state is the library's: netbuild's
kept workers keep it from one pass to the next, as BMTK's get_swc cache)."""
_LOADED = {}


def load(node_id):
    """The node's "morphology", made once per process."""
    if node_id not in _LOADED:
        _LOADED[node_id] = float(node_id % 7)
    return _LOADED[node_id]
