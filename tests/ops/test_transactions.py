"""Each request works in one ORM session on one pooled connection; on SQLite a request that
may write begins its transaction IMMEDIATE, a safe one DEFERRED, with the documented PRAGMAs."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import event, select, update

from symptom_journal import create_app
from symptom_journal.accounts.models import LoginSession
from symptom_journal.db import utcnow
from symptom_journal.extensions import db

from ..factories import ApiClient, entry_body, put_session, register


def record_transactions(app, send):
    """Return the response, the dialect and what the request did on the database, in order:
    each BEGIN with its mode (SQLite), each statement's first word and each commit."""
    seen: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args):
        seen.append(statement if statement.startswith("BEGIN") else statement.split()[0].upper())

    def on_commit(_conn):
        seen.append("COMMIT")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        response = send()
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
    return response, engine.dialect.name, seen


def test_the_connection_settings(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            names = ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            values = [conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names]
            assert values == ["wal", 1, 10_000, 1]  # synchronous 1 = NORMAL
        else:
            assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "UTC"


def test_a_create_reads_its_sign_in_then_writes_in_one_transaction(app, patient):
    session_id = put_session(patient)["id"]
    csrf = {"X-CSRF-Token": patient.get("/api/v1/auth/csrf").get_json()["csrf_token"]}
    response, dialect, seen = record_transactions(
        app,
        lambda: patient.post(
            "/api/v1/entries", json=entry_body(session_id=session_id, phase="pre"), headers=csrf
        ),
    )
    assert response.status_code == 201, response.get_json()
    # The sign-in lookup reads in a transaction of its own, ended before the view's: on
    # SQLite it takes no write lock. The treatment session's check and the INSERT then share
    # one transaction (IMMEDIATE on SQLite), committed once.
    reads, writes = seen[: seen.index("COMMIT") + 1], seen[seen.index("COMMIT") + 1 :]
    if dialect == "sqlite":
        assert reads == ["BEGIN DEFERRED", "SELECT", "COMMIT"]
        assert writes == ["BEGIN IMMEDIATE", "SELECT", "INSERT", "COMMIT"]
    else:
        assert reads == ["SELECT", "COMMIT"]
        assert writes == ["SELECT", "INSERT", "COMMIT"]


def test_a_read_only_reads_and_a_write_begins_for_writing(app, patient):
    csrf = {"X-CSRF-Token": patient.get("/api/v1/auth/csrf").get_json()["csrf_token"]}
    listed, dialect, read = record_transactions(app, lambda: patient.get("/api/v1/entries"))
    created, _, wrote = record_transactions(
        app, lambda: patient.post("/api/v1/entries", json=entry_body(), headers=csrf)
    )
    assert (listed.status_code, created.status_code) == (200, 201)
    if dialect == "sqlite":
        # A safe method's transaction stays DEFERRED and runs beside a writer under WAL; a
        # write takes the write lock up front (a deferred read-then-write could fail BUSY).
        assert read[0:2] == ["BEGIN DEFERRED", "SELECT"]
        assert wrote[wrote.index("COMMIT") + 1] == "BEGIN IMMEDIATE"
    assert set(read) - {"BEGIN DEFERRED"} <= {"SELECT", "COMMIT"}
    assert "INSERT" in wrote


def test_a_request_holds_one_pooled_connection(app, tmp_path, monkeypatch):
    # With a pool of one connection every request is served at once: none waits for a
    # second connection until the pool's timeout.
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
        again = client.put(f"/api/v1/entries/{record_id}", json=entry_body())
        summary = client.get("/api/v1/summary")
        exported = client.get("/api/v1/export/entries.csv")
        elapsed = time.monotonic() - started
    finally:
        with narrow.app_context():
            db.session.remove()
            db.engine.dispose()
    assert (first.status_code, again.status_code, summary.status_code) == (201, 200, 200)
    assert exported.status_code == 200
    assert str(record_id) in exported.get_data(as_text=True)
    assert again.get_json()["id"] == str(record_id)
    assert elapsed < 1.5  # no wait for the pool's timeout


def test_a_stale_sign_in_is_touched_in_a_write_of_its_own(app, patient):
    # A GET whose login session was last seen five minutes ago records the new time, though
    # its own transaction only reads (DEFERRED on SQLite).
    stale = utcnow() - timedelta(minutes=5)
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=stale))
        db.session.commit()
    response = patient.get("/api/v1/auth/sessions")
    with app.app_context():
        stored = db.session.scalar(select(LoginSession.last_seen_at))
        db.session.remove()
    assert response.status_code == 200, response.get_json()
    assert stored > stale
    assert datetime.fromisoformat(response.get_json()["items"][0]["last_seen_at"]) == stored
