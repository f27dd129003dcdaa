"""The interview shortlist (сұхбат, §8): the best by total so far, ties with the last place included."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from app.rules.policy import SelectionPolicy
from app.rules.ranking import BestWithTies, take_best_with_ties


def shortlist_for_interview(totals: Mapping[str, Fraction], policy: SelectionPolicy) -> BestWithTies:
    """The ``interview_places`` best by total; everyone tied with the last place taken goes on too."""
    return take_best_with_ties(totals, policy.interview_places)
