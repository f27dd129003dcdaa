"""Working days (жұмыс күні) of Kazakhstan and the deadlines of a competition counted in them.

A working day is a day that is neither a public holiday nor a weekend, as the ``holidays``
package lists them for Kazakhstan with observed days included. Two details follow the
package rather than a bare weekday rule: a day off moved by government decree ("Day off
(substituted from ...)") is a holiday, and the Saturday or Sunday worked in exchange is a
working day (``weekend_workdays``), as it is for state bodies.
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

from app.rules.errors import RulesError
from app.rules.policy import SelectionPolicy

_COUNTRY = "KZ"


class NegativeDays(RulesError):
    """A count of working days or months must not be negative."""

    code = "negative_days"


@dataclass(frozen=True)
class AppointmentDeadlines:
    """When the winner may be appointed and when a newcomer's documents are due (selection-rules §9)."""

    appointment_from: date
    appointment_until: date
    documents_due: date


@cache
def _year_calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Holidays and worked weekend days the package lists when it builds ``year``.

    Loaded one year at a time and cached: the answer for a date depends on nothing else.
    """
    listed = holidays.country_holidays(_COUNTRY, years=year, observed=True)
    return frozenset(listed.keys()), frozenset(listed.weekend_workdays)


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day in Kazakhstan."""
    # A year's load may list days of the neighbouring year (a weekend worked on 28 December
    # in exchange for 3 January comes with the next year), so the neighbours are consulted too.
    years = (d.year - 1, d.year, d.year + 1)
    if any(d in _year_calendar(y)[1] for y in years):
        return True
    if d.weekday() >= 5:
        return False
    return not any(d in _year_calendar(y)[0] for y in years)


def nth_working_day_after(start: date, n: int) -> date:
    """The ``n``-th working day strictly after ``start`` (``start`` itself when ``n`` is 0)."""
    if n < 0:
        raise NegativeDays(f"a number of working days must be >= 0, got {n}")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_day_deadline(start: date, working_days: int) -> date:
    """The last day of a period of ``working_days`` working days that starts after ``start``.

    "Within 1 working day" of an event on ``start`` ends on ``working_day_deadline(start, 1)``.
    """
    return nth_working_day_after(start, working_days)


def working_days_between(a: date, b: date) -> int:
    """Working days ``d`` with ``a < d <= b``; negative when ``b`` is before ``a``.

    The inverse of ``nth_working_day_after``: ``working_days_between(a, nth_working_day_after(a, n)) == n``.
    Counted from each year's running totals (built once per year), so a figure over a million
    periods costs a million look-ups, not a day-by-day walk.
    """
    if b < a:
        return -working_days_between(b, a)
    between = 0
    for year in range(a.year, b.year):
        between += _year_running_total(year)[-1]
    return (
        between
        + _year_running_total(b.year)[b.toordinal() - _JAN_1[b.year]]
        - _year_running_total(a.year)[a.toordinal() - _JAN_1[a.year]]
    )


class _NewYears(dict[int, int]):
    """The ordinal of 1 January of each year asked for."""

    def __missing__(self, year: int) -> int:
        self[year] = ordinal = date(year, 1, 1).toordinal()
        return ordinal


_JAN_1 = _NewYears()


@cache
def _year_running_total(year: int) -> tuple[int, ...]:
    """Element ``i``: the working days from 1 January of ``year`` through its ``i``-th day (0-based), inclusive."""
    totals, count, day = [], 0, date(year, 1, 1)
    while day.year == year:
        count += is_working_day(day)
        totals.append(count)
        day += timedelta(days=1)
    return tuple(totals)


def add_calendar_days(d: date, n: int) -> date:
    """The day ``n`` calendar days after ``d`` (before it when ``n`` is negative)."""
    return d + timedelta(days=n)


def appointment_deadlines(
    results_published_on: date, *, single_candidate: bool, policy: SelectionPolicy
) -> AppointmentDeadlines:
    """The appointment window and the documents' due date after the results are published.

    The appointment comes after 5 working days have passed (the 6th working day) and no later
    than the 10th; with a single interviewed candidate it may come on the day of publication.
    A winner who is not yet a civil servant hands in documents within 10 calendar days.
    """
    earliest = (
        results_published_on
        if single_candidate
        else nth_working_day_after(results_published_on, policy.appointment_earliest_working_day)
    )
    return AppointmentDeadlines(
        appointment_from=earliest,
        appointment_until=nth_working_day_after(results_published_on, policy.appointment_latest_working_day),
        documents_due=add_calendar_days(results_published_on, policy.documents_due_calendar_days),
    )


def _add_months(d: date, months: int) -> date:
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))


def certificate_valid_until(test_date: date, months: int) -> date:
    """The last day a certificate from ``test_date`` is valid, ``months`` months on.

    A period counted in months or years ends on the same day of the month in its last month,
    and on that month's last day when it has no such day (the Civil Code's rule): a test on
    2026-02-28 with 12 months is valid through 2027-02-28, one on 2024-02-29 through
    2025-02-28. The end is not moved off weekends: a certificate is not a procedural deadline.
    """
    if months < 0:
        raise NegativeDays(f"a validity in months must be >= 0, got {months}")
    return _add_months(test_date, months)


def certificate_is_valid(test_date: date, on: date, months: int) -> bool:
    """Whether a certificate from ``test_date`` is valid on ``on`` (test day through last day)."""
    return test_date <= on <= certificate_valid_until(test_date, months)


def earliest_booking_date(today: date, policy: SelectionPolicy) -> date:
    """The first day a test can be booked for: at least ``test_booking_min_days_ahead`` calendar days on."""
    return add_calendar_days(today, policy.test_booking_min_days_ahead)


def period_end_years(event_on: date, years: int, *, move_to_working_day: bool) -> date:
    """The last day of a period of ``years`` years that follows an event on ``event_on``.

    Counted as the Civil Code counts a period: it starts on the day after the event and ends
    on the same month and day of its last year (the month's last day when there is no such
    day: an event on 2024-02-29 with one year ends on 2025-02-28). A last day that is not a
    working day moves to the next working day when ``move_to_working_day`` is set.
    """
    if years < 0:
        raise NegativeDays(f"a period in years must be >= 0, got {years}")
    end = _add_months(event_on, 12 * years)
    while move_to_working_day and not is_working_day(end):
        end += timedelta(days=1)
    return end
