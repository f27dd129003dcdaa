"""Working days of Kazakhstan and the deadlines counted in them.

Expected dates were read from the ``holidays`` package's list for Kazakhstan (observed days
included) and checked against the weekday of each date.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.calendar import (
    AppointmentDeadlines,
    NegativeDays,
    add_calendar_days,
    appointment_deadlines,
    certificate_is_valid,
    certificate_valid_until,
    earliest_booking_date,
    is_working_day,
    nth_working_day_after,
    working_day_deadline,
    working_days_between,
)
from app.rules.policy import SelectionPolicy

POLICY = SelectionPolicy()


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        date(2026, 1, 2),  # New Year (Thu, Fri)
        date(2026, 1, 7),  # Orthodox Christmas (Wed)
        date(2026, 3, 9),  # Women's Day 8 March is a Sunday: observed Monday
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 3, 25),  # Nauryz Mon + two observed days
        date(2026, 5, 1),
        date(2026, 5, 7),  # Solidarity Day, Defender of the Fatherland Day
        date(2026, 5, 11),  # Victory Day 9 May is a Saturday: observed Monday
        date(2026, 12, 16),  # Independence Day (Wed)
        date(2027, 1, 4),  # 2 January 2027 is a Saturday: observed Monday
        date(2025, 3, 24),
        date(2025, 3, 25),  # Nauryz 2025: 22 and 23 fell on the weekend
        date(2025, 1, 3),  # day off moved by decree from Sunday 5 January 2025
    ],
)
def test_holidays_and_observed_days_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 5),
        date(2026, 1, 6),
        date(2026, 1, 8),
        date(2026, 3, 10),
        date(2026, 3, 20),
        date(2026, 3, 26),
        date(2026, 5, 8),
        date(2026, 5, 12),
        date(2026, 12, 15),
        date(2026, 12, 17),
        date(2026, 12, 31),
        date(2025, 5, 5),  # a weekday between the May holidays of 2025
    ],
)
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    assert is_working_day(day)


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 15))  # Sunday
    assert not is_working_day(date(2026, 3, 21))  # Nauryz on a Saturday


def test_weekend_worked_in_exchange_for_a_moved_day_off_is_a_working_day() -> None:
    # Sunday 5 January 2025 was worked for Friday 3 January; Saturday 28 December 2013 for
    # Friday 3 January 2014 (listed with the next year).
    assert is_working_day(date(2025, 1, 5))
    assert is_working_day(date(2013, 12, 28))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 3, 20), 1, date(2026, 3, 26)),  # across Nauryz 2026 (Sat-Sun + Mon-Wed)
        (date(2026, 3, 19), 2, date(2026, 3, 26)),
        (date(2026, 5, 6), 1, date(2026, 5, 8)),  # 7 May is Defender of the Fatherland Day
        (date(2026, 5, 8), 1, date(2026, 5, 12)),  # weekend + Victory Day observed on 11 May
        (date(2026, 12, 15), 1, date(2026, 12, 17)),  # Independence Day
        (date(2026, 12, 30), 1, date(2026, 12, 31)),
        (date(2026, 12, 30), 2, date(2027, 1, 5)),  # 1 Jan Fri, weekend, 4 Jan observed
        (date(2026, 12, 30), 3, date(2027, 1, 6)),
        (date(2026, 12, 30), 4, date(2027, 1, 8)),  # 7 Jan Orthodox Christmas
        (date(2025, 12, 31), 1, date(2026, 1, 5)),
        (date(2026, 1, 6), 1, date(2026, 1, 8)),
        (date(2024, 12, 31), 1, date(2025, 1, 5)),  # 1-3 Jan off, Sunday 5 January worked
        (date(2026, 3, 21), 0, date(2026, 3, 21)),
    ],
)
def test_nth_working_day_after(start: date, n: int, expected: date) -> None:
    assert nth_working_day_after(start, n) == expected
    assert working_day_deadline(start, n) == expected


def test_negative_working_days_rejected() -> None:
    with pytest.raises(NegativeDays) as caught:
        nth_working_day_after(date(2026, 3, 2), -1)
    assert caught.value.code == "negative_days"


def test_working_days_between() -> None:
    assert working_days_between(date(2026, 3, 20), date(2026, 3, 26)) == 1
    assert working_days_between(date(2026, 3, 26), date(2026, 3, 20)) == -1
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 17)) == 10
    assert working_days_between(date(2026, 12, 30), date(2027, 1, 8)) == 4


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 30))
def test_working_days_between_inverts_nth_working_day_after(start: date, n: int) -> None:
    end = nth_working_day_after(start, n)
    assert working_days_between(start, end) == n
    assert n == 0 or is_working_day(end)


def test_add_calendar_days() -> None:
    assert add_calendar_days(date(2026, 12, 25), 10) == date(2027, 1, 4)
    assert add_calendar_days(date(2026, 3, 1), -1) == date(2026, 2, 28)


def test_appointment_deadlines_contract_example_single_candidate() -> None:
    # replay-format.md: published Monday 2 March 2026, one interviewed candidate.
    assert appointment_deadlines(date(2026, 3, 2), single_candidate=True, policy=POLICY) == AppointmentDeadlines(
        appointment_from=date(2026, 3, 2),
        appointment_until=date(2026, 3, 17),
        documents_due=date(2026, 3, 12),
    )


def test_appointment_deadlines_several_candidates() -> None:
    # Working days after 2 March 2026: 3, 4, 5, 6, (9 off), 10 = 5th, 11 = 6th.
    deadlines = appointment_deadlines(date(2026, 3, 2), single_candidate=False, policy=POLICY)
    assert deadlines.appointment_from == date(2026, 3, 11)
    assert deadlines.appointment_until == date(2026, 3, 17)


def test_appointment_deadlines_across_nauryz_and_year_end() -> None:
    assert appointment_deadlines(date(2026, 3, 18), single_candidate=False, policy=POLICY) == AppointmentDeadlines(
        appointment_from=date(2026, 3, 31),  # 19, 20, (21-25 off), 26, 27, 30, 31
        appointment_until=date(2026, 4, 6),  # 1, 2, 3, 6
        documents_due=date(2026, 3, 28),
    )
    assert appointment_deadlines(date(2026, 12, 28), single_candidate=False, policy=POLICY) == AppointmentDeadlines(
        appointment_from=date(2027, 1, 8),  # 29, 30, 31, 5, 6, (7 off), 8
        appointment_until=date(2027, 1, 14),
        documents_due=date(2027, 1, 7),
    )


def test_appointment_deadlines_follow_the_policy() -> None:
    policy = dataclasses.replace(
        POLICY,
        appointment_earliest_working_day=1,
        appointment_latest_working_day=2,
        documents_due_calendar_days=3,
    )
    assert appointment_deadlines(date(2026, 5, 8), single_candidate=False, policy=policy) == AppointmentDeadlines(
        appointment_from=date(2026, 5, 12),
        appointment_until=date(2026, 5, 13),
        documents_due=date(2026, 5, 11),
    )


@pytest.mark.parametrize(
    ("test_date", "months", "until"),
    [
        (date(2026, 2, 28), 12, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no 29 February: the month's last day
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 16), 12, date(2027, 12, 16)),
        (date(2026, 5, 9), 0, date(2026, 5, 9)),
    ],
)
def test_certificate_valid_until(test_date: date, months: int, until: date) -> None:
    assert certificate_valid_until(test_date, months) == until


def test_certificate_is_valid_boundaries() -> None:
    tested = date(2026, 2, 28)
    assert not certificate_is_valid(tested, date(2026, 2, 27), 12)
    assert certificate_is_valid(tested, tested, 12)
    assert certificate_is_valid(tested, date(2027, 2, 28), 12)
    assert not certificate_is_valid(tested, date(2027, 3, 1), 12)


def test_negative_validity_rejected() -> None:
    with pytest.raises(NegativeDays):
        certificate_valid_until(date(2026, 2, 28), -1)


def test_earliest_booking_date() -> None:
    assert earliest_booking_date(date(2026, 12, 31), POLICY) == date(2027, 1, 1)
    three_days = dataclasses.replace(POLICY, test_booking_min_days_ahead=3)
    assert earliest_booking_date(date(2026, 2, 27), three_days) == date(2026, 3, 2)


def test_every_day_of_2026_classified_like_the_package_says() -> None:
    # 2026 starts on a Thursday: 52 full weeks + 1 day, so 104 weekend days. Weekday holidays
    # in the package: 1, 2, 7 Jan; 9, 23, 24, 25 Mar; 1, 7, 11, 27 May (Eid al-Adha, estimated);
    # 6 Jul; 26 Oct; 16 Dec = 14.
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    assert sum(is_working_day(d) for d in days) == 365 - 104 - 14
