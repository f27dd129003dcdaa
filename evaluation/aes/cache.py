"""The embeddings of a run: the on-disk cache, then one in memory, so the many fits embed each essay once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from evaluation.aes.progress import Progress
from ml.embeddings import default_embedder
from ml.embeddings.base import Embedder, Matrix, WrappedEmbedder
from ml.embeddings.cache import CachingEmbedder

DEFAULT_CACHE = Path("var/cache/embeddings")


class MemoryCachedEmbedder(WrappedEmbedder):
    """Keeps every vector of this run in memory (by role and text), so the many fits embed or read each text once."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self._vectors: dict[tuple[bool, str], npt.NDArray[np.float32]] = {}

    def _embed(self, texts: Sequence[str], is_query: bool) -> Matrix:
        missing = list(dict.fromkeys(text for text in texts if (is_query, text) not in self._vectors))
        if missing:
            embed = self.inner.embed_queries if is_query else self.inner.embed_passages
            for text, vector in zip(missing, embed(missing), strict=True):
                self._vectors[(is_query, text)] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vectors[(is_query, text)] for text in texts])

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, False)


def build_embedder(embedder: Embedder | None, cache_dir: Path | None) -> MemoryCachedEmbedder:
    """``embedder`` (default: ``ml.embeddings.default_embedder()``) behind the on-disk cache, then memory."""
    if embedder is None:
        embedder = default_embedder()
    if cache_dir is not None:
        embedder = CachingEmbedder(embedder, cache_dir)
    return MemoryCachedEmbedder(embedder)


def embed_all(
    texts: Sequence[str], embedder: Embedder, *, batch: int = 32, progress: Callable[[str], None] | None = None
) -> int:
    """Embeds ``texts`` as passages in batches (through whatever caches ``embedder`` has); returns the count."""
    unique = list(dict.fromkeys(texts))
    meter = Progress(len(unique), progress)
    for start in range(0, len(unique), batch):
        chunk = unique[start : start + batch]
        embedder.embed_passages(chunk)
        meter.advance(len(chunk), f"embedded {start + len(chunk)}/{len(unique)} essays")
    return len(unique)
