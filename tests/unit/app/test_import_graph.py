"""The import graph of app, ml and evaluation has no cycle (the layers themselves: [tool.importlinter])."""

from __future__ import annotations

import re
from pathlib import Path

import grimp

from tests.import_graph import PACKAGES, AcyclicModulesContract, cycles, function_level_imports


def test_the_finder_sees_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("p.a", "p.b", "p.c", "p.d"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.c", imported="p.d")
    assert cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_the_lint_imports_contract_breaks_on_a_cycle_of_its_packages_only() -> None:
    """``lint-imports`` runs ``AcyclicModulesContract``; a cycle outside its packages is none of its business."""
    graph = grimp.ImportGraph()
    for module in ("app.a", "app.b", "app.c", "other.x", "other.y"):
        graph.add_module(module)
    graph.add_import(importer="app.a", imported="app.b")
    graph.add_import(importer="other.x", imported="other.y")
    graph.add_import(importer="other.y", imported="other.x")
    contract = AcyclicModulesContract(name="acyclic", session_options={}, contract_options={"packages": ["app"]})
    assert contract.check(graph, verbose=False).kept
    graph.add_import(importer="app.b", imported="app.c")
    graph.add_import(importer="app.c", imported="app.a")
    check = contract.check(graph, verbose=False)
    assert not check.kept
    assert check.metadata["groups"] == [["app.a", "app.b", "app.c"]]


def test_no_module_imports_itself_back() -> None:
    """grimp reads imports inside functions too, so a cycle cannot hide in a function."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert cycles(graph) == []


def test_every_import_inside_a_function_gives_its_reason() -> None:
    """PLC0415 is on everywhere, benchmarks included, and its ``noqa`` must say why the import waits."""
    root = Path(__file__).resolve().parents[3]
    lines: dict[str, list[str]] = {}
    silent = []
    for place in function_level_imports(root):
        path, line = place.rsplit(":", 1)
        if path not in lines:
            lines[path] = (root / path).read_text(encoding="utf-8").splitlines()
        if not re.search(r"# noqa: PLC0415\s+\S", lines[path][int(line) - 1]):
            silent.append(place)
    assert silent == []
