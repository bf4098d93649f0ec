"""SQLite writers queue on a lock file beside the database instead of sleeping in SQLite's busy
handler; readers never take it, and it is free again once a write transaction ends."""

from __future__ import annotations

import fcntl
import importlib
import os
import signal
import sqlite3
import threading
import time
import uuid

import pytest
from sqlalchemy import event, text

from symptom_journal import create_app
from symptom_journal.db import WriterQueueConnection, can_wait_in_kernel, standalone
from symptom_journal.extensions import db

# The module, not the Flask-SQLAlchemy object the package exports under the same name.
db_module = importlib.import_module("symptom_journal.db")


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


def test_a_single_write_outside_a_transaction_still_queues_for_the_lock(app):
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return  # nothing to queue for: see above
        path = f"{engine.url.database}-writer.lock"
        held_while_running: list[bool] = []

        def during(conn, *_):
            held_while_running.append(not lock_is_free(path))

        event.listen(engine, "before_cursor_execute", during)
        try:
            with engine.connect() as conn:
                standalone(conn, writes=True)
                conn.execute(text("SELECT count(*) FROM users"))
                assert not conn.connection.dbapi_connection.in_transaction  # no BEGIN sent
                assert lock_is_free(path)  # given back as the statement ended
        finally:
            event.remove(engine, "before_cursor_execute", during)
        assert held_while_running == [True]
        with engine.connect() as conn:
            standalone(conn)  # a single read
            conn.execute(text("SELECT count(*) FROM users"))
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


def record_transactions(app, send):
    """Return each transaction a request begins and each statement it runs (with how: the
    connection's sqlite_begin or isolation level execution option), and each commit, in
    order."""
    seen: list[tuple[str, str | None]] = []

    def how(conn):
        options = conn.get_execution_options()
        return options.get("sqlite_begin") or options.get("isolation_level")

    def on_begin(conn):
        seen.append(("begin", how(conn)))

    def on_execute(conn, *_args):
        seen.append(("execute", how(conn)))

    def on_commit(conn):
        seen.append(("commit", None))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        response = send()
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
    assert response.status_code == 201, response.get_json()
    return seen, engine.dialect.name


def test_a_create_reads_its_user_then_writes_one_statement_on_its_own(app, patient, monkeypatch):
    from ..factories import entry_body

    # Both statements go to the driver's cursor (execute_on_driver): record each, whether it
    # stood outside any transaction (no BEGIN on SQLite, autocommit on PostgreSQL) and
    # whether it queued as a write; on SQLite also every statement the driver sent, and
    # whether the writer lock was held as each began.
    ran: list[tuple[str, bool, bool]] = []
    traced: list[tuple[str, bool]] = []
    with app.app_context():
        dialect = db.engine.dialect.name
        lock = f"{db.engine.url.database}-writer.lock"
    real = db_module._run_on_driver

    def recording(connection, compiled, values, *, writes, all_rows=False):
        dbapi = connection.connection.dbapi_connection
        if dialect == "sqlite":
            dbapi.set_trace_callback(lambda sql: traced.append((sql, not lock_is_free(lock))))
            alone = not dbapi.in_transaction
        else:
            alone = dbapi.autocommit
        try:
            return real(connection, compiled, values, writes=writes, all_rows=all_rows)
        finally:
            if dialect == "sqlite":
                dbapi.set_trace_callback(None)
            ran.append((compiled.sql.split()[0], alone, writes))

    monkeypatch.setattr(db_module, "_run_on_driver", recording)
    seen, _dialect = record_transactions(
        app,
        lambda: patient.put(
            "/api/v1/entries/0b8f7a52-2f87-4a36-9a4e-6d0c5b1f6a10", json=entry_body()
        ),
    )
    # SQLAlchemy runs nothing: the user is read, then the INSERT (the request's only write)
    # stands alone on the same connection. Nothing holds the SQLite writer lock while the
    # body is parsed; the INSERT queues for it.
    assert seen == []
    assert ran == [("SELECT", True, False), ("INSERT", True, True)]
    if dialect == "sqlite":
        # (The trace repeats a statement for each trigger it fires.)
        sent = [(sql.split()[0], held) for sql, held in dict.fromkeys(traced)]
        assert sent == [("SELECT", False), ("INSERT", True)]  # no BEGIN, no COMMIT
        assert lock_is_free(lock)  # given back as the INSERT ended


def test_a_request_takes_one_connection_for_its_statements_that_stand_alone(app, patient):
    from ..factories import entry_body

    token = patient.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    with app.app_context():
        pool = db.engine.pool
    taken: list[int] = []
    held: set[int] = set()

    def on_checkout(dbapi_conn, _record, _proxy):
        taken.append(id(dbapi_conn))
        held.add(id(dbapi_conn))

    def on_checkin(dbapi_conn, _record):
        held.discard(id(dbapi_conn))

    event.listen(pool, "checkout", on_checkout)
    event.listen(pool, "checkin", on_checkin)
    try:
        # The sign-in lookup and the INSERT share one connection; the list read likewise.
        created = patient.put(
            f"/api/v1/entries/{uuid.uuid4()}", json=entry_body(), headers={"X-CSRF-Token": token}
        )
        assert (len(taken), held) == (1, set())  # and it was given back as the request ended
        listed = patient.get("/api/v1/entries?limit=1")
        assert (len(taken), held) == (2, set())
    finally:
        event.remove(pool, "checkout", on_checkout)
        event.remove(pool, "checkin", on_checkin)
    assert created.status_code == 201
    assert listed.status_code == 200


def test_a_create_that_reads_first_writes_in_the_same_transaction(app, patient):
    from ..factories import entry_body, put_session

    session_id = put_session(patient)["id"]
    seen, _dialect = record_transactions(
        app,
        lambda: patient.post(
            "/api/v1/entries", json=entry_body(session_id=session_id, phase="pre")
        ),
    )
    # Checking the treatment session begins the request's transaction (IMMEDIATE on
    # SQLite), and the INSERT joins it. (The user was read on the driver's cursor, outside
    # any transaction.)
    assert seen == [("begin", None), ("execute", None), ("execute", None), ("commit", None)]


def waiting_writer(tmp_path) -> tuple[WriterQueueConnection, int]:
    """Return a writer connection and the descriptor of another holder of its lock."""
    path = tmp_path / "queue.db"
    connection = sqlite3.connect(path, factory=WriterQueueConnection)
    connection.writer_lock_path = f"{path}-writer.lock"
    holder = os.open(connection.writer_lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    return connection, holder


def in_thread(where: str, work):
    """Run ``work`` in the main thread (where the wait is in the kernel, ended by an alarm)
    or in another one (where the writer polls); return what it returned."""
    if where == "main thread":
        assert can_wait_in_kernel()
        return work()
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join(10)
    return results[0]


def timed_acquire(connection: WriterQueueConnection, timeout: float):
    def work():
        started = time.monotonic()
        connection.acquire_writer(timeout)
        return time.monotonic() - started, connection._writer_held

    return work


@pytest.mark.parametrize("where", ["main thread", "another thread"])
def test_a_waiting_writer_takes_the_lock_once_it_is_given_back(tmp_path, where):
    connection, holder = waiting_writer(tmp_path)
    handler = signal.getsignal(signal.SIGALRM)
    releaser = threading.Timer(0.2, fcntl.flock, (holder, fcntl.LOCK_UN))
    releaser.start()
    try:
        waited, held = in_thread(where, timed_acquire(connection, 10))
    finally:
        releaser.join()
    assert held
    assert not lock_is_free(connection.writer_lock_path)
    assert 0.15 <= waited < 5  # it waited for the holder, and not for its own timeout
    connection.release_writer()
    assert lock_is_free(connection.writer_lock_path)
    # No alarm left set, and the process's own handler back in place.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == handler
    connection.close()
    os.close(holder)


@pytest.mark.parametrize("where", ["main thread", "another thread"])
def test_a_waiting_writer_goes_on_without_the_lock_at_its_timeout(tmp_path, where):
    connection, holder = waiting_writer(tmp_path)
    handler = signal.getsignal(signal.SIGALRM)

    waited, held = in_thread(where, timed_acquire(connection, 0.3))

    assert not held
    assert 0.25 <= waited < 5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == handler
    # The holder still has it; once it lets go, the same connection can take it.
    fcntl.flock(holder, fcntl.LOCK_UN)
    connection.acquire_writer(0.3)
    assert not lock_is_free(connection.writer_lock_path)
    connection.close()  # and closing gives it back
    assert lock_is_free(connection.writer_lock_path)
    os.close(holder)


def test_a_writer_leaves_a_timer_set_by_someone_else_alone(tmp_path):
    connection, holder = waiting_writer(tmp_path)
    rang: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, _frame: rang.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        assert not can_wait_in_kernel()
        waited, held = timed_acquire(connection, 0.2)()  # polls instead
        remaining, _interval = signal.getitimer(signal.ITIMER_REAL)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not held
    assert 0.15 <= waited < 5
    assert 25 < remaining <= 30
    assert rang == []
    connection.close()
    os.close(holder)


def test_a_request_never_holds_two_pooled_connections_at_once(app, tmp_path, monkeypatch):
    # A request that reads the user on its own connection and then works through the ORM
    # session gives the first back before the session takes one: with a pool of one
    # connection it is served at once (else it would wait for itself until the pool's
    # timeout), and so no number of threads can drain a pool by half-holding it.
    from ..factories import ApiClient, entry_body, register

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    narrow = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 2},
            "PASSWORD_HASH_PROFILE": "cheapest",
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
        }
    )
    narrow.test_client_class = ApiClient
    client = register(narrow.test_client(), email="narrow@example.org")
    record_id = uuid.uuid4()
    try:
        first = client.put(f"/api/v1/entries/{record_id}", json=entry_body())
        started = time.monotonic()
        again = client.put(f"/api/v1/entries/{record_id}", json=entry_body())  # ORM path
        summary = client.get("/api/v1/summary")
        elapsed = time.monotonic() - started
    finally:
        with narrow.app_context():
            db.session.remove()
            db.engine.dispose()
    assert (first.status_code, again.status_code, summary.status_code) == (201, 200, 200)
    assert again.get_json()["id"] == str(record_id)
    assert elapsed < 1.5  # no wait for the pool's timeout
