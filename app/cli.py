"""The ``irikteu`` command: serve, worker, migrate, seed-demo, replay, policy, audit, backup, restore."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from app.backup import BackupError
from app.backup import backup as make_backup
from app.backup import restore as restore_backup
from app.items.cli import items_cli
from app.logs import configure_logging
from app.rules.policy import policy_fields
from app.rules.replay import ReplayInputError, replay_input_schema
from app.rules.replay import replay as run_replay
from app.settings import get_settings
from evaluation.cli import evaluate_cli

cli = typer.Typer(
    help="Irikteu: merit-based civil-service selection.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
audit_cli = typer.Typer(help="The audit trail.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")
cli.add_typer(evaluate_cli, name="evaluate")
cli.add_typer(items_cli, name="items")

INVALID_INPUT = 2


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to bind (default: IRIKTEU_HOST or 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default: IRIKTEU_PORT or 8000)")] = None,
) -> None:
    """Run the HTTP API; on the embedded default it also runs the queue consumer in-process."""
    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        proxy_headers=True,
    )


@cli.command()
def worker(
    workers: Annotated[int | None, typer.Option(help="worker threads (default: IRIKTEU_QUEUE_WORKERS)")] = None,
) -> None:
    """Run a queue consumer in this process (Redis deployments run it on as many machines as needed)."""
    from app import db  # noqa: PLC0415  SQLAlchemy and the services load in seconds; replay and policy start without them
    from app.job_registry import build_queue  # noqa: PLC0415  every domain's jobs, services and models

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    engine = db.make_engine(settings.resolved_database_url)
    queue = build_queue(settings, db.make_session_factory(engine))
    queue.run_worker(workers or settings.queue_workers)


@cli.command()
def migrate(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Apply the database migrations (to the latest by default)."""
    from app.migrate import current, upgrade  # noqa: PLC0415  Alembic and SQLAlchemy load in seconds

    url = get_settings().resolved_database_url
    upgrade(url, revision)
    typer.echo(f"database at revision {current(url)}", err=True)


@cli.command("analytics")
def analytics(
    start: Annotated[str | None, typer.Option("--from", help="first day (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day (YYYY-MM-DD)")] = None,
    by: Annotated[str | None, typer.Option(help="group by body | region | category | month")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    report: Annotated[Path | None, typer.Option(help="write report.md, figures.json and plots here")] = None,
) -> None:
    """Candidates per place (against the national target), competitions without a winner, time to fill,
    pass rate per stage, appointments by route and alert reach, per body, region, category or month."""
    from app.analytics.cli import run_analytics  # noqa: PLC0415  the database and matplotlib stay out of `irikteu replay`

    run_analytics(start=start, end=end, by=by, as_json=as_json, report=report)


@cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo data (idempotent: running it twice adds nothing)."""
    from app import db  # noqa: PLC0415  SQLAlchemy and the services load in seconds; replay and policy start without them
    from app.demo import seed  # noqa: PLC0415  the demo seeds import every domain's services

    engine = db.make_engine(get_settings().resolved_database_url)
    try:
        summary = seed(db.make_session_factory(engine), history=True)
    finally:
        engine.dispose()
    typer.echo(json.dumps(summary, ensure_ascii=False), err=True)


@cli.command()
def replay(
    file: Annotated[str, typer.Argument(help="competition JSON (replay format); - reads stdin")],
) -> None:
    """Run one competition from recorded results through the rules core; the outcome as JSON on stdout.

    Exit 0 with the outcome; exit 2 when the input is invalid, one line per problem on stderr.
    """
    document = _read_json(file)
    try:
        outcome = run_replay(document)
    except ReplayInputError as error:
        for line in error.problems:
            typer.echo(line, err=True)
        raise typer.Exit(INVALID_INPUT) from None
    typer.echo(json.dumps(outcome, ensure_ascii=False, indent=2))


@cli.command("replay-schema")
def replay_schema() -> None:
    """Print the JSON Schema of the replay input."""
    typer.echo(json.dumps(replay_input_schema(), ensure_ascii=False, indent=2))


@cli.command()
def policy(as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False) -> None:
    """Every SelectionPolicy field with its default."""
    fields = policy_fields()
    if as_json:
        typer.echo(json.dumps(fields, ensure_ascii=False, indent=2))
        return
    width = max(len(name) for name in fields)
    for name, value in fields.items():
        typer.echo(f"{name:<{width}}  {json.dumps(value)}")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 when it is broken."""
    from app import db  # noqa: PLC0415  SQLAlchemy and the services load in seconds; replay and policy start without them
    from app.audit.service import verify_chain  # noqa: PLC0415  SQLAlchemy and the services load in seconds; replay and policy start without them

    engine = db.make_engine(get_settings().resolved_database_url)
    with db.make_session_factory(engine)() as session:
        check = verify_chain(session)
    engine.dispose()
    typer.echo(json.dumps(check.__dict__))
    if not check.valid:
        raise typer.Exit(1)


@cli.command()
def backup(directory: Annotated[Path, typer.Argument(help="a new or empty folder for the backup")]) -> None:
    """Back up the database (SQLite online backup; pg_dump for PostgreSQL) and the recordings, with a
    manifest of SHA-256 hashes; exit 1 when it cannot."""
    settings = get_settings()
    try:
        manifest = make_backup(
            database_url=settings.resolved_database_url, data_dir=settings.data_dir, target=directory
        )
    except BackupError as error:
        typer.echo(f"backup: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        json.dumps(
            {
                "directory": str(directory),
                "backend": manifest["backend"],
                "revision": manifest["revision"],
                "files": len(manifest["files"]),
                "rows": sum(manifest["rows"].values()),
                "audit_events": manifest["audit"]["events"],
            }
        )
    )


@cli.command()
def restore(directory: Annotated[Path, typer.Argument(help="a folder written by irikteu backup")]) -> None:
    """Restore a backup into the configured database, which must be empty; its hashes are checked first.

    Run ``irikteu audit verify`` after it. Exit 1 when the backup is damaged or the database not empty.
    """
    settings = get_settings()
    try:
        summary = restore_backup(
            source=directory, database_url=settings.resolved_database_url, data_dir=settings.data_dir
        )
    except BackupError as error:
        typer.echo(f"restore: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(summary))


def _read_json(file: str) -> Any:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as error:
        typer.echo(f"$: cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    except UnicodeDecodeError:
        typer.echo(f"$: {file} is not UTF-8 text", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        typer.echo(f"$: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}", err=True)
        raise typer.Exit(INVALID_INPUT) from None


def main() -> None:
    cli()
