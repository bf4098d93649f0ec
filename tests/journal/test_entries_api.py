"""Journal entries: success paths, every field, filters."""

from __future__ import annotations

import uuid

from ..factories import entry_body, put_entry, put_session

ENTRIES = "/api/v1/entries"


def test_put_creates_an_entry_with_every_field(patient):
    session = put_session(patient)
    record_id = str(uuid.uuid4())
    body = {
        "recorded_at": "2026-03-10T11:05:00+01:00",
        "mood": 7,
        "anxiety": 2,
        "sleep_hours": 6.75,
        "sleep_quality": 6,
        "dissociation": 4,
        "systolic": 142,
        "diastolic": 91,
        "heart_rate": 88,
        "side_effects": ["nausea", "dizziness"],
        "note": "Floaty for an hour.",
        "session_id": session["id"],
        "phase": "post",
    }
    response = patient.put(f"{ENTRIES}/{record_id}", json=body)
    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    created = response.get_json()
    assert {k: created[k] for k in body} == body
    assert created["id"] == record_id
    assert created["version"] == 1
    assert patient.get(f"{ENTRIES}/{record_id}").get_json() == created


def test_one_measure_is_enough(patient):
    response = patient.post(ENTRIES, json={"recorded_at": "2026-03-10T08:00:00Z", "sleep_hours": 0})
    assert response.status_code == 201
    body = response.get_json()
    assert body["sleep_hours"] == 0
    assert body["mood"] is None
    assert body["side_effects"] == []
    assert body["recorded_at"] == "2026-03-10T08:00:00+00:00"


def test_patch_is_checked_against_the_stored_entry(patient):
    entry = put_entry(patient, systolic=130, diastolic=85)
    ok = patient.patch(f"{ENTRIES}/{entry['id']}", json={"systolic": 150})
    assert ok.status_code == 200
    assert ok.get_json()["systolic"] == 150
    assert ok.get_json()["diastolic"] == 85
    lonely = patient.patch(f"{ENTRIES}/{entry['id']}", json={"systolic": None})
    assert lonely.status_code == 422
    assert lonely.get_json()["errors"]["json"] == {
        "systolic": ["Required when diastolic is given."]
    }
    inverted = patient.patch(f"{ENTRIES}/{entry['id']}", json={"diastolic": 150})
    assert inverted.status_code == 422
    assert inverted.get_json()["errors"]["json"] == {"diastolic": ["Must be below systolic."]}
    assert patient.get(f"{ENTRIES}/{entry['id']}").get_json()["version"] == 2


def test_patch_that_changes_nothing_keeps_the_version(patient):
    entry = put_entry(patient, mood=6)
    response = patient.patch(f"{ENTRIES}/{entry['id']}", json={"mood": 6})
    assert response.status_code == 200
    assert response.get_json()["version"] == 1
    assert response.get_json()["updated_at"] == entry["updated_at"]


def test_filter_by_session_and_phase(patient):
    session = put_session(patient)
    pre = put_entry(patient, session_id=session["id"], phase="pre")
    post = put_entry(patient, session_id=session["id"], phase="post")
    daily = put_entry(patient)
    by_session = patient.get(f"{ENTRIES}?session_id={session['id']}").get_json()["items"]
    assert {e["id"] for e in by_session} == {pre["id"], post["id"]}
    only_post = patient.get(f"{ENTRIES}?session_id={session['id']}&phase=post").get_json()["items"]
    assert [e["id"] for e in only_post] == [post["id"]]
    everything = patient.get(ENTRIES).get_json()["items"]
    assert {e["id"] for e in everything} == {pre["id"], post["id"], daily["id"]}


def test_offset_is_kept_and_the_local_date_counts(patient):
    # Either side of midnight at different offsets: each is on its own local date.
    late = put_entry(patient, recorded_at="2026-03-10T23:50:00-08:00")
    early = put_entry(patient, recorded_at="2026-03-11T00:10:00+05:30")
    assert late["recorded_at"] == "2026-03-10T23:50:00-08:00"
    assert early["recorded_at"] == "2026-03-11T00:10:00+05:30"
    tenth = patient.get(f"{ENTRIES}?from=2026-03-10&to=2026-03-10").get_json()["items"]
    eleventh = patient.get(f"{ENTRIES}?from=2026-03-11&to=2026-03-11").get_json()["items"]
    assert [e["id"] for e in tenth] == [late["id"]]
    assert [e["id"] for e in eleventh] == [early["id"]]


def test_list_is_newest_first_by_instant(patient):
    # 09:00 at +05:00 is 04:00 UTC, earlier than 06:00 UTC.
    first = put_entry(patient, recorded_at="2026-03-10T09:00:00+05:00")
    second = put_entry(patient, recorded_at="2026-03-10T06:00:00+00:00")
    items = patient.get(ENTRIES).get_json()["items"]
    assert [e["id"] for e in items] == [second["id"], first["id"]]


def test_entry_body_factory_is_valid(patient):
    response = patient.post(ENTRIES, json=entry_body())
    assert response.status_code == 201


def test_high_blood_pressure_is_flagged_at_once(patient):
    high = put_entry(patient, systolic=180, diastolic=100)
    assert high["flags"] == ["bp_high"]
    also = put_entry(patient, systolic=150, diastolic=120)
    assert also["flags"] == ["bp_high"]
    normal = put_entry(patient, systolic=179, diastolic=119)
    assert normal["flags"] == []
    assert put_entry(patient)["flags"] == []
