"""The proctoring rules (selection rules §10, with the exemption of §5): what is forbidden during a test and
what the reasoning test allows.

A forbidden behaviour that a proctor confirms removes the candidate from the stage (§10); the
consequence is recorded as a violation of the stage (``app.rules.programmes.competition_stage``).
"""

from __future__ import annotations

from app.rules.programmes import REASONING

FORBIDDEN_BEHAVIOURS: tuple[str, ...] = (
    "other_person_in_room",
    "person_swapped",
    "left_seat",
    "looked_away",
    "camera_covered_or_disconnected",
    "paper_materials",
)
"""The forbidden behaviours of §10, as the proctoring client names them."""

ALLOWED_IN_REASONING: frozenset[str] = frozenset({"paper_materials"})
"""Blank paper, pencil and calculator are allowed in the reasoning test (§5): recorded, never flagged."""


def behaviour_flagged(programme: str, behaviour: str) -> bool:
    """Whether an observed ``behaviour`` during a test of ``programme`` goes to the proctor's review.

    Every forbidden behaviour does, except those §5 allows in the reasoning test.
    """
    return not (programme == REASONING and behaviour in ALLOWED_IN_REASONING)
