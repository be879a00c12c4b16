"""A built SONATA circuit on disk, read with h5py and pandas only (the reference the readers are held to)."""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

INDEX_NAMES = {"source_to_target": "source_node_id", "target_to_source": "target_node_id"}


def read_types_csv(path: Path) -> pd.DataFrame:
    """A BMTK type table: space-separated, 'NONE'/'NULL' for missing, as bmtk.utils.sonata reads it."""
    return pd.read_csv(path, sep=" ", na_values=["NONE", "NULL"])


def group_names(pop: h5py.Group) -> list[str]:
    """The property groups of a SONATA population: its sub-groups named by an integer."""
    return sorted((k for k, v in pop.items() if isinstance(v, h5py.Group) and k.isdigit()), key=int)


class NodePop:
    def __init__(self, circuit: "Circuit", file: Path, name: str):
        self.circuit, self.file, self.name = circuit, file, name

    def __repr__(self):
        return f"NodePop({self.circuit.name}:{self.name})"

    def _read(self, path):
        with h5py.File(self.file, "r") as h5:
            return h5[f"nodes/{self.name}/{path}"][()]

    @cached_property
    def node_type_id(self) -> np.ndarray:
        return self._read("node_type_id").astype(np.int64)

    @property
    def size(self) -> int:
        return len(self.node_type_id)

    @cached_property
    def types(self) -> pd.DataFrame:
        return read_types_csv(self.circuit.types_csv_of(self.file))

    def group_column(self, name: str) -> np.ndarray | None:
        """A per-node property of group 0 in node order (through node_group_id/index), or None."""
        with h5py.File(self.file, "r") as h5:
            pop = h5[f"nodes/{self.name}"]
            gid = pop["node_group_id"][()]
            gidx = pop["node_group_index"][()]
            groups = group_names(pop)
            if not all(name in pop[g] for g in groups):
                return None
            first = pop[groups[0]][name][()]
            out = np.empty(len(gid), dtype=first.dtype)
            for g in groups:
                rows = gid == int(g)
                out[rows] = pop[g][name][()][gidx[rows]]
            return out

    def prop(self, name: str) -> np.ndarray:
        """A node property per node: per-node value from the h5 group, else the node-type column."""
        col = self.group_column(name)
        if col is not None:
            return col
        types = self.types.set_index("node_type_id")
        if name not in types.columns:
            raise KeyError(f"{self}: no property {name!r}")
        return types[name].reindex(self.node_type_id).to_numpy()

    @cached_property
    def positions(self) -> np.ndarray:
        """(N, 3) float64 positions; a missing coordinate is 0, as the spec says."""
        cols = []
        for axis in "xyz":
            c = self.group_column(axis)
            cols.append(np.zeros(self.size) if c is None else c.astype(np.float64))
        return np.stack(cols, axis=1)


class EdgePop:
    def __init__(self, circuit: "Circuit", file: Path, name: str):
        self.circuit, self.file, self.name = circuit, file, name

    def __repr__(self):
        return f"EdgePop({self.circuit.name}:{self.name})"

    def h5(self):
        return h5py.File(self.file, "r")

    def _read(self, path):
        with self.h5() as h5:
            return h5[f"edges/{self.name}/{path}"][()]

    @cached_property
    def source(self) -> np.ndarray:
        return self._read("source_node_id").astype(np.int64)

    @cached_property
    def target(self) -> np.ndarray:
        return self._read("target_node_id").astype(np.int64)

    @cached_property
    def type_id(self) -> np.ndarray:
        return self._read("edge_type_id").astype(np.int64)

    @cached_property
    def group_id(self) -> np.ndarray:
        return self._read("edge_group_id").astype(np.int64)

    @cached_property
    def group_index(self) -> np.ndarray:
        return self._read("edge_group_index").astype(np.int64)

    @property
    def size(self) -> int:
        return len(self.source)

    def _population_attr(self, ds):
        with self.h5() as h5:
            v = h5[f"edges/{self.name}/{ds}"].attrs.get("node_population")
        return v.decode() if isinstance(v, bytes) else (None if v is None else str(v))

    @cached_property
    def source_population(self) -> str | None:
        return self._population_attr("source_node_id")

    @cached_property
    def target_population(self) -> str | None:
        return self._population_attr("target_node_id")

    @property
    def source_nodes(self) -> NodePop:
        return self.circuit.node_pops[self.source_population]

    @property
    def target_nodes(self) -> NodePop:
        return self.circuit.node_pops[self.target_population]

    @cached_property
    def groups(self) -> list[str]:
        with self.h5() as h5:
            return group_names(h5[f"edges/{self.name}"])

    @cached_property
    def group_columns(self) -> dict[str, list[str]]:
        with self.h5() as h5:
            pop = h5[f"edges/{self.name}"]
            return {g: sorted(k for k, v in pop[g].items() if isinstance(v, h5py.Dataset)) for g in self.groups}

    def column(self, name: str) -> np.ndarray | None:
        """A per-edge property in edge order, assembled through edge_group_id/index; None if absent."""
        if not self.groups or not all(name in self.group_columns[g] for g in self.groups):
            return None
        with self.h5() as h5:
            pop = h5[f"edges/{self.name}"]
            first = pop[self.groups[0]][name]
            out = np.empty(self.size, dtype=first.dtype)
            for g in self.groups:
                rows = self.group_id == int(g)
                out[rows] = pop[g][name][()][self.group_index[rows]]
        return out

    @cached_property
    def types(self) -> pd.DataFrame:
        return read_types_csv(self.circuit.types_csv_of(self.file))

    def rows_by(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(order, starts): edge rows grouped by source or target id, ascending row within a node.
        Rows of node n are order[starts[n]:starts[n+1]]."""
        ids = self.source if key == "source" else self.target
        n = (self.source_nodes if key == "source" else self.target_nodes).size
        order = np.argsort(ids, kind="stable")
        starts = np.searchsorted(ids[order], np.arange(n + 1))
        return order, starts


class Circuit:
    """One output folder of netbuild (or anything laid out like it)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = re.sub(r"_network$", "", self.path.name)

    def __repr__(self):
        return f"Circuit({self.name} at {self.path})"

    @property
    def config_path(self) -> Path:
        return self.path / "circuit_config.json"

    @cached_property
    def config(self) -> dict:
        return json.loads(self.config_path.read_text())

    def resolve(self, value: str) -> Path:
        """A config path with its manifest variables expanded, relative to the config's folder."""
        manifest = self.config.get("manifest", {})
        for _ in range(10):
            new = value
            for var, sub in manifest.items():
                new = new.replace(var, sub)
            if new == value:
                break
            value = new
        assert "$" not in value, f"unresolved variable in {value!r} (manifest {manifest})"
        p = Path(value)
        return (p if p.is_absolute() else self.config_path.parent / p).resolve()

    @cached_property
    def node_files(self) -> list[Path]:
        return sorted(self.path.glob("*_nodes.h5"))

    @cached_property
    def edge_files(self) -> list[Path]:
        return sorted(self.path.glob("*_edges.h5"))

    @property
    def h5_files(self) -> list[Path]:
        return self.node_files + self.edge_files

    @cached_property
    def type_files(self) -> list[Path]:
        return sorted(self.path.glob("*_types.csv"))

    def types_csv_of(self, h5file: Path) -> Path:
        """<x>_nodes.h5 -> <x>_node_types.csv, <x>_edges.h5 -> <x>_edge_types.csv (netbuild's and BMTK's names)."""
        name = h5file.name
        if name.endswith("_nodes.h5"):
            return h5file.with_name(name[: -len("_nodes.h5")] + "_node_types.csv")
        return h5file.with_name(name[: -len("_edges.h5")] + "_edge_types.csv")

    @cached_property
    def node_pops(self) -> dict[str, NodePop]:
        pops = {}
        for f in self.node_files:
            with h5py.File(f, "r") as h5:
                for name in h5.get("nodes", {}):
                    pops[name] = NodePop(self, f, name)
        return pops

    @cached_property
    def edge_pops(self) -> dict[str, EdgePop]:
        pops = {}
        for f in self.edge_files:
            with h5py.File(f, "r") as h5:
                for name in h5.get("edges", {}):
                    pops[name] = EdgePop(self, f, name)
        return pops

    def drop_caches(self):
        """Forget the arrays read so far (the suite walks circuits one after another)."""
        for attr in ("node_pops", "edge_pops"):
            self.__dict__.pop(attr, None)


def expand_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """concatenate([arange(s, s + l) for s, l in zip(starts, lengths)]), vectorized."""
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


def unique(a) -> np.ndarray:
    """np.unique by sorting. (numpy 2.4's np.unique without return_counts takes a hash-table path that
    is ~50x slower than a sort on millions of distinct integers.)"""
    a = np.sort(np.asarray(a).ravel())
    if len(a) == 0:
        return a
    return a[np.concatenate([[True], a[1:] != a[:-1]])]
