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
