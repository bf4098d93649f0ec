"""Bad input of every kind gets a 4xx naming the field; nothing is stored; never a 5xx."""

from __future__ import annotations

import json
import uuid

import pytest

from symptom_journal.journal.models import Entry, TreatmentSession

from ..factories import entry_body, put_session, row_count, session_body

ENTRIES = "/api/v1/entries"
SESSIONS = "/api/v1/sessions"

ENTRY_CASES = [
    ({"mood": 11}, "mood", "between 0 and 10"),
    ({"mood": -1}, "mood", "between 0 and 10"),
    ({"mood": 7.5}, "mood", "integer"),
    ({"mood": 7.0}, "mood", "integer"),
    ({"mood": "7"}, "mood", "integer"),
    ({"mood": True}, "mood", "integer"),
    ({"mood": [5]}, "mood", "integer"),
    ({"mood": {"v": 5}}, "mood", "integer"),
    ({"mood": 10**30}, "mood", "between 0 and 10"),
    ({"anxiety": 11}, "anxiety", "between 0 and 10"),
    ({"sleep_quality": -1}, "sleep_quality", "between 0 and 10"),
    ({"dissociation": 10.5}, "dissociation", "integer"),
    ({"sleep_hours": 7.3}, "sleep_hours", "multiple of 0.25"),
    ({"sleep_hours": 24.25}, "sleep_hours", "between 0 and 24"),
    ({"sleep_hours": "7"}, "sleep_hours", "number"),
    ({"sleep_hours": [7]}, "sleep_hours", "number"),
    ({"heart_rate": 24}, "heart_rate", "between 25 and 250"),
    ({"systolic": 300, "diastolic": 80}, "systolic", "between 60 and 260"),
    ({"systolic": 120}, "diastolic", "Required when systolic"),
    ({"diastolic": 80}, "systolic", "Required when diastolic"),
    ({"systolic": 120, "diastolic": 120}, "diastolic", "below systolic"),
    ({"side_effects": ["nausea", "itching"]}, "side_effects", "one of"),
    ({"side_effects": ["nausea", "nausea"]}, "side_effects", "once"),
    ({"side_effects": "nausea"}, "side_effects", "list"),
    ({"note": "x" * 2001}, "note", "2000"),
    ({"note": "x" * 1_000_000}, "note", "2000"),
    ({"note": "nul \u0000 byte"}, "note", "cannot be stored"),
    ({"note": 5}, "note", "string"),
    ({"recorded_at": "2026-03-10T09:00:00"}, "recorded_at", "offset"),
    ({"recorded_at": "yesterday"}, "recorded_at", "datetime"),
    ({"recorded_at": "2026-03-10T09:00:00+01:00:30"}, "recorded_at", "whole minutes"),
    ({"recorded_at": "0001-01-01T00:00:00+00:00"}, "recorded_at", "1900"),
    # The parser stopped at a NUL and took what came before it.
    ({"recorded_at": "2026-03-10T08:30:00-05:00\u0000"}, "recorded_at", "control"),
    ({"recorded_at": "2026-03-10T08:30:00-05:00\u0000junk"}, "recorded_at", "control"),
    ({"recorded_at": None}, "recorded_at", "null"),
    ({"phase": "pre"}, "session_id", "Required when phase"),
    ({"phase": "during"}, "phase", "one of"),
    ({"session_id": "not-a-uuid", "phase": "pre"}, "session_id", "UUID"),
    ({"colour": "blue"}, "colour", "Unknown field"),
    ({"version": 3}, "version", "Unknown field"),
    ({"owner_id": str(uuid.uuid4())}, "owner_id", "Unknown field"),
]


def flat(messages):
    """Return the messages of a field, also when they are grouped by list index."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in flat(value)]
    return list(messages)


@pytest.mark.parametrize(("change", "field", "message"), ENTRY_CASES)
def test_bad_entry_fields(patient, sql, change, field, message):
    response = patient.post(ENTRIES, json=entry_body(**change))
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == 422
    assert body["status"] == "Unprocessable Entity"
    messages = flat(body["errors"]["json"][field])
    assert any(message.lower() in m.lower() for m in messages), messages
    assert row_count(sql, Entry) == 0


def test_no_measure_at_all(patient, sql):
    response = patient.post(ENTRIES, json={"recorded_at": "2026-03-10T09:00:00Z", "note": "hi"})
    assert response.status_code == 422
    assert "at least one measure" in response.get_json()["errors"]["json"]["_schema"][0]
    assert row_count(sql, Entry) == 0


def test_missing_recorded_at(patient, sql):
    response = patient.post(ENTRIES, json={"mood": 5})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {
        "recorded_at": ["Missing data for required field."]
    }


def test_every_offending_field_is_named_at_once(patient):
    response = patient.post(ENTRIES, json=entry_body(mood=12, anxiety="3", colour="x"))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"mood", "anxiety", "colour"}


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_non_finite_numbers(patient, sql, raw):
    text = f'{{"recorded_at": "2026-03-10T09:00:00Z", "mood": {raw}, "sleep_hours": {raw}}}'
    response = patient.post(ENTRIES, data=text, content_type="application/json")
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert "mood" in errors
    assert "sleep_hours" in errors
    assert row_count(sql, Entry) == 0


def test_another_patients_session_id(patient, other_patient, sql):
    theirs = put_session(other_patient)
    response = patient.post(ENTRIES, json=entry_body(session_id=theirs["id"], phase="pre"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {
        "session_id": ["No such treatment session of yours."]
    }
    assert theirs["clinic"] not in response.get_data(as_text=True)
    assert row_count(sql, Entry) == 0


def test_a_deleted_session_cannot_be_linked(patient):
    session = put_session(patient)
    patient.delete(f"{SESSIONS}/{session['id']}")
    response = patient.post(ENTRIES, json=entry_body(session_id=session["id"], phase="post"))
    assert response.status_code == 422
    assert "session_id" in response.get_json()["errors"]["json"]


def test_put_body_id_must_match_the_path(patient, sql):
    response = patient.put(f"{ENTRIES}/{uuid.uuid4()}", json=entry_body(id=str(uuid.uuid4())))
    assert response.status_code == 422
    assert "id" in response.get_json()["errors"]["json"]
    assert row_count(sql, Entry) == 0


SESSION_CASES = [
    ({"treatment": "ketamine_iv_drip"}, "treatment", "one of"),
    ({"treatment": None}, "treatment", "null"),
    ({"duration_minutes": 0}, "duration_minutes", "between 1 and 600"),
    ({"duration_minutes": 601}, "duration_minutes", "between 1 and 600"),
    ({"duration_minutes": 45.5}, "duration_minutes", "integer"),
    ({"dose_mg": 0}, "dose_mg", "above 0"),
    ({"dose_mg": -5}, "dose_mg", "above 0"),
    ({"dose_mg": "40"}, "dose_mg", "number"),
    ({"notes": "n" * 4001}, "notes", "4000"),
    ({"clinic": "c" * 201}, "clinic", "200"),
    ({"started_at": "2026-03-10 10:00"}, "started_at", "offset"),
    ({"started_at": 1700000000}, "started_at", "datetime"),
    ({"room": 5}, "room", "Unknown field"),
]


@pytest.mark.parametrize(("change", "field", "message"), SESSION_CASES)
def test_bad_session_fields(patient, sql, change, field, message):
    response = patient.put(f"{SESSIONS}/{uuid.uuid4()}", json=session_body(**change))
    assert response.status_code == 422, response.get_json()
    messages = response.get_json()["errors"]["json"][field]
    assert any(message.lower() in m.lower() for m in messages), messages
    assert row_count(sql, TreatmentSession) == 0


@pytest.mark.parametrize("url", [ENTRIES, SESSIONS])
def test_malformed_json_is_400(patient, sql, url):
    response = patient.post(url, data='{"mood": 5,', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Invalid JSON body."]}


@pytest.mark.parametrize("url", [ENTRIES, SESSIONS])
def test_wrong_content_type_is_415(patient, url):
    response = patient.post(url, data=json.dumps(entry_body()), content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["code"] == 415
    assert "application/json" in response.get_json()["message"]


def test_form_body_is_415(patient):
    response = patient.post(ENTRIES, data={"mood": "5"})
    assert response.status_code == 415


def test_body_that_is_not_an_object(patient, sql):
    response = patient.post(ENTRIES, json=[entry_body()])
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["_schema"]
    assert row_count(sql, Entry) == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1000000000", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90IGpzb24", "cursor"),
        ("cursor=WyJ0IiwieCIsInkiXQ", "cursor"),  # ["t","x","y"]: decodes, but not a position
        ("from=2026-13-01", "from"),
        ("from=2026-03-10&to=2026-03-01", "from"),
        ("updated_since=2026-03-10T10:00:00", "updated_since"),
        ("session_id=nope", "session_id"),
        ("phase=during", "phase"),
    ],
)
def test_bad_list_queries(patient, query, field):
    response = patient.get(f"{ENTRIES}?{query}")
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["query"]


def test_a_cursor_of_one_list_mode_is_refused_by_the_other(patient):
    for day in range(1, 4):
        put_session(patient, started_at=f"2026-01-0{day}T10:00:00Z")
    cursor = patient.get(f"{SESSIONS}?limit=1").get_json()["next_cursor"]
    response = patient.get(f"{SESSIONS}?limit=1&updated_since=2000-01-01T00:00:00Z&cursor={cursor}")
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]["query"]
