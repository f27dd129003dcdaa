"""Typed FastAPI dependencies: a route's signature reads as its needs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.clock import kazakhstan_today
from app.db import utcnow
from app.jobs.queue import JobQueue
from app.rules.policy import SelectionPolicy
from app.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.queue
    return queue


def get_policy(request: Request) -> SelectionPolicy:
    policy: SelectionPolicy = request.app.state.policy
    return policy


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
PolicyDep = Annotated[SelectionPolicy, Depends(get_policy)]


def get_today() -> date:
    """The dependency behind ``TodayDep``: the day in Kazakhstan (``app.clock``); tests override it to pin the date."""
    return kazakhstan_today()


TodayDep = Annotated[date, Depends(get_today)]


def get_now() -> datetime:
    """The dependency behind ``NowDep``: the aware UTC moment of the request (timed stages: essays,
    interview slots, test sessions); tests override it to pin the moment."""
    return utcnow()


NowDep = Annotated[datetime, Depends(get_now)]
