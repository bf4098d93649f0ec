"""A patient with a little of everything, a share link, and a linked clinician."""

from __future__ import annotations

from typing import Any

import pytest

from ..factories import put_assessment, put_entry, put_session, register

SECRET_NOTE = "secret words about my brother"


@pytest.fixture
def journal(patient) -> dict[str, Any]:
    session = put_session(patient, started_at="2026-03-05T10:00:00+01:00", clinic="Quiet Clinic")
    entries = [
        put_entry(
            patient,
            recorded_at="2026-03-05T09:30:00+01:00",
            mood=3,
            session_id=session["id"],
            phase="pre",
            systolic=120,
            diastolic=80,
        ),
        put_entry(
            patient,
            recorded_at="2026-03-05T11:30:00+01:00",
            mood=7,
            session_id=session["id"],
            phase="post",
            systolic=182,
            diastolic=95,
        ),
        put_entry(patient, recorded_at="2026-03-06T21:00:00+01:00", mood=6, note=SECRET_NOTE),
        put_entry(patient, recorded_at="2026-03-20T21:00:00+01:00", mood=8),
    ]
    assessment = put_assessment(
        patient, completed_at="2026-03-04T20:00:00+01:00", answers=[2, 2, 2, 2, 2, 1, 1, 1, 1]
    )
    return {"session": session, "entries": entries, "assessment": assessment}


def make_share(client, **body) -> dict[str, Any]:
    response = client.post("/api/v1/shares", json={"label": "Dr Rivera", **body})
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


@pytest.fixture
def share(patient, journal) -> dict[str, Any]:
    return make_share(patient, include_notes=True)


@pytest.fixture
def linked_clinician(app, patient) -> Any:
    doctor = register(
        app.test_client(), email="rivera@example.org", role="clinician", display_name="Dr Rivera"
    )
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    response = doctor.post("/api/v1/clinician/links", json={"code": code})
    assert response.status_code == 201, response.get_json()
    return doctor


@pytest.fixture
def unlinked_clinician(app) -> Any:
    return register(
        app.test_client(),
        email="stranger@example.org",
        role="clinician",
        display_name="Dr Stranger",
    )
