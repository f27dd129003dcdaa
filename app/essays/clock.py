"""The current moment for timed stages (essay deadlines, interview slots); tests override ``get_now``.

It mirrors ``app.competitions.clock.get_today``: the workflow reads the clock here, the rules never do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends

from app.db import utcnow


def get_now() -> datetime:
    """The dependency behind ``NowDep``: the aware UTC moment of the request."""
    return utcnow()


NowDep = Annotated[datetime, Depends(get_now)]
