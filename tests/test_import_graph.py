"""The import graph of the project's packages: imports point down, and no new circle.

The layers, from the ground up: schemas/ (the records on the wire), runtime/
(settings, logging, metrics, health and the Kafka plumbing every service
runs on), the pipeline (producers/, streams/, consumers/), and deploy/ (the
CLI, the services supervisor, the local broker, the demo). A module may
import its own layer and those below, never one above.

Every import of every module of those folders is read (those inside functions too: they hide the graph, they
do not break it). A circle is a group of modules that import each other in a
loop. The circles that exist today are listed below with the reason each is
there; the architecture issue (#18) removes them, and this test fails on any
new one and on a listed one that grows, so the list can only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LAYERS = {"schemas": 0, "runtime": 1, "producers": 2, "streams": 2, "consumers": 2, "deploy": 3}
PACKAGES = tuple(LAYERS)

KNOWN_CIRCLES: set[frozenset[str]] = set()
NAMESPACE = "marsad."  # installed, the folders are sub-packages of marsad (setup.py)


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project modules ``path`` imports (a name imported from a package counts as its module when it is one),
    named by their folders (``marsad.streams.app`` is ``streams.app`` here)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_of(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name.removeprefix(NAMESPACE) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = (node.module or "").removeprefix(NAMESPACE)
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import sub" imports the module pkg.sub; "from pkg import name" imports pkg
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != here:
                out.add(name)
    return out


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module_of(p) for p in files}
    return {_module_of(p): _imports(p, modules) for p in files}


def _circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        out.append(frozenset(group))
    return out


def test_no_new_import_circle():
    found = _circles(_graph())
    unexpected = [sorted(c) for c in found if not any(c <= known for known in KNOWN_CIRCLES)]
    assert not unexpected, f"new import circle(s): {unexpected}"
    gone = [sorted(known) for known in KNOWN_CIRCLES if not any(c <= known for c in found)]
    assert not gone, f"circle(s) removed: take them off KNOWN_CIRCLES: {gone}"


def test_imports_only_point_down():
    upward = sorted(f"{module} -> {target}" for module, targets in _graph().items() for target in targets
                    if LAYERS[target.split(".")[0]] > LAYERS[module.split(".")[0]])
    assert not upward, f"import(s) from a lower layer up to a higher one: {upward}"


def test_no_sub_command_imports_the_cli_root():
    back = sorted(m for m, targets in _graph().items()
                  if m.startswith("deploy.cli.") and m not in ("deploy.cli.main", "deploy.cli.__main__") and "deploy.cli.main" in targets)
    assert not back, f"sub-command module(s) importing the CLI root: {back}"


def _bare_imports(path: Path) -> list[str]:
    """Imports in ``path`` of a project folder by its bare name (``import streams``), outside the namespace."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        out += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in LAYERS]
    return out


def test_every_import_goes_through_the_marsad_namespace():
    """A bare ``import streams`` works from the checkout only, and would load a second copy of a module."""
    files = [p for folder in (*PACKAGES, "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")]
    bare = [line for p in files for line in _bare_imports(p)]
    assert not bare, f"import(s) outside the marsad namespace: {bare}"


def test_the_circle_finder_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [frozenset({"a", "b", "c"})]
