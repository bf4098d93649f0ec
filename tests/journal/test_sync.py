"""Offline sync: PUT by id is idempotent, versions guard changes, deletes leave tombstones."""

from __future__ import annotations

import uuid

import pytest

from symptom_journal.journal.models import Entry

from ..factories import entry_body, put_entry, put_session, row_count, session_body

ENTRIES = "/api/v1/entries"
SESSIONS = "/api/v1/sessions"


def test_the_same_put_twice_makes_one_row(patient, sql):
    record_id = uuid.uuid4()
    first = patient.put(f"{ENTRIES}/{record_id}", json=entry_body())
    second = patient.put(f"{ENTRIES}/{record_id}", json=entry_body())
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json() == first.get_json()
    assert second.headers["ETag"] == '"1"'
    assert row_count(sql, Entry) == 1


def test_same_instant_at_another_offset_is_other_content(patient):
    record_id = uuid.uuid4()
    patient.put(f"{ENTRIES}/{record_id}", json=entry_body(recorded_at="2026-03-10T10:00:00+01:00"))
    again = patient.put(
        f"{ENTRIES}/{record_id}", json=entry_body(recorded_at="2026-03-10T09:00:00+00:00")
    )
    assert again.status_code == 409


def test_other_content_without_if_match_is_409_and_changes_nothing(patient):
    entry = put_entry(patient, mood=4)
    response = patient.put(f"{ENTRIES}/{entry['id']}", json=entry_body(mood=8))
    assert response.status_code == 409
    assert response.get_json()["code"] == 409
    assert 'If-Match: "1"' in response.get_json()["message"]
    assert response.headers["ETag"] == '"1"'
    assert patient.get(f"{ENTRIES}/{entry['id']}").get_json()["mood"] == 4


@pytest.mark.parametrize("header", ['"1"', "1", 'W/"1"', "*"])
def test_put_with_if_match_replaces(patient, header):
    entry = put_entry(patient, mood=4, anxiety=5)
    response = patient.put(
        f"{ENTRIES}/{entry['id']}",
        json={"recorded_at": entry["recorded_at"], "mood": 8},
        headers={"If-Match": header},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["mood"] == 8
    assert body["anxiety"] is None  # a PUT replaces the whole record
    assert body["version"] == 2
    assert response.headers["ETag"] == '"2"'


def test_stale_if_match_is_412_everywhere(patient):
    entry = put_entry(patient, mood=4)
    patient.patch(f"{ENTRIES}/{entry['id']}", json={"mood": 5})  # now version 2
    stale = {"If-Match": '"1"'}
    put = patient.put(f"{ENTRIES}/{entry['id']}", json=entry_body(mood=9), headers=stale)
    patch = patient.patch(f"{ENTRIES}/{entry['id']}", json={"mood": 9}, headers=stale)
    delete = patient.delete(f"{ENTRIES}/{entry['id']}", headers=stale)
    for response in (put, patch, delete):
        assert response.status_code == 412
        assert response.get_json()["code"] == 412
        assert response.headers["ETag"] == '"2"'
    current = patient.get(f"{ENTRIES}/{entry['id']}").get_json()
    assert current["mood"] == 5
    assert current["version"] == 2


def test_unreadable_if_match_is_named(patient):
    entry = put_entry(patient)
    response = patient.patch(
        f"{ENTRIES}/{entry['id']}", json={"mood": 1}, headers={"If-Match": "abc"}
    )
    assert response.status_code == 422
    assert "If-Match" in response.get_json()["errors"]["headers"]


def test_if_match_on_an_unknown_id_is_404(patient, sql):
    response = patient.put(
        f"{ENTRIES}/{uuid.uuid4()}", json=entry_body(), headers={"If-Match": "1"}
    )
    assert response.status_code == 404
    assert row_count(sql, Entry) == 0


def test_patch_and_delete_with_the_current_version(patient):
    entry = put_entry(patient)
    patched = patient.patch(
        f"{ENTRIES}/{entry['id']}", json={"mood": 1}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200
    deleted = patient.delete(f"{ENTRIES}/{entry['id']}", headers={"If-Match": '"2"'})
    assert deleted.status_code == 204


def test_delete_is_idempotent(patient):
    entry = put_entry(patient)
    assert patient.delete(f"{ENTRIES}/{entry['id']}").status_code == 204
    assert patient.delete(f"{ENTRIES}/{entry['id']}").status_code == 204
    assert patient.patch(f"{ENTRIES}/{entry['id']}", json={"mood": 1}).status_code == 404


def test_a_deleted_id_cannot_be_written_again(patient):
    entry = put_entry(patient)
    patient.delete(f"{ENTRIES}/{entry['id']}")
    response = patient.put(f"{ENTRIES}/{entry['id']}", json=entry_body())
    assert response.status_code == 409
    assert "deleted" in response.get_json()["message"]


def test_delete_clears_what_the_patient_wrote(patient, sql):
    entry = put_entry(patient, note="private words", side_effects=["nausea"])
    patient.delete(f"{ENTRIES}/{entry['id']}")
    stored = sql(lambda s: s.get(Entry, uuid.UUID(entry["id"])))
    assert stored.note is None
    assert stored.mood is None
    assert stored.side_effects == []
    assert stored.deleted_at is not None


def test_updated_since_lists_changes_and_tombstones_oldest_first(patient):
    before = patient.get("/api/v1/auth/me")  # noqa: F841 - a request, so time moves on
    first = put_entry(patient, mood=1)
    second = put_entry(patient, mood=2)
    third = put_entry(patient, mood=3)
    patient.patch(f"{ENTRIES}/{first['id']}", json={"mood": 9})
    patient.delete(f"{ENTRIES}/{second['id']}")
    since = first["updated_at"].replace("+00:00", "Z")
    body = patient.get(f"{ENTRIES}?updated_since={since}").get_json()
    items = body["items"]
    assert [i["id"] for i in items] == [third["id"], first["id"], second["id"]]
    assert items[0]["mood"] == 3
    assert items[1]["mood"] == 9
    assert items[2] == {"id": second["id"], "deleted": True, "updated_at": items[2]["updated_at"]}
    stamps = [i["updated_at"] for i in items]
    assert stamps == sorted(stamps)
    # Inclusive: a change at exactly `since` is listed.
    exact = patient.get(f"{ENTRIES}?updated_since={items[2]['updated_at'].replace('+', '%2B')}")
    assert [i["id"] for i in exact.get_json()["items"]] == [second["id"]]


def test_updated_since_accepts_an_unescaped_plus(patient):
    entry = put_entry(patient)
    # A "+" left unescaped in a query string arrives as a space.
    response = patient.get(f"{ENTRIES}?updated_since=2000-01-01T00:00:00+00:00")
    assert response.status_code == 200
    assert [i["id"] for i in response.get_json()["items"]] == [entry["id"]]


def test_updated_since_pages(patient):
    ids = [put_entry(patient)["id"] for _ in range(5)]
    seen: list[str] = []
    url = f"{ENTRIES}?updated_since=2000-01-01T00:00:00Z&limit=2"
    while url:
        body = patient.get(url).get_json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        url = (
            f"{ENTRIES}?updated_since=2000-01-01T00:00:00Z&limit=2&cursor={cursor}"
            if cursor
            else None
        )
    assert seen == ids


def test_session_tombstones_too(patient):
    session = put_session(patient)
    patient.delete(f"{SESSIONS}/{session['id']}")
    items = patient.get(f"{SESSIONS}?updated_since=2000-01-01T00:00:00Z").get_json()["items"]
    assert items == [{"id": session["id"], "deleted": True, "updated_at": items[0]["updated_at"]}]


def test_post_with_a_known_id_is_idempotent_too(patient, sql):
    record_id = str(uuid.uuid4())
    first = patient.post(SESSIONS, json=session_body(id=record_id))
    again = patient.post(SESSIONS, json=session_body(id=record_id))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json()["id"] == record_id
