"""``irikteu analytics``: the state's selection figures for a period, as JSON or text, with a report."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import typer

from app import db
from app.analytics.report import write_report
from app.analytics.service import figures
from app.clock import kazakhstan_today
from app.rules.analytics import GROUPINGS
from app.rules.policy import policy_from_overrides
from app.settings import get_settings


def _day(value: str | None) -> date | None:
    return None if value is None else datetime.strptime(value, "%Y-%m-%d").date()


def run_analytics(*, start: str | None, end: str | None, by: str | None, as_json: bool, report: Path | None) -> None:
    """What ``irikteu analytics`` does (the command itself, in ``app.cli``, loads this module only when run)."""
    if by is not None and by not in GROUPINGS:
        typer.echo(f"--by must be one of {', '.join(GROUPINGS)}", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    policy = policy_from_overrides(settings.policy_overrides)
    engine = db.make_engine(settings.resolved_database_url)
    today = kazakhstan_today()
    first, last = _day(start), _day(end)
    try:
        with db.make_session_factory(engine)() as session:
            result = figures(session, start=first, end=last, by=by, policy=policy, today=today)
            if report is not None:
                monthly = figures(session, start=first, end=last, by="month", policy=policy, today=today)
                overall = figures(session, start=first, end=last, by=None, policy=policy, today=today)
                path = write_report(result, monthly, overall, report)
                typer.echo(f"report written to {path}", err=True)
            session.commit()  # the outcomes summarised on the way (app.analytics.service.summarise)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(result, default=str, ensure_ascii=False, indent=2))
        return
    for group in result["groups"]:
        place = group["candidates_per_place"]
        typer.echo(
            f"{group['key']:<16} competitions {group['competitions']:>6}  per place {place['value']} "
            f"(target {place['target']})  no winner {group['no_winner_share']['value']}  "
            f"time to fill {group['time_to_fill_working_days']['value']}  "
            f"appointments {group['appointments']}"
        )
