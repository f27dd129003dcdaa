"""The review of an essay's scores (§6, with the ML pre-score of §12): which essays the commission discusses.

The pre-score is a suggestion stored beside the members' scores and never counts (architecture,
human-review gates). An essay is flagged for discussion when a member's score is
``policy.essay_discussion_gap`` or more points from the suggestion (``suggestion_gap``), or when two
members' scores are that far apart (``members_apart``, one flag per such pair).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.rules.policy import SelectionPolicy

SUGGESTION_GAP = "suggestion_gap"
MEMBERS_APART = "members_apart"


@dataclass(frozen=True)
class Flag:
    """One reason to discuss an essay; ``key`` names who is involved (account ids, never shown)."""

    key: str
    kind: str
    gap: int

    def stored(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "gap": self.gap}


def essay_flags(
    member_scores: Sequence[tuple[int, int]], suggestion: int | None, policy: SelectionPolicy
) -> list[Flag]:
    """The flags of one essay from ``(scorer account id, score)`` pairs and the suggestion (if any).

    Suggestion flags come first, by scorer id; then the members' pairs, by the lower scorer id and then
    the higher.
    """
    gap = policy.essay_discussion_gap
    ordered = sorted(member_scores)
    flags = []
    if suggestion is not None:
        flags += [
            Flag(key=f"{SUGGESTION_GAP}:{scorer}", kind=SUGGESTION_GAP, gap=abs(score - suggestion))
            for scorer, score in ordered
            if abs(score - suggestion) >= gap
        ]
    for index, (first, first_score) in enumerate(ordered):
        for second, second_score in ordered[index + 1 :]:
            if abs(first_score - second_score) >= gap:
                flags.append(
                    Flag(
                        key=f"{MEMBERS_APART}:{first}:{second}", kind=MEMBERS_APART, gap=abs(first_score - second_score)
                    )
                )
    return flags
