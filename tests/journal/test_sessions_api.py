"""Treatment sessions: every route's success path, filters, pages and what a delete does."""

from __future__ import annotations

import uuid

import pytest

from symptom_journal.journal.models import TreatmentSession

from ..factories import put_entry, put_session, row_count, session_body

SESSIONS = "/api/v1/sessions"
FIELDS = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "started_at",
    "duration_minutes",
    "treatment",
    "dose_mg",
    "clinic",
    "notes",
}


def test_put_creates_a_session_with_the_client_id(patient):
    record_id = str(uuid.uuid4())
    response = patient.put(f"{SESSIONS}/{record_id}", json=session_body())
    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    body = response.get_json()
    assert set(body) == FIELDS
    assert body["id"] == record_id
    assert body["version"] == 1
    assert body["started_at"] == "2026-03-10T10:00:00+01:00"
    assert body["treatment"] == "ketamine_iv"
    assert body["dose_mg"] == 40.0
    assert body["duration_minutes"] == 45
    assert body["clinic"] == "Riverside"
    assert body["notes"] == "First induction session."
    assert body["created_at"].endswith("+00:00")
    assert body["created_at"] == body["updated_at"]


def test_post_creates_a_session_with_a_server_id(patient):
    response = patient.post(SESSIONS, json=session_body(treatment="esketamine_nasal", dose_mg=56))
    assert response.status_code == 201
    body = response.get_json()
    assert uuid.UUID(body["id"])
    assert body["treatment"] == "esketamine_nasal"
    assert body["dose_mg"] == 56.0


def test_optional_fields_may_be_left_out(patient):
    response = patient.post(
        SESSIONS, json={"started_at": "2026-03-10T10:00:00-05:00", "treatment": "other"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["duration_minutes"] is None
    assert body["dose_mg"] is None
    assert body["clinic"] is None
    assert body["notes"] is None
    assert body["started_at"] == "2026-03-10T10:00:00-05:00"


def test_get_one(patient):
    created = put_session(patient)
    response = patient.get(f"{SESSIONS}/{created['id']}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.get_json() == created


def test_patch_changes_fields_and_bumps_the_version(patient):
    created = put_session(patient)
    response = patient.patch(f"{SESSIONS}/{created['id']}", json={"dose_mg": 50, "notes": None})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    body = response.get_json()
    assert body["dose_mg"] == 50.0
    assert body["notes"] is None
    assert body["version"] == 2
    assert body["treatment"] == created["treatment"]
    assert body["updated_at"] > created["updated_at"]


def test_delete_hides_the_session(patient, sql):
    created = put_session(patient)
    response = patient.delete(f"{SESSIONS}/{created['id']}")
    assert response.status_code == 204
    assert response.data == b""
    assert patient.get(f"{SESSIONS}/{created['id']}").status_code == 404
    assert patient.get(SESSIONS).get_json()["items"] == []
    assert row_count(sql, TreatmentSession) == 1  # soft: kept as a tombstone


def test_deleting_a_session_unlinks_its_entries(patient):
    session = put_session(patient)
    entry = put_entry(patient, session_id=session["id"], phase="pre", mood=3)
    assert patient.delete(f"{SESSIONS}/{session['id']}").status_code == 204
    after = patient.get(f"/api/v1/entries/{entry['id']}").get_json()
    assert after["session_id"] is None
    assert after["phase"] is None
    assert after["mood"] == 3
    assert after["version"] == 2


def test_list_is_newest_first(patient):
    old = put_session(patient, started_at="2026-01-01T10:00:00+00:00")
    new = put_session(patient, started_at="2026-02-01T10:00:00+00:00")
    middle = put_session(patient, started_at="2026-01-15T10:00:00+00:00")
    response = patient.get(SESSIONS)
    assert response.status_code == 200
    body = response.get_json()
    assert [s["id"] for s in body["items"]] == [new["id"], middle["id"], old["id"]]
    assert body["next_cursor"] is None


def test_pages_cover_every_session_once(patient):
    ids = {
        put_session(patient, started_at=f"2026-01-{day:02d}T10:00:00+00:00")["id"]
        for day in range(1, 8)
    }
    # Two sessions at the same moment: the id breaks the tie.
    ids |= {put_session(patient, started_at="2026-01-04T10:00:00+00:00")["id"] for _ in range(2)}
    seen: list[str] = []
    url = f"{SESSIONS}?limit=2"
    pages = 0
    while url:
        body = patient.get(url).get_json()
        assert len(body["items"]) <= 2
        seen += [s["id"] for s in body["items"]]
        pages += 1
        url = f"{SESSIONS}?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert pages == 5
    assert len(seen) == len(set(seen)) == 9
    assert set(seen) == ids
    starts = [patient.get(f"{SESSIONS}/{i}").get_json()["started_at"] for i in seen]
    assert starts == sorted(starts, reverse=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from=2026-03-10&to=2026-03-10", {"late"}),
        ("from=2026-03-11", {"next"}),
        ("to=2026-03-09", {"early"}),
        ("", {"early", "late", "next"}),
    ],
)
def test_from_and_to_use_the_local_date(patient, query, expected):
    made = {
        "early": put_session(patient, started_at="2026-03-09T12:00:00+00:00"),
        # 23:30 in New York is already 11 March in UTC, but it is the patient's 10 March.
        "late": put_session(patient, started_at="2026-03-10T23:30:00-05:00"),
        "next": put_session(patient, started_at="2026-03-11T00:30:00+09:00"),
    }
    names = {v["id"]: k for k, v in made.items()}
    body = patient.get(f"{SESSIONS}?{query}").get_json()
    assert {names[s["id"]] for s in body["items"]} == expected
