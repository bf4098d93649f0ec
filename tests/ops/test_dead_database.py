"""A database that is down or read-only: 503 with a generic body, nothing acknowledged,
and the same writes succeed once it is back."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from symptom_journal import create_app
from symptom_journal.extensions import db
from symptom_journal.journal.models import Entry

from ..factories import ApiClient, entry_body, register


def _app(url: str, tmp_path, monkeypatch) -> object:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_PROFILE": "cheapest",
        }
    )
    app.test_client_class = ApiClient
    app.logger.disabled = True
    return app


def test_unreachable_database_is_503_for_everyone(tmp_path, monkeypatch):
    app = _app(
        "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2", tmp_path, monkeypatch
    )
    client = app.test_client()
    for method, url, body in (
        ("GET", "/api/v1/health", None),
        ("POST", "/api/v1/auth/login", {"email": "a@example.org", "password": "x" * 12}),
    ):
        response = client.open(url, method=method, json=body)
        assert response.status_code == 503, (url, response.get_json())
        text = response.get_data(as_text=True)
        assert "psycopg" not in text
        assert "127.0.0.1" not in text
        assert "Traceback" not in text


def test_read_only_sqlite_refuses_writes_and_keeps_reads(tmp_path, monkeypatch):
    # A SQLite file of its own, so that this runs the same whatever the suite's database.
    path = tmp_path / "journal.db"
    writable = _app(f"sqlite:///{path}", tmp_path, monkeypatch)
    with writable.app_context():
        db.create_all()
    patient = register(writable.test_client(), email="ro@example.org")
    assert patient.post("/api/v1/entries", json=entry_body(mood=3)).status_code == 201

    read_only = _app(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path, monkeypatch)
    phone = read_only.test_client()
    for name in ("sj_session", "sj_csrf"):
        phone.set_cookie(name, patient.get_cookie(name).value)
    record_id = str(uuid.uuid4())
    refused = phone.put(f"/api/v1/entries/{record_id}", json=entry_body(mood=7))
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert refused.get_json()["message"].startswith("The database is unavailable")
    assert "readonly" not in refused.get_data(as_text=True)
    assert phone.get("/api/v1/entries").status_code == 200  # reads still work

    # Writable again: the retried write lands once, with its values.
    again = patient.put(f"/api/v1/entries/{record_id}", json=entry_body(mood=7))
    assert again.status_code == 201
    with writable.app_context():
        moods = db.session.scalars(select(Entry.mood).order_by(Entry.mood)).all()
        db.session.remove()
        db.engine.dispose()
    assert moods == [3, 7]
