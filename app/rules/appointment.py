"""Appointment after a competition (selection-rules §9): the window, the documents, a refusal.

Pure functions over dates and the published ranking; the deadlines themselves come from
``app.rules.calendar.appointment_deadlines`` (the core stores them in the outcome as
``deadlines``). Nothing here reads the clock: ``today`` is always a parameter.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.rules.calendar import AppointmentDeadlines, appointment_deadlines
from app.rules.policy import SelectionPolicy

Timing = Literal["early", "in_window", "late"]


def appointment_timing(appointed_on: date, deadlines: AppointmentDeadlines) -> Timing:
    """Whether an appointment on ``appointed_on`` falls before, inside or after the window (ends included)."""
    if appointed_on < deadlines.appointment_from:
        return "early"
    if appointed_on > deadlines.appointment_until:
        return "late"
    return "in_window"


@dataclass(frozen=True)
class DeadlineMarks:
    """What is overdue on ``today``: the appointment (window ended, none recorded), the documents."""

    appointment_overdue: bool
    documents_overdue: bool


def deadline_marks(
    deadlines: AppointmentDeadlines,
    *,
    today: date,
    appointed: bool,
    documents_required: bool,
    documents_received_on: date | None,
) -> DeadlineMarks:
    """The overdue marks: the window's last day has passed with no appointment; the documents'
    due day has passed with none received (only a newcomer to the civil service hands them in).

    Documents received after their due day stay marked overdue.
    """
    documents_overdue = documents_required and (
        (documents_received_on is None and today > deadlines.documents_due)
        or (documents_received_on is not None and documents_received_on > deadlines.documents_due)
    )
    return DeadlineMarks(
        appointment_overdue=not appointed and today > deadlines.appointment_until,
        documents_overdue=documents_overdue,
    )


@dataclass(frozen=True)
class AfterRefusal:
    """What follows a refusal: ``recompete`` (the post goes back to competition) or ``offer`` to ``ref``.

    ``reason`` says why: ``policy_recompete``, ``next_ranked``, ``no_one_left`` (nobody of the best
    ranked is left) or ``tie_at_next_rank`` (the next place is shared: nobody can be offered it).
    """

    action: Literal["recompete", "offer"]
    ref: str | None
    reason: str


def after_refusal(
    ranking: Sequence[Mapping[str, Any]], refused: Collection[str], policy: SelectionPolicy
) -> AfterRefusal:
    """The one rule for what happens once the candidates in ``refused`` have refused the post.

    ``ranking`` is the published ranking (``{"ref", "rank"}`` entries, by rank). Under
    ``after_winner_refusal = "recompete"`` (the default) the post goes back to competition; under
    ``"offer_next_ranked"`` the best ranked candidate who has not refused, among the best
    ``final_top_n``, is offered it, unless that place is shared or nobody is left.
    """
    if policy.after_winner_refusal == "recompete":
        return AfterRefusal("recompete", None, "policy_recompete")
    left = [entry for entry in ranking if entry["ref"] not in refused and int(entry["rank"]) <= policy.final_top_n]
    if not left:
        return AfterRefusal("recompete", None, "no_one_left")
    best = min(int(entry["rank"]) for entry in left)
    at_best = [str(entry["ref"]) for entry in left if int(entry["rank"]) == best]
    if len(at_best) > 1:
        return AfterRefusal("recompete", None, "tie_at_next_rank")
    return AfterRefusal("offer", at_best[0], "next_ranked")


def offer_deadlines(offered_on: date, policy: SelectionPolicy) -> AppointmentDeadlines:
    """The window of the next ranked candidate offered the post on ``offered_on`` after a refusal.

    The seeds are silent; the offer is counted as a publication with a single candidate: from
    the offer day (the wait after the publication has run) to the last working day of the
    window, and a newcomer's documents within the calendar days, all from the offer day.
    """
    return appointment_deadlines(offered_on, single_candidate=True, policy=policy)
