"""Sign-in throttling: growing delays, then a temporary lock, per e-mail and per client address.

The counts live in the database (``sign_in_throttles``), so every API process shares them.
Each failure — a wrong password, an unknown e-mail, or an attempt made while a delay or a lock
is running — adds one; from ``free_failures`` on, the next attempt must wait ``2**(n - free + 1)``
seconds (2, 4, 8, …; at most ``max_delay``), and at ``lock_after`` failures the key is locked for
``lock_minutes``: even the right password is refused until then. A failure older than
``window_minutes`` starts the count again; a successful sign-in clears the e-mail's count (not the
address's, so one's own account cannot reset an address that is guessing others'). The e-mail
is counted whether an account has it or not, so the answers tell nothing about which exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import SignInThrottle


@dataclass(frozen=True)
class ThrottleRule:
    free_failures: int
    max_delay_seconds: int
    lock_after: int
    lock_minutes: int
    window_minutes: int


ACCOUNT_RULE = ThrottleRule(free_failures=3, max_delay_seconds=60, lock_after=10, lock_minutes=15, window_minutes=15)
ADDRESS_RULE = ThrottleRule(free_failures=20, max_delay_seconds=60, lock_after=100, lock_minutes=15, window_minutes=15)
RULES: dict[str, ThrottleRule] = {"account": ACCOUNT_RULE, "address": ADDRESS_RULE}


@dataclass(frozen=True)
class Refusal:
    """An attempt refused before the password is checked: ``locked`` or only ``throttled``."""

    scope: str
    locked: bool
    retry_after: int


def load(session: Session, scope: str, key: str, *, now: datetime) -> SignInThrottle:
    """The row of ``(scope, key)``, locked for update on PostgreSQL; created (flushed) when new."""
    statement = select(SignInThrottle).where(SignInThrottle.scope == scope, SignInThrottle.key == key)
    row = session.scalars(statement.with_for_update()).first()
    if row is not None:
        return row
    row = SignInThrottle(scope=scope, key=key, failures=0, last_failure_at=now, locked_until=None)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process inserted it first (PostgreSQL)
        raced = session.scalars(statement.with_for_update()).first()
        if raced is None:
            raise
        return raced
    return row


def _expire(row: SignInThrottle, rule: ThrottleRule, now: datetime) -> None:
    if row.locked_until is not None and row.locked_until <= now:
        row.failures, row.locked_until = 0, None
    elif row.locked_until is None and now - row.last_failure_at > timedelta(minutes=rule.window_minutes):
        row.failures = 0


def _delay(row: SignInThrottle, rule: ThrottleRule) -> int:
    excess = row.failures - rule.free_failures
    return 0 if excess < 0 else min(rule.max_delay_seconds, 2 ** (min(excess, 16) + 1))


def refusal(row: SignInThrottle, *, now: datetime) -> Refusal | None:
    """Why an attempt now is refused without checking the password, or ``None``."""
    rule = RULES[row.scope]
    _expire(row, rule, now)
    if row.locked_until is not None:
        return Refusal(row.scope, True, max(1, int((row.locked_until - now).total_seconds() + 0.999)))
    delay = _delay(row, rule)
    ready_at = row.last_failure_at + timedelta(seconds=delay)
    if row.failures and delay and ready_at > now:
        return Refusal(row.scope, False, max(1, int((ready_at - now).total_seconds() + 0.999)))
    return None


def add_failure(row: SignInThrottle, *, now: datetime) -> bool:
    """Count one failure; ``True`` when this one locks the key (it was not locked before)."""
    rule = RULES[row.scope]
    _expire(row, rule, now)
    row.failures += 1
    row.last_failure_at = now
    if row.locked_until is None and row.failures >= rule.lock_after:
        row.locked_until = now + timedelta(minutes=rule.lock_minutes)
        return True
    return False


def clear(row: SignInThrottle) -> None:
    row.failures, row.locked_until = 0, None
