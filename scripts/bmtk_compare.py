"""The circuit a BMTK builder script wrote under BMTK, compared with the one it wrote under netbuild.

Used by scripts/bmtk_examples.py (BMTK's own example scripts) and
crates/python/tests/test_corpus.py (the project's BMTK-style scripts): each script runs once per
tool, each time in a fresh copy of its folder. In: the two copies and what each run wrote (`snapshot` before the run, `changes` after it).
Out: `compare(...)` returns a `Comparison`: `problems` (sentences; none means the circuits agree)
and `notes` (differences that do not count against netbuild, e.g. node values a script drew from
numpy after a build). What is compared:

- files: each SONATA file BMTK wrote (nodes and edges .h5, node and edge types .csv,
  `<net>_gap_juncs.h5`), netbuild wrote at the same path; netbuild deleted or overwrote no file
  of the script's folder that BMTK left alone;
- node types CSV: rows in file order, equal by value but for node_type_id (numbers as numbers,
  lists as lists; a missing column, NULL and an empty cell alike); nodes .h5: per population the same count, each
  node's type (by its row in the node types CSV: ids may differ), the same group columns and
  dtypes, and the same values unless the values are not deterministic (then a note);
- edge types CSV: rows matched by declaration order (BMTK writes them in add_edges order), equal
  by value but for edge_type_id;
- per edge type (an edge's type by its row in the edge types CSV): synapses (the per-edge nsyns,
  else rows times the type's nsyns, else rows) within 5 sd: the variance of a sum of independent
  pairs' synapse counts is at most the sum of their squares, summed over both runs; an nsyns that
  BMTK gives every edge of a type (at least 10 edges, or all of them while netbuild's are all
  another value) is netbuild's for every edge too; the same
  per-edge property columns and dtypes; the same source and target node populations;
- gap junction tables (`<net>_gap_juncs.h5`): the same datasets, junction counts within 5 sd;
- libsonata: each .h5 of BMTK's that libsonata opens (every population, every attribute read,
  each edge population's source and target ids), it opens of netbuild's.
"""

import ast
import csv
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

# An nsyns the same for this many edges of a BMTK edge type is that type's constant nsyns.
CONSTANT_NSYNS_MIN_EDGES = 10
SDS = 5.0


@dataclass
class Comparison:
    """What differs between BMTK's circuit and netbuild's: `problems` count against netbuild,
    `notes` do not (they are reported beside)."""

    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def agree(self):
        return not self.problems


def snapshot(folder):
    """{relative path: (mtime_ns, size)} of every file under `folder` (symlinks not followed)."""
    out = {}
    folder = Path(folder)
    for dirpath, _dirs, files in os.walk(folder):
        for f in files:
            p = Path(dirpath) / f
            try:
                st = p.lstat()
            except FileNotFoundError:
                continue
            out[str(p.relative_to(folder))] = (st.st_mtime_ns, st.st_size)
    return out


def changes(before, folder, original=None):
    """What a run did to `folder` since `before` (a `snapshot`): {"written": files it made or
    changed, "overwritten": those of them that were there at `original` (an earlier snapshot,
    the user's files; default `before`), "deleted": files of `original` it removed}; sorted
    relative paths."""
    original = before if original is None else original
    after = snapshot(folder)
    written = sorted(p for p, s in after.items() if before.get(p) != s)
    return {"written": written,
            "overwritten": [p for p in written if p in original],
            "deleted": sorted(p for p in original if p in before and p not in after)}


def sonata_files(folder, written):
    """{kind: [relative paths]} of the written files that are SONATA circuit files:
    kinds "nodes", "edges" (.h5), "node_types", "edge_types" (.csv), "gap" (`*_gap_juncs.h5`)."""
    kinds = {k: [] for k in ("nodes", "edges", "node_types", "edge_types", "gap")}
    for rel in written:
        p = Path(folder) / rel
        if rel.endswith("_gap_juncs.h5"):
            kinds["gap"].append(rel)
        elif rel.endswith((".h5", ".hdf5")):
            try:
                with h5py.File(p, "r") as h:
                    top = set(h.keys())
            except OSError:
                continue
            if "nodes" in top:
                kinds["nodes"].append(rel)
            elif "edges" in top:
                kinds["edges"].append(rel)
        elif rel.endswith(".csv"):
            try:
                with open(p) as fh:
                    head = fh.readline().split()
            except (OSError, UnicodeDecodeError):
                continue
            if head[:1] == ["node_type_id"]:
                kinds["node_types"].append(rel)
            elif head[:1] == ["edge_type_id"]:
                kinds["edge_types"].append(rel)
    return kinds


def _value(text):
    """A CSV cell as a value to compare: numbers as floats, Python literals (lists, dicts) with
    their numbers as floats, anything else as its text."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return _numbers_as_floats(ast.literal_eval(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _numbers_as_floats(v):
    if isinstance(v, bool) or isinstance(v, str) or v is None:
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [_numbers_as_floats(x) for x in v]
    if isinstance(v, dict):
        return {k: _numbers_as_floats(x) for k, x in v.items()}
    return v


def types_rows(path, id_column):
    """The rows of a node or edge types CSV in file order: [(id, {column: value})], the id
    column and empty cells left out: NULL, and the empty text BMTK writes for None (two
    spaces in a row), both of which a SONATA reader (pandas) reads as missing."""
    with open(path, newline="") as fh:
        reader = csv.reader(fh, delimiter=" ")
        header = next(reader)
        rows = []
        for r in reader:
            if not r:
                continue
            d = dict(zip(header, r))
            type_id = int(d.pop(id_column))
            rows.append((type_id, {k: _value(v) for k, v in d.items() if v not in ("NULL", "")}))
    return rows


def _csv_for(h5_rel, csvs, suffix_h5, suffix_csv, ids):
    """The types CSV of an .h5 file: `X_edge_types.csv` beside `X_edges.h5`, else, of the CSVs
    that hold all of `ids`, the one whose path shares the longest start with the .h5's
    (save_nodes(nodes_file_name='drive_n.h5', node_types_file_name='drive_nt.csv') names them
    apart; networks number their types alike, so ids alone are ambiguous)."""
    if h5_rel.endswith(suffix_h5):
        twin = h5_rel[: -len(suffix_h5)] + suffix_csv
        if twin in csvs:
            return twin
    holding = [rel for rel, pos in csvs.items() if set(ids) <= set(pos)]
    shared = {rel: len(os.path.commonprefix([rel, h5_rel])) for rel in holding}
    best = [rel for rel in holding if shared[rel] == max(shared.values())]
    return best[0] if len(best) == 1 else None


def _compare_type_rows(kind, rel, rows_b, rows_n, problems):
    if len(rows_b) != len(rows_n):
        problems.append(f"{rel}: {len(rows_b)} {kind} types under BMTK, {len(rows_n)} under netbuild")
    for i, ((_, a), (_, b)) in enumerate(zip(rows_b, rows_n)):
        if a != b:
            diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            shown = "; ".join(f"{k}: BMTK {a.get(k, 'NULL')!r}, netbuild {b.get(k, 'NULL')!r}"
                              for k in diff[:6])
            problems.append(f"{rel}: {kind} type #{i + 1} (declaration order) differs: {shown}")


def _datasets(group):
    return {k: v for k, v in group.items() if isinstance(v, h5py.Dataset)}


def _paired_populations(bmtk, nb, rel, top, problems):
    """(name, BMTK's population group, netbuild's) for each population of `top` ("nodes" or
    "edges") in both tools' file `rel`, the files kept open; a population of one tool only is
    a problem."""
    with h5py.File(Path(bmtk) / rel, "r") as hb, h5py.File(Path(nb) / rel, "r") as hn:
        pb, pn = dict(hb[top]), dict(hn[top])
        if sorted(pb) != sorted(pn):
            problems.append(f"{rel}: {top[:-1]} populations BMTK {sorted(pb)}, netbuild {sorted(pn)}")
        for name in sorted(set(pb) & set(pn)):
            yield name, pb[name], pn[name]


def _node_columns(pop):
    """{column: array over the population's nodes in node order} (NaN-free: each node's value
    from its own group; a column absent from a node's group is None there) and
    {column: (dtype, shape[1:])} per group column."""
    gid, gidx = pop["node_group_id"][()], pop["node_group_index"][()]
    cols, meta = {}, {}
    for g in sorted(k for k in pop if k.isdigit()):
        sel = np.flatnonzero(gid == int(g))
        for c, ds in _datasets(pop[g]).items():
            meta.setdefault(c, set()).add((str(ds.dtype), ds.shape[1:]))
            vals = ds[()]
            col = cols.setdefault(c, [None] * len(gid))
            for n, i in zip(sel, gidx[sel]):
                col[n] = vals[i]
    return cols, {c: sorted(m) for c, m in meta.items()}


def _same_values(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x is None or y is None:
            if x is not y:
                return False
            continue
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            return False
        if x.dtype.kind == "f" or y.dtype.kind == "f":
            if not np.array_equal(x.astype(float), y.astype(float), equal_nan=True):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


def _compare_nodes(bmtk, nb, rel, types_b, types_n, problems, notes, node_values):
    for name, a, b in _paired_populations(bmtk, nb, rel, "nodes", problems):
        na, nb_ = len(a["node_type_id"]), len(b["node_type_id"])
        if na != nb_:
            problems.append(f"{rel}: population {name}: {na} nodes under BMTK, {nb_} under netbuild")
            continue
        ta, tb = a["node_type_id"][()], b["node_type_id"][()]
        ca = _csv_for(rel, types_b, "_nodes.h5", "_node_types.csv", set(ta.tolist()))
        cb = _csv_for(rel, types_n, "_nodes.h5", "_node_types.csv", set(tb.tolist()))
        if ca is None or cb is None:
            problems.append(f"{rel}: population {name}: no node types CSV holds its node types "
                            f"(BMTK: {ca}, netbuild: {cb})")
        else:
            ra = [types_b[ca].get(int(t)) for t in ta]
            rb = [types_n[cb].get(int(t)) for t in tb]
            if ra != rb:
                bad = next(i for i, (x, y) in enumerate(zip(ra, rb)) if x != y)
                problems.append(f"{rel}: population {name}: node {bad}'s type is row "
                                f"{ra[bad]} of {ca} under BMTK, row {rb[bad]} of {cb} under netbuild")
        cols_a, meta_a = _node_columns(a)
        cols_b, meta_b = _node_columns(b)
        if meta_a != meta_b:
            diff = sorted(c for c in set(meta_a) | set(meta_b) if meta_a.get(c) != meta_b.get(c))
            problems.append(f"{rel}: population {name}: node columns differ: " + "; ".join(
                f"{c}: BMTK {meta_a.get(c)}, netbuild {meta_b.get(c)}" for c in diff[:8]))
        differ = sorted(c for c in set(cols_a) & set(cols_b)
                        if not _same_values(cols_a[c], cols_b[c]))
        if differ:
            text = f"{rel}: population {name}: node values differ in {', '.join(differ)}"
            (problems if node_values else notes).append(text)


def _edge_types_of(h5_rel, pop, types):
    ids = np.unique(pop["edge_type_id"][()]).tolist()
    return _csv_for(h5_rel, types, "_edges.h5", "_edge_types.csv", ids)


def _per_type(pop, csv_rows, positions):
    """{row index of the type in its CSV: {"edges", "synapses", "sq" (sum of squared synapse
    counts), "nsyns" (set of per-edge counts, or None), "columns"}}."""
    type_ids = pop["edge_type_id"][()]
    gid, gidx = pop["edge_group_id"][()], pop["edge_group_index"][()]
    groups = {int(g): _datasets(pop[g]) for g in pop if g.isdigit()}
    out = {}
    for t in np.unique(type_ids):
        sel = type_ids == t
        row = positions.get(int(t))
        type_props = csv_rows[row][1] if row is not None else {}
        const = type_props.get("nsyns")
        syn = np.empty(int(sel.sum()), dtype=np.int64)
        cols = set()
        for g in np.unique(gid[sel]):
            in_g = gid[sel] == g
            ds = groups.get(int(g), {})
            cols |= {(c, str(d.dtype)) for c, d in ds.items()}
            if "nsyns" in ds:
                syn[in_g] = ds["nsyns"][()][gidx[sel][in_g]]
            else:
                syn[in_g] = int(const) if isinstance(const, float) else 1
        per_edge = any("nsyns" in groups.get(int(g), {}) for g in np.unique(gid[sel]))
        out[row if row is not None else f"id {int(t)}"] = {
            "edges": int(sel.sum()), "synapses": int(syn.sum()),
            "sq": float(np.square(syn.astype(float)).sum()),
            "nsyns": set(np.unique(syn).tolist()) if per_edge else None,
            "columns": sorted(cols)}
    return out


def _edge_rows(pop, positions):
    """Every edge as (its type's row in the types CSV, source, target, ((column, value), ...)),
    sorted: a population's edges whatever their order in the file."""
    type_ids = pop["edge_type_id"][()]
    src, trg = pop["source_node_id"][()], pop["target_node_id"][()]
    gid, gidx = pop["edge_group_id"][()], pop["edge_group_index"][()]
    groups = {int(g): {c: d[()] for c, d in _datasets(pop[g]).items()} for g in pop if g.isdigit()}
    out = []
    for t, s, d, g, i in zip(type_ids.tolist(), src.tolist(), trg.tolist(), gid.tolist(), gidx.tolist()):
        cols = groups.get(g, {})
        vals = tuple(sorted((c, v[i].item() if hasattr(v[i], "item") else v[i]) for c, v in cols.items()))
        out.append((positions.get(t, -1), s, d, vals))
    return sorted(out, key=repr)


def _compare_edges(bmtk, nb, rel, types_b, types_n, rows_b, rows_n, problems, edge_values=False):
    for name, a, b in _paired_populations(bmtk, nb, rel, "edges", problems):
        for end in ("source_node_id", "target_node_id"):
            xa = a[end].attrs.get("node_population")
            xb = b[end].attrs.get("node_population")
            xa, xb = (x.decode() if isinstance(x, bytes) else x for x in (xa, xb))
            if xa != xb:
                problems.append(f"{rel}: {name}: {end} node_population BMTK {xa!r}, netbuild {xb!r}")
        ca, cb = _edge_types_of(rel, a, types_b), _edge_types_of(rel, b, types_n)
        if ca is None or cb is None:
            problems.append(f"{rel}: {name}: no edge types CSV holds its edge types "
                            f"(BMTK: {ca}, netbuild: {cb})")
            continue
        if edge_values:
            ea, eb = _edge_rows(a, types_b[ca]), _edge_rows(b, types_n[cb])
            if ea != eb:
                diff = next((x, y) for x, y in zip(ea + [None] * len(eb), eb + [None] * len(ea))
                            if x != y)
                problems.append(f"{rel}: {name}: edges differ ({len(ea)} under BMTK, {len(eb)} "
                                f"under netbuild); first difference: BMTK {diff[0]}, "
                                f"netbuild {diff[1]}")
        ta = _per_type(a, rows_b[ca], types_b[ca])
        tb = _per_type(b, rows_n[cb], types_n[cb])
        for key in sorted(set(ta) | set(tb), key=str):
            x = ta.get(key, {"edges": 0, "synapses": 0, "sq": 0.0, "nsyns": None, "columns": []})
            y = tb.get(key, {"edges": 0, "synapses": 0, "sq": 0.0, "nsyns": None, "columns": []})
            what = f"{rel}: {name}: edge type #{key + 1}" if isinstance(key, int) else f"{rel}: {name}: edge type {key}"
            sd = math.sqrt(x["sq"] + y["sq"])
            if abs(x["synapses"] - y["synapses"]) > SDS * sd:
                problems.append(f"{what}: {x['synapses']} synapses ({x['edges']} edges) under BMTK, "
                                f"{y['synapses']} ({y['edges']} edges) under netbuild: "
                                f"more than {SDS:g} sd ({sd:.1f}) apart")
            # BMTK's nsyns is a constant: the same for many edges, or for all of its edges
            # while netbuild's are another constant (nsyns=20 over one pair per type).
            constant = (x["nsyns"] is not None and len(x["nsyns"]) == 1 and y["edges"] > 0
                        and (x["edges"] >= CONSTANT_NSYNS_MIN_EDGES
                             or y["nsyns"] is None or len(y["nsyns"]) == 1))
            if constant:
                (v,) = x["nsyns"]
                got = y["nsyns"] if y["nsyns"] is not None else {"(no nsyns column)"}
                if got != {v}:
                    problems.append(f"{what}: nsyns is {v} for every edge under BMTK, "
                                    f"{sorted(got, key=str)} under netbuild")
            if x["edges"] and y["edges"] and x["columns"] != y["columns"]:
                problems.append(f"{what}: per-edge columns BMTK {x['columns']}, netbuild {y['columns']}")


def _compare_gap(bmtk, nb, rel, problems):
    with h5py.File(Path(bmtk) / rel, "r") as hb, h5py.File(Path(nb) / rel, "r") as hn:
        if sorted(_datasets(hb)) != sorted(_datasets(hn)):
            problems.append(f"{rel}: datasets BMTK {sorted(_datasets(hb))}, netbuild {sorted(_datasets(hn))}")
            return
        x, y = len(hb["source_ids"]), len(hn["source_ids"])
        if abs(x - y) > SDS * math.sqrt(x + y):
            problems.append(f"{rel}: {x} gap junctions under BMTK, {y} under netbuild")


def libsonata_reads(path, kind):
    """None if libsonata opens `path` (a "nodes" or "edges" .h5), reads every attribute of
    every population (and an edge population's source and target ids); else its error."""
    import libsonata

    # HDF5 prints its error stack on stderr (fd 2) before libsonata raises: keep it for the
    # returned message's sake only.
    saved, sink = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 2)
    try:
        storage = (libsonata.NodeStorage if kind == "nodes" else libsonata.EdgeStorage)(str(path))
        for name in sorted(storage.population_names):
            pop = storage.open_population(name)
            sel = libsonata.Selection([(0, pop.size)]) if pop.size else libsonata.Selection([])
            for attr in sorted(pop.attribute_names):
                pop.get_attribute(attr, sel)
            if kind == "edges":
                pop.source_nodes(sel)
                pop.target_nodes(sel)
    except Exception as e:  # noqa: BLE001 (libsonata raises several kinds; each is a finding)
        return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(sink)
    return None


def compare(bmtk, nb, changes_bmtk, changes_nb, node_values=True, edge_values=False):
    """Compares the circuit files BMTK's run wrote into folder `bmtk` with netbuild's in `nb`
    (each run's `changes`). `node_values=False`: differing node values are notes, not problems
    (for scripts that draw node values from numpy after a build). `edge_values=True` (for
    scripts whose rules draw nothing): every edge, with its synapses and per-edge values, the
    same (in any order)."""
    out = Comparison()
    fb = sonata_files(bmtk, changes_bmtk["written"])
    fn = sonata_files(nb, changes_nb["written"])
    for kind in fb:
        missing = sorted(set(fb[kind]) - set(fn[kind]))
        extra = sorted(set(fn[kind]) - set(fb[kind]))
        if missing:
            out.problems.append(f"netbuild did not write {', '.join(missing)}")
        if extra:
            out.notes.append(f"netbuild also wrote {', '.join(extra)}")
    for what, verb in (("deleted", "deleted"), ("overwritten", "overwrote")):
        foreign = sorted(set(changes_nb[what]) - set(changes_bmtk[what]))
        if foreign:
            out.problems.append(f"netbuild {verb} {len(foreign)} file(s) of the script's folder that "
                                f"BMTK left alone: {', '.join(foreign[:5])}")

    nt_b = {rel: types_rows(Path(bmtk) / rel, "node_type_id") for rel in fb["node_types"]}
    nt_n = {rel: types_rows(Path(nb) / rel, "node_type_id") for rel in fn["node_types"]}
    et_b = {rel: types_rows(Path(bmtk) / rel, "edge_type_id") for rel in fb["edge_types"]}
    et_n = {rel: types_rows(Path(nb) / rel, "edge_type_id") for rel in fn["edge_types"]}
    for rel in sorted(set(nt_b) & set(nt_n)):
        _compare_type_rows("node", rel, nt_b[rel], nt_n[rel], out.problems)
    for rel in sorted(set(et_b) & set(et_n)):
        _compare_type_rows("edge", rel, et_b[rel], et_n[rel], out.problems)
    pos_nb = {rel: {tid: i for i, (tid, _) in enumerate(r)} for rel, r in nt_b.items()}
    pos_nn = {rel: {tid: i for i, (tid, _) in enumerate(r)} for rel, r in nt_n.items()}
    pos_eb = {rel: {tid: i for i, (tid, _) in enumerate(r)} for rel, r in et_b.items()}
    pos_en = {rel: {tid: i for i, (tid, _) in enumerate(r)} for rel, r in et_n.items()}

    for rel in sorted(set(fb["nodes"]) & set(fn["nodes"])):
        _compare_nodes(bmtk, nb, rel, pos_nb, pos_nn, out.problems, out.notes, node_values)
    for rel in sorted(set(fb["edges"]) & set(fn["edges"])):
        _compare_edges(bmtk, nb, rel, pos_eb, pos_en, et_b, et_n, out.problems, edge_values)
    for rel in sorted(set(fb["gap"]) & set(fn["gap"])):
        _compare_gap(bmtk, nb, rel, out.problems)

    for kind in ("nodes", "edges"):
        for rel in sorted(set(fb[kind]) & set(fn[kind])):
            if libsonata_reads(Path(bmtk) / rel, kind) is None:
                err = libsonata_reads(Path(nb) / rel, kind)
                if err is not None:
                    out.problems.append(f"{rel}: libsonata opens BMTK's, not netbuild's: {err}")
    return out
