"""Reader tests over built circuits.

    pytest tests/readers --circuits DIR [--circuits DIR ...] [--examples SPEC_DIR]

DIR is one circuit's output folder (it holds circuit_config.json or *_nodes.h5), or a folder of such
folders. A circuit is named after its folder, less a `_network` suffix: scripts/test builds
`<example>.toml` into `<tmp>/<example>`, so example-specific tests find it by the spec's name.
NETBUILD_CIRCUITS (paths separated by ':') and NETBUILD_EXAMPLES stand in for the options.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from circuit import Circuit

ROOT = Path(__file__).resolve().parents[2]


def pytest_addoption(parser):
    group = parser.getgroup("netbuild")
    group.addoption("--circuits", action="append", default=[], metavar="DIR",
                    help="a built circuit folder, or a folder of them (repeatable)")
    group.addoption("--examples", default=None, metavar="DIR",
                    help="folder of the example specs (default ../shared/examples, else examples/)")


def pytest_configure(config):
    config.addinivalue_line("markers", "example(name): needs the circuit built from examples/<name>.toml")


def _is_circuit(d: Path) -> bool:
    return d.is_dir() and ((d / "circuit_config.json").exists() or any(d.glob("*_nodes.h5")))


def _find_circuits(config) -> list[Circuit]:
    paths = list(config.getoption("--circuits"))
    env = os.environ.get("NETBUILD_CIRCUITS")
    if not paths and env:
        paths = [p for p in env.split(os.pathsep) if p]
    found: dict[str, Circuit] = {}
    for p in paths:
        p = Path(p)
        if not p.is_dir():
            raise pytest.UsageError(f"--circuits {p}: no such folder")
        dirs = [p] if _is_circuit(p) else sorted(d for d in p.iterdir() if _is_circuit(d))
        for d in dirs:
            c = Circuit(d)
            if c.name in found:
                raise pytest.UsageError(f"two circuits named {c.name}: {found[c.name].path} and {d}")
            found[c.name] = c
    return list(found.values())


def _circuits(config) -> list[Circuit]:
    if not hasattr(config, "_netbuild_circuits"):
        config._netbuild_circuits = _find_circuits(config)
    return config._netbuild_circuits


def examples_dir(config) -> Path:
    opt = config.getoption("--examples") or os.environ.get("NETBUILD_EXAMPLES")
    if opt:
        return Path(opt)
    shared = ROOT.parent / "shared" / "examples"
    return shared if shared.is_dir() else ROOT / "examples"


def pytest_generate_tests(metafunc):
    circuits = _circuits(metafunc.config)
    names = metafunc.fixturenames
    if "edge_pop" in names:
        pops = [p for c in circuits for p in c.edge_pops.values()]
        metafunc.parametrize("edge_pop", pops, ids=[f"{p.circuit.name}:{p.name}" for p in pops])
    elif "node_pop" in names:
        pops = [p for c in circuits for p in c.node_pops.values()]
        metafunc.parametrize("node_pop", pops, ids=[f"{p.circuit.name}:{p.name}" for p in pops])
    elif "h5file" in names:
        files = [(c, f) for c in circuits for f in c.h5_files]
        metafunc.parametrize("h5file", [f for _, f in files], ids=[f"{c.name}:{f.name}" for c, f in files])
    elif "types_file" in names:
        files = [(c, f) for c in circuits for f in c.type_files]
        metafunc.parametrize("types_file", files, ids=[f"{c.name}:{f.name}" for c, f in files])
    elif "circuit" in names:
        metafunc.parametrize("circuit", circuits, ids=[c.name for c in circuits])


def _circuit_of(item) -> str:
    cs = getattr(item, "callspec", None)
    if cs is None:
        return ""
    for key in ("edge_pop", "node_pop"):
        if key in cs.params:
            return cs.params[key].circuit.name
    if "circuit" in cs.params:
        return cs.params["circuit"].name
    if "types_file" in cs.params:
        return cs.params["types_file"][0].name
    if "h5file" in cs.params:
        return Circuit(cs.params["h5file"].parent).name
    return ""


def pytest_collection_modifyitems(config, items):
    # Walk circuits one after another, so that each one's arrays are read once and then dropped.
    example_of = {it: (m.args[0] if (m := it.get_closest_marker("example")) else None) for it in items}
    items.sort(key=lambda it: example_of[it] or _circuit_of(it))


def pytest_report_header(config):
    circuits = _circuits(config)
    if not circuits:
        return "netbuild circuits: none given (--circuits DIR or NETBUILD_CIRCUITS)"
    return [f"netbuild circuits: {', '.join(c.name for c in circuits)}", f"examples: {examples_dir(config)}"]


_current = {"name": None}


@pytest.fixture(autouse=True)
def _one_circuit_in_memory(request):
    """Drop the cached arrays of the previous circuit when the walk moves on to another one."""
    name = request.node.get_closest_marker("example")
    name = name.args[0] if name else _circuit_of(request.node)
    if name and name != _current["name"]:
        for c in _circuits(request.config):
            if c.name != name:
                c.drop_caches()
        _current["name"] = name
    yield


@pytest.fixture
def circuits(request) -> dict[str, Circuit]:
    return {c.name: c for c in _circuits(request.config)}


@pytest.fixture
def example(request, circuits) -> Circuit:
    """The circuit named by the test's `example` marker; the test is skipped when it was not built."""
    marker = request.node.get_closest_marker("example")
    assert marker, "the example fixture needs @pytest.mark.example(NAME)"
    name = marker.args[0]
    if name not in circuits:
        pytest.skip(f"circuit {name!r} not built")
    return circuits[name]


def spec_of(config, circuit: Circuit) -> dict | None:
    """The parsed example spec a circuit was built from, if one of that name exists."""
    path = examples_dir(config) / f"{circuit.name}.toml"
    if not path.exists():
        return None
    with open(path, "rb") as f:
        return tomllib.load(f)


@pytest.fixture
def example_spec(request, example) -> dict:
    """The parsed spec of the example's toml (needed by tests that compare against its numbers)."""
    path = examples_dir(request.config) / f"{example.name}.toml"
    assert path.exists(), f"circuit {example.name} was built but its spec {path} is missing"
    with open(path, "rb") as f:
        return tomllib.load(f)
