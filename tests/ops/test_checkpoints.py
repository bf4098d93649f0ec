"""SQLite's write-ahead log is copied into the database file on a thread of each process,
while writers go on, instead of inside the commit of whichever writer crosses the limit."""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from symptom_journal.db import (
    AUTOCHECKPOINT_PAGES,
    CHECKPOINT_EVERY_WRITES,
    WRITER_LOCK_SUFFIX,
    BackgroundCheckpoints,
    WriterQueueConnection,
    checkpoint,
    checkpoints,
)
from symptom_journal.extensions import db


def journal(path: Path) -> WriterQueueConnection:
    """A writer connection on a WAL database at ``path`` that never checkpoints by itself."""
    connection = sqlite3.connect(path, factory=WriterQueueConnection, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.writer_lock_path = f"{path}{WRITER_LOCK_SUFFIX}"
    connection.execute("CREATE TABLE notes (n INTEGER)")
    return connection


def write(connection: WriterQueueConnection, n: int) -> None:
    """One write transaction, queued on the writer lock as the app's are."""
    connection.acquire_writer(5)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO notes VALUES (?)", (n,))
    connection.commit()


def rows_in_database_file(path: Path, tmp_path: Path) -> int:
    """Count the rows of a copy of the database file alone, without its log: what a
    checkpoint has copied there."""
    copy = tmp_path / "file-only.db"
    shutil.copyfile(path, copy)
    reader = sqlite3.connect(copy)
    try:
        return int(reader.execute("SELECT count(*) FROM notes").fetchone()[0])
    except sqlite3.OperationalError:  # not even the table is in the file yet
        return 0
    finally:
        reader.close()


def wait_for(condition, seconds: float = 5.0) -> bool:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_checkpoint_copies_the_log_without_waiting_for_the_writer_lock(tmp_path):
    path = tmp_path / "journal.db"
    connection = journal(path)
    for n in range(10):
        write(connection, n)
    assert rows_in_database_file(path, tmp_path) == 0  # all still in the log
    holder = os.open(f"{path}{WRITER_LOCK_SUFFIX}", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # a writer in the middle of its turn
    try:
        started = time.monotonic()
        checkpoint(str(path))
        assert time.monotonic() - started < 2
    finally:
        os.close(holder)
    assert rows_in_database_file(path, tmp_path) == 10
    connection.close()


def test_writers_have_the_log_checkpointed_in_the_background(tmp_path):
    path = tmp_path / "journal.db"
    connection = journal(path)
    for n in range(CHECKPOINT_EVERY_WRITES - 1):
        write(connection, n)
    time.sleep(0.2)
    assert rows_in_database_file(path, tmp_path) == 0  # not asked for yet

    write(connection, CHECKPOINT_EVERY_WRITES)  # the write that asks for one
    assert wait_for(lambda: rows_in_database_file(path, tmp_path) == CHECKPOINT_EVERY_WRITES)
    names = {thread.name for thread in threading.enumerate() if thread.daemon}
    assert "sqlite-checkpoints" in names
    connection.close()


def test_a_forked_process_checkpoints_on_a_thread_of_its_own(tmp_path):
    path = tmp_path / "journal.db"
    connection = journal(path)
    write(connection, 0)
    checkpoints.ask(str(path))  # the parent's thread is running
    assert wait_for(lambda: rows_in_database_file(path, tmp_path) == 1)
    for n in range(1, 4):
        write(connection, n)
    connection.close()

    child = os.fork()
    if child == 0:  # pragma: no cover - reported through the exit status
        ok = checkpoints.done == 0  # a fresh start: nothing inherited but the code
        checkpoints.ask(str(path))
        ok = ok and wait_for(lambda: checkpoints.done == 1)
        os._exit(0 if ok else 1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert rows_in_database_file(path, tmp_path) == 4


def test_the_thread_ends_when_stopped_once_its_checkpoint_is_over(tmp_path):
    path = tmp_path / "journal.db"
    connection = journal(path)
    write(connection, 1)
    own = BackgroundCheckpoints()  # the process's own one runs until exit
    own.ask(str(path))
    assert wait_for(lambda: own.done == 1)
    thread = own._thread
    assert thread is not None
    assert thread.is_alive()
    own.stop()
    assert not thread.is_alive()
    assert rows_in_database_file(path, tmp_path) == 1
    connection.close()


def test_a_checkpoint_of_a_missing_database_makes_no_file(tmp_path, caplog):
    missing = tmp_path / "gone.db"
    checkpoint(str(missing))
    assert not missing.exists()
    assert "checkpoint of" in caplog.text


def test_the_app_leaves_sqlite_only_what_the_background_could_not_copy(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            # PostgreSQL writes its own log to its own files: nothing here takes part.
            assert not isinstance(conn.connection.dbapi_connection, WriterQueueConnection)
            return
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == AUTOCHECKPOINT_PAGES
