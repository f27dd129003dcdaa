"""The essay scorer on ASAP-AES: same-prompt, learning-curve and cross-prompt evidence, as in the literature.

Data (``../shared/data/essays``): ``asap_training_set_rel3.tsv.gz`` (12,978 English essays of 8
prompts with two raters and the resolved ``domain1_score``) and ``asap_nea_folds.tsv`` (the 5-fold
split of Taghipour & Ng 2016 that published results use: per fold each essay is train, dev or test).

- Same-prompt: per prompt and fold, the scorer is fitted on the fold's train + dev essays (it tunes
  itself by internal cross-validation, so dev is training data here) and predicts the test essays.
  A prompt's ``qwk`` is the mean of its 5 fold QWKs (the published convention); ``qwk_pooled`` and
  the other metrics are computed on the 5 test folds pooled (each essay predicted once).
- Learning curve: the same, trained on the first n essays of a seeded permutation of each fold's
  training essays (nested: the 50 include the 25), for n = 25, 50, 100, 200 and all.
- Cross-prompt: one scorer per held-out prompt, trained on the other prompts with scores rescaled to
  0–10, its predictions mapped back to the held-out prompt's own range.

QWK is over the prompt's whole score range (as the Kaggle metric), not only the values seen. The ETS
flags follow Williamson, Xi & Breyer (2012): QWK ≥ 0.70, |SMD| ≤ 0.15, degradation ≤ 0.10, where
SMD = (mean machine − mean human) / sqrt((var machine + var human) / 2), sample variances (ddof 1),
and degradation = human–human QWK (rater 1 vs rater 2, on the same essays) − machine QWK.

The package: ``data`` (reading and choosing the essays), ``metrics`` (the table's figures),
``cache`` (embeddings on disk and in memory), ``progress``, ``run`` (:func:`evaluate`,
:func:`embed_only`) and ``report`` (the text summary, the Markdown report and its plots). The public
names are re-exported here; to replace a part in a test, patch it where ``run`` looks it up
(``evaluation.aes.run``).
"""

from __future__ import annotations

from evaluation.aes.cache import (
    DEFAULT_CACHE,
    MemoryCachedEmbedder,
    build_embedder,
    embed_all,
)
from evaluation.aes.data import (
    ASAP_PROMPTS,
    DEFAULT_DATA,
    ESSAYS_FILE,
    FOLDS_FILE,
    N_FOLDS,
    AesEvaluationError,
    AsapPrompt,
    fold_split,
    load_dataset,
    parse_prompts,
    read_essays,
    read_folds,
)
from evaluation.aes.metrics import (
    COMMON_SCALE,
    DEGRADATION_MAX,
    PUBLISHED_CROSS_PROMPT,
    PUBLISHED_SAME_PROMPT,
    QWK_MIN,
    SMD_MAX,
    agreement,
    ets_flags,
    from_common_scale,
    human_agreement,
    pearson,
    prompt_metrics,
    qwk,
    smd,
    to_common_scale,
)
from evaluation.aes.progress import (
    Progress,
)
from evaluation.aes.report import (
    per_prompt_table,
    render_text,
    write_report,
)
from evaluation.aes.run import (
    CURVE_SIZES,
    SEED,
    AesEvaluation,
    Scorer,
    ScorerFactory,
    cross_topic_scorer_factory,
    embed_only,
    essay_scorer_factory,
    evaluate,
)

__all__ = [
    "ASAP_PROMPTS",
    "COMMON_SCALE",
    "CURVE_SIZES",
    "DEFAULT_CACHE",
    "DEFAULT_DATA",
    "DEGRADATION_MAX",
    "ESSAYS_FILE",
    "FOLDS_FILE",
    "N_FOLDS",
    "PUBLISHED_CROSS_PROMPT",
    "PUBLISHED_SAME_PROMPT",
    "QWK_MIN",
    "SEED",
    "SMD_MAX",
    "AesEvaluation",
    "AesEvaluationError",
    "AsapPrompt",
    "MemoryCachedEmbedder",
    "Progress",
    "Scorer",
    "ScorerFactory",
    "agreement",
    "build_embedder",
    "cross_topic_scorer_factory",
    "embed_all",
    "embed_only",
    "essay_scorer_factory",
    "ets_flags",
    "evaluate",
    "fold_split",
    "from_common_scale",
    "human_agreement",
    "load_dataset",
    "parse_prompts",
    "pearson",
    "per_prompt_table",
    "prompt_metrics",
    "qwk",
    "read_essays",
    "read_folds",
    "render_text",
    "smd",
    "to_common_scale",
    "write_report",
]
