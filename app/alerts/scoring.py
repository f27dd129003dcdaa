"""Which subscribers a vacancy concerns, for all subscribers at once: criteria as inverted indexes, text as one
matrix product. Pure numpy, no database, so the campaign benchmark measures exactly what the service runs.

A subscriber's criteria are alternatives within a kind (any of the functional areas named) and
all kinds together (area and region and category); a kind left empty accepts every vacancy. A
subscriber's free text must reach the similarity threshold with the vacancy's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float32]

CRITERIA_KINDS: tuple[str, ...] = ("functional_areas", "regions", "categories")
_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class CriterionIndex:
    """One kind of criterion over all subscribers: who accepts any value, and who names each value."""

    accepts_any: BoolArray
    by_value: dict[str, IntArray]

    def matching(self, value: str) -> BoolArray:
        mask = self.accepts_any.copy()
        mask[self.by_value.get(value.casefold(), _EMPTY)] = True
        return mask


@dataclass(frozen=True)
class SubscriberSet:
    """Every subscriber in columns; ``text_rows[i]`` is the row of ``text_vectors`` for subscriber ``text_owner[i]``."""

    subscription_ids: IntArray
    candidate_ids: IntArray
    criteria: dict[str, CriterionIndex]
    text_owner: IntArray
    text_vectors: FloatArray

    def __len__(self) -> int:
        return int(self.subscription_ids.shape[0])


def build_subscriber_set(
    subscription_ids: Sequence[int],
    candidate_ids: Sequence[int],
    criteria: Sequence[dict[str, Any]],
    text_vectors: dict[int, FloatArray],
    dim: int,
) -> SubscriberSet:
    """Columns from rows; ``text_vectors`` maps a position to its (normalised) text vector."""
    n = len(subscription_ids)
    indexes: dict[str, CriterionIndex] = {}
    for kind in CRITERIA_KINDS:
        accepts_any = np.ones(n, dtype=np.bool_)
        lists: dict[str, list[int]] = {}
        for position, item in enumerate(criteria):
            values = item.get(kind) or ()
            if values:
                accepts_any[position] = False
                for value in values:
                    lists.setdefault(str(value).casefold(), []).append(position)
        indexes[kind] = CriterionIndex(accepts_any, {k: np.asarray(v, dtype=np.int64) for k, v in lists.items()})
    owners = np.asarray(sorted(text_vectors), dtype=np.int64)
    vectors = (
        np.stack([text_vectors[int(p)] for p in owners]).astype(np.float32, copy=False)
        if len(owners)
        else np.zeros((0, dim), dtype=np.float32)
    )
    return SubscriberSet(
        np.asarray(subscription_ids, dtype=np.int64),
        np.asarray(candidate_ids, dtype=np.int64),
        indexes,
        owners,
        np.ascontiguousarray(vectors),
    )


@dataclass(frozen=True)
class VacancyFacts:
    """What a subscription can name of a vacancy, and its text vector (normalised)."""

    vacancy_id: int
    functional_area: str
    region: str
    category: str
    vector: FloatArray


@dataclass(frozen=True)
class VacancyMatches:
    """The subscribers (positions) a vacancy concerns, with each one's text similarity (NaN: no text)."""

    vacancy_id: int
    positions: IntArray
    text_similarity: FloatArray


def match_subscribers(
    subscribers: SubscriberSet, vacancy: VacancyFacts, *, min_text_similarity: float
) -> VacancyMatches:
    """The subscribers whose criteria all accept ``vacancy`` and whose text (if any) is close enough."""
    mask = subscribers.criteria["functional_areas"].matching(vacancy.functional_area)
    mask &= subscribers.criteria["regions"].matching(vacancy.region)
    mask &= subscribers.criteria["categories"].matching(vacancy.category)
    similarity = np.full(len(subscribers), np.nan, dtype=np.float32)
    if len(subscribers.text_owner):
        scores = subscribers.text_vectors @ vacancy.vector.astype(np.float32, copy=False)
        similarity[subscribers.text_owner] = scores
        mask[subscribers.text_owner[scores < min_text_similarity]] = False
    positions = np.flatnonzero(mask).astype(np.int64)
    return VacancyMatches(vacancy.vacancy_id, positions, similarity[positions])


def match_subscribers_loop(
    subscription_criteria: Iterable[tuple[dict[str, Any], FloatArray | None]],
    vacancy: VacancyFacts,
    *,
    min_text_similarity: float,
) -> list[int]:
    """The same decision one subscriber at a time (the benchmark's baseline, and a cross-check in tests)."""
    chosen: list[int] = []
    facts = {
        "functional_areas": vacancy.functional_area.casefold(),
        "regions": vacancy.region.casefold(),
        "categories": vacancy.category.casefold(),
    }
    for position, (criteria, vector) in enumerate(subscription_criteria):
        if any(
            criteria.get(kind) and facts[kind] not in {str(v).casefold() for v in criteria[kind]}
            for kind in CRITERIA_KINDS
        ):
            continue
        if vector is not None and float(np.dot(vector, vacancy.vector)) < min_text_similarity:
            continue
        chosen.append(position)
    return chosen
