"""The sign-in lookup every signed-in request makes: read on the driver's cursor, with the
same values SQLAlchemy's own execution gives, and through SQLAlchemy when the driver fails."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from symptom_journal.accounts import service
from symptom_journal.accounts.auth import policies
from symptom_journal.db import standalone, utcnow
from symptom_journal.extensions import db


def cookie_token(app, client) -> str:
    return client.get_cookie(app.config["LOGIN_COOKIE_NAME"]).value


def test_the_driver_read_gives_what_sqlalchemy_gives(app, patient):
    digest = service.token_hash(cookie_token(app, patient))
    with app.app_context(), db.engine.connect() as connection:
        standalone(connection)
        quick = service._lookup_on_driver(connection, digest)
        reference = tuple(
            connection.execute(service._resolve_statement(), {"token_hash": digest}).first()
        )
        missing = service._lookup_on_driver(connection, service.token_hash("no such token"))
    assert quick == reference
    login_id, last_seen_at, expires_at, user_id, email, role, *_ = quick
    assert isinstance(login_id, uuid.UUID)
    assert user_id == patient.user_id
    assert (email, role) == ("pat@example.org", "patient")
    for moment in (last_seen_at, expires_at):
        assert isinstance(moment, datetime)
        assert moment.utcoffset() is not None
        assert moment.utcoffset().total_seconds() == 0
    assert missing is None


def test_a_failing_driver_read_goes_through_sqlalchemy(app, patient, monkeypatch):
    token = cookie_token(app, patient)
    calls: list[str] = []

    def broken(connection, digest):
        calls.append(digest)
        raise connection.dialect.loaded_dbapi.OperationalError("the driver read failed")

    monkeypatch.setattr(service, "_lookup_on_driver", broken)
    with app.test_request_context(), db.engine.connect() as connection:
        found = service.resolve_session(
            standalone(connection), token=token, policies=policies(), now=utcnow()
        )
    assert calls == [service.token_hash(token)]
    assert found is not None
    _login, user = found
    assert user.id == patient.user_id
    # And through the app: the request is served as before.
    assert patient.get("/api/v1/auth/me").get_json()["id"] == str(patient.user_id)


@pytest.mark.parametrize("token", ["", "x" * 43, "no such token"])
def test_an_unknown_token_resolves_to_no_one(app, token):
    with app.test_request_context(), db.engine.connect() as connection:
        found = service.resolve_session(
            standalone(connection), token=token, policies=policies(), now=utcnow()
        )
    assert found is None
