"""The README's layout names every folder and every top-level module of ``app/``, ``evaluation/`` and
``tests/factories/``: a newcomer reads the tree there first."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _layout() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Layout\n") :]
    return section[: section.index("\n## ", 1)]


def _entries(folder: str) -> list[str]:
    """Sub-folders (with a trailing slash) and modules of ``folder``, less ``__init__.py`` and caches."""
    found = []
    for path in sorted((ROOT / folder).iterdir()):
        if path.name.startswith(("__init__", "__pycache__", ".")):
            continue
        if path.is_dir():
            found.append(f"{path.name}/")
        elif path.suffix == ".py":
            found.append(path.name.removesuffix(".py"))
    return found


def test_the_layout_names_every_folder_and_module_of_app_evaluation_and_the_factories() -> None:
    layout = _layout()
    missing = [
        f"{folder}/{entry}"
        for folder in ("app", "evaluation", "tests/factories")
        for entry in _entries(folder)
        if not re.search(rf"(?<![\w.]){re.escape(entry.rstrip('/'))}(\.py|/)?(?![\w])", layout)
    ]
    assert missing == []
