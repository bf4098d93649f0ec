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
