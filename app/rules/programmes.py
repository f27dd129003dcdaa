"""The computer-based tests (programmes) and the competition stage each one is part of (§2, §4, §5).

Legislation decides eligibility (§2); personal qualities (§4) and reasoning (§5) are stages of one
competition; the state-language test gives a certificate and is part of no stage.
"""

from __future__ import annotations

from typing import Final

LEGISLATION: Final = "legislation"
STATE_LANGUAGE: Final = "state_language"
PERSONAL_QUALITIES: Final = "personal_qualities"
REASONING: Final = "reasoning"

COMPETITION_STAGE: dict[str, str] = {
    LEGISLATION: "eligibility",
    PERSONAL_QUALITIES: "personal_qualities",
    REASONING: "reasoning",
}
"""The competition stage (``app.rules.competition.STAGES``) a test is part of; state language is none."""


def competition_stage(programme: str) -> str | None:
    """The stage of ``programme`` in a competition, ``None`` for a test that is part of none."""
    return COMPETITION_STAGE.get(programme)
