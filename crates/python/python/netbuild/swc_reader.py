"""BMTK's ``bmtk.builder.bionet.swc_reader`` without NEURON: what a script's own Python functions
call to place synapses on morphologies (``get_swc``, ``SWCReader.choose_sections``,
``find_sections``, ``get_swc_id``, ``get_coords``, ``move_and_rotate``), served by netbuild's
Rust morphology code (``crates/morphology``, through ``netbuild._netbuild.swc_cell``).

In: an SWC path (and a cell dict for :func:`get_swc`). Out: objects with BMTK's attributes and
methods, giving BMTK+NEURON's values: the segment table (``seg_props``: section id, x, type,
distance, length), the candidate segments and probabilities of ``find_sections``, the
``(swc_id, swc_pos)`` of ``get_swc_id``, the segment centres after ``move_and_rotate``.

How it is wired (:func:`install`, run when ``netbuild`` is imported): a script that imports
``bmtk.builder.bionet.swc_reader`` (or ``bmtk.builder.bionet``) after ``netbuild`` gets this
module under that name, and NEURON is never imported; if BMTK's own module was imported before
``netbuild``, its ``SWCReader`` class is replaced by this one, so BMTK's ``get_swc`` (which the
script holds) makes native readers. ``NETBUILD_BMTK_SWC=neuron`` in the environment leaves
BMTK's module alone.

Each morphology is read once per process for each (file, ``fix_axon``, ``dL``), and each
(sections, distance range) query is computed once per morphology: a script's per-synapse
``get_swc`` + ``choose_sections`` + ``get_swc_id`` costs microseconds, not NEURON's load of the
cell twice per target and a pandas query per synapse.

Random draws. BMTK's reader draws from its own ``numpy.random.RandomState(rng_seed)``. Given a
seed (``SWCReader(path, rng_seed=7)``), this reader makes the same generator and the same draws
(``choose_sections`` takes the uniform numbers ``RandomState.choice`` takes and searches the
same cumulative sums), and a copy made by ``move_and_rotate`` restarts it, as BMTK's does.
Without a seed (``get_swc``'s readers) BMTK seeds from the operating system, so its choices
differ run to run; this reader then draws from numpy's global generator, which netbuild
reseeds before every block of work: the same files run after run and for any number of
workers. The distribution is BMTK's (a segment with probability ``find_sections`` gives).

Not served (each raises ``NotImplementedError`` naming ``NETBUILD_BMTK_SWC=neuron``): NEURON's
objects (``hobj``, ``sections``, ``get_section``), ``swc_map``, ``delete_axon``, and
``set_segment_dl`` after ``fix_axon``. ``seg_props.area`` is NaN (NEURON's membrane areas are
not computed), as are ``seg_coords`` on the two axon sections ``fix_axon`` makes (NEURON's
``define_shape`` places them).
"""

import importlib.abc
import importlib.util
import math
import os
import sys
from collections import namedtuple

import numpy as np

from . import _netbuild

#: The module path this module stands in for.
BMTK_MODULE = "bmtk.builder.bionet.swc_reader"

SegmentProps = namedtuple("SegmentProps", ["type", "area", "x", "dist", "length", "dist0",
                                           "dist1", "sec_id"])
SegmentCoords = namedtuple("SegmentCoords", ["p0", "p1", "p05"])

#: BMTK's ``get_swc(..., use_cache=True)`` readers: population -> node id -> reader.
swc_cache = {}

_SEC_TYPES = {"soma": 1, "somatic": 1, "axon": 2, "axonal": 2, "dend": 3, "basal": 3,
              "apic": 4, "apical": 4}


def rotation_matrix(axis, theta):
    """The matrix of a counterclockwise rotation by ``theta`` radians about ``axis`` (the
    Euler-Rodrigues formula, as BMTK's ``rotation_matrix``)."""
    axis = np.asarray(axis)
    theta = np.asarray(theta)
    axis = axis / np.sqrt(np.dot(axis, axis))
    a = np.cos(theta / 2.0)
    b, c, d = -axis * np.sin(theta / 2.0)
    aa, bb, cc, dd = a * a, b * b, c * c, d * d
    bc, ad, ac, ab, bd, cd = b * c, a * d, a * c, a * b, b * d, c * d
    return np.array([[aa + bb - cc - dd, 2 * (bc + ad), 2 * (bd - ac)],
                     [2 * (bc - ad), aa + cc - bb - dd, 2 * (cd + ab)],
                     [2 * (bd + ac), 2 * (cd - ab), aa + dd - bb - cc]])


class _Morphology:
    """One (file, fix_axon, dL) as read by the Rust code, its arrays made once, and the
    ``find_sections`` answers asked of it so far."""

    _loaded = {}

    @classmethod
    def get(cls, path, fix_axon, dl):
        key = (os.path.abspath(path), fix_axon, dl)
        m = cls._loaded.get(key)
        if m is None:
            m = cls._loaded[key] = cls(_netbuild.swc_cell(path, fix_axon, dl))
        return m

    def __init__(self, raw):
        length = np.array(raw["length"], dtype=float)
        dist = np.array(raw["dist"], dtype=float)
        self.props = SegmentProps(
            type=np.array(raw["kind"], dtype=int), area=np.full(len(length), np.nan),
            x=np.array(raw["x"], dtype=float), dist=dist, length=length,
            dist0=dist - length / 2.0, dist1=dist + length / 2.0,
            sec_id=np.array(raw["section"], dtype=int))
        self.coords = SegmentCoords(*(np.array(raw[k], dtype=float).reshape(-1, 3).T.copy()
                                      for k in ("p0", "p1", "p05")))
        self.swc_ids = [np.array(ids, dtype=int) for _, _, ids in raw["sections"]]
        self.soma_position = np.array(raw["soma_position"], dtype=float)
        self._queries = {}

    def query(self, section_names, distance_range):
        """``find_sections``: the candidate segments, their probabilities and cumulative sums
        (as ``RandomState.choice`` makes them), computed once per (names, range)."""
        dmin, dmax = distance_range[0], distance_range[1]
        key = (tuple(section_names), dmin, dmax)
        hit = self._queries.get(key)
        if hit is None:
            hit = self._queries[key] = self._find(section_names, dmin, dmax)
        return hit

    def _find(self, section_names, dmin, dmax):
        # BMTK's arithmetic, step by step, so that the probabilities are its bits: the share of
        # each segment inside [dmin, dmax], the segments of the named types that overlap it
        # (sorted, unique), each weighted by its length inside the range.
        p = self.props
        inside = np.maximum(0, np.minimum(p.dist1, dmax) - np.maximum(p.dist0, dmin)) / p.length
        overlapping = np.where(inside > 0)
        of_types = np.array([], dtype=int)
        for name in section_names:
            of_types = np.append(of_types, np.where(p.type == _SEC_TYPES[name]))
        ix = np.intersect1d(overlapping, of_types)
        weight = p.length[ix] * inside[ix]
        prob = weight / np.sum(weight)
        cdf = prob.cumsum()
        if len(cdf):
            cdf /= cdf[-1]
        return ix, prob, cdf


def _neuron_only(what):
    return NotImplementedError(
        f"netbuild's native SWCReader has no {what} (NEURON's objects); run with "
        "NETBUILD_BMTK_SWC=neuron in the environment to use BMTK's NEURON-based reader")


class SWCReader:
    """BMTK's ``SWCReader`` (one cell's morphology), natively: see the module's docs."""

    sec_type_swc = dict(_SEC_TYPES)

    def __init__(self, swc_path, rng_seed=None):
        self.swc_path = swc_path
        self.rng_seed = rng_seed
        # Seeded: BMTK's own generator. Unseeded: numpy's global one (module docs).
        self._prng = np.random if rng_seed is None else np.random.RandomState(rng_seed)
        self._dl = None
        self._axon_fixed = False
        self._morph = None
        self._seg_coords = None
        self._soma_pos = None

    # The cell, read when first needed, so that set_segment_dl and fix_axon come first.
    @property
    def _m(self):
        if self._morph is None:
            self._morph = _Morphology.get(self.swc_path, self._axon_fixed, self._dl)
        return self._morph

    def _copy(self):
        new = SWCReader(self.swc_path, rng_seed=self.rng_seed)
        new._axon_fixed = self._axon_fixed
        new._dl = self._dl
        new._morph = self._morph
        return new

    @property
    def seg_props(self):
        return self._m.props

    @property
    def seg_coords(self):
        if self._seg_coords is None:
            c = self._m.coords
            self._seg_coords = SegmentCoords(c.p0.copy(), c.p1.copy(), c.p05.copy())
        return self._seg_coords

    @property
    def nseg(self):
        return len(self._m.props.x)

    @property
    def n_sections(self):
        return len(self._m.swc_ids)

    @property
    def soma_position(self):
        if self._soma_pos is None:
            self._soma_pos = self._m.soma_position.copy()
        return self._soma_pos

    @property
    def hobj(self):
        raise _neuron_only("hobj")

    @property
    def sections(self):
        raise _neuron_only("sections")

    @property
    def swc_map(self):
        raise _neuron_only("swc_map")

    def get_section(self, section_idx):
        raise _neuron_only("get_section")

    def delete_axon(self):
        raise _neuron_only("delete_axon")

    def fix_axon(self):
        """BMTK's ``fix_axon``: the axon replaced by two 30 um sections."""
        self._axon_fixed = True
        self._morph = None

    def set_segment_dl(self, dl):
        """BMTK's ``set_segment_dl``: ``1 + 2 * int(L / (2 dl))`` segments per section."""
        if self._seg_coords is not None:
            raise RuntimeError("Unable to segment the morphology after coordinates have "
                               "already been calculated")
        if self._axon_fixed:
            raise NotImplementedError(
                "netbuild's native SWCReader segments a cell before fix_axon (as get_swc "
                "does), not after; run with NETBUILD_BMTK_SWC=neuron for BMTK's reader")
        self._dl = dl
        self._morph = None

    def find_sections(self, section_names, distance_range):
        """The segments of the named types overlapping ``distance_range`` (um from the soma)
        and the probability of each (its length inside the range)."""
        ix, prob, _ = self._m.query(section_names, distance_range)
        return ix.copy(), prob.copy()

    def choose_sections(self, section_names, distance_range, n_sections=1):
        """``n_sections`` draws of ``find_sections``' segments: their section ids and x."""
        ix, prob, cdf = self._m.query(section_names, distance_range)
        if len(ix) == 0:
            # No candidate: numpy's own error, as BMTK raises it.
            self._prng.choice(ix, n_sections, p=prob)
        picked = ix[cdf.searchsorted(self._prng.random_sample(n_sections), side="right")]
        p = self._m.props
        return p.sec_id[picked], p.x[picked]

    def get_swc_id(self, sec_id, sec_x):
        """The SWC point of section ``sec_id`` nearest before ``sec_x`` (taking the section's
        points as evenly spaced, as BMTK does) and the fraction of the way from it."""
        ids = self._m.swc_ids[sec_id]
        if len(ids) == 1:
            return ids[0], sec_x
        place = max(0.0, sec_x * len(ids) - 1.0)
        index = int(math.ceil(place))
        return ids[index], np.float64(index - place)

    def get_coords(self, sec_id, sec_x):
        """The centre of the segment of section ``sec_id`` nearest ``sec_x``."""
        p = self._m.props
        segs = np.argwhere(p.sec_id == sec_id).flatten()
        nearest = np.argmin(abs(sec_x - p.x[segs]))
        return self.seg_coords.p05[:, segs][:, nearest]

    def move_and_rotate(self, soma_coords=None, rotation_angles=None, inplace=False):
        """The cell rotated about its soma by the x, y, z angles (applied z first), then moved
        so that its soma is at ``soma_coords``; a new reader unless ``inplace``."""
        c = self.seg_coords
        p0, p1, p05 = c.p0.copy(), c.p1.copy(), c.p05.copy()
        soma = self.soma_position.copy()
        if rotation_angles is not None:
            assert len(rotation_angles) == 3
            centre = soma.reshape((3, 1))
            rot = np.dot(rotation_matrix([1, 0, 0], rotation_angles[0]),
                         rotation_matrix([0, 1, 0], rotation_angles[1]).dot(
                             rotation_matrix([0, 0, 1], rotation_angles[2])))
            p0, p1, p05 = (np.dot(rot, q - centre) + centre for q in (p0, p1, p05))
        if soma_coords is not None:
            assert len(soma_coords) == 3
            target = soma_coords if isinstance(soma_coords, np.ndarray) else np.array(soma_coords)
            shift = (target - self.soma_position).reshape((3, 1))
            p0, p1, p05 = p0 + shift, p1 + shift, p05 + shift
            soma = target
        reader = self if inplace else self._copy()
        reader._seg_coords = SegmentCoords(p0=p0, p1=p1, p05=p05)
        if not inplace:
            reader._soma_pos = soma
        return reader


def get_swc(cell, morphology_dir=None, use_cache=False, dL=None):
    """BMTK's ``get_swc``: the reader of ``cell['morphology']`` (in ``morphology_dir``,
    ``.swc`` appended when the name without it does not exist), segmented by ``dL``, its axon
    fixed for ``model_processing == 'aibs_perisomatic'``, rotated by the cell's
    ``rotation_angle_{x,y,z}axis`` and moved to its ``x, y, z`` (those it has, 0 for the
    others); kept per (population, node id) with ``use_cache``."""
    population = cell.get("population", "default")
    node_id = cell["node_id"]
    if use_cache:
        hit = swc_cache.get(population, {}).get(node_id)
        if hit is not None:
            return hit
    path = cell["morphology"]
    if morphology_dir:
        path = os.path.join(morphology_dir, path)
    if not path.endswith(".swc") and not os.path.exists(path):
        path += ".swc"
    if not os.path.exists(path):
        raise ValueError(f"File {path} does not exists.")
    swc = SWCReader(path)
    if dL:
        swc.set_segment_dl(dL)
    if cell.get("model_processing", "NULL") == "aibs_perisomatic":
        swc.fix_axon()
    position = rotation = None
    if any(k in cell for k in ("x", "y", "z")):
        position = [cell.get(k, 0.0) for k in ("x", "y", "z")]
    angles = ("rotation_angle_xaxis", "rotation_angle_yaxis", "rotation_angle_zaxis")
    if any(k in cell for k in angles):
        rotation = [cell.get(k, 0.0) for k in angles]
    swc = swc.move_and_rotate(soma_coords=position, rotation_angles=rotation)
    if use_cache:
        swc_cache.setdefault(population, {})[node_id] = swc
    return swc


_EXPORTS = ("SWCReader", "get_swc", "swc_cache", "rotation_matrix", "SegmentProps",
            "SegmentCoords")


class _Loader(importlib.abc.Loader):
    """Makes ``bmtk.builder.bionet.swc_reader`` this module's public names."""

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__doc__ = __doc__
        for name in _EXPORTS:
            setattr(module, name, globals()[name])


class _Finder(importlib.abc.MetaPathFinder):
    """Answers the import of ``bmtk.builder.bionet.swc_reader`` with :class:`_Loader`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != BMTK_MODULE:
            return None
        return importlib.util.spec_from_loader(fullname, _Loader(), origin=__file__)


def install():
    """Serves BMTK's swc_reader natively from now on (module docs); nothing when
    ``NETBUILD_BMTK_SWC=neuron``. Idempotent."""
    if os.environ.get("NETBUILD_BMTK_SWC", "").lower() == "neuron":
        return
    bmtk_module = sys.modules.get(BMTK_MODULE)
    if bmtk_module is not None:
        # Imported before netbuild: BMTK's get_swc (held by the script) looks SWCReader up
        # in its module at each call.
        if getattr(bmtk_module, "__loader__", None).__class__ is not _Loader:
            bmtk_module.SWCReader = SWCReader
            package = sys.modules.get(BMTK_MODULE.rsplit(".", 1)[0])
            if package is not None and hasattr(package, "SWCReader"):
                package.SWCReader = SWCReader
        return
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
