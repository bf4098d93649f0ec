"""Privacy: another patient's ids are 404 with none of their data; roles are enforced."""

from __future__ import annotations

import uuid

import pytest

from ..factories import entry_body, put_entry, put_session, session_body

SECRET_NOTE = "my secret note about my sister"
SECRET_CLINIC = "Hidden Valley Clinic"


@pytest.fixture
def owners_records(patient):
    session = put_session(patient, clinic=SECRET_CLINIC, notes=SECRET_NOTE)
    entry = put_entry(patient, note=SECRET_NOTE, session_id=session["id"], phase="pre", mood=2)
    return {"sessions": session, "entries": entry}


def assert_nothing_leaks(response, record):
    text = response.get_data(as_text=True)
    assert SECRET_NOTE not in text
    assert SECRET_CLINIC not in text
    assert record["id"] not in text
    assert record["created_at"] not in text


@pytest.mark.parametrize("collection", ["sessions", "entries"])
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_another_patient_gets_404_without_data(
    patient, other_patient, owners_records, collection, method
):
    record = owners_records[collection]
    url = f"/api/v1/{collection}/{record['id']}"
    body = {"sessions": session_body(), "entries": entry_body()}[collection]
    payload = {"PUT": body, "PATCH": {"notes" if collection == "sessions" else "note": "mine"}}
    for headers in ({}, {"If-Match": '"1"'}):
        response = other_patient.open(url, method=method, json=payload.get(method), headers=headers)
        assert response.status_code == 404, (method, headers, response.get_json())
        assert response.get_json()["code"] == 404
        assert_nothing_leaks(response, record)
    # The owner's record is untouched.
    mine = patient.get(url).get_json()
    assert mine == record or {k: v for k, v in mine.items() if k != "updated_at"} == {
        k: v for k, v in record.items() if k != "updated_at"
    }
    assert mine["version"] == 1


@pytest.mark.parametrize("collection", ["sessions", "entries"])
def test_lists_hold_only_ones_own_records(patient, other_patient, owners_records, collection):
    mine = put_session(other_patient) if collection == "sessions" else put_entry(other_patient)
    for query in ("", "?updated_since=2000-01-01T00:00:00Z", "?from=2000-01-01&to=2100-01-01"):
        response = other_patient.get(f"/api/v1/{collection}{query}")
        assert response.status_code == 200
        assert [i["id"] for i in response.get_json()["items"]] == [mine["id"]]
        assert_nothing_leaks(response, owners_records[collection])


def test_query_parameters_cannot_widen_the_scope(patient, other_patient, owners_records):
    theirs = owners_records["sessions"]
    owner = patient.user["id"]
    for query in (
        f"?session_id={theirs['id']}",
        f"?owner_id={owner}",
        f"?user_id={owner}",
        f"?session_id={theirs['id']}&phase=pre",
    ):
        response = other_patient.get(f"/api/v1/entries{query}")
        assert response.status_code in (200, 422)
        if response.status_code == 200:
            assert response.get_json()["items"] == []
        assert_nothing_leaks(response, owners_records["entries"])


def test_body_fields_cannot_widen_the_scope(patient, other_patient, owners_records):
    record = owners_records["entries"]
    response = other_patient.post(
        "/api/v1/entries", json=entry_body(id=record["id"], owner_id=patient.user["id"])
    )
    assert response.status_code == 422  # owner_id is not a field
    taken = other_patient.post("/api/v1/entries", json=entry_body(id=record["id"]))
    assert taken.status_code == 404
    assert_nothing_leaks(taken, record)
    assert patient.get(f"/api/v1/entries/{record['id']}").get_json()["note"] == SECRET_NOTE


def test_a_fresh_id_of_someone_else_is_no_different_from_an_unknown_one(
    other_patient, owners_records
):
    known = other_patient.get(f"/api/v1/entries/{owners_records['entries']['id']}")
    unknown = other_patient.get(f"/api/v1/entries/{uuid.uuid4()}")
    assert known.status_code == unknown.status_code == 404
    assert known.get_json() == unknown.get_json()


@pytest.mark.parametrize("collection", ["sessions", "entries"])
def test_clinicians_get_403_on_patient_records(clinician, collection):
    for method, url in (
        ("GET", f"/api/v1/{collection}"),
        ("POST", f"/api/v1/{collection}"),
        ("GET", f"/api/v1/{collection}/{uuid.uuid4()}"),
        ("PUT", f"/api/v1/{collection}/{uuid.uuid4()}"),
        ("PATCH", f"/api/v1/{collection}/{uuid.uuid4()}"),
        ("DELETE", f"/api/v1/{collection}/{uuid.uuid4()}"),
    ):
        response = clinician.open(url, method=method, json={} if method != "GET" else None)
        assert response.status_code == 403, (method, url)
        assert response.get_json()["code"] == 403


@pytest.mark.parametrize("collection", ["sessions", "entries"])
def test_anonymous_gets_401(client, collection):
    for method, url in (
        ("GET", f"/api/v1/{collection}"),
        ("POST", f"/api/v1/{collection}"),
        ("GET", f"/api/v1/{collection}/{uuid.uuid4()}"),
        ("PUT", f"/api/v1/{collection}/{uuid.uuid4()}"),
        ("DELETE", f"/api/v1/{collection}/{uuid.uuid4()}"),
    ):
        response = client.open(url, method=method, json={} if method != "GET" else None)
        assert response.status_code == 401, (method, url)
        assert response.get_json()["code"] == 401
