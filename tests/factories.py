"""Test helpers: a JSON client that sends the CSRF header, and record factories."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

PASSWORD = "a long and unusual passphrase"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class ApiClient(FlaskClient):
    """A test client that sends X-CSRF-Token with unsafe requests unless ``csrf=False``."""

    user: dict[str, Any]

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Read streamed bodies at once: an unread stream keeps its request's context pushed,
        # and the next request in the test would share its `g`.
        kwargs.setdefault("buffered", True)
        send_csrf = kwargs.pop("csrf", True)
        method = str(kwargs.get("method", "GET")).upper()
        if send_csrf and method in UNSAFE:
            headers = dict(kwargs.pop("headers", None) or {})
            if "X-CSRF-Token" not in headers:
                token = super().open("/api/v1/auth/csrf").get_json()["csrf_token"]
                headers["X-CSRF-Token"] = token
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


def register(
    client: Any, *, email: str, role: str = "patient", password: str = PASSWORD, **extra: Any
) -> Any:
    """Register ``email`` through the API with ``client``, which stays signed in."""
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "role": role, **extra}
    )
    assert response.status_code == 201, response.get_json()
    client.user = response.get_json()
    client.user_id = uuid.UUID(client.user["id"])
    return client


def session_body(**overrides: Any) -> dict[str, Any]:
    """Return a valid treatment session body."""
    body = {
        "started_at": "2026-03-10T10:00:00+01:00",
        "duration_minutes": 45,
        "treatment": "ketamine_iv",
        "dose_mg": 40.0,
        "clinic": "Riverside",
        "notes": "First induction session.",
    }
    body.update(overrides)
    return body


def entry_body(**overrides: Any) -> dict[str, Any]:
    """Return a valid journal entry body."""
    body = {"recorded_at": "2026-03-10T21:15:00+01:00", "mood": 6, "anxiety": 3, "sleep_hours": 7.5}
    body.update(overrides)
    return body


def put_session(client: Any, **overrides: Any) -> dict[str, Any]:
    """Create a treatment session by PUT and return its body."""
    record_id = overrides.pop("id", None) or str(uuid.uuid4())
    response = client.put(f"/api/v1/sessions/{record_id}", json=session_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def put_entry(client: Any, **overrides: Any) -> dict[str, Any]:
    """Create a journal entry by PUT and return its body."""
    record_id = overrides.pop("id", None) or str(uuid.uuid4())
    response = client.put(f"/api/v1/entries/{record_id}", json=entry_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def row_count(sql: Any, model: Any) -> int:
    """Return the number of rows of ``model``, deleted ones included."""
    from sqlalchemy import func, select

    return int(sql(lambda s: s.scalar(select(func.count()).select_from(model))))


def assessment_body(**overrides: Any) -> dict[str, Any]:
    """Return a valid PHQ-9 assessment body (total 10, moderate, item 9 at 0)."""
    body = {
        "instrument": "phq9",
        "completed_at": "2026-03-10T20:00:00+01:00",
        "answers": [2, 2, 1, 1, 1, 1, 1, 1, 0],
    }
    body.update(overrides)
    return body


def put_assessment(client: Any, **overrides: Any) -> dict[str, Any]:
    """Create an assessment by PUT and return its body."""
    record_id = overrides.pop("id", None) or str(uuid.uuid4())
    response = client.put(f"/api/v1/assessments/{record_id}", json=assessment_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def add_passkey(
    sql: Any, owner: uuid.UUID, name: str = "Their phone", credential_id: str | None = None
) -> uuid.UUID:
    """Give ``owner`` a passkey row (one no browser holds: for who-may tests only)."""
    from symptom_journal.accounts.models import Passkey

    def add(session: Any) -> uuid.UUID:
        row = Passkey(
            user_id=owner,
            credential_id=credential_id or f"test-{uuid.uuid4().hex}",
            public_key=b"\x00",
            sign_count=0,
            name=name,
        )
        session.add(row)
        session.flush()
        return row.id

    return uuid.UUID(str(sql(add)))


def passed_second_step(sql: Any, owner: uuid.UUID, factor: str) -> None:
    """Record on every sign-in of ``owner`` that it passed ``factor``, as signing in with a
    passkey does (a browser test makes one with Chromium's virtual authenticator)."""
    from sqlalchemy import update

    from symptom_journal.accounts.models import LoginSession

    sql(
        lambda session: session.execute(
            update(LoginSession).where(LoginSession.user_id == owner).values(second_factor=factor)
        )
    )


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app with ``secret`` shows now (or ``steps_ahead`` steps of
    30 seconds on: a code is taken once, so a second sign-in within a step uses the next)."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    return str(totp.generate_otp(totp.timecode(time.time()) + steps_ahead))
