"""Reads the import graph of app, ml and evaluation as a newcomer would: the cycles and the imports inside
functions. Run from the root of a checkout (``python -m tests.import_graph``); the closing note of issue 12
quotes it for the tree before and after.

grimp (import-linter's graph library) sees every import statement, at module level or inside a function;
networkx finds the strongly connected groups. ``tests/unit/app/test_import_graph.py`` asserts on both.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
import networkx

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


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module."""
    directed = networkx.DiGraph()
    for module in graph.modules:
        directed.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            directed.add_edge(module, imported)
    return sorted(sorted(group) for group in networkx.strongly_connected_components(directed) if len(group) > 1)


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
