"""What the essay scorer takes and gives: the contract between ``ml/essay_scoring`` and the service.

``ml/`` knows nothing of ``app/``: the service turns its rows into :class:`EssayInput` and stores the
:class:`Suggestion` it gets back (as a ``member_scores`` row of type ``ml_suggestion`` plus details).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

LANGUAGES: Final = ("kk", "ru", "en")
"""Kazakh and Russian in the service; English only for the ASAP evaluation."""

# Reasons a scorer gives instead of a number (stable codes; the service shows them in kk/ru).
REASON_EMPTY: Final = "empty_text"
REASON_NOT_TEXT: Final = "not_text"
REASON_LANGUAGE_MISMATCH: Final = "language_mismatch"
REASON_OVER_WORD_LIMIT: Final = "over_word_limit"
REASON_NO_MODEL: Final = "no_model"
REASONS: Final = (REASON_EMPTY, REASON_NOT_TEXT, REASON_LANGUAGE_MISMATCH, REASON_OVER_WORD_LIMIT, REASON_NO_MODEL)


class ScorerArtifactError(ValueError):
    """A saved scorer that is refused: not a scorer artifact, altered, or holding untrusted types."""


class StaleScorerArtifact(ScorerArtifactError):
    """A scorer saved in the old pickle format (before skops), which is never loaded: retrain it."""


def is_stale_artifact(data: bytes) -> bool:
    """Whether ``data`` is a scorer saved in the old pickle format (every pickle since protocol 2
    starts with the PROTO opcode, byte 0x80), read without unpickling it."""
    return data[:1] == b"\x80"


@dataclass(frozen=True)
class EssayInput:
    """One essay as the scorer sees it.

    ``language`` is the language the essay is meant to be in (the topic's: ``kk`` or ``ru``; ``en``
    for ASAP); ``topic`` the topic text in that language (empty when unknown); ``word_limit`` the
    policy's limit (``None``: no limit check).
    """

    text: str
    language: str
    topic: str = ""
    word_limit: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """A pre-score, or the reason there is none (then ``score`` is ``None`` and nothing else is set).

    ``probabilities`` maps each score point to its probability (they sum to 1); ``confidence`` is the
    probability of the suggested point; ``top_features`` the features that moved it most, as
    ``{"feature": name, "value": raw value, "contribution": signed share}``; ``model`` the model card:
    ``name``, ``version``, ``params_sha256``, ``encoder`` (the embedder's ModelInfo dict) and
    ``scope`` (``topic`` or ``cross_topic``, set by the service).
    """

    score: int | None
    reason: str | None = None
    probabilities: dict[int, float] = field(default_factory=dict)
    confidence: float | None = None
    top_features: list[dict[str, Any]] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def none(cls, reason: str, model: dict[str, Any] | None = None) -> Suggestion:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        return cls(score=None, reason=reason, model=dict(model or {}))

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "reason": self.reason,
            "probabilities": {str(point): value for point, value in self.probabilities.items()},
            "confidence": self.confidence,
            "top_features": list(self.top_features),
            "model": dict(self.model),
        }
