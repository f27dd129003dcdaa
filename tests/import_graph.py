"""Reads the import graph of app, ml and evaluation as a newcomer would: the cycles and the imports inside
functions. Run from the root of a checkout (``python -m tests.import_graph``); the closing note of issue 12
quotes it for the tree before and after.

``AcyclicModulesContract`` puts the same check into ``lint-imports`` (``[tool.importlinter]`` registers it as
``acyclic_modules``): import-linter's own ``acyclic_siblings`` compares packages, so a cycle between two modules
of different packages that already depend on each other elsewhere would pass it.

grimp (import-linter's graph library) sees every import statement, at module level or inside a function;
networkx finds the strongly connected groups. ``tests/unit/app/test_import_graph.py`` asserts on both.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
import networkx
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

PACKAGES = ("app", "ml", "evaluation")


def function_level_imports(root: Path) -> list[str]:
    """``file:line`` of every import statement inside a function body (``TYPE_CHECKING`` blocks are module level)."""
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        found.append(f"{path.relative_to(root)}:{node.lineno}")
    return sorted(set(found))


def cycles(graph: grimp.ImportGraph, packages: tuple[str, ...] | None = None) -> list[list[str]]:
    """The strongly connected groups of more than one module (of ``packages`` only, when given)."""

    def ours(module: str) -> bool:
        return packages is None or module.split(".")[0] in packages

    directed = networkx.DiGraph()
    for module in filter(ours, graph.modules):
        directed.add_node(module)
        for imported in filter(ours, graph.find_modules_directly_imported_by(module)):
            directed.add_edge(module, imported)
    return sorted(sorted(group) for group in networkx.strongly_connected_components(directed) if len(group) > 1)


class AcyclicModulesContract(Contract):
    """No module of ``packages`` imports itself back through other modules of them, at any depth."""

    type_name = "acyclic_modules"
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        groups = cycles(graph, tuple(str(package) for package in self.packages))  # type: ignore[attr-defined]
        return ContractCheck(kept=not groups, warnings=None, metadata={"groups": groups})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for group in check.metadata["groups"]:
            output.print_error(f"These {len(group)} modules import one another in a cycle:")
            for module in group:
                output.print_error(f"  {module}", bold=False)
            output.new_line()


def main() -> int:
    root = Path.cwd()
    sys.path.insert(0, str(root))
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    groups = cycles(graph)
    inside = function_level_imports(root)
    outside_entry = [line for line in inside if not line.startswith(("app/main.py", "app/cli.py"))]
    print(f"modules: {len(graph.modules)}")
    print(f"import cycles (strongly connected groups of more than one module): {len(groups)}")
    for group in groups:
        print(f"  {len(group)} modules: {', '.join(group)}")
    print(f"function-level imports: {len(inside)} ({len(outside_entry)} outside app/main.py and app/cli.py)")
    for line in inside:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
