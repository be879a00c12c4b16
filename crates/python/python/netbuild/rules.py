"""Rules and values that netbuild runs natively (the spec's rule kinds, expressions and
generators: docs/RULES.md, docs/SPEC_REFERENCE.md), for ``connection_rule=``,
``add_properties(rule=)`` and ``add_nodes`` properties.

In: numbers and expression strings. Out: objects the builder writes into the spec it builds.
Their random draws come from netbuild's keyed streams (the builder's seed), so the files are
the same for any rank count.

Connection rules (each takes ``max_distance=`` where the spec allows it, ``autapses=``,
``nsyns=`` an int or ``(lo, hi)`` drawn uniformly)::

    rules.probability(0.1)                          # each pair, p = 0.1
    rules.probability("0.3 * exp(-(d / 100)^2)", max_distance=300)
    rules.count("if(d < 50, 3, 0)")                 # synapses of each pair, 0 for none
    rules.indegree(50), rules.outdegree(20), rules.total(10000)
    rules.all_to_all(), rules.fixed(3), rules.one_to_one()

Values (per edge: ``add_properties(rule=...)``; per node: ``add_nodes(tau=...)``)::

    rules.expr("normal(0.5, 0.1)", dtype="f32")     # any spec expression: d, src.x, trg.NAME ...
    rules.uniform(0, 1000), rules.normal(2.0, 0.5, min=0.1), rules.uniform_int(1, 5),
    rules.choice(["a", "b"]), rules.linspace(0, 180)

Synapse locations on the targets' morphologies (BMTK's ``rand_syn_locations``, natively:
``[edges.locations]``)::

    cm.add_properties(['afferent_section_id', 'afferent_section_pos', 'afferent_swc_id',
                       'afferent_swc_pos'],
                      rule=rules.syn_locations(sections=['basal', 'apical'],
                                               distance_range=[30.0, 150.0],
                                               morphology_dir='components/morphologies'),
                      dtypes=[int, float, int, float])

Positions of a block (``add_nodes(positions=...)``): ``rules.cylinder(radius, y_lo, y_hi)``,
``rules.box((x0, x1), (y0, y1), (z0, z1))``, ``rules.sphere(radius)``, each with ``center=`` and
``min_distance=``.
"""

from . import _toml

__all__ = [
    "Rule", "Value", "Positions",
    "probability", "count", "indegree", "outdegree", "total", "all_to_all", "fixed", "one_to_one",
    "expr", "uniform", "normal", "uniform_int", "choice", "linspace",
    "cylinder", "box", "sphere",
    "SynLocations", "syn_locations", "syn_location_candidates", "LOCATION_NAMES", "COORD_NAMES",
]

_DTYPES = ("f32", "f64", "i32", "i64", "u32", "u64")


def _number_or_expr(v):
    return _toml.scalar(v if isinstance(v, str) else float(v))


def _nsyns(nsyns):
    if nsyns is None:
        return None
    if isinstance(nsyns, (tuple, list)):
        lo, hi = nsyns
        return _toml.inline([("uniform_int", _toml.array([int(lo), int(hi)]))])
    return str(int(nsyns))


class Rule:
    """A connection rule netbuild runs natively: one ``rule = {...}`` of the spec."""

    def __init__(self, kind, value, max_distance=None, autapses=False, nsyns=None):
        self.kind = kind
        self.value = value
        self.max_distance = max_distance
        self.autapses = autapses
        self.nsyns = nsyns

    def toml(self):
        """(the rule's inline table, the block's ``nsyns`` or None), as spec text."""
        fields = [(self.kind, self.value)]
        if self.max_distance is not None:
            fields.append(("max_distance", _toml.scalar(float(self.max_distance))))
        if self.autapses:
            fields.append(("autapses", "true"))
        return _toml.inline(fields), _nsyns(self.nsyns)

    def __repr__(self):
        return f"netbuild.rules.Rule({self.toml()[0]})"


def probability(p, max_distance=None, autapses=False, nsyns=None):
    """Each pair connects with probability ``p`` (a number or an expression)."""
    return Rule("probability", _number_or_expr(p), max_distance, autapses, nsyns)


def count(e, max_distance=None, autapses=False):
    """``e`` (a number or an expression, rounded) synapses for each pair; 0 or less: none."""
    return Rule("count", _number_or_expr(e), max_distance, autapses)


def indegree(k, autapses=False, nsyns=None):
    """Each target gets ``k`` distinct sources, uniformly (NEST's fixed_indegree)."""
    return Rule("indegree", str(int(k)), None, autapses, nsyns)


def outdegree(k, autapses=False, nsyns=None):
    """Each source gets ``k`` distinct targets, uniformly (NEST's fixed_outdegree)."""
    return Rule("outdegree", str(int(k)), None, autapses, nsyns)


def total(n, autapses=False, nsyns=None):
    """``n`` connections spread uniformly over all pairs, repeats allowed."""
    return Rule("total", str(int(n)), None, autapses, nsyns)


def all_to_all(max_distance=None, autapses=False, nsyns=None):
    """Every pair (within ``max_distance``)."""
    return Rule("all_to_all", "true", max_distance, autapses, nsyns)


def fixed(nsyns, max_distance=None, autapses=False):
    """Every pair with ``nsyns`` synapses (BMTK's ``connection_rule=<int>``)."""
    return all_to_all(max_distance, autapses, nsyns)


def one_to_one(max_distance=None, nsyns=None):
    """The i-th selected source to the i-th selected target."""
    return Rule("one_to_one", "true", max_distance, False, nsyns)


class Value:
    """A per-edge or per-node value netbuild computes: an expression or a generator table."""

    def __init__(self, fields, dtype=None, bare_expr=None):
        if dtype is not None and dtype not in _DTYPES:
            raise ValueError(f"dtype: expected one of {', '.join(_DTYPES)}, found {dtype!r}")
        self.fields = list(fields)
        self.dtype = dtype
        self.bare_expr = bare_expr

    def toml(self, dtype=None):
        """The spec value; ``dtype`` (from ``add_properties(dtypes=)``) unless set here."""
        dtype = self.dtype or dtype
        fields = list(self.fields)
        if dtype is not None:
            fields.append(("dtype", _toml.scalar(dtype)))
        return _toml.inline(fields)

    def __repr__(self):
        return f"netbuild.rules.Value({self.toml()})"


def _bounded(fields, min, max):
    if min is not None:
        fields.append(("min", _toml.scalar(float(min))))
    if max is not None:
        fields.append(("max", _toml.scalar(float(max))))
    return fields


def expr(text, dtype=None):
    """An expression of the spec (docs/RULES.md): ``d``, ``src.NAME``, ``normal(m, s)``..."""
    return Value([("expr", _toml.scalar(str(text)))], dtype, bare_expr=str(text))


def uniform(lo, hi, min=None, max=None, dtype=None):
    """Uniform in [lo, hi)."""
    return Value(_bounded([("uniform", _toml.array([float(lo), float(hi)]))], min, max), dtype)


def normal(mean, sd, min=None, max=None, dtype=None):
    """Normal; ``min``/``max``: redrawn until inside."""
    return Value(_bounded([("normal", _toml.array([float(mean), float(sd)]))], min, max), dtype)


def uniform_int(lo, hi, dtype=None):
    """Uniform integers in [lo, hi] (both ends included)."""
    return Value([("uniform_int", _toml.array([int(lo), int(hi)]))], dtype)


def choice(values):
    """One of ``values``, uniformly (nodes only)."""
    return Value([("choice", _toml.array(list(values)))])


def linspace(start, stop):
    """N values from ``start`` to ``stop``, both included, as numpy.linspace (nodes only)."""
    return Value([("linspace", _toml.array([float(start), float(stop)]))])


class Positions:
    """x, y, z of a node block drawn in a volume (the spec's ``positions``)."""

    def __init__(self, shape, center=None, min_distance=None):
        fields = [shape]
        if center is not None:
            fields.append(("center", _toml.array([float(c) for c in center])))
        if min_distance is not None:
            fields.append(("min_distance", _toml.scalar(float(min_distance))))
        self.fields = fields

    def toml(self):
        """The spec's ``positions`` table."""
        return _toml.inline(self.fields)


def cylinder(radius, y_lo, y_hi, center=None, min_distance=None):
    """The disc x^2 + z^2 <= radius^2, y in [y_lo, y_hi] (BMTK's positions_columinar)."""
    return Positions(("cylinder", _toml.array([float(radius), float(y_lo), float(y_hi)])),
                     center, min_distance)


def box(x, y, z, center=None, min_distance=None):
    """The box [x0, x1] x [y0, y1] x [z0, z1] (BMTK's positions_cuboid)."""
    rows = ", ".join(_toml.array([float(a), float(b)]) for a, b in (x, y, z))
    return Positions(("box", f"[{rows}]"), center, min_distance)


def sphere(radius, center=None, min_distance=None):
    """The ball of ``radius``."""
    return Positions(("sphere", _toml.scalar(float(radius))), center, min_distance)


# The columns ``[edges.locations]`` writes, in order (BMTK's names; dtypes int64, float64),
# and the ones ``return_coords=True`` adds.
LOCATION_NAMES = ("afferent_section_id", "afferent_section_pos", "afferent_swc_id",
                  "afferent_swc_pos")
COORD_NAMES = ("afferent_x", "afferent_y", "afferent_z")


class SynLocations:
    """Where each synapse sits on its target's morphology: the spec's ``[edges.locations]``
    (BMTK's ``bmtk.builder.bionet.rand_syn_locations``, run by netbuild without NEURON)."""

    def __init__(self, sections=("soma", "apical", "basal"), distance_range=(0.0, 1.0e20),
                 morphology_dir="./components/morphologies", return_coords=False, dL=None):
        if isinstance(sections, str):
            sections = [sections]
        self.sections = [str(s) for s in sections]
        lo, hi = distance_range
        self.distance_range = (float(lo), float(hi))
        self.morphology_dir = str(morphology_dir)
        self.return_coords = bool(return_coords)
        self.dL = None if dL is None else float(dL)

    def toml(self):
        """The ``[edges.locations]`` entries, as spec lines. ``morphology_dir`` is taken from
        the working directory, as BMTK takes it."""
        import os
        lines = [
            f"sections = {_toml.array(self.sections)}",
            f"distance_range = {_toml.array(list(self.distance_range))}",
            f"morphology_dir = {_toml.scalar(os.path.abspath(self.morphology_dir))}",
        ]
        if self.return_coords:
            lines.append("return_coords = true")
        if self.dL is not None:
            lines.append(f"dL = {_toml.scalar(self.dL)}")
        return lines

    def names(self):
        """The columns these locations write, in order."""
        return LOCATION_NAMES + (COORD_NAMES if self.return_coords else ())

    def __repr__(self):
        return f"netbuild.rules.SynLocations({'; '.join(self.toml())})"


def syn_locations(sections=("soma", "apical", "basal"), distance_range=(0.0, 1.0e20),
                  morphology_dir="./components/morphologies", return_coords=False, dL=None):
    """BMTK's ``rand_syn_locations`` parameters; the ``rule=`` of ``add_properties`` with the
    names :data:`LOCATION_NAMES`. One location per synapse, drawn among the segments of
    ``sections`` within ``distance_range`` micrometres of the soma with a probability
    proportional to their length there, on the target's ``morphology`` file (in
    ``morphology_dir``, ``.swc`` appended when missing; ``model_processing =
    "aibs_perisomatic"`` replaces the axon as BMTK does)."""
    return SynLocations(sections, distance_range, morphology_dir, return_coords, dL)


def syn_location_candidates(swc_path, sections=("soma", "apical", "basal"),
                            distance_range=(0.0, 1.0e20), fix_axon=False, dL=None):
    """The candidate locations of one morphology, as ``[edges.locations]`` draws them (BMTK's
    ``SWCReader.find_sections`` and ``get_swc_id``): a list of (segment index, section id,
    section x, probability, swc id, swc position)."""
    from . import _netbuild
    return _netbuild.syn_location_candidates(str(swc_path), [str(s) for s in sections],
                                             tuple(float(d) for d in distance_range),
                                             bool(fix_axon), dL)
