"""Matching: rank candidates for a vacancy, vacancies for a candidate, candidates for a free text — explained.

The text part is ``ml.matching.fusion.HybridRanker`` — the very ranking ``irikteu evaluate
matching`` measures, with its cross-validated defaults: e5 cosine of the whole texts and of the
titles (a vacancy's title, a candidate's positions; centred on the pool's mean vector), the
query's title against the documents' whole texts, BM25 of the stemmed texts and titles, each
min–max-normalised over the pool, blended, then smoothed by each query's 5 nearest documents.
It is reported as two components: *semantic* (the embedding signals) and *lexical* (BM25).
A third, *structured*, takes ``matching_weight_structured`` of the score (its share of the three
weight settings): months in the vacancy's functional area and of experience against what it
asks (or a year), and the education level and field — from the candidate helpers.

Qualification requirements are never scored by the model: ``app.rules.qualification`` decides
each one (through ``app.candidates.qualification.qualification_of``). A candidate who fails one is
left out of a vacancy's list only when the caller asks so, and then counted in
``excluded_failing``; with ``include_failing`` they are listed with ``meets_requirements``
false and the failing requirement. Nothing here rejects anyone or writes anything but reused
embeddings.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.candidates.qualification import qualification_of
from app.candidates.service import experience_months, functional_area_months
from app.clock import kazakhstan_today
from app.errors import DomainError
from app.matching.embedder import get_embedder
from app.matching.errors import CONTRADICTORY_FILTERS, INVALID_PAGE, SEARCH_TEXT_EMPTY, SEARCH_TEXT_TOO_LONG
from app.matching.index_service import candidate_snapshot
from app.matching.store import embed_passages, embed_queries
from app.matching.texts import (
    PROFILE_FIELDS,
    VACANCY_FIELDS,
    profile_fields,
    profile_text,
    vacancy_fields,
    vacancy_text,
)
from app.mlops.service import ensure_enabled
from app.rules.policy import EDUCATION_LEVELS
from app.rules.qualification import QualificationCheck
from app.settings import Settings, get_settings
from app.vacancies.models import PUBLISHED, Vacancy
from app.vacancies.schemas import requirements_from_json
from ml.embeddings import Embedder
from ml.matching.fusion import DEFAULT_WEIGHTS, LEXICAL_SIGNALS, SEMANTIC_SIGNALS, HybridRanker, TextSide
from ml.matching.lexical import BM25, surface_forms, tokenize

MAX_PAGE_SIZE = 100
MAX_TERMS = 8
PARTS: tuple[str, ...] = ("semantic", "lexical", "structured")


# --- what callers get --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CandidateFilters:
    """Which candidates to rank; ``candidate_ids`` is the pool the caller may show (consent, reserves)."""

    candidate_ids: Collection[int] | None = None
    regions: Collection[str] = ()
    min_education_level: str | None = None
    min_experience_months: int = 0
    functional_area: str | None = None
    languages: Collection[str] = ()


@dataclass(frozen=True, kw_only=True)
class RequirementOutcome:
    """One qualification requirement as the rule decided it."""

    requirement: str
    met: bool
    required: str | int | list[str]
    actual: str | int | list[str] | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class MatchedTerm:
    """A term both texts share, the field of the ranked item it was found in, and its BM25 weight."""

    term: str
    field: str
    weight: float


@dataclass(frozen=True, kw_only=True)
class MatchResult:
    candidate_id: int | None
    vacancy_id: int | None
    score: float
    components: dict[str, float]
    shares: dict[str, float]
    meets_requirements: bool
    requirements: list[RequirementOutcome]
    matched_terms: list[MatchedTerm] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["confidence"] = self.score
        return data


@dataclass(frozen=True, kw_only=True)
class MatchPage:
    items: list[MatchResult]
    total: int
    page: int
    page_size: int
    excluded_failing: int
    model: dict[str, str]
    weights: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": [item.as_dict() for item in self.items],
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "excluded_failing": self.excluded_failing,
            "model": self.model,
            "weights": self.weights,
        }


# --- checks ------------------------------------------------------------------------------------------


def _check_page(page: int, page_size: int) -> None:
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise DomainError(
            INVALID_PAGE,
            f"page must be >= 1 and page_size between 1 and {MAX_PAGE_SIZE}",
            page=page,
            page_size=page_size,
        )


def _check_filters(filters: CandidateFilters) -> None:
    if filters.min_education_level is not None and filters.min_education_level not in EDUCATION_LEVELS:
        raise DomainError(
            CONTRADICTORY_FILTERS,
            f"unknown education level {filters.min_education_level!r}; one of {', '.join(EDUCATION_LEVELS)}",
        )
    if filters.min_experience_months < 0:
        raise DomainError(CONTRADICTORY_FILTERS, "min_experience_months must be >= 0")
    if filters.candidate_ids is not None and not isinstance(filters.candidate_ids, Collection):
        raise DomainError(CONTRADICTORY_FILTERS, "candidate_ids must be a collection")


def _settings(settings: Settings | None) -> Settings:
    return settings or get_settings()


def _weights(settings: Settings, *, structured: bool) -> dict[str, float]:
    """The page's weights: the structured share from the settings, the text share split as the hybrid's signals."""
    total = settings.matching_weight_text + settings.matching_weight_structured
    structured_share = settings.matching_weight_structured / total if structured and total > 0 else 0.0
    text_share = 1.0 - structured_share
    semantic = sum(DEFAULT_WEIGHTS[name] for name in SEMANTIC_SIGNALS)
    lexical = sum(DEFAULT_WEIGHTS[name] for name in LEXICAL_SIGNALS)
    out = {
        "semantic": text_share * semantic / (semantic + lexical),
        "lexical": text_share * lexical / (semantic + lexical),
    }
    if structured:
        out["structured"] = structured_share
    return out


# --- the pool ----------------------------------------------------------------------------------------


def _pool_query(filters: CandidateFilters, query: Any) -> Any:
    """``query`` narrowed by the filters SQL can apply (the pool's ids, regions); None for an empty pool."""
    if filters.candidate_ids is not None:
        ids = sorted({int(i) for i in filters.candidate_ids})
        if not ids:
            return None
        query = query.where(Candidate.id.in_(ids))
    if filters.regions:
        query = query.where(Candidate.region.in_(list(filters.regions)))
    return query.order_by(Candidate.id)


def _profile_filters(filters: CandidateFilters) -> bool:
    """Whether a filter reads the profiles (education, experience, area, languages), not only SQL columns."""
    return bool(
        filters.min_education_level is not None
        or filters.min_experience_months
        or filters.functional_area
        or filters.languages
    )


def _candidate_pool(session: Session, filters: CandidateFilters, on: date) -> list[Candidate]:
    query = _pool_query(filters, select(Candidate))
    if query is None:
        return []
    pool = list(session.scalars(query))
    out = []
    wanted_languages = set(filters.languages)
    for candidate in pool:
        if filters.min_education_level is not None:
            ranks = [EDUCATION_LEVELS.index(record.level) for record in candidate.education]
            if not ranks or max(ranks) < EDUCATION_LEVELS.index(filters.min_education_level):
                continue
        if filters.min_experience_months and experience_months(candidate, on) < filters.min_experience_months:
            continue
        if filters.functional_area and not any(
            job.functional_area == filters.functional_area for job in candidate.work
        ):
            continue
        if wanted_languages and not wanted_languages <= {row.language for row in candidate.languages}:
            continue
        out.append(candidate)
    return out


# --- scoring -----------------------------------------------------------------------------------------


@dataclass
class _Signals:
    semantic: npt.NDArray[np.float64]
    lexical: npt.NDArray[np.float64]
    bm25: BM25
    query_tokens: list[str]


def _text_side(
    session: Session,
    embedder: Embedder,
    texts: Sequence[str],
    titles: Sequence[str],
    *,
    full: npt.NDArray[np.float32] | None = None,
) -> TextSide:
    """Texts as the hybrid wants them: whole texts as ``passage:`` (unless given), titles as ``query:``."""
    if full is None:
        full, _ = _vectors(session, embedder, texts)
    title_vectors, present = _vectors(session, embedder, titles, role="query")
    return TextSide(
        full=full,
        title=title_vectors,
        full_tokens=[tokenize(text) for text in texts],
        title_tokens=[tokenize(title) for title in titles],
        title_present=present,
    )


def _rank_signals(query: TextSide, documents: TextSide) -> _Signals:
    """Semantic and lexical parts (each in [0, 1]) of the evaluated hybrid for one query against every document."""
    ranker = HybridRanker(documents)
    scores = ranker.scores(query)
    return _Signals(
        semantic=scores.group(SEMANTIC_SIGNALS)[0],
        lexical=scores.group(LEXICAL_SIGNALS)[0],
        bm25=ranker.bm25_full,
        query_tokens=list(query.full_tokens[0]),
    )


def _structured_fit(candidate: Candidate, vacancy: Vacancy, on: date) -> float:
    """Graded fit in [0, 1]: area and total months against what is asked (or a year), education level and field."""
    requirements = requirements_from_json(vacancy.requirements or {})
    parts: list[float] = []
    area_needed = max(requirements.min_functional_area_months, 12)
    area = requirements.functional_area or vacancy.functional_area
    parts.append(min(1.0, functional_area_months(candidate, area, on) / area_needed))
    parts.append(min(1.0, experience_months(candidate, on) / max(requirements.min_experience_months, 12)))
    levels = [record.level for record in candidate.education]
    if requirements.states_education_level:
        if any(requirements.level_allowed(level) for level in levels):
            parts.append(1.0)
        elif levels:
            target = requirements.min_education_level or min(requirements.education_levels, key=EDUCATION_LEVELS.index)
            best = max(EDUCATION_LEVELS.index(level) for level in levels)
            parts.append(0.5 * (best + 1) / (EDUCATION_LEVELS.index(target) + 1))
        else:
            parts.append(0.0)
    if requirements.education_fields:
        wanted = {" ".join(name.split()).casefold() for name in requirements.education_fields}
        parts.append(
            1.0 if any(" ".join(record.field.split()).casefold() in wanted for record in candidate.education) else 0.0
        )
    return float(sum(parts) / len(parts))


def _outcomes(check: QualificationCheck | None) -> list[RequirementOutcome]:
    if check is None:
        return []

    def plain(value: Any) -> Any:
        return list(value) if isinstance(value, tuple) else value

    return [
        RequirementOutcome(
            requirement=result.requirement,
            met=result.met,
            required=plain(result.required),
            actual=plain(result.actual),
            reason=result.reason,
        )
        for result in check.results
    ]


def _shares(components: Mapping[str, float], weights: Mapping[str, float], score: float) -> dict[str, float]:
    if score <= 0:
        return {name: 1.0 / len(weights) for name in weights}
    raw = {name: weights[name] * components[name] / score for name in weights}
    total = sum(raw.values())
    return {name: value / total for name, value in raw.items()}


def _matched_terms(
    bm25: BM25, query_tokens: list[str], document: int, fields: Mapping[str, str], order: Sequence[str]
) -> list[MatchedTerm]:
    contributions = bm25.contributions(query_tokens, document)
    if not contributions:
        return []
    field_forms = {name: surface_forms(fields.get(name, "")) for name in order}
    terms = []
    for stem, weight in sorted(contributions.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS]:
        where = next((name for name in order if stem in field_forms[name]), order[0])
        terms.append(MatchedTerm(term=field_forms[where].get(stem, stem), field=where, weight=round(weight, 4)))
    return terms


def _explainer(
    signals: _Signals, fields: Sequence[Mapping[str, str]], order: Sequence[str], by: str, ids: Sequence[int]
) -> Callable[[MatchResult], list[MatchedTerm]]:
    """The matched terms of a result, found by its ``by`` id among ``ids`` (the ranked documents in order)."""
    position = {item_id: index for index, item_id in enumerate(ids)}

    def explain(result: MatchResult) -> list[MatchedTerm]:
        index = position[getattr(result, by)]
        return _matched_terms(signals.bm25, signals.query_tokens, index, fields[index], order)

    return explain


def _vectors(
    session: Session,
    embedder: Embedder,
    texts: Sequence[str],
    *,
    role: str = "passage",
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    present = np.asarray([bool(text.strip()) for text in texts], dtype=bool)
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    if present.any():
        embed = embed_queries if role == "query" else embed_passages
        vectors[present] = embed(session, embedder, [text for text in texts if text.strip()])
    return vectors, present


def _page(
    results: list[MatchResult],
    *,
    include_failing: bool,
    by: str,
    page: int,
    page_size: int,
    embedder: Embedder,
    weights: dict[str, float],
    explain: Callable[[MatchResult], list[MatchedTerm]] | None = None,
) -> MatchPage:
    """Best first (ties by ``by`` id), failing ones counted rather than listed unless asked, one page cut;
    ``explain`` gives the matched terms of the results on the page (worked out for those only)."""
    kept = [result for result in results if include_failing or result.meets_requirements]
    kept.sort(key=lambda item: (-item.score, getattr(item, by) or 0))
    start = (page - 1) * page_size
    items = kept[start : start + page_size]
    if explain is not None:
        items = [replace(item, matched_terms=explain(item)) for item in items]
    return MatchPage(
        items=items,
        total=len(kept),
        page=page,
        page_size=page_size,
        excluded_failing=len(results) - len(kept),
        model=embedder.model_info.as_dict(),
        weights=weights,
    )


def _round(value: float) -> float:
    return round(float(value), 6)


# --- vacancy → candidates ------------------------------------------------------------------------------


def _snapshot_restrict(
    settings: Settings, embedder: Embedder, pool: list[int], query: npt.NDArray[np.float32]
) -> list[int]:
    """With a large pool and a current snapshot: the snapshot's nearest plus anyone not in it yet."""
    if len(pool) <= settings.matching_retrieval_depth:
        return pool
    current = candidate_snapshot(settings, embedder.model_id)
    if current is None:
        return pool
    _scores, ids = current.search(query[None, :], settings.matching_retrieval_depth)
    near = {int(i) for i in ids[0] if i >= 0}
    return [candidate_id for candidate_id in pool if candidate_id in near or candidate_id not in current]


def _ranked_pool(
    session: Session,
    settings: Settings,
    embedder: Embedder,
    filters: CandidateFilters,
    on: date,
    query: npt.NDArray[np.float32],
) -> list[Candidate]:
    """The pool to rank for ``query``: filtered, then cut to the snapshot's nearest when it is large. Without
    a filter on the profiles the cut is made on ids, so only the profiles that are ranked are loaded."""
    if _profile_filters(filters):
        pool = _candidate_pool(session, filters, on)
        kept = set(_snapshot_restrict(settings, embedder, [candidate.id for candidate in pool], query))
        return [candidate for candidate in pool if candidate.id in kept]
    if filters.candidate_ids is not None and not filters.regions:
        ids = sorted({int(i) for i in filters.candidate_ids})  # no filter left for the database to apply
    else:
        ids_query = _pool_query(filters, select(Candidate.id))
        ids = [] if ids_query is None else list(session.scalars(ids_query))
    ids = _snapshot_restrict(settings, embedder, ids, query)
    found = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))} if ids else {}
    return [found[candidate_id] for candidate_id in ids if candidate_id in found]


def match_candidates_for_vacancy(
    session: Session,
    vacancy: Vacancy,
    *,
    filters: CandidateFilters | None = None,
    page: int = 1,
    page_size: int = 20,
    include_failing: bool = False,
    on: date | None = None,
    settings: Settings | None = None,
) -> MatchPage:
    """Candidates of the pool ranked for ``vacancy``, each explained; failing ones counted or shown."""
    ensure_enabled(session, "matching")
    _check_page(page, page_size)
    filters = filters or CandidateFilters()
    _check_filters(filters)
    settings = _settings(settings)
    on = on or kazakhstan_today()
    embedder = get_embedder(settings)
    weights = _weights(settings, structured=True)
    v_fields = vacancy_fields(vacancy)
    query = _text_side(session, embedder, [vacancy_text(vacancy)], [v_fields["title"]])
    pool = _ranked_pool(session, settings, embedder, filters, on, query.full[0])
    results: list[MatchResult] = []
    explain = None
    if pool:
        texts = [profile_text(candidate) for candidate in pool]
        fields = [profile_fields(candidate) for candidate in pool]
        signals = _rank_signals(query, _text_side(session, embedder, texts, [f["title"] for f in fields]))
        results = [
            _pair_result(candidate, vacancy, on, signals, index, weights) for index, candidate in enumerate(pool)
        ]
        explain = _explainer(signals, fields, PROFILE_FIELDS, "candidate_id", [c.id for c in pool])
    return _page(
        results,
        include_failing=include_failing,
        by="candidate_id",
        page=page,
        page_size=page_size,
        embedder=embedder,
        weights=weights,
        explain=explain,
    )


def _pair_result(
    candidate: Candidate,
    vacancy: Vacancy,
    on: date,
    signals: Any,
    index: int,
    weights: dict[str, float],
) -> MatchResult:
    """One candidate–vacancy pair scored and explained: the rule's requirements, the blend, the terms."""
    check = qualification_of(candidate, vacancy, on)
    components = {
        "semantic": _round(signals.semantic[index]),
        "lexical": _round(signals.lexical[index]),
        "structured": _round(_structured_fit(candidate, vacancy, on)),
    }
    score = sum(weights[name] * components[name] for name in weights)
    return MatchResult(
        candidate_id=candidate.id,
        vacancy_id=vacancy.id,
        score=_round(score),
        components=components,
        shares=_shares(components, weights, score),
        meets_requirements=check.qualified,
        requirements=_outcomes(check),
    )


# --- candidate → vacancies ------------------------------------------------------------------------------


def match_vacancies_for_candidate(
    session: Session,
    candidate: Candidate,
    *,
    page: int = 1,
    page_size: int = 20,
    statuses: Collection[str] = (PUBLISHED,),
    include_failing: bool = True,
    on: date | None = None,
    settings: Settings | None = None,
) -> MatchPage:
    """Vacancies (published by default) ranked for ``candidate``, with the same explanations."""
    ensure_enabled(session, "matching")
    _check_page(page, page_size)
    settings = _settings(settings)
    on = on or kazakhstan_today()
    embedder = get_embedder(settings)
    weights = _weights(settings, structured=True)
    vacancies = list(session.scalars(select(Vacancy).where(Vacancy.status.in_(list(statuses))).order_by(Vacancy.id)))
    p_fields = profile_fields(candidate)
    query_text = profile_text(candidate)
    results: list[MatchResult] = []
    explain = None
    if vacancies:
        query = _text_side(session, embedder, [query_text], [p_fields["title"]])
        fields = [vacancy_fields(vacancy) for vacancy in vacancies]
        texts = [vacancy_text(vacancy) for vacancy in vacancies]
        signals = _rank_signals(query, _text_side(session, embedder, texts, [f["title"] for f in fields]))
        results = [
            _pair_result(candidate, vacancy, on, signals, index, weights) for index, vacancy in enumerate(vacancies)
        ]
        explain = _explainer(signals, fields, VACANCY_FIELDS, "vacancy_id", [v.id for v in vacancies])
    return _page(
        results,
        include_failing=include_failing,
        by="vacancy_id",
        page=page,
        page_size=page_size,
        embedder=embedder,
        weights=weights,
        explain=explain,
    )


# --- free text → candidates ------------------------------------------------------------------------------


def search_candidates_by_text(
    session: Session,
    text: str,
    *,
    filters: CandidateFilters | None = None,
    page: int = 1,
    page_size: int = 20,
    on: date | None = None,
    settings: Settings | None = None,
) -> MatchPage:
    """Candidates of the pool ranked for a free-text search (semantic and lexical parts only)."""
    ensure_enabled(session, "matching")
    settings = _settings(settings)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DomainError(SEARCH_TEXT_EMPTY, "the search text is empty")
    if len(cleaned) > settings.matching_max_query_chars:
        raise DomainError(
            SEARCH_TEXT_TOO_LONG,
            f"the search text has {len(cleaned)} characters; at most {settings.matching_max_query_chars}",
            limit=settings.matching_max_query_chars,
        )
    _check_page(page, page_size)
    filters = filters or CandidateFilters()
    _check_filters(filters)
    on = on or kazakhstan_today()
    embedder = get_embedder(settings)
    weights = _weights(settings, structured=False)
    query_vector = embed_queries(session, embedder, [cleaned])[0]
    pool = _ranked_pool(session, settings, embedder, filters, on, query_vector)
    results: list[MatchResult] = []
    explain = None
    if pool:
        texts = [profile_text(candidate) for candidate in pool]
        fields = [profile_fields(candidate) for candidate in pool]
        # A free text is a query (``query:``) on both the whole-text and the title signals.
        query = TextSide(
            full=query_vector[None, :],
            title=query_vector[None, :],
            full_tokens=[tokenize(cleaned)],
            title_tokens=[tokenize(cleaned)],
        )
        signals = _rank_signals(query, _text_side(session, embedder, texts, [f["title"] for f in fields]))
        for index, candidate in enumerate(pool):
            components = {"semantic": _round(signals.semantic[index]), "lexical": _round(signals.lexical[index])}
            score = sum(weights[name] * components[name] for name in weights)
            results.append(
                MatchResult(
                    candidate_id=candidate.id,
                    vacancy_id=None,
                    score=_round(score),
                    components=components,
                    shares=_shares(components, weights, score),
                    meets_requirements=True,
                    requirements=[],
                )
            )
        explain = _explainer(signals, fields, PROFILE_FIELDS, "candidate_id", [c.id for c in pool])
    return _page(
        results,
        include_failing=True,
        by="candidate_id",
        page=page,
        page_size=page_size,
        embedder=embedder,
        weights=weights,
        explain=explain,
    )


# --- bulk, for alert campaigns ----------------------------------------------------------------------------


def score_candidates_for_vacancies(
    session: Session,
    vacancies: Sequence[Vacancy],
    candidate_ids: Collection[int],
    *,
    on: date | None = None,
    settings: Settings | None = None,
) -> dict[int, list[tuple[int, float, bool]]]:
    """For each vacancy: ``(candidate_id, score, meets_requirements)`` of every candidate, best first.

    Vectorised for campaigns: the same hybrid text score (all vacancies at once against the candidates)
    and structured fit, no explanation text (ask ``match_candidates_for_vacancy`` for one vacancy's).
    """
    ensure_enabled(session, "matching")
    settings = _settings(settings)
    on = on or kazakhstan_today()
    embedder = get_embedder(settings)
    ids = sorted({int(i) for i in candidate_ids})
    candidates = (
        list(session.scalars(select(Candidate).where(Candidate.id.in_(ids)).order_by(Candidate.id))) if ids else []
    )
    out: dict[int, list[tuple[int, float, bool]]] = {vacancy.id: [] for vacancy in vacancies}
    if not candidates or not vacancies:
        return out
    weights = _weights(settings, structured=True)
    fields = [profile_fields(candidate) for candidate in candidates]
    documents = _text_side(
        session, embedder, [profile_text(candidate) for candidate in candidates], [f["title"] for f in fields]
    )
    v_fields = [vacancy_fields(vacancy) for vacancy in vacancies]
    queries = _text_side(
        session, embedder, [vacancy_text(vacancy) for vacancy in vacancies], [f["title"] for f in v_fields]
    )
    text = HybridRanker(documents).scores(queries).total
    text_weight, structured_weight = weights["semantic"] + weights["lexical"], weights["structured"]
    for row, vacancy in enumerate(vacancies):
        scored = []
        for column, candidate in enumerate(candidates):
            structured = _structured_fit(candidate, vacancy, on)
            score = text_weight * text[row, column] + structured_weight * structured
            scored.append((candidate.id, _round(score), qualification_of(candidate, vacancy, on).qualified))
        scored.sort(key=lambda item: (-item[1], item[0]))
        out[vacancy.id] = scored
    return out
