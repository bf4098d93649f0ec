"""Pooled connections are checked before use only after sitting idle, and replaced when the
database dropped them (db.ping_after_idle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from symptom_journal.db import ping_after_idle

from ..conftest import database_url


def drop_from_the_server_side(engine, dbapi_conn) -> None:
    """Lose a pooled connection as when the server restarts or a proxy cuts it."""
    if engine.dialect.name == "postgresql":
        killer = create_engine(engine.url, poolclass=NullPool)  # outside the pool under test
        with killer.connect() as other:
            other.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": dbapi_conn.info.backend_pid}
            )
        killer.dispose()
    else:
        dbapi_conn.close()


@pytest.fixture
def engine(tmp_path: Path):
    engine = create_engine(database_url(tmp_path), pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def pooled_connection(engine):
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        return conn.connection.dbapi_connection


def test_an_idle_connection_that_was_dropped_is_replaced_before_use(engine):
    ping_after_idle(engine, idle_seconds=0)  # every reuse counts as idle
    dropped = pooled_connection(engine)
    drop_from_the_server_side(engine, dropped)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 7")).scalar() == 7
        assert conn.connection.dbapi_connection is not dropped


def test_a_connection_in_steady_use_is_not_checked(engine):
    ping_after_idle(engine, idle_seconds=3600)
    dropped = pooled_connection(engine)
    drop_from_the_server_side(engine, dropped)
    # Not checked: the statement itself meets the lost connection (the request answers 503),
    # and the pool replaces it for the next one.
    with pytest.raises(DBAPIError), engine.connect() as conn:
        conn.execute(text("SELECT 7"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 7")).scalar() == 7


def test_timestamps_come_back_in_utc_from_every_database(app, patient, sql):
    from symptom_journal.extensions import db
    from symptom_journal.journal.models import Entry

    from ..factories import entry_body

    created = patient.post(
        "/api/v1/entries", json=entry_body(recorded_at="2026-03-10T08:15:00-05:30")
    ).get_json()
    recorded_at, created_at = sql(
        lambda session: session.execute(select(Entry.recorded_at, Entry.created_at)).one()
    )
    assert recorded_at == datetime(2026, 3, 10, 13, 45, tzinfo=UTC)
    for moment in (recorded_at, created_at):
        assert moment.tzinfo is UTC  # the same zone object whatever the database
    assert created["recorded_at"] == "2026-03-10T08:15:00-05:30"
    assert datetime.fromisoformat(created["created_at"]).utcoffset() == timedelta(0)
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # the connections' own time zone
            assert conn.execute(text("SHOW TIME ZONE")).scalar() == "UTC"


@pytest.mark.only_on("postgresql")  # an SQLite file has no server to restart
def test_a_server_restart_costs_one_503_and_the_retry_lands_once(app, patient, sql):
    from symptom_journal.extensions import db
    from symptom_journal.journal.models import Entry

    from ..factories import entry_body

    with app.app_context():
        engine = db.engine
    assert patient.get("/api/v1/entries").status_code == 200  # pooled connections in use
    # The client holds its CSRF token already, as the PWA does.
    csrf = {"X-CSRF-Token": patient.get("/api/v1/auth/csrf").get_json()["csrf_token"]}
    killer = create_engine(engine.url, poolclass=NullPool)
    with killer.connect() as conn:  # as a restart would: every other backend of this database
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    killer.dispose()
    url = "/api/v1/entries/4d3c2b1a-0f9e-4d8c-b7a6-958473625140"
    body = entry_body(mood=4)
    # Used moments ago, the connections are not checked first: the request meets the lost
    # connection, answers 503 with nothing saved, and the pool connects afresh.
    refused = patient.put(url, json=body, headers=csrf)
    assert refused.status_code == 503, refused.get_json()
    assert refused.headers["Retry-After"] == "5"
    assert "terminating" not in refused.get_data(as_text=True)
    again = patient.put(url, json=body, headers=csrf)
    assert again.status_code == 201, again.get_json()
    moods = sql(lambda session: session.scalars(select(Entry.mood)).all())
    assert moods == [4]
