"""Where a builder's circuit is built once, and how its files reach the folders a script names.

In: a built SONATA folder (the staging folder: netbuild's Rust build writes a whole circuit
there, hidden in the working directory) and the file names BMTK's ``save_nodes`` /
``save_edges`` would write. Out: those files in place, each one complete or not at all (hard
linked or copied beside its destination under a temporary name, then renamed over it), listed in
the destination folder's manifest ``.netbuild.json`` (the list of files netbuild wrote there,
which netbuild alone may replace).

Every rank calls these functions together: rank 0 moves files, the others wait at a barrier.
"""

import atexit
import logging
import os
import shutil

from . import _netbuild

logger = logging.getLogger("netbuild")

MANIFEST = ".netbuild.json"
# Staging folders of this process, removed when the script ends.
_STAGED = set()


class OverwriteError(FileExistsError):
    """A file is in the way: ``force_overwrite=False`` was asked, or netbuild did not write it."""


def _job_token():
    """A name the ranks of one job share and other jobs do not (the launcher's job id), or
    this process's id without a launcher."""
    if _netbuild.size() == 1:
        return str(os.getpid())
    for var in ("PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid", "SLURM_JOB_ID"):
        v = os.environ.get(var)
        if v:
            step = os.environ.get("SLURM_STEP_ID", "") if var == "SLURM_JOB_ID" else ""
            return "".join(c if c.isalnum() else "-" for c in v + step)[-24:]
    return "mpi"


def staging_dir(name, digest):
    """The staging folder of a build of network ``name`` whose spec hashes to ``digest``: hidden,
    in the working directory (shared by the ranks, as the output folder is)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40]
    path = os.path.join(os.getcwd(), f".netbuild-stage-{safe}-{digest[:12]}-{_job_token()}")
    _STAGED.add(path)
    return path


def remove(path):
    """Removes a staging folder (rank 0), then waits for every rank."""
    if _netbuild.rank() == 0 and os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    _netbuild.barrier()


def discard():
    """Removes this process's staging folders now (any rank: a job about to end on an uncaught
    exception, whose other ranks are ended with it)."""
    for path in _STAGED:
        shutil.rmtree(path, ignore_errors=True)


@atexit.register
def _remove_all():
    # Registered before netbuild's MPI finalisation (at import), so it runs after it: every
    # rank is done with the files by then.
    if _netbuild.rank() == 0:
        discard()


def bmtk_path(file_name, output_dir, default):
    """BMTK's rule for a file argument: None -> ``output_dir/default``; an absolute path as it
    is; a relative one inside ``output_dir``."""
    if file_name is None:
        return os.path.join(output_dir, default)
    return os.path.join(output_dir, file_name)


def written_by_netbuild(path):
    """Whether the existing file ``path`` is netbuild's: listed in its folder's manifest and
    unchanged since netbuild wrote it, or, in a folder without one (a netbuild from before
    manifests), an HDF5 file carrying netbuild's ``netbuild_version`` attribute or the type table
    beside one. The Rust build's rules (``netbuild::output::manifest``), one implementation."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        return _netbuild.is_netbuilds(folder, name)
    except _netbuild.OutputError as e:
        raise OverwriteError(str(e)) from None


def check_free(paths, force_overwrite):
    """Raises :class:`OverwriteError` before anything is written if a file of ``paths`` exists
    and may not be replaced: ``force_overwrite=False`` replaces nothing (BMTK's refusal); True
    replaces netbuild's own files only. Collective: every rank looks at the same files between
    two barriers (earlier placements are seen; none starts before every rank has looked), so
    every rank raises alike."""
    _netbuild.barrier()
    try:
        _check(paths, force_overwrite)
    finally:
        _netbuild.barrier()


def _check(paths, force_overwrite):
    for p in paths:
        if not os.path.exists(p):
            continue
        where = os.path.abspath(p)
        if not force_overwrite:
            raise OverwriteError(f"{where} exists (force_overwrite=False): as BMTK, netbuild "
                                 "replaces no file then; delete it, use a different name, or "
                                 "use force_overwrite")
        # force_overwrite=True over a file netbuild did not write (BMTK's examples ship the
        # network/ a BMTK build wrote; BMTK's save replaces it): allowed, and place() keeps that
        # file under another name instead of replacing it.
        written_by_netbuild(p)  # (an unreadable manifest is refused here, before any placing)


def foreign(path):
    """Whether ``path`` exists and is not netbuild's (a file place() would keep aside)."""
    return os.path.exists(path) and not written_by_netbuild(path)


def keep_aside(path):
    """Renames the file ``path``, which netbuild did not write, to ``<path>.orig`` (or
    ``.orig.1``, ``.orig.2``, ... when taken): nothing netbuild did not write is deleted or
    overwritten. Returns the new path."""
    aside, n = f"{path}.orig", 0
    while os.path.lexists(aside):
        n += 1
        aside = f"{path}.orig.{n}"
    os.rename(path, aside)
    logger.warning("%s was not written by netbuild: kept as %s (BMTK's save would have "
                   "replaced it)", path, os.path.basename(aside))
    return aside


def place(src, dst):
    """Puts the staged file ``src`` at ``dst`` (complete or not at all) and lists it in the
    manifest of ``dst``'s folder; a file netbuild did not write at ``dst`` is kept aside first
    (:func:`keep_aside`). Rank 0 only; callers wait at a barrier after."""
    folder = os.path.dirname(os.path.abspath(dst)) or "."
    os.makedirs(folder, exist_ok=True)
    if foreign(dst):
        keep_aside(dst)
    tmp = os.path.join(folder, f".{os.path.basename(dst)}.netbuild-{os.getpid()}")
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    record(folder, [os.path.basename(dst)])


def record(folder, names):
    """Adds ``names`` (files of ``folder``, as they are now) to the folder's manifest, written
    aside then renamed (the Rust build's manifest format)."""
    try:
        _netbuild.record_files(os.path.abspath(folder), list(names))
    except _netbuild.OutputError as e:
        raise OverwriteError(str(e)) from None
