"""Every client opens a circuit folder from another working directory (here `/`), through the file
it reads (docs/CLIENTS.md): libsonata and bluepysnap `circuit_config.json`, BMTK's config parser
`simulation_config.json`; and `node_sets.json` is accepted by libsonata and resolved by bluepysnap.

NEST (`SonataNetwork`) and BMTK PointNet building and simulating a circuit from `/`, and BMTK
resolving the node sets: scripts/sim-check (in .venv-nest, whose pandas < 3: bmtk 1.2's
node-type filters select nothing under pandas 3, whose CSV string columns are no longer `object`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import bluepysnap
import libsonata
import numpy as np
import pytest
from bmtk.simulator.core.simulation_config import SimulationConfig

NODE_SET_ATTRIBUTES = ("pop_name", "model_type")  # netbuild's write::nodes::NODE_SET_ATTRIBUTES


@pytest.fixture
def elsewhere(monkeypatch):
    """The working directory is `/`, far from the circuit."""
    monkeypatch.chdir("/")


def _paths(p: Path) -> list[str]:
    """The config path as a user elsewhere would give it: absolute, and relative to `/`."""
    return [str(p.resolve()), os.path.relpath(p.resolve(), "/")]


def test_libsonata_and_bluepysnap_open_it_from_elsewhere(circuit, elsewhere):
    for path in _paths(circuit.config_path):
        cc = libsonata.CircuitConfig.from_file(path)
        snap = bluepysnap.Circuit(path)
        assert set(snap.nodes.population_names) == set(circuit.node_pops)
        assert set(snap.edges.population_names) == set(circuit.edge_pops)
        for name, pop in circuit.node_pops.items():
            assert cc.node_population(name).size == pop.size  # opens the h5 file
            assert snap.nodes[name].size == pop.size
        for name, pop in circuit.edge_pops.items():
            assert cc.edge_population(name).size == pop.size
            assert snap.edges[name].size == pop.size
        assert Path(cc.node_sets_path) == (circuit.path / "node_sets.json").resolve()


def test_bmtk_config_resolves_into_the_folder_from_elsewhere(circuit, elsewhere):
    """BMTK resolves `"."` against the working directory: simulation_config.json uses `${configdir}`."""
    sim = circuit.path / "simulation_config.json"
    raw = json.loads(sim.read_text())
    assert "network" not in raw, "BMTK would replace the networks below by that file's (cwd-relative) ones"
    folder = circuit.path.resolve()
    circuit_files = {circuit.resolve(e[k]) for kind in ("nodes", "edges")
                     for e in circuit.config["networks"][kind]
                     for k in (f"{kind}_file", f"{kind[:-1]}_types_file")}
    for path in _paths(sim):
        cfg = SimulationConfig.from_json(path)
        assert cfg["target_simulator"] == "NEST"
        assert cfg["run"]["dt"] > 0 and cfg["run"]["tstop"] > 0
        files = set()
        for kind in ("nodes", "edges"):
            for e in cfg["networks"][kind]:
                for k in (f"{kind}_file", f"{kind[:-1]}_types_file"):
                    p = Path(e[k])
                    assert p.is_absolute() and p.exists(), f"{k} resolves to {p}"
                    files.add(p)
        assert files == circuit_files, "simulation_config.json names other files than circuit_config.json"
        assert Path(cfg["node_sets_file"]) == folder / "node_sets.json"
        for key, sub in (("point_neuron_models_dir", "point_neuron_models"),
                         ("synaptic_models_dir", "synaptic_models")):
            assert Path(cfg["components"][key]) == folder / "components" / sub
        assert Path(cfg["output"]["output_dir"]) == folder / "output"


def _expected_sets(circuit) -> dict[tuple[str, object], set[str]]:
    """(attribute, value) -> populations having it, from the h5 columns and node types CSVs."""
    out: dict[tuple[str, object], set[str]] = {}
    for name, pop in circuit.node_pops.items():
        for attr in NODE_SET_ATTRIBUTES:
            try:
                values = pop.prop(attr)
            except KeyError:
                continue
            if values.dtype.kind in "fb":  # only strings and integers make node sets
                continue
            for v in np.unique(values.astype(str) if values.dtype.kind in "OSU" else values):
                v = v.decode() if isinstance(v, bytes) else v
                out.setdefault((attr, v.item() if hasattr(v, "item") else v), set()).add(name)
    return out


def _wanted_ids(pop, definition: dict) -> np.ndarray:
    mask = np.ones(pop.size, dtype=bool)
    for key, value in definition.items():
        if key == "population":
            continue
        col = pop.prop(key)
        col = np.array([c.decode() if isinstance(c, bytes) else c for c in col])
        mask &= col == value
    return np.flatnonzero(mask)


def test_node_sets(circuit, elsewhere):
    path = circuit.path / "node_sets.json"
    raw = json.loads(path.read_text())
    assert set(libsonata.NodeSets.from_file(str(path)).names) == set(raw)
    assert "all" not in raw, "'all' is BMTK's own set of every node"

    # Which sets exist: one per population, one per value of each attribute.
    for name in circuit.node_pops:
        assert raw.get(name) == {"population": name}
    by_def = {(k, v): name for name, d in raw.items() for k, v in d.items() if k != "population"}
    for (attr, value), pops in _expected_sets(circuit).items():
        assert (attr, value) in by_def, f"no node set for {attr} = {value!r}"
        d = raw[by_def[(attr, value)]]
        listed = d["population"] if isinstance(d["population"], list) else [d["population"]]
        assert sorted(listed) == sorted(pops), f"{by_def[(attr, value)]}: populations"

    # What they select: bluepysnap resolves every set (through libsonata), exactly wherever the
    # attribute is stored per node in the h5 file (neither reads the node types CSV).
    snap = bluepysnap.Circuit(os.path.relpath(circuit.config_path.resolve(), "/"))
    for name, d in raw.items():
        listed = d["population"] if isinstance(d["population"], list) else [d["population"]]
        ids = snap.nodes.ids(name)
        for pop_name, pop in circuit.node_pops.items():
            got_snap = np.sort(ids.filter_population(pop_name).get_ids())
            if pop_name not in listed:
                assert len(got_snap) == 0, f"{name}: bluepysnap selects nodes of {pop_name}"
                continue
            want = _wanted_ids(pop, d)
            attrs = [k for k in d if k != "population"]
            if all(pop.group_column(a) is not None for a in attrs):
                np.testing.assert_array_equal(got_snap, want, err_msg=f"bluepysnap: node set {name}")
