"""``"side_effects": null`` is taken as no side effects: stored and listed as ``[]``, and no
stored value, not even a JSON null left from before, breaks an export."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from ..factories import entry_body, put_session
from ..sharing.conftest import make_share


def test_null_side_effects_are_stored_and_listed_as_an_empty_list(patient):
    created = patient.post("/api/v1/entries", json=entry_body(side_effects=None))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["side_effects"] == []
    listed = patient.get("/api/v1/entries").get_json()["items"]
    assert [item["side_effects"] for item in listed] == [[]]

    entry_id = created.get_json()["id"]
    patched = patient.patch(f"/api/v1/entries/{entry_id}", json={"side_effects": ["nausea"]})
    assert patched.get_json()["side_effects"] == ["nausea"]
    cleared = patient.patch(f"/api/v1/entries/{entry_id}", json={"side_effects": None})
    assert cleared.status_code == 200, cleared.get_json()
    assert cleared.get_json()["side_effects"] == []


def test_a_stored_json_null_breaks_no_export(app, patient, sql):
    # Recent, so that the clinician's default period holds it too.
    now = datetime.now(UTC).replace(microsecond=0)
    session_id = put_session(patient, started_at=(now - timedelta(hours=2)).isoformat())["id"]
    entry_id = str(uuid.uuid4())
    body = entry_body(
        recorded_at=now.isoformat(), side_effects=["nausea"], session_id=session_id, phase="post"
    )
    assert patient.put(f"/api/v1/entries/{entry_id}", json=body).status_code == 201
    # As an older version stored it.
    sql(lambda session: session.execute(text("UPDATE entries SET side_effects = 'null'")))

    share = make_share(patient)
    doctor = app.test_client()
    from ..factories import register

    register(doctor, email="doc-null@example.org", role="clinician")
    code = patient.post("/api/v1/care-team/invites").get_json()["code"]
    assert doctor.post("/api/v1/clinician/links", json={"code": code}).status_code == 201
    patient_id = patient.user["id"]

    for client, url in (
        (patient, "/api/v1/export/entries.csv"),
        (patient, f"/s/{share['token']}/entries.csv"),
        (doctor, f"/clinician/patients/{patient_id}/entries.csv"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        lines = response.get_data(as_text=True).splitlines()
        header, row = lines[0].split(","), lines[1].split(",")
        assert row[header.index("id")] == entry_id
        assert row[header.index("side_effects")] == ""
    for client, url in (
        (patient, "/api/v1/entries"),
        (patient, "/api/v1/export/json"),
        (patient, "/api/v1/summary"),
        (patient, f"/s/{share['token']}"),
        (patient, f"/s/{share['token']}/report.pdf"),
        (doctor, f"/clinician/patients/{patient_id}"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    items = patient.get("/api/v1/entries").get_json()["items"]
    assert items[0]["side_effects"] == []
