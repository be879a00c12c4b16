"""netbuild's Python front: BMTK ``bmtk.builder.NetworkBuilder`` scripts, built by netbuild.

Change one import::

    from netbuild import NetworkBuilder      # instead of: from bmtk.builder import NetworkBuilder

and the script's ``add_nodes`` / ``add_edges`` / ``add_properties`` / ``add_gap_junctions`` /
``build`` / ``save`` calls become a netbuild spec (the same one ``netbuild-mpi`` reads), with the
script's Python functions attached to their edge types; ``save`` builds it with the binary's
library and writes the files the binary writes. Under ``mpirun -n K python build.py`` the
targets of every edge type are split over the ranks and the files are written once.

Module contents:

- :class:`NetworkBuilder` (``netbuild.builder``): BMTK's builder API.
- :mod:`netbuild.rules`: connection rules and per-edge values that run at native speed
  (``rules.probability("0.1 * exp(-d / 100)", max_distance=300)``, ``rules.indegree(50)``,
  ``rules.expr("normal(0.5, 0.1)")``, ``rules.uniform(0, 1000)``, ...).
- :mod:`netbuild.swc_reader`: BMTK's ``bmtk.builder.bionet.swc_reader`` (``get_swc``,
  ``SWCReader``) without NEURON, installed under BMTK's name on import.
- :func:`seed`: the seed of netbuild's own draws; :func:`rank`, :func:`size`: this process's
  MPI rank and the number of ranks.
"""

import atexit as _atexit
import sys as _sys

from . import _netbuild, _staging, rules, swc_reader
from .builder import NetworkBuilder, NetbuildError, seed

__all__ = ["NetworkBuilder", "NetbuildError", "rules", "seed", "rank", "size", "barrier"]


def rank():
    """This process's MPI rank (0 without ``mpirun``)."""
    return _netbuild.rank()


def size():
    """The number of MPI ranks (1 without ``mpirun``)."""
    return _netbuild.size()


def barrier():
    """Waits for every rank (nothing without ``mpirun``)."""
    _netbuild.barrier()


# BMTK's SWC reader, which a script's own functions call, served natively (netbuild.swc_reader).
swc_reader.install()

# MPI was initialised on import under mpirun; it must end collectively when the script ends.
_atexit.register(_netbuild.finalize)


def _abort_on_uncaught_exception(previous):
    """Under MPI, an exception that ends the script on one rank would leave the others waiting
    in their next collective (and MPI_Finalize) forever: print it, then end the whole job."""

    def hook(kind, value, tb):
        previous(kind, value, tb)
        _sys.stderr.flush()
        # The job ends without atexit: the builds' staging folders go now.
        _staging.discard()
        _netbuild.abort(1, f"uncaught Python exception {kind.__name__} (traceback above)")

    return hook


if _netbuild.is_mpi() and _netbuild.size() > 1:
    _sys.excepthook = _abort_on_uncaught_exception(_sys.excepthook)
