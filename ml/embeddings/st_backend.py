"""Any local sentence-transformers model folder (the optional extra ``[st]``; nothing is downloaded)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ml.embeddings.base import EmbedderError, Matrix, l2_normalise, pool_chunks
from ml.registry import ModelInfo, files_sha256

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx")


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from ``folder`` offline (``HF_HUB_OFFLINE=1``, local files only).

    ``query_prefix``/``passage_prefix`` give the roles for models trained with them (e5: ``"query: "``);
    texts past ``max_tokens`` (default: the model's ``max_seq_length``) are chunked and mean-pooled.
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        max_tokens: int | None = None,
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        path = Path(folder)
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise EmbedderError(f"no sentence-transformers model in {path} (IRIKTEU_MATCHING_MODEL_PATH)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer  # noqa: PLC0415  optional extra [st] with torch
        except ImportError as error:
            raise EmbedderError("sentence-transformers is not installed: pip install 'irikteu[st]'") from error
        import sentence_transformers  # noqa: PLC0415  optional extra [st] with torch

        self._model: Any = SentenceTransformer(str(path), device=device, local_files_only=True)
        dimension: Any = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension())
        model_limit = int(self._model.max_seq_length or 512)
        self.max_tokens = min(max_tokens or model_limit, model_limit)
        self.batch_size = batch_size
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        weights = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
        if not weights:
            raise EmbedderError(f"no weight files (*.safetensors, *.bin) under {path}")
        label = path.parent.name if path.name == "model" else path.name
        self.model_info = ModelInfo(
            name=f"sentence-transformers/{label}",
            version=str(sentence_transformers.__version__),
            weights_sha256=files_sha256(weights),
        )

    @property
    def model_id(self) -> str:
        return f"{self.model_info.label};max_tokens={self.max_tokens};q={self.query_prefix!r};p={self.passage_prefix!r}"

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])

    def _embed(self, texts: Sequence[str], prefix: str) -> Matrix:
        def run(pieces: list[str]) -> Matrix:
            vectors = self._model.encode(
                [prefix + piece for piece in pieces],
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            return l2_normalise(np.asarray(vectors, dtype=np.float32))

        return pool_chunks(list(texts), self.dim, self.max_tokens, lambda text: self.token_count(prefix + text), run)

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, self.query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, self.passage_prefix)
