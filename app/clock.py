"""Where the service reads the calendar day (the rules never read the clock): today in Kazakhstan.

The UTC moment is ``app.db.utcnow``. A request reads both through ``app.deps.TodayDep`` and ``NowDep``,
which tests override to pin them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

KAZAKHSTAN = ZoneInfo("Asia/Almaty")


def kazakhstan_today() -> date:
    """The calendar day in Kazakhstan now; deadlines and overdue flags are counted in it."""
    return datetime.now(KAZAKHSTAN).date()
