"""The built wheel (what the Dockerfile installs) ships every module and every file the service reads.

A folder of modules without ``__init__.py`` works in the editable install the tests run on, and is silently
left out of the wheel: ``ml/essay_scoring`` was, so the image could not pre-score an essay.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CODE = ("app", "ml", "evaluation")
DATA = ("app",)
"""Under ``app/`` every file is read at run time (templates, catalogues, migrations, word lists, schemas)."""


def _tree_files() -> set[str]:
    wanted = {p for folder in CODE for p in (ROOT / folder).rglob("*.py")}
    wanted |= {p for folder in DATA for p in (ROOT / folder).rglob("*") if p.is_file()}
    return {
        str(p.relative_to(ROOT))
        for p in wanted
        if "__pycache__" not in p.parts and p.suffix not in {".pyc", ".orig", ".rej"}
    }


def test_the_wheel_ships_every_module_and_every_data_file(tmp_path: Path) -> None:
    """Built from a copy of the sources, as the Dockerfile copies them: setuptools' ``build/`` in the checkout
    would otherwise lend the wheel what an earlier build held."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for folder in CODE:
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), source],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("irikteu-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    assert sorted(_tree_files() - shipped) == []
