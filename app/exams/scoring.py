"""Scoring a submitted booking through ``app.rules`` into a result, a certificate and the application's results.

Counts come from the latest answer to each item of the frozen form(s) and ``Item.credits``;
every mark, pass or fail and validity date comes from the rules modules with the policy.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.events import audit
from app.auth.models import Account
from app.clock import KAZAKHSTAN
from app.exams.forms import cached_form
from app.exams.models import (
    LEGISLATION,
    NUMERIC_BLOCK,
    REASONING,
    STATE_LANGUAGE,
    TEXT_BLOCK,
    Certificate,
    TestAnswer,
    TestBooking,
    TestResult,
    TestSession,
)
from app.exams.models import (
    PERSONAL_QUALITIES as PQ_PROGRAMME,
)
from app.exams.recording import record_for_application
from app.items.forms import Form
from app.items.item import VALIDITY_SECTION
from app.rules.calendar import certificate_valid_until
from app.rules.legislation import score_legislation, state_language_passed
from app.rules.personal_qualities import (
    per_quality_percents,
    personal_qualities_percent,
    score_personal_qualities,
)
from app.rules.policy import PERSONAL_QUALITIES, SelectionPolicy
from app.rules.reasoning import reasoning_score

_VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Scored:
    """What the rules said: the score (JSON-ready), pass or fail, the reason, what goes to the application."""

    score: dict[str, Any]
    passed: bool | None
    reason: str | None = None
    flagged_unreliable: bool = False
    stage_results: dict[str, Any] = field(default_factory=dict)


def latest_answers(session: Session, session_id: int) -> dict[str, str]:
    """Item id → the option of the latest accepted answer (the history's last row counts)."""
    rows = session.execute(
        select(TestAnswer.item_id, TestAnswer.option).where(TestAnswer.session_id == session_id).order_by(TestAnswer.id)
    ).all()
    return {item_id: option for item_id, option in rows}


def credited_by_section(form: Form, answers: Mapping[str, str]) -> dict[str, int]:
    """Credited items per section of the form (every section present, zero when none credited)."""
    counts = {section.name: 0 for section in form.sections}
    for item in form.items:
        option = answers.get(item.id)
        if option is not None and item.credits(option):
            counts[item.section] = counts.get(item.section, 0) + 1
    return counts


def _percent_text(value: Fraction) -> str:
    return str(Decimal(value.numerator) / Decimal(value.denominator))


def score_programme(
    programme: str, sheets: Sequence[tuple[Form, Mapping[str, str]]], policy: SelectionPolicy
) -> Scored:
    """Score a programme from its forms and answers (reasoning: the text block's, then the numeric's)."""
    counts = [credited_by_section(form, answers) for form, answers in sheets]
    if programme == LEGISLATION:
        result = score_legislation(counts[0], policy)
        return Scored(
            score={"counts": dict(result.counts), "total": result.total},
            passed=result.passed,
            reason=result.reason,
            stage_results={"legislation": dict(result.counts)},
        )
    if programme == STATE_LANGUAGE:
        correct = sum(counts[0].values())
        return Scored(
            score={"correct": correct, "questions": policy.state_language_questions},
            passed=state_language_passed(correct, policy),
        )
    if programme == PQ_PROGRAMME:
        hits = counts[0].get(VALIDITY_SECTION, 0)
        reliable = hits <= policy.personal_qualities_validity_max_hits
        per_quality = per_quality_percents({q: counts[0].get(q, 0) for q in PERSONAL_QUALITIES}, policy)
        overall = personal_qualities_percent({q: counts[0].get(q, 0) for q in PERSONAL_QUALITIES}, policy)
        verdict = score_personal_qualities(overall, reliable, policy, per_quality)
        return Scored(
            score={
                "percent": _percent_text(overall),
                "per_quality": {q: _percent_text(p) for q, p in per_quality.items()},
                "validity_hits": hits,
                "validity_max_hits": policy.personal_qualities_validity_max_hits,
                "reliable": reliable,
            },
            passed=verdict.passed,
            reason=verdict.reason,
            flagged_unreliable=verdict.flagged_unreliable,
            stage_results={"personal_qualities": {"percent": float(overall), "reliable": reliable}},
        )
    if programme == REASONING:
        text, numeric = sum(counts[0].values()), sum(counts[1].values())
        total = reasoning_score(text, numeric, policy)
        return Scored(
            score={"text": text, "numeric": numeric, "total": total},
            passed=None,
            stage_results={"reasoning": {"text": text, "numeric": numeric}},
        )
    raise ValueError(f"unknown programme {programme!r}")


def day_of_test(test_session: TestSession) -> date:
    """The test's day in Kazakhstan (the certificate's issue date)."""
    return test_session.started_at.astimezone(KAZAKHSTAN).date()


def _verification_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(_VERIFICATION_ALPHABET) for _ in range(12))
        if session.scalar(select(Certificate.id).where(Certificate.verification_code == code)) is None:
            return code


def _validity_months(programme: str, policy: SelectionPolicy) -> int:
    if programme == LEGISLATION:
        return policy.legislation_certificate_validity_months
    if programme == PQ_PROGRAMME:
        return policy.personal_qualities_validity_months
    return policy.state_language_certificate_validity_months


def _earns_certificate(programme: str, passed: bool | None) -> bool:
    """Legislation when passed; state language unless the policy fails it (it has no pass mark by
    default); the personal-qualities conclusion (қорытынды) when passed and reliable — valid one year
    from the test like the other two since 1 April (seed 001)."""
    if programme == STATE_LANGUAGE:
        return passed is not False
    return programme in (LEGISLATION, PQ_PROGRAMME) and passed is True


def score_booking(
    session: Session,
    *,
    booking: TestBooking,
    sessions: Sequence[TestSession],
    candidate: Account,
    policy: SelectionPolicy,
    voided_reason: str | None,
) -> TestResult:
    """Score the submitted ``sessions`` of ``booking`` (in block order) and store the result.

    A passed legislation test, a state-language test the policy does not fail, and a passed,
    reliable personal-qualities test (its conclusion) get a certificate. Where the booking belongs
    to an application, the result is recorded there.
    ``voided_reason``: a proctor already confirmed a violation: the result is stored void, with
    no certificate.
    """
    ordered = sorted(sessions, key=lambda s: (s.block != TEXT_BLOCK, s.block == NUMERIC_BLOCK, s.id))
    sheets = [(cached_form(session, s.form_hash), latest_answers(session, s.id)) for s in ordered]
    scored = score_programme(booking.programme, sheets, policy)
    first = ordered[0]
    result = TestResult(
        booking_id=booking.id,
        account_id=booking.account_id,
        programme=booking.programme,
        form_hash=first.form_hash,
        second_form_hash=ordered[1].form_hash if len(ordered) > 1 else None,
        test_date=day_of_test(first),
        score=scored.score,
        passed=scored.passed,
        reason=scored.reason,
        flagged_unreliable=scored.flagged_unreliable,
    )
    session.add(result)
    session.flush()
    if voided_reason is not None:
        result.voided_at, result.void_reason = ordered[-1].submitted_at, voided_reason
    elif _earns_certificate(booking.programme, scored.passed):
        months = _validity_months(booking.programme, policy)
        certificate = Certificate(
            candidate_id=booking.candidate_id,
            account_id=booking.account_id,
            programme=booking.programme,
            issued_on=result.test_date,
            validity_months=months,
            valid_until=certificate_valid_until(result.test_date, months),
            result_id=result.id,
            form_hash=result.form_hash,
            score=scored.score,
            verification_code=_verification_code(session),
        )
        session.add(certificate)
        session.flush()
        audit(
            session,
            actor=candidate,
            action="certificate.issued",
            entity_type="certificate",
            entity_id=certificate.id,
            after={
                "programme": certificate.programme,
                "issued_on": certificate.issued_on,
                "valid_until": certificate.valid_until,
                "form_hash": certificate.form_hash,
            },
        )
    if booking.application_id is not None and scored.stage_results:
        problem = record_for_application(
            session, application_id=booking.application_id, actor=candidate, results=scored.stage_results
        )
        result.recorded_for_application = problem is None
        result.recording_problem = problem
    audit(
        session,
        actor=candidate,
        action="test_result.scored",
        entity_type="test_result",
        entity_id=result.id,
        after={
            "booking_id": booking.id,
            "programme": result.programme,
            "score": result.score,
            "passed": result.passed,
            "reason": result.reason,
            "form_hash": result.form_hash,
            "second_form_hash": result.second_form_hash,
            "voided": voided_reason is not None,
            "recorded_for_application": result.recorded_for_application,
        },
    )
    return result
