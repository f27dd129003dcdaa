"""The ``Embedder`` protocol and what every backend shares: normalisation, chunking, content hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from ml.registry import ModelInfo

Matrix = npt.NDArray[np.float32]


class EmbedderError(RuntimeError):
    """A backend cannot run: a missing optional package or model folder (the message names the setting)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; ``query``/``passage`` roles where the model has them."""

    model_info: ModelInfo
    dim: int

    @property
    def model_id(self) -> str:
        """A stable key for stored vectors: model, version, weights hash and anything that changes them."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> Matrix: ...

    def embed_passages(self, texts: Sequence[str]) -> Matrix: ...

    def token_count(self, text: str) -> int: ...


class WrappedEmbedder:
    """An :class:`Embedder` that hands everything to ``inner``: the base of the caches and stores around one.

    Same model id, dimension and model card as ``inner`` (a vector it returns is the vector ``inner``
    made); a subclass changes only where ``embed_queries`` / ``embed_passages`` find their vectors.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_info: ModelInfo = inner.model_info
        self.dim: int = inner.dim

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self.inner.embed_passages(texts)

    def token_count(self, text: str) -> int:
        return self.inner.token_count(text)


def content_hash(text: str, role: str = "passage") -> str:
    """SHA-256 of the role and the text: the key a vector is stored and reused under."""
    return hashlib.sha256(f"{role}\n{text}".encode()).hexdigest()


def l2_normalise(vectors: npt.ArrayLike) -> Matrix:
    """Rows scaled to unit length (a zero row stays zero), as contiguous float32."""
    matrix = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


def chunk_words(text: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """Split ``text`` at spaces into pieces of at most ``max_tokens`` tokens each (by ``count``).

    A text that fits is returned whole; one word longer than the limit becomes its own piece
    (the backend truncates it). Greedy: each piece takes as many words as fit.
    """
    if count(text) <= max_tokens:
        return [text]
    words = text.split()
    pieces: list[str] = []
    start = 0
    while start < len(words):
        # Binary search for the longest prefix of the remaining words that fits.
        low, high = start + 1, len(words)
        while low < high:
            middle = (low + high + 1) // 2
            if count(" ".join(words[start:middle])) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        pieces.append(" ".join(words[start:low]))
        start = low
    return pieces


def pool_chunks(
    texts: Sequence[str], dim: int, max_tokens: int, count: Callable[[str], int], embed: Callable[[list[str]], Matrix]
) -> Matrix:
    """Embed each text; texts past ``max_tokens`` are chunked, their chunk vectors averaged and renormalised."""
    pieces: list[str] = []
    owners: list[int] = []
    for index, text in enumerate(texts):
        for piece in chunk_words(text, max_tokens, count):
            pieces.append(piece)
            owners.append(index)
    if not pieces:
        return np.zeros((0, dim), dtype=np.float32)
    vectors = l2_normalise(embed(pieces))
    if len(pieces) == len(texts):
        return vectors
    pooled = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    np.add.at(pooled, np.asarray(owners), vectors)
    return l2_normalise(pooled)
