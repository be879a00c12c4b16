"""BMTK's ``save``, ``save_nodes`` and ``save_edges``: a build's files placed where the script says.

In: a builder's build in its staging folder (:class:`Stage`: what it was built from, its
summary) and BMTK's save arguments (file names, ``output_dir``, ``force_overwrite``, ``name``).
Out: the files BMTK would write, under BMTK's names, placed from the staging folder (``_staging``:
each complete or not at all, listed in the folder's manifest); BMTK's ``<name>_gap_juncs.h5``
written from the built edges (``_edges``); with one builder in the script, the circuit's config
files too. :class:`Saving` holds the methods ``NetworkBuilder`` has from BMTK.

Every rank calls these together: rank 0 writes, the others wait at a barrier.
"""

import logging
import os
import shutil

from . import _edges, _netbuild, _staging
from ._errors import NetbuildError
from ._spec import Spec

logger = logging.getLogger("netbuild")
# The files BMTK does not write that a build of a whole session adds (see Saving.save).
_CIRCUIT_FILES = ("circuit_config.json", "simulation_config.json", "node_sets.json")


class Stage:
    """One build of a builder, in its staging folder: what it was built from (its :class:`Spec`'s
    keys and options), its summary, and the placing of its files."""

    def __init__(self, path, spec, summary):
        self.path = path
        self.key = spec.key
        self.nodes_key = spec.nodes_key
        self.with_edges = spec.with_edges
        self.compression = spec.compression
        self.compression_given = spec.compression_given
        self.opts = spec.opts_given
        self.whole_session = spec.whole_session
        self.summary = summary

    def serves(self, spec):
        """Whether this build holds what ``spec`` (a :class:`Spec`) would build (a build with
        edges also serves its nodes)."""
        if spec.with_edges:
            return self.with_edges and self.key == spec.key
        return self.nodes_key == spec.nodes_key

    def place(self, names, force_overwrite):
        """Places staged files: ``names`` = [(staged file name, destination)]; collective."""
        missing = [n for n, _ in names if not os.path.exists(os.path.join(self.path, n))]
        if missing:
            raise NetbuildError(f"the build wrote no {', '.join(missing)}")
        check_free([dst for _, dst in names], force_overwrite)
        if _netbuild.rank() == 0:
            for n, dst in names:
                _staging.place(os.path.join(self.path, n), dst)
        _netbuild.barrier()


def check_free(paths, force_overwrite):
    """:func:`_staging.check_free`, its refusal raised as a :class:`NetbuildError` naming the
    file (before anything is written)."""
    try:
        _staging.check_free(paths, force_overwrite)
    except _staging.OverwriteError as e:
        raise NetbuildError(str(e)) from None


class Saving:
    """BMTK's save methods of ``NetworkBuilder``, over the builder's build (``_staged``)."""

    def save(self, output_dir=".", force_overwrite=True, mode="w", compression=None, **opts):
        """BMTK's ``save``: :meth:`save_nodes` then :meth:`save_edges` into ``output_dir``,
        from one build. ``compression``: None or 'none' (the default, as the binary's), 'gzip',
        or a gzip level 1..9. Options: ``memory_budget`` ("2 GiB"), ``spill_dir``, ``sort_by``
        ('target_node_id' or 'source_node_id'), ``threads`` (worker threads per rank; default the
        cores shared by the ranks), ``workers`` (processes evaluating the script's Python
        functions; default the cores, 1 per rank under MPI). When the script has
        one builder, whose ``save`` writes the whole circuit, its ``circuit_config.json``,
        ``simulation_config.json`` and ``node_sets.json`` are written too."""
        st = self._staged(bool(self._maps), compression, opts)
        self.save_nodes(output_dir=output_dir, force_overwrite=force_overwrite, mode=mode,
                        compression=compression, **opts)
        self.save_edges(output_dir=output_dir, force_overwrite=force_overwrite,
                        compression=compression, **opts)
        if st.whole_session:
            # BMTK writes no config files: netbuild's are extras, written only where no file of
            # another's is (a user's own circuit_config.json stays, with a warning).
            paths = []
            for f in _CIRCUIT_FILES:
                p = os.path.join(output_dir, f)
                if not os.path.exists(os.path.join(st.path, f)):
                    continue
                if _staging.foreign(p):
                    if _netbuild.rank() == 0:
                        logger.warning("%s: not written (a file netbuild did not write is there; "
                                       "BMTK writes no config files)", p)
                    continue
                paths.append(p)
            check_free(paths, force_overwrite)
            if _netbuild.rank() == 0:
                for p in paths:
                    _staging.place(os.path.join(st.path, os.path.basename(p)), p)
                for d, _, _ in os.walk(os.path.join(st.path, "components")):
                    os.makedirs(os.path.join(output_dir, os.path.relpath(d, st.path)), exist_ok=True)
            _netbuild.barrier()

    def save_nodes(self, nodes_file_name=None, node_types_file_name=None, output_dir=".",
                   force_overwrite=True, mode="w", compression=None, **opts):
        """BMTK's ``save_nodes``: this network's nodes file and node types CSV, by default
        ``<output_dir>/<name>_nodes.h5`` and ``<name>_node_types.csv`` (a relative file name is
        taken inside ``output_dir``, an absolute one as it is). ``force_overwrite=False``
        refuses to replace an existing file; True replaces netbuild's own files only (never a
        file netbuild did not write). Other arguments as :meth:`save`."""
        if mode != "w":
            raise NetbuildError(f"save_nodes(mode={mode!r}): netbuild writes new files (mode='w')")
        st = self._stage
        if st is None or not st.serves(Spec(self, compression, dict(opts), False)):
            # After build(), the edges come next (save_edges): one build makes both.
            st = self._staged(self._built and bool(self._maps), compression, opts)
        names = [(f"{self._name}_nodes.h5", _staging.bmtk_path(nodes_file_name, output_dir,
                                                                f"{self._name}_nodes.h5")),
                 (f"{self._name}_node_types.csv",
                  _staging.bmtk_path(node_types_file_name, output_dir,
                                     f"{self._name}_node_types.csv"))]
        st.place(names, force_overwrite)

    def save_edges(self, edges_file_name=None, edge_types_file_name=None, output_dir=".",
                   src_network=None, trg_network=None, name=None, force_build=True,
                   force_overwrite=None, compression=None, **opts):
        """BMTK's ``save_edges``: for each (source, target) network pair of this builder's edges,
        ``<src>_<trg>_edges.h5`` (population ``<src>_to_<trg>``, or ``name``) and
        ``<src>_<trg>_edge_types.csv`` in ``output_dir``; ``src_network`` / ``trg_network``
        keep the pairs of those networks; ``edges_file_name`` / ``edge_types_file_name`` name
        the files of the first pair (only the named ones are written, as BMTK does); with gap
        junctions, BMTK's ``<name>_gap_juncs.h5`` (BioNet's gap junction ids) too.
        ``force_build=False`` writes nothing unless :meth:`build` was called. ``force_overwrite``:
        not given, netbuild's own files are replaced (as BMTK, which does not check); False
        refuses to replace an existing file; True as not given. A file netbuild did not write is
        never replaced."""
        if not self._maps:
            logger.warning("No edges have been made for this network, skipping saving of edges file.")
            return
        if not force_build and not self._built:
            logger.warning("Edges are not built. Either call build() or use force_build parameter. "
                           "Skip saving of edges file.")
            return
        st = self._staged(True, compression, opts)
        pairs = []
        for cm in self._maps:
            pair = (cm.source.network_name, cm.target.network_name)
            if pair not in pairs:
                pairs.append(pair)
        pairs = [p for p in pairs if src_network in (None, p[0]) and trg_network in (None, p[1])]
        if not pairs:
            logger.warning("Warning: couldn't find connections. Skip saving.")
            return
        files = [(s, t, f"{s}_{t}_edges.h5", f"{s}_{t}_edge_types.csv") for s, t in pairs]
        if edges_file_name is not None or edge_types_file_name is not None:
            files = [(files[0][0], files[0][1], edges_file_name, edge_types_file_name)]
        names = []
        for s, t, h5, csv in files:
            if csv is not None:
                names.append((f"{s}_{t}_edge_types.csv", os.path.join(output_dir, csv)))
            if h5 is not None and os.path.exists(os.path.join(st.path, f"{s}_{t}_edges.h5")):
                names.append((f"{s}_{t}_edges.h5", os.path.join(output_dir, h5)))
        gaps = [cm for cm in self._ordered_maps() if cm.gap is not None]
        gap_file = os.path.join(output_dir, f"{self._name}_gap_juncs.h5") if gaps else None
        force = True if force_overwrite is None else force_overwrite
        check_free([dst for _, dst in names] + ([gap_file] if gap_file else []), force)
        st.place(names, force)
        if name is not None:
            self._rename_populations(files, output_dir, name)
        if gap_file:
            self._save_gap_junctions(st, gaps, gap_file, compression)

    def _rename_populations(self, files, output_dir, name):
        """``save_edges(name=...)``: the edges population of the written file renamed (h5py)."""
        if _netbuild.rank() == 0:
            h5py = _edges._h5py("save_edges(name=...)")
            for s, t, h5, _ in files:
                path = os.path.join(output_dir, h5) if h5 is not None else None
                if path is None or not os.path.exists(path):
                    continue
                # The placed file may be a hard link of the staged one: rename in a copy.
                tmp = path + f".netbuild-{os.getpid()}"
                shutil.copyfile(path, tmp)
                with h5py.File(tmp, "r+") as h:
                    h["edges"].move(f"{s}_to_{t}", name)
                os.replace(tmp, path)
        _netbuild.barrier()

    def _save_gap_junctions(self, st, gaps, path, compression):
        """BMTK's ``<name>_gap_juncs.h5``, which BioNet reads for the ids of each gap junction's
        two sides: one row per gap junction, the builder's gap junction edge types in order."""
        if _netbuild.rank() == 0:
            types = [_edges.read_edge_type(st.path, cm.source.network_name,
                                           cm.target.network_name, cm.edge_type_id) for cm in gaps]
            table, self._gap_id = _edges.gap_junction_table(types, self._gap_id)
            if len(table["source_ids"]):
                level = {"none": None, "gzip": "gzip"}.get(st.compression,
                                                           str(st.compression).split(":")[-1])
                _edges.write_gap_junctions(path, table, int(level) if level and level.isdigit()
                                           else level)
                _staging.record(os.path.dirname(os.path.abspath(path)), [os.path.basename(path)])
        _netbuild.barrier()
