"""Every module under ``evaluation/`` imports in the installed environment, and every package the code
imports is declared in ``pyproject.toml`` (not merely present because something else pulled it in)."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pkgutil
import re
import sys
import tomllib
from pathlib import Path

import pytest

import evaluation

ROOT = Path(__file__).resolve().parents[3]
OWN = {"app", "ml", "evaluation", "tests", "__future__"}
SHIPPED = ("app", "ml", "evaluation")


def _evaluation_modules() -> list[str]:
    return sorted(module.name for module in pkgutil.walk_packages(evaluation.__path__, prefix="evaluation."))


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (``uvicorn[standard]>=0.30`` → ``uvicorn``)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


STANDARD = {*sys.stdlib_module_names, "_typeshed"}
"""The standard library, and its type stubs' own module (``_typeshed``, imported under TYPE_CHECKING only)."""


def _declared(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *(r for extra in extras for r in project["optional-dependencies"][extra])]
    return {_name(requirement) for requirement in requirements}


def _imported(folder: str) -> dict[str, set[str]]:
    """Top-level third-party module → the files of ``folder`` that import it (at any depth of the file)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in {name.split(".")[0] for name in names} - OWN - STANDARD:
                found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_walk_finds_the_evaluations_and_the_benchmarks() -> None:
    modules = _evaluation_modules()
    assert {"evaluation.cli", "evaluation.asr", "evaluation.bench.bench_test_load"} <= set(modules)


@pytest.mark.parametrize("module", _evaluation_modules())
def test_every_evaluation_module_imports(module: str) -> None:
    importlib.import_module(module)


@pytest.mark.parametrize(("folder", "extras"), [*((folder, ("st",)) for folder in SHIPPED), ("tests", ("st", "dev"))])
def test_every_imported_package_is_declared(folder: str, extras: tuple[str, ...]) -> None:
    """The shipped code may use the dependencies and the ``st`` extra; the tests the ``dev`` extra too."""
    providers = importlib.metadata.packages_distributions()
    declared = _declared(*extras)
    undeclared = {
        top: sorted(files)
        for top, files in _imported(folder).items()
        if not {_name(dist) for dist in providers.get(top, [])} & declared
    }
    assert undeclared == {}
