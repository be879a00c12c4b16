"""The shape of the ``netbuild`` package (crates/python/python/netbuild), read from its sources.

    .venv/bin/python -m pytest crates/python/tests/test_package_layout.py -q

- no module over 700 lines (the project's limit for any source file);
- no circle among its modules' imports (``from . import x``, ``from .x import y``, at any depth
  of the module, so a late import cannot hide one): each module can be read knowing only those
  it imports;
- the builder API's public names import from where BMTK-style scripts and the tests take them.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "netbuild"
MAX_LINES = 700


def modules():
    return sorted(PACKAGE.glob("*.py"))


def imports(path):
    """The package's modules that ``path`` imports (relative imports, anywhere in the file)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names)
    return {m for m in out if (PACKAGE / f"{m}.py").exists()}


def test_no_module_is_over_700_lines():
    long = {p.name: n for p in modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_modules_import_each_other_without_a_circle():
    graph = {p.stem: imports(p) for p in modules()}
    done, path = set(), []

    def visit(m):
        if m in path:
            circle = path[path.index(m):] + [m]
            raise AssertionError(f"import circle: {' -> '.join(circle)}")
        if m in done:
            return
        path.append(m)
        for n in sorted(graph.get(m, ())):
            visit(n)
        path.pop()
        done.add(m)

    for m in sorted(graph):
        visit(m)


def test_the_public_names_import_from_their_places():
    import netbuild
    from netbuild import NetbuildError, NetworkBuilder, rules, seed  # noqa: F401
    from netbuild.builder import ConnectionMap, Node, NodePool  # noqa: F401
    from netbuild.builder import NetbuildError as builder_error
    from netbuild.builder import NetworkBuilder as builder_class

    assert builder_class is NetworkBuilder and builder_error is NetbuildError
    assert issubclass(NetbuildError, ValueError)
    for name in ("NetworkBuilder", "NetbuildError", "rules", "seed", "rank", "size", "barrier"):
        assert hasattr(netbuild, name), name
    for method in ("add_nodes", "add_edges", "add_gap_junctions", "add_properties", "import_nodes",
                   "build", "save", "save_nodes", "save_edges", "nodes", "edges", "edges_iter",
                   "get_connections", "spec"):
        owner = ConnectionMap if method == "add_properties" else NetworkBuilder
        assert callable(getattr(owner, method)), method
        assert getattr(owner, method).__doc__, f"{method} has no docstring"
