"""Appointment after a competition: the window with Nauryz inside it, overdue marks, the refusal rule."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.appointment import AfterRefusal, after_refusal, appointment_timing, deadline_marks, offer_deadlines
from app.rules.calendar import AppointmentDeadlines, appointment_deadlines
from app.rules.policy import SelectionPolicy, policy_from_overrides

# Published Monday 16.03.2026. Working days after it: 17, 18, 19, 20 March (1-4); Nauryz keeps
# 21-25 March off (Saturday, Sunday, and 23-25 as the holidays); 26 (5), 27 (6), 30 (7), 31 (8),
# 1 April (9), 2 April (10). Documents: 10 calendar days, 26 March.
PUBLISHED = date(2026, 3, 16)
WINDOW = AppointmentDeadlines(date(2026, 3, 27), date(2026, 4, 2), date(2026, 3, 26))
RANKING = [{"ref": "A", "rank": 1}, {"ref": "B", "rank": 2}, {"ref": "C", "rank": 3}, {"ref": "D", "rank": 4}]
NEXT = policy_from_overrides({"after_winner_refusal": "offer_next_ranked"})


def test_the_window_across_nauryz() -> None:
    assert appointment_deadlines(PUBLISHED, single_candidate=False, policy=SelectionPolicy()) == WINDOW
    single = appointment_deadlines(PUBLISHED, single_candidate=True, policy=SelectionPolicy())
    assert single == AppointmentDeadlines(PUBLISHED, date(2026, 4, 2), date(2026, 3, 26))


@pytest.mark.parametrize(
    ("day", "timing"),
    [
        (date(2026, 3, 26), "early"),
        (date(2026, 3, 27), "in_window"),
        (date(2026, 4, 2), "in_window"),
        (date(2026, 4, 3), "late"),
    ],
)
def test_timing_at_the_window_edges(day: date, timing: str) -> None:
    assert appointment_timing(day, WINDOW) == timing


def test_overdue_marks() -> None:
    def marks(
        today: date, appointed: bool = False, required: bool = True, received: date | None = None
    ) -> tuple[bool, bool]:
        got = deadline_marks(
            WINDOW, today=today, appointed=appointed, documents_required=required, documents_received_on=received
        )
        return got.appointment_overdue, got.documents_overdue

    assert marks(date(2026, 3, 26)) == (False, False)
    assert marks(date(2026, 3, 27)) == (False, True)
    assert marks(date(2026, 3, 27), required=False) == (False, False)
    assert marks(date(2026, 3, 27), received=date(2026, 3, 26)) == (False, False)
    assert marks(date(2026, 4, 10), received=date(2026, 3, 30)) == (True, True)
    assert marks(date(2026, 4, 3)) == (True, True)
    assert marks(date(2026, 4, 3), appointed=True, received=date(2026, 3, 20)) == (False, False)


def test_refusal_by_default_sends_the_post_back_to_competition() -> None:
    assert SelectionPolicy().after_winner_refusal == "recompete"
    assert after_refusal(RANKING, {"A"}, SelectionPolicy()) == AfterRefusal("recompete", None, "policy_recompete")


def test_refusal_offers_the_next_of_the_best_three_when_the_policy_says_so() -> None:
    assert after_refusal(RANKING, {"A"}, NEXT) == AfterRefusal("offer", "B", "next_ranked")
    assert after_refusal(RANKING, {"A", "B"}, NEXT) == AfterRefusal("offer", "C", "next_ranked")
    # D is fourth: outside the best three
    assert after_refusal(RANKING, {"A", "B", "C"}, NEXT) == AfterRefusal("recompete", None, "no_one_left")
    tied = [{"ref": "A", "rank": 1}, {"ref": "B", "rank": 2}, {"ref": "C", "rank": 2}]
    assert after_refusal(tied, {"A"}, NEXT) == AfterRefusal("recompete", None, "tie_at_next_rank")


def test_an_offer_after_a_refusal_counts_from_the_offer_day() -> None:
    # offered Thursday 26.03.2026: 10 working days on is 9 April; documents 5 April
    assert offer_deadlines(date(2026, 3, 26), SelectionPolicy()) == AppointmentDeadlines(
        date(2026, 3, 26), date(2026, 4, 9), date(2026, 4, 5)
    )
