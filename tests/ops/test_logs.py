"""The operator's logs: JSON lines on request, and nothing personal in them after a full
journey (no health data, tokens, emails, names or cookies)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from symptom_journal import create_app
from symptom_journal.extensions import db
from symptom_journal.pages import views as page_views

from ..factories import PASSWORD, ApiClient, register

NOTE = "Felt the walls breathing; told nobody about Tuesday"
NAME = "Marguerite Quillfeather"
LABEL = "Dr Okonkwo-Brightwater"


def _instance(app: Flask, **settings: Any) -> Flask:
    keys = (
        "SECRET_KEY",
        "SQLALCHEMY_DATABASE_URI",
        "PASSWORD_HASH_PROFILE",
        "RATELIMIT_STORAGE_URI",
    )
    other = create_app({**{k: app.config[k] for k in keys}, **settings})
    other.test_client_class = ApiClient
    return other


@pytest.fixture
def logged(app: Flask) -> Iterator[Flask]:
    """An instance that logs JSON, and lets an unexpected error become a 500 as in service."""
    instance = _instance(app, LOG_FORMAT="json", TESTING=False)
    yield instance
    with instance.app_context():
        db.session.remove()
        db.engine.dispose()


def _journey(instance: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A patient's and a clinician's full journey; return every secret it involved."""
    patient = register(instance.test_client(), email="quill.patient@example.org", display_name=NAME)
    session = patient.post(
        "/api/v1/sessions",
        json={"started_at": "2026-03-10T10:00:00-05:00", "treatment": "esketamine_nasal"},
    ).get_json()
    for phase, pressure in (("pre", (150, 95)), ("post", (171, 104))):
        created = patient.post(
            "/api/v1/entries",
            json={
                "recorded_at": "2026-03-10T09:30:00-05:00"
                if phase == "pre"
                else "2026-03-10T11:30:00-05:00",
                "mood": 3,
                "anxiety": 8,
                "dissociation": 7,
                "systolic": pressure[0],
                "diastolic": pressure[1],
                "side_effects": ["nausea", "dizziness"],
                "session_id": session["id"],
                "phase": phase,
                "note": NOTE,
            },
        )
        assert created.status_code == 201, created.get_json()
    entry_id = created.get_json()["id"]
    assert (
        patient.patch(f"/api/v1/entries/{entry_id}", json={"note": NOTE + "!"}).status_code == 200
    )
    phq9 = patient.post(
        "/api/v1/assessments",
        json={
            "instrument": "phq9",
            "completed_at": "2026-03-10T12:00:00-05:00",
            "answers": [2] * 9,
        },
    )
    assert phq9.status_code == 201, phq9.get_json()
    assert patient.get("/api/v1/summary?from=2026-03-01&to=2026-03-31").status_code == 200
    assert patient.get("/api/v1/export/entries.csv").status_code == 200
    share = patient.post("/api/v1/shares", json={"label": LABEL}).get_json()
    anyone = instance.test_client()
    assert anyone.get(share["url"]).status_code == 200
    assert anyone.get(share["url"] + "/report.pdf").status_code == 200
    assert anyone.get("/s/" + "Z" * 43).status_code == 404
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    clinician = register(
        instance.test_client(),
        email="quill.doc@example.org",
        role="clinician",
        display_name="Dr Quill",
    )
    assert clinician.post("/api/v1/clinician/links", json={"code": code}).status_code == 201
    page = clinician.get(f"/clinician/patients/{patient.user['id']}")
    assert page.status_code == 200
    wrong = instance.test_client().post(
        "/api/v1/auth/login", json={"email": "quill.patient@example.org", "password": "wrong " * 3}
    )
    assert wrong.status_code == 401

    # An unexpected error on a route whose path holds a token.
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the summary could not be built")

    monkeypatch.setattr(page_views, "build_summary", broken)
    failed = anyone.get(share["url"] + "/summary.json")
    assert failed.status_code == 500
    cookies = [patient.get_cookie(name).value for name in ("sj_session", "sj_csrf")]
    csrf = patient.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    return [
        NOTE,
        NAME,
        LABEL,
        "quill.patient@example.org",
        "quill.doc@example.org",
        PASSWORD,
        share["token"],
        code,
        csrf,
        *cookies,
        "nausea",
        "dizziness",
        "esketamine",
    ]


def test_a_full_journey_leaves_nothing_personal_in_the_json_log(logged, capsys, monkeypatch):
    secrets = _journey(logged, monkeypatch)
    log = capsys.readouterr().err
    lines = [line for line in log.splitlines() if line.strip()]
    assert [line for line in lines if not line.startswith("{")] == []  # every line JSON
    records = [json.loads(line) for line in lines]
    assert records
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record), record
    access = [r for r in records if r["logger"] == "symptom_journal.access"]
    routes = {r["route"] for r in access}
    assert {"/api/v1/entries", "/s/<token>", "/s/<token>/report.pdf"} <= routes
    fields = {"time", "level", "logger", "message", "method", "route", "status", "duration_ms"}
    fields |= {"bytes", "request_id"}
    assert all(set(r) == fields for r in access)  # nothing else: no values, no addresses
    assert sorted({r["status"] for r in access}) >= [200, 201, 401, 404, 500]
    errors = [r for r in records if r["level"] == "ERROR"]
    assert [e["message"].split(" request_id")[0] for e in errors] == [
        "Exception on /s/<token>/summary.json [GET]"
    ]
    assert "RuntimeError: the summary could not be built" in errors[0]["exc_info"]
    for secret in secrets:
        assert secret not in log, secret


def test_a_request_id_is_sent_back_and_taken_from_a_proxy_when_well_formed(client):
    first = client.get("/api/v1/health")
    assert len(first.headers["X-Request-ID"]) == 32
    given = client.get("/api/v1/health", headers={"X-Request-ID": "edge-42.a_b"})
    assert given.headers["X-Request-ID"] == "edge-42.a_b"
    odd = client.get("/api/v1/health", headers={"X-Request-ID": "a b;forged"})
    assert odd.headers["X-Request-ID"] != "a b;forged"


def test_the_text_log_names_routes_not_paths(app, capsys):
    instance = _instance(app)
    patient = register(instance.test_client(), email="text.log@example.org")
    share = patient.post("/api/v1/shares", json={}).get_json()
    instance.test_client().get(share["url"])
    log = capsys.readouterr().err
    assert " GET /s/<token> 200 " in log
    assert share["token"] not in log
    assert "text.log@example.org" not in log
    with instance.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_wrong_log_format_is_named(monkeypatch, tmp_path):
    from symptom_journal.config import build_config

    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="LOG_FORMAT must be text or json, got 'xml'"):
        build_config(tmp_path, {})
