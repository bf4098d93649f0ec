"""Declarative base, naming convention, the UTC timestamp type and the engine settings."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Services take either a plain Session or Flask-SQLAlchemy's scoped ``db.session``.
DbSession = Session | scoped_session[Any]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    """Return a new random UUID for a server-made record."""
    return uuid.uuid4()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes.

    SQLite has no time zone support and hands back naive values; PostgreSQL keeps
    ``timestamptz``. Naive input is a programming error, so it raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored as fixed-width text so that ordering and comparison stay lexical.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_server(engine: Engine, ping_after_idle_seconds: float | None) -> None:
    """Give every PostgreSQL connection the time zone UTC, and check pooled connections that
    sat idle for ``ping_after_idle_seconds`` (None: the pool checks them itself,
    ``pool_pre_ping``)."""

    @event.listens_for(engine, "connect")
    def _utc(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.close()
        dbapi_conn.commit()  # outside any request's transaction, kept for the connection

    if ping_after_idle_seconds is not None:
        ping_after_idle(engine, ping_after_idle_seconds)


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled server connection before use only when it sat unused for
    ``idle_seconds``, and replace it when the check fails.

    ``pool_pre_ping`` checks on every checkout, a round trip each. A connection in steady
    use is not checked; if the server went away meanwhile, the failing statement makes
    SQLAlchemy discard the pool's connections and the request answers 503, which clients
    retry (the PWA's outbox does)."""

    @event.listens_for(engine.pool, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["last_used"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last_used = record.info.get("last_used")
        if last_used is None or time.monotonic() - last_used < idle_seconds:
            return  # just connected, or in use moments ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any failure: let the pool connect afresh
            raise DisconnectionError("the connection was lost while idle") from exc


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 10_000) -> None:
    """Give every SQLite connection WAL, foreign keys, a busy timeout and explicit BEGINs.

    pysqlite's own transaction handling issues a deferred BEGIN lazily, and a deferred
    transaction that reads and then writes fails with SQLITE_BUSY whatever the timeout. So
    the driver is put in autocommit mode and each transaction is begun here, as SQLAlchemy's
    SQLite documentation shows: IMMEDIATE (taking the write lock up front, waiting up to the
    busy timeout for it), or DEFERRED for a request with a safe HTTP method, which never
    writes and so runs beside a writer under WAL. A connection's ``sqlite_begin`` execution
    option overrides the choice.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # each statement its own transaction (VACUUM INTO, for a backup)
        mode = options.get("sqlite_begin")
        if mode is None:
            mode = "DEFERRED" if _request_is_read_only() else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")


def _request_is_read_only() -> bool:
    # Safe HTTP methods never write, so their transactions can stay deferred and run
    # beside a writer under WAL. Outside a request (CLI, scripts) writes are assumed.
    from flask import has_request_context, request

    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
