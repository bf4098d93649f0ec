"""Care team: invite codes, links, unlinking, the clinician's patients and their summary."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event, update

from symptom_journal.db import utcnow
from symptom_journal.extensions import db
from symptom_journal.sharing.models import CareInvite

from ..factories import put_assessment, put_entry, put_session, register
from .conftest import SECRET_NOTE


def test_invite_code_shape_and_expiry(patient):
    response = patient.post("/api/v1/care-team/invites")
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body["code"])
    from datetime import datetime

    left = datetime.fromisoformat(body["expires_at"]) - utcnow()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)


def test_link_then_lists_on_both_sides(patient, linked_clinician, journal):
    team = patient.get("/api/v1/care-team").get_json()["items"]
    assert [(c["display_name"], c["email"]) for c in team] == [("Dr Rivera", "rivera@example.org")]
    assert team[0]["id"] == linked_clinician.user["id"]
    items = linked_clinician.get("/api/v1/clinician/patients").get_json()["items"]
    assert [p["id"] for p in items] == [patient.user["id"]]
    mine = items[0]
    assert mine["latest_scores"]["phq9"]["total"] == 14
    assert mine["latest_scores"]["phq9"]["severity"] == "moderate"
    assert mine["last_entry_at"] == "2026-03-20T21:00:00+01:00"
    assert mine["open_flags"] == []  # March is more than 30 days ago


def test_open_flags_are_those_of_the_last_30_days(patient, linked_clinician):
    recent = (utcnow() - timedelta(days=3)).replace(microsecond=0).isoformat()
    put_entry(patient, recorded_at=recent, systolic=190, diastolic=100)
    put_assessment(patient, completed_at=recent, answers=[0] * 8 + [2])
    flags = linked_clinician.get("/api/v1/clinician/patients").get_json()["items"][0]["open_flags"]
    assert sorted(f["kind"] for f in flags) == ["bp_high", "suicidal_ideation"]


def test_open_flags_include_a_sessions_pressure_before_and_its_rise(patient, linked_clinician):
    started = (utcnow() - timedelta(days=2)).replace(microsecond=0)
    session = put_session(patient, started_at=started.isoformat())
    for phase, minutes, pressure in (("pre", -30, (150, 95)), ("post", 90, (195, 105))):
        put_entry(
            patient,
            recorded_at=(started + timedelta(minutes=minutes)).isoformat(),
            systolic=pressure[0],
            diastolic=pressure[1],
            session_id=session["id"],
            phase=phase,
        )
    flags = linked_clinician.get("/api/v1/clinician/patients").get_json()["items"][0]["open_flags"]
    by_kind = {flag["kind"]: flag for flag in flags}
    # 150/95 before (above 140/90), a rise of 45/10 (systolic at least 40), 195/105 after.
    assert sorted(by_kind) == ["bp_before_session", "bp_high", "bp_rise"]
    assert by_kind["bp_before_session"]["detail"] == {
        "session_id": session["id"],
        "pre": {"systolic": 150.0, "diastolic": 95.0},
    }
    assert by_kind["bp_rise"]["detail"]["systolic_rise"] == 45.0


def test_codes_are_one_use(patient, linked_clinician, unlinked_clinician, sql):
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    assert (
        unlinked_clinician.post("/api/v1/clinician/links", json={"code": code}).status_code == 201
    )
    again = linked_clinician.post("/api/v1/clinician/links", json={"code": code})
    assert again.status_code == 404
    assert patient.user["email"] not in again.get_data(as_text=True)


def test_unknown_and_expired_codes_are_404(patient, unlinked_clinician, sql):
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    sql(lambda s: s.execute(update(CareInvite).values(expires_at=utcnow() - timedelta(seconds=1))))
    expired = unlinked_clinician.post("/api/v1/clinician/links", json={"code": code})
    unknown = unlinked_clinician.post("/api/v1/clinician/links", json={"code": "AAAA-BBBB-CCCC"})
    assert expired.status_code == unknown.status_code == 404
    assert expired.get_json() == unknown.get_json()
    assert unlinked_clinician.get("/api/v1/clinician/patients").get_json()["items"] == []


def test_codes_accept_lower_case_and_spaces(patient, unlinked_clinician):
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    typed = code.lower().replace("-", " ")
    assert (
        unlinked_clinician.post("/api/v1/clinician/links", json={"code": typed}).status_code == 201
    )


def test_linked_clinician_reads_the_summary(patient, linked_clinician, journal):
    url = f"/api/v1/clinician/patients/{patient.user['id']}/summary?from=2026-03-01&to=2026-03-31"
    response = linked_clinician.get(url)
    assert response.status_code == 200
    body = response.get_json()
    assert body["adherence"] == {"days_logged": 3, "days_in_period": 31, "entries": 4}
    page = linked_clinician.get(
        f"/clinician/patients/{patient.user['id']}?from=2026-03-01&to=2026-03-31"
    )
    assert page.status_code == 200
    assert SECRET_NOTE in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    bad = linked_clinician.get(
        f"/api/v1/clinician/patients/{patient.user['id']}/summary?from=2026-04-01&to=2026-03-01"
    )
    assert bad.status_code == 422


def test_unlinking_from_either_side_ends_access(patient, linked_clinician, journal):
    url = f"/api/v1/clinician/patients/{patient.user['id']}/summary"
    assert patient.delete(f"/api/v1/care-team/{linked_clinician.user['id']}").status_code == 204
    gone = linked_clinician.get(url)
    assert gone.status_code == 404
    assert SECRET_NOTE not in gone.get_data(as_text=True)
    assert linked_clinician.get(f"/clinician/patients/{patient.user['id']}").status_code == 404
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    linked_clinician.post("/api/v1/clinician/links", json={"code": code})
    assert linked_clinician.get(url).status_code == 200
    assert (
        linked_clinician.delete(f"/api/v1/clinician/patients/{patient.user['id']}").status_code
        == 204
    )
    assert linked_clinician.get(url).status_code == 404
    assert patient.get("/api/v1/care-team").get_json()["items"] == []


def test_unlinked_clinician_sees_nothing(patient, unlinked_clinician, journal):
    for url in (
        f"/api/v1/clinician/patients/{patient.user['id']}/summary",
        f"/clinician/patients/{patient.user['id']}",
        f"/clinician/patients/{patient.user['id']}/entries.csv",
    ):
        response = unlinked_clinician.get(url)
        assert response.status_code == 404, url
        assert SECRET_NOTE not in response.get_data(as_text=True)
        assert patient.user["email"] not in response.get_data(as_text=True)


def test_roles_are_enforced(patient, linked_clinician):
    assert patient.get("/api/v1/clinician/patients").status_code == 403
    assert patient.post("/api/v1/clinician/links", json={"code": "x"}).status_code == 403
    assert linked_clinician.post("/api/v1/care-team/invites").status_code == 403
    assert linked_clinician.get("/api/v1/care-team").status_code == 403
    assert linked_clinician.post("/api/v1/shares", json={}).status_code == 403


def _queries_for_patient_list(app, clinician) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = clinician.get("/api/v1/clinician/patients")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), len(response.get_json()["items"])


def test_patient_list_costs_the_same_queries_for_2_and_200(app, unlinked_clinician, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATIONS_PER_ADDRESS", "1000 per hour")

    def link_patients(count, start):
        for number in range(start, start + count):
            client = register(
                app.test_client(), email=f"p{number}@example.org", display_name=f"P{number}"
            )
            recent = (utcnow() - timedelta(days=2)).replace(microsecond=0).isoformat()
            put_entry(client, recorded_at=recent, systolic=185, diastolic=90)
            put_assessment(client, completed_at=recent)
            code = client.post("/api/v1/care-team/invites").get_json()["code"]
            assert (
                unlinked_clinician.post("/api/v1/clinician/links", json={"code": code}).status_code
                == 201
            )

    link_patients(2, 0)
    few, listed = _queries_for_patient_list(app, unlinked_clinician)
    assert listed == 2
    link_patients(198, 2)
    many, listed = _queries_for_patient_list(app, unlinked_clinician)
    assert listed == 200
    assert many == few


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_the_clinicians_page_refuses_a_browser_with_a_page(
    client, patient, linked_clinician, journal
):
    page = f"/clinician/patients/{patient.user['id']}"
    # Not signed in (or the sign-in has ended): a page that says so, with the way to sign in.
    answer = client.get(page, headers=BROWSER)
    assert answer.status_code == 401
    assert answer.mimetype == "text/html"
    text = answer.get_data(as_text=True)
    assert "<h1>Sign in to see this page</h1>" in text
    assert '<a href="/">Sign in</a>' in text
    # A program asking for data still gets the JSON error.
    assert client.get(page).get_json()["code"] == 401
    # A patient's account: 403, said in words.
    refused = patient.get(page, headers=BROWSER)
    assert refused.status_code == 403
    assert "This is only for clinician accounts." in refused.get_data(as_text=True)
    # Dates the other way round: named.
    wrong = linked_clinician.get(page + "?from=2026-04-01&to=2026-03-01", headers=BROWSER)
    assert wrong.status_code == 422
    assert "<h1>This page cannot be shown</h1>" in wrong.get_data(as_text=True)
    assert "from: " in wrong.get_data(as_text=True)
    # Unlinked: 404, a way back to the list, and nothing of the patient's.
    assert (
        linked_clinician.delete(f"/api/v1/clinician/patients/{patient.user['id']}").status_code
        == 204
    )
    gone = linked_clinician.get(page, headers=BROWSER)
    assert gone.status_code == 404
    text = gone.get_data(as_text=True)
    assert "<h1>This patient is not in your list</h1>" in text
    assert '<a href="/#/patients">Your patients</a>' in text
    assert patient.user["email"] not in text
    assert SECRET_NOTE not in text
