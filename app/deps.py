"""Typed FastAPI dependencies: a route's signature reads as its needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

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
