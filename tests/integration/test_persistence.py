"""Migrations and the audit trail on every database backend that answers (SQLite, PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from app import db
from app.audit.models import GENESIS_HASH, AuditEvent
from app.audit.service import record, verify_chain
from app.migrate import alembic_config, current, downgrade, upgrade

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_migrations_reach_head_and_go_back_down(database_url: str) -> None:
    assert current(database_url) == HEAD
    engine = db.make_engine(database_url)
    assert {"audit_events", "jobs", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()
    downgrade(database_url, "base")
    engine = db.make_engine(database_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade(database_url)
    assert current(database_url) == HEAD


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_audit_events_chain_from_genesis_and_verify(database_url: str) -> None:
    engine = db.make_engine(database_url)
    sessions = db.make_session_factory(engine)
    with db.transaction(sessions) as session:
        first = record(
            session,
            action="competition.created",
            entity_type="competition",
            entity_id="7",
            actor="hr-1",
            actor_role="hr_officer",
            payload={"category": "C-1"},
        )
        second = record(
            session,
            action="competition.published",
            entity_type="competition",
            entity_id="7",
            actor="hr-1",
            actor_role="hr_officer",
        )
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    with sessions() as session:
        check = verify_chain(session)
    assert (check.events, check.valid, check.first_bad_id) == (2, True, None)
    engine.dispose()


def test_an_event_in_a_rolled_back_transaction_leaves_nothing(database_url: str) -> None:
    engine = db.make_engine(database_url)
    sessions = db.make_session_factory(engine)
    with pytest.raises(RuntimeError), db.transaction(sessions) as session:
        record(session, action="x.changed", entity_type="x", entity_id="1")
        raise RuntimeError("the change failed")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    engine.dispose()


def test_the_audit_trail_refuses_update_and_delete(database_url: str) -> None:
    engine = db.make_engine(database_url)
    sessions = db.make_session_factory(engine)
    with db.transaction(sessions) as session:
        record(session, action="a.b", entity_type="a", entity_id="1", payload={"score": 3})
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), db.transaction(sessions) as session:
            session.execute(text(statement))
    engine.dispose()


def test_verify_names_the_first_tampered_event(sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    sessions = db.make_session_factory(engine)
    with db.transaction(sessions) as session:
        for n in range(4):
            record(session, action="essay.scored", entity_type="essay", entity_id=str(n), payload={"score": n})
    with db.transaction(sessions) as session:
        # Someone with file access drops the guard and edits a score.
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("UPDATE audit_events SET payload = '{\"score\": 5}' WHERE entity_id = '2'"))
    with sessions() as session:
        check = verify_chain(session)
        bad_id = session.scalar(select(AuditEvent.id).where(AuditEvent.entity_id == "2"))
    assert (check.valid, check.first_bad_id, check.events) == (False, bad_id, 2)
    assert check.reason == "content does not match its hash"
    engine.dispose()


def test_concurrent_writers_keep_one_unbroken_chain(database_url: str) -> None:
    engine = db.make_engine(database_url)
    sessions = db.make_session_factory(engine)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with db.transaction(sessions) as session:
                    record(session, action="load.test", entity_type="writer", entity_id=f"{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        check = verify_chain(session)
    assert (check.events, check.valid) == (40, True)
    engine.dispose()
