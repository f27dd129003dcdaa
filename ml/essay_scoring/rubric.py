"""The essay rubric's level descriptors (``prompts/essay/{kk,ru}/{1..5}.txt``), read from the repository."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

RUBRIC_DIR: Final = Path(__file__).resolve().parents[2] / "prompts" / "essay"
"""``<repo>/prompts/essay``: the package is installed editable, so the data stays beside the code.

An installed wheel (the Docker image) has no repository around it: there the service's
``IRIKTEU_PROMPTS_DIR`` (the setting ``prompts_dir``) holds ``essay/``, and :func:`default_root`
finds it.
"""


def default_root() -> Path:
    """:data:`RUBRIC_DIR` where it exists, else ``$IRIKTEU_PROMPTS_DIR/essay``."""
    configured = os.environ.get("IRIKTEU_PROMPTS_DIR")
    if not RUBRIC_DIR.is_dir() and configured:
        return Path(configured) / "essay"
    return RUBRIC_DIR


RUBRIC_LANGUAGES: Final = ("kk", "ru")
LEVELS: Final = (1, 2, 3, 4, 5)


class RubricError(FileNotFoundError):
    """A level descriptor is missing or empty (the message names the file)."""


def load_rubric(language: str, root: Path | None = None) -> dict[int, str]:
    """Each level's descriptor in ``language`` (``kk`` or ``ru``), whitespace-trimmed, levels 1..5 in order.

    ``root`` is the folder holding ``kk/`` and ``ru/`` (default :func:`default_root`).
    """
    if language not in RUBRIC_LANGUAGES:
        raise ValueError(f"the essay rubric exists in {', '.join(RUBRIC_LANGUAGES)}, not {language!r}")
    rubric: dict[int, str] = {}
    for level in LEVELS:
        path = (default_root() if root is None else root) / language / f"{level}.txt"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError as error:
            raise RubricError(f"essay rubric descriptor missing: {path}") from error
        if not text:
            raise RubricError(f"essay rubric descriptor empty: {path}")
        rubric[level] = text
    return rubric


def rubric_texts(root: Path | None = None) -> dict[str, dict[int, str]]:
    """Both languages' descriptors: ``{"kk": {1: …, …, 5: …}, "ru": {…}}``."""
    return {language: load_rubric(language, root) for language in RUBRIC_LANGUAGES}
