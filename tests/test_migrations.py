"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from symptom_journal.extensions import db


def test_migrated_schema_matches_the_models(app):
    # The session fixture built the test database with `upgrade` from empty.
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
        assert diff == []
        tables = set(inspect(conn).get_table_names())
    assert tables >= {"users", "login_sessions", "treatment_sessions", "entries", "alembic_version"}


def test_sqlite_connections_use_wal_and_foreign_keys(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            assert conn.dialect.name == "postgresql"
            return
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
