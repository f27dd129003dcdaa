"""The one place the service reads the clock (the rules never do): today in Kazakhstan and the UTC now.

A request reads them through ``app.deps.TodayDep`` and ``NowDep``, which tests override to pin the date.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

KAZAKHSTAN = ZoneInfo("Asia/Almaty")


def kazakhstan_today() -> date:
    """The calendar day in Kazakhstan now; deadlines and overdue flags are counted in it."""
    return datetime.now(KAZAKHSTAN).date()
