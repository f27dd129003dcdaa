"""The one place the workflow reads the clock (the rules never do): today in Kazakhstan and the UTC now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends

from app.db import utcnow

KAZAKHSTAN = ZoneInfo("Asia/Almaty")


def kazakhstan_today() -> date:
    """The calendar day in Kazakhstan now; deadlines and overdue flags are counted in it."""
    return datetime.now(KAZAKHSTAN).date()


def get_today() -> date:
    """The dependency behind ``TodayDep``; tests override it to pin the date."""
    return kazakhstan_today()


TodayDep = Annotated[date, Depends(get_today)]


def get_now() -> datetime:
    """The dependency behind ``NowDep``: the aware UTC moment of the request (timed stages: essays,
    interview slots, test sessions); tests override it to pin the moment."""
    return utcnow()


NowDep = Annotated[datetime, Depends(get_now)]
