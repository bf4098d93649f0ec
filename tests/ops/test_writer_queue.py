"""SQLite writers queue on a lock file beside the database instead of sleeping in SQLite's busy
handler; readers never take it, and it is free again once a write transaction ends."""

from __future__ import annotations

import fcntl
import os

from sqlalchemy import text

from symptom_journal.db import WriterQueueConnection
from symptom_journal.extensions import db


def lock_is_free(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_a_write_transaction_holds_the_writer_lock_until_it_ends(app):
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            # PostgreSQL locks rows itself: its connections are the driver's own.
            with engine.connect() as conn:
                assert not isinstance(conn.connection.dbapi_connection, WriterQueueConnection)
            return
        path = f"{engine.url.database}-writer.lock"
        for end in ("commit", "rollback"):
            with engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM users"))  # BEGIN IMMEDIATE
                assert isinstance(conn.connection.dbapi_connection, WriterQueueConnection)
                assert not lock_is_free(path)
                getattr(conn, end)()
                assert lock_is_free(path)


def test_readers_never_take_the_writer_lock(app):
    with app.app_context():
        engine = db.engine
        reader = engine.connect().execution_options(sqlite_begin="DEFERRED")
        with reader:
            reader.execute(text("SELECT count(*) FROM users"))
            if engine.dialect.name == "sqlite":
                assert lock_is_free(f"{engine.url.database}-writer.lock")
            else:
                assert not isinstance(reader.connection.dbapi_connection, WriterQueueConnection)


def test_a_write_request_reads_its_user_before_its_write_transaction_begins(app, patient):
    from sqlalchemy import event

    from ..factories import entry_body

    seen: list[tuple[str, str | None]] = []

    def on_begin(conn):
        options = conn.get_execution_options()
        seen.append(("begin", options.get("sqlite_begin") or options.get("isolation_level")))

    def on_commit(conn):
        seen.append(("commit", None))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "commit", on_commit)
    try:
        response = patient.put(
            "/api/v1/entries/0b8f7a52-2f87-4a36-9a4e-6d0c5b1f6a10", json=entry_body()
        )
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "commit", on_commit)
    assert response.status_code == 201, response.get_json()
    # The user is read on a connection of its own outside any transaction (one SELECT
    # stands alone: no BEGIN on SQLite, autocommit on PostgreSQL), before the view's
    # transaction begins: on SQLite only the view's takes the write lock.
    standalone = "NONE" if engine.dialect.name == "sqlite" else "AUTOCOMMIT"
    assert seen == [("begin", standalone), ("begin", None), ("commit", None)]
