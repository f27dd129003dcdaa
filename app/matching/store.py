"""Embeddings through the database: a text's vector is computed once per model and read back after."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.matching.models import StoredEmbedding
from ml.embeddings import Embedder, content_hash

Matrix = npt.NDArray[np.float32]
_LOOKUP_CHUNK = 500


def _decode(row: StoredEmbedding) -> npt.NDArray[np.float32]:
    return np.frombuffer(row.vector, dtype="<f4", count=row.dim).astype(np.float32)


def _embed(session: Session, embedder: Embedder, texts: Sequence[str], role: str) -> Matrix:
    model_id = embedder.model_id
    keys = [content_hash(text, role) for text in texts]
    found: dict[str, npt.NDArray[np.float32]] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        chunk = unique[start : start + _LOOKUP_CHUNK]
        rows = session.scalars(
            select(StoredEmbedding).where(StoredEmbedding.model_id == model_id, StoredEmbedding.content_hash.in_(chunk))
        )
        found.update({row.content_hash: _decode(row) for row in rows})
    missing = [key for key in unique if key not in found]
    if missing:
        text_of = dict(zip(keys, texts, strict=True))
        compute = embedder.embed_queries if role == "query" else embedder.embed_passages
        vectors = compute([text_of[key] for key in missing])
        for key, vector in zip(missing, vectors, strict=True):
            found[key] = vector.astype(np.float32)
            row = StoredEmbedding(
                model_id=model_id, content_hash=key, dim=int(vector.shape[0]), vector=vector.astype("<f4").tobytes()
            )
            try:
                # A concurrent writer may have stored the same text: keep theirs (identical vector).
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                pass
        session.flush()
    dim = embedder.dim
    return np.vstack([found[key] for key in keys]).astype(np.float32) if keys else np.zeros((0, dim), np.float32)


def embed_passages(session: Session, embedder: Embedder, texts: Sequence[str]) -> Matrix:
    """Passage vectors of ``texts`` (profiles, vacancies), reused from the ``embeddings`` table."""
    return _embed(session, embedder, texts, "passage")


def embed_queries(session: Session, embedder: Embedder, texts: Sequence[str]) -> Matrix:
    """Query vectors (free-text searches), reused like passages."""
    return _embed(session, embedder, texts, "query")


def stored_count(session: Session, model_id: str) -> int:
    return int(
        session.scalar(select(func.count()).select_from(StoredEmbedding).where(StoredEmbedding.model_id == model_id))
        or 0
    )
