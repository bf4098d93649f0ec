"""Every route of the app, for every kind of caller, on patient A's objects.

The routes come from ``app.url_map``, so a new route is covered the day it is added: it
must either appear in one of the tables below or the test fails and says so.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from symptom_journal.accounts.models import Passkey

from ..factories import assessment_body, entry_body, session_body
from .conftest import SECRET_NOTE

PUBLIC = {
    "/",
    "/sw.js",
    "/manifest.webmanifest",
    "/favicon.ico",
    "/assets/<version>/<any(css, js, icons, vendor):folder>/<path:name>",
    "/api/docs",
    "/api/docs/<path:name>",
    "/api/v1/openapi.json",
    "/api/v1/health",
    "/api/v1/auth/csrf",
    "/api/v1/instruments",
    "/api/v1/clinical-settings",
    "/api/v1/auth/register",
    "/api/v1/auth/login",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
    "/api/v1/auth/verify-email",
    "/api/v1/auth/options",
    "/api/v1/auth/login/second-step",
    "/api/v1/auth/passkey-login",
    "/api/v1/auth/passkey-login/options",
}
# Reached with a share token instead of an account: public by design, tested elsewhere.
BY_TOKEN = {
    "/s/<token>",
    "/s/<token>/summary.json",
    "/s/<token>/entries.csv",
    "/s/<token>/report.pdf",
    "/api/v1/reminders/<token>/calendar.ics",
}
# They act on the caller's own sign-in (no id of anyone's in them); exercising them here
# would end the caller's session or change how they sign in. Tested in tests/accounts.
OWN_SESSION = {
    "/api/v1/auth/logout",
    "/api/v1/auth/password",
    "/api/v1/auth/totp",
    "/api/v1/auth/totp/confirm",
    "/api/v1/auth/recovery-codes",
}
ANY_USER = {
    "/api/v1/auth/me",
    "/api/v1/auth/sessions",
    "/api/v1/auth/sessions/<uuid:session_id>",
    "/api/v1/auth/events",
    "/api/v1/auth/verify-email/resend",
    "/api/v1/auth/second-factors",
    "/api/v1/auth/passkeys",
    "/api/v1/auth/passkeys/options",
    "/api/v1/auth/passkeys/<uuid:passkey_id>",
}
CLINICIAN = {
    "/api/v1/clinician/links",
    "/api/v1/clinician/patients",
    "/api/v1/clinician/patients/<uuid:patient_id>",
    "/api/v1/clinician/patients/<uuid:patient_id>/summary",
    "/clinician/patients/<uuid:patient_id>",
    "/clinician/patients/<uuid:patient_id>/entries.csv",
    "/clinician/patients/<uuid:patient_id>/report.pdf",
}
PATIENT = {
    "/api/v1/sessions",
    "/api/v1/sessions/<uuid:record_id>",
    "/api/v1/entries",
    "/api/v1/entries/<uuid:record_id>",
    "/api/v1/assessments",
    "/api/v1/assessments/<uuid:record_id>",
    "/api/v1/summary",
    "/api/v1/shares",
    "/api/v1/shares/<uuid:share_id>",
    "/api/v1/audit",
    "/api/v1/care-team",
    "/api/v1/care-team/invites",
    "/api/v1/care-team/<uuid:clinician_id>",
    "/api/v1/export/entries.csv",
    "/api/v1/export/sessions.csv",
    "/api/v1/export/assessments.csv",
    "/api/v1/export/json",
    "/api/v1/export/fhir",
    "/api/v1/import",
    "/api/v1/account",
    "/api/v1/reminders/settings",
    "/api/v1/reminders/upcoming",
    "/api/v1/reminders/calendar",
    "/api/v1/reminders/push/key",
    "/api/v1/reminders/push/subscriptions",
}
BODIES = {
    "sessions": session_body,
    "entries": lambda: entry_body(note="not yours"),
    "assessments": assessment_body,
}


def _routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.rule, method))
    return routes


def test_every_route_is_classified(app):
    known = PUBLIC | BY_TOKEN | OWN_SESSION | ANY_USER | CLINICIAN | PATIENT
    unknown = sorted({rule for rule, _ in _routes(app)} - known)
    assert unknown == [], f"classify these routes in test_route_matrix.py: {unknown}"


@pytest.fixture
def world(patient, journal, share, linked_clinician, unlinked_clinician, other_patient, sql):
    login_id = patient.get("/api/v1/auth/sessions").get_json()["items"][0]["id"]

    def add_passkey(session: Any) -> str:
        row = Passkey(
            user_id=patient.user_id,
            credential_id="cmVkYWN0ZWQ",
            public_key=b"\x00",
            sign_count=0,
            name="Patient A's phone",
        )
        session.add(row)
        session.flush()
        return str(row.id)

    passkey_id = sql(add_passkey)
    return {
        "A": patient,
        "B": other_patient,
        "L": linked_clinician,
        "U": unlinked_clinician,
        "ids": {
            "sessions": journal["session"]["id"],
            "entries": journal["entries"][2]["id"],
            "assessments": journal["assessment"]["id"],
            "session_id": login_id,
            "share_id": share["id"],
            "passkey_id": passkey_id,
            "clinician_id": linked_clinician.user["id"],
            "patient_id": patient.user["id"],
            "token": share["token"],
            "name": "docs.js",
            "folder": "js",
            "version": "0",
        },
        "secrets": [
            SECRET_NOTE,
            patient.user["email"],
            journal["session"]["id"],
            journal["entries"][2]["id"],
            journal["assessment"]["id"],
            share["id"],
            login_id,
            passkey_id,
            "Patient A's phone",
        ],
    }


def _url(rule: str, ids: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        if name == "record_id":
            return ids[rule.split("/")[3]]
        return str(ids[name])

    return re.sub(r"<([^>]+)>", fill, rule)


def _body(rule: str, method: str) -> Any:
    if method in ("GET", "DELETE"):
        return None
    collection = rule.split("/")[3] if rule.startswith("/api/v1/") else ""
    if collection in BODIES and method in ("PUT", "POST"):
        return BODIES[collection]()
    if collection == "entries" and method == "PATCH":
        return {"note": "not yours"}
    return {}


def _expected(rule: str, caller: str) -> set[int]:
    """The statuses a caller who does not own A's data may get on a route."""
    has_id = "<" in rule
    if rule in PUBLIC:
        return {200, 202, 302, 400, 401, 404, 405, 409, 422}
    if caller == "anonymous":
        return {401}
    clinician = caller in ("L", "U")
    if rule in ANY_USER:
        return {404} if has_id else {200, 202, 422}  # 422: a body the route needs
    if rule in PATIENT:
        if clinician:
            return {403}
        return {404} if has_id else {200, 201, 204, 422}  # 204: their own (e.g. a revoke)
    if rule in CLINICIAN:
        if not clinician:
            return {403}
        if caller == "L":
            return {200, 201, 204, 404, 422}
        return {404} if has_id else {200, 201, 404, 422}
    raise AssertionError(rule)


@pytest.mark.parametrize("caller", ["anonymous", "B", "L", "U"])
def test_no_caller_reaches_another_patients_data(app, world, caller):
    client = app.test_client() if caller == "anonymous" else world[caller]
    checked = 0
    for rule, method in _routes(app):
        if rule in BY_TOKEN or rule in OWN_SESSION:
            continue
        if caller == "L" and rule in CLINICIAN and method == "DELETE":
            continue  # unlinking is the linked clinician's right; tested in test_care_team
        url = _url(rule, world["ids"])
        response = client.open(url, method=method, json=_body(rule, method))
        assert response.status_code < 500, (caller, method, url)
        assert response.status_code in _expected(rule, caller), (
            caller,
            method,
            url,
            response.status_code,
        )
        text = response.get_data().decode("utf-8", errors="replace")
        may_see = caller == "L" and rule in CLINICIAN
        if not may_see:
            for secret in world["secrets"]:
                assert secret not in text, (caller, method, url, secret)
        checked += 1
    assert checked > 40
    # Nothing of A's changed.
    owner = world["A"]
    for collection in ("sessions", "entries", "assessments"):
        record = owner.get(f"/api/v1/{collection}/{world['ids'][collection]}")
        assert record.status_code == 200
        assert record.get_json()["version"] == 1
    assert owner.get("/api/v1/shares").get_json()["items"][0]["status"] == "active"
    assert len(owner.get("/api/v1/care-team").get_json()["items"]) == 1


def test_the_owner_reads_every_own_object(app, world):
    owner, ids = world["A"], world["ids"]
    readable = [
        rule for rule, method in _routes(app) if method == "GET" and rule in PATIENT | ANY_USER
    ]
    assert len(readable) >= 10
    for rule in readable:
        url = _url(rule, ids)
        response = owner.get(url)
        assert response.status_code == 200, url
