"""An on-disk cache of vectors keyed by model id and text hash, so evaluation reruns embed nothing twice."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ml.embeddings.base import Embedder, Matrix, WrappedEmbedder, content_hash


class DiskEmbeddingCache:
    """``<root>/<sha256(model id)[:16]>/<hash[:2]>/<hash>.npy``; one small file per text and role."""

    def __init__(self, root: str | Path, model_id: str, dim: int) -> None:
        self.folder = Path(root) / hashlib.sha256(model_id.encode()).hexdigest()[:16]
        self.dim = dim

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npy"

    def get_or_embed(self, texts: Sequence[str], role: str, embed: Callable[[list[str]], Matrix]) -> Matrix:
        """Vectors of ``texts``: cached ones read, the rest embedded in one call and written."""
        keys = [content_hash(text, role) for text in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            path = self._path(key)
            if path.is_file():
                out[position] = np.load(path)
            else:
                missing.setdefault(key, []).append(position)
        if missing:
            first = [positions[0] for positions in missing.values()]
            vectors = embed([texts[position] for position in first])
            for (key, positions), vector in zip(missing.items(), vectors, strict=True):
                path = self._path(key)
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vector.astype(np.float32))
                out[positions] = vector
        return out


class CachingEmbedder(WrappedEmbedder):
    """An :class:`~ml.embeddings.base.Embedder` that reads vectors from a :class:`DiskEmbeddingCache` first.

    Same model id, dimension and model card as ``inner``: a cached vector is the vector ``inner`` made.
    For evaluations and benchmarks that embed the same texts run after run (the service stores its
    vectors in the database instead).
    """

    def __init__(self, inner: Embedder, root: str | Path) -> None:
        super().__init__(inner)
        self.cache = DiskEmbeddingCache(root, inner.model_id, inner.dim)

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self.cache.get_or_embed(texts, "query", self.inner.embed_queries)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self.cache.get_or_embed(texts, "passage", self.inner.embed_passages)
