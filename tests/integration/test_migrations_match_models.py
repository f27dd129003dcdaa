"""The migrations build exactly the tables the models describe (nothing forgotten in a revision)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app import db
from app.models import metadata


def test_migrated_schema_equals_the_models(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []
