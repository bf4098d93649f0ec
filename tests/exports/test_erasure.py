"""Erasing an account leaves no row of the patient in any table."""

from __future__ import annotations

import uuid

from sqlalchemy import Uuid, select

from symptom_journal.extensions import db

from ..factories import PASSWORD, put_assessment, put_entry, put_session


def _rows_mentioning(app, user_id: uuid.UUID) -> dict[str, int]:
    found = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            uuid_columns = [c for c in table.columns if isinstance(c.type, Uuid)]
            for column in uuid_columns:
                count = len(db.session.execute(select(table).where(column == user_id)).all())
                if count:
                    found[f"{table.name}.{column.name}"] = count
        db.session.remove()
    return found


def test_erasure_removes_everything_of_the_patient(app, patient, client):
    session = put_session(patient)
    put_entry(patient, session_id=session["id"], phase="pre")
    put_assessment(patient)
    share = patient.post("/api/v1/shares", json={}).get_json()
    patient.post("/api/v1/care-team/invites")
    client.get(f"/s/{share['token']}/summary.json")  # an access-log row
    user_id = uuid.UUID(patient.user["id"])
    assert _rows_mentioning(app, user_id)  # there is something to erase
    cookie = patient.get_cookie("sj_session").value

    wrong = patient.delete("/api/v1/account", json={"password": "not the password"})
    assert wrong.status_code == 403
    assert "password" in wrong.get_json()["errors"]["json"]
    assert patient.get("/api/v1/auth/me").status_code == 200

    response = patient.delete("/api/v1/account", json={"password": PASSWORD})
    assert response.status_code == 204
    assert _rows_mentioning(app, user_id) == {}
    patient.set_cookie("sj_session", cookie)
    assert patient.get("/api/v1/auth/me").status_code == 401
    assert client.get(f"/s/{share['token']}").status_code == 404
    again = app.test_client().post(
        "/api/v1/auth/login", json={"email": "pat@example.org", "password": PASSWORD}
    )
    assert again.status_code == 401


def test_erasure_spares_everyone_else(app, patient, other_patient):
    theirs = put_entry(other_patient, note="still here")
    patient.delete("/api/v1/account", json={"password": PASSWORD})
    assert other_patient.get(f"/api/v1/entries/{theirs['id']}").get_json()["note"] == "still here"


def test_clinician_views_of_an_erased_patient_go_too(app, patient):
    from ..factories import register

    doctor = register(app.test_client(), email="doc2@example.org", role="clinician")
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    doctor.post("/api/v1/clinician/links", json={"code": code})
    doctor.get(f"/api/v1/clinician/patients/{patient.user['id']}/summary")
    patient.delete("/api/v1/account", json={"password": PASSWORD})
    assert doctor.get("/api/v1/clinician/patients").get_json()["items"] == []
    assert doctor.get(f"/api/v1/clinician/patients/{patient.user['id']}/summary").status_code == 404
