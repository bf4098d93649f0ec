"""Pooled connections are checked before use only after sitting idle, and replaced when the
database dropped them (db.ping_after_idle)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
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
