"""The JSON document: export, import into another account, idempotence, all or nothing."""

from __future__ import annotations

import copy

from symptom_journal.assessments.models import Assessment
from symptom_journal.journal.models import Entry, TreatmentSession

from ..factories import put_assessment, put_entry, put_session, register, row_count


def _journal(client) -> None:
    session = put_session(client, started_at="2026-03-05T10:00:00+01:00", notes="first one")
    put_entry(
        client,
        recorded_at="2026-03-05T09:30:00+01:00",
        mood=3,
        session_id=session["id"],
        phase="pre",
    )
    put_entry(
        client,
        recorded_at="2026-03-05T11:30:00+01:00",
        mood=7,
        session_id=session["id"],
        phase="post",
        systolic=150,
        diastolic=90,
        side_effects=["nausea"],
    )
    put_entry(client, recorded_at="2026-03-06T21:00:00-05:00", mood=6, note="a good day")
    put_assessment(client, completed_at="2026-03-04T20:00:00+01:00")
    put_assessment(
        client, instrument="gad7", answers=[2] * 7, completed_at="2026-03-12T20:00:00+01:00"
    )


def test_export_then_import_into_a_fresh_account_gives_the_same_summary(app, patient):
    _journal(patient)
    gone = put_entry(patient, recorded_at="2026-03-07T21:00:00+01:00", mood=0)
    patient.delete(f"/api/v1/entries/{gone['id']}")
    document = patient.get("/api/v1/export/json").get_json()
    assert document["format"] == "symptom-journal"
    assert document["version"] == 1
    assert [len(document[k]) for k in ("sessions", "entries", "assessments")] == [1, 3, 2]
    assert all(e["id"] != gone["id"] for e in document["entries"])

    fresh = register(app.test_client(), email="moved@example.org")
    response = fresh.post("/api/v1/import", json=document)
    assert response.status_code == 200
    assert response.get_json() == {
        "sessions": {"created": 1, "updated": 0, "unchanged": 0},
        "entries": {"created": 3, "updated": 0, "unchanged": 0},
        "assessments": {"created": 2, "updated": 0, "unchanged": 0},
    }
    period = "?from=2026-03-01&to=2026-03-31"

    def without_ids(summary):
        # The ids are the other account's, so the copies carry derived ones.
        for row in summary["sessions"]:
            row.pop("id")
        for flag in summary["flags"]:
            flag["detail"].pop("session_id", None)
        return summary

    original = without_ids(patient.get(f"/api/v1/summary{period}").get_json())
    assert original["sessions"]
    assert original["instruments"]
    assert without_ids(fresh.get(f"/api/v1/summary{period}").get_json()) == original


def test_importing_twice_adds_nothing(app, patient, sql):
    _journal(patient)
    document = patient.get("/api/v1/export/json").get_json()
    fresh = register(app.test_client(), email="twice@example.org")
    fresh.post("/api/v1/import", json=document)
    counts = [row_count(sql, m) for m in (TreatmentSession, Entry, Assessment)]
    again = fresh.post("/api/v1/import", json=document)
    assert again.status_code == 200
    assert again.get_json()["entries"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert [row_count(sql, m) for m in (TreatmentSession, Entry, Assessment)] == counts


def test_ids_of_another_account_get_derived_ids_and_links_follow(app, patient):
    _journal(patient)
    document = patient.get("/api/v1/export/json").get_json()
    fresh = register(app.test_client(), email="copy@example.org")
    fresh.post("/api/v1/import", json=document)
    theirs = fresh.get("/api/v1/sessions").get_json()["items"][0]
    assert theirs["id"] != document["sessions"][0]["id"]
    linked = fresh.get(f"/api/v1/entries?session_id={theirs['id']}").get_json()["items"]
    assert len(linked) == 2
    # The original owner's records are untouched.
    assert patient.get(f"/api/v1/sessions/{document['sessions'][0]['id']}").status_code == 200
    # Importing into the original account is a no-op.
    same = patient.post("/api/v1/import", json=document).get_json()
    assert same["sessions"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_a_newer_edit_in_the_document_wins(app, patient):
    _journal(patient)
    document = patient.get("/api/v1/export/json").get_json()
    edited = copy.deepcopy(document)
    edited["entries"][2]["mood"] = 9
    response = patient.post("/api/v1/import", json=edited)
    assert response.get_json()["entries"] == {"created": 0, "updated": 1, "unchanged": 2}
    entry = patient.get(f"/api/v1/entries/{edited['entries'][2]['id']}").get_json()
    assert (entry["mood"], entry["version"]) == (9, 2)


def test_a_bad_document_is_rejected_whole(app, patient, sql):
    _journal(patient)
    document = patient.get("/api/v1/export/json").get_json()
    fresh = register(app.test_client(), email="careful@example.org")
    broken = copy.deepcopy(document)
    broken["entries"][2]["mood"] = 11
    response = fresh.post("/api/v1/import", json=broken)
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["entries"]["2"]["mood"]
    assert fresh.get("/api/v1/sessions").get_json()["items"] == []
    dangling = copy.deepcopy(document)
    dangling["sessions"] = []
    response = fresh.post("/api/v1/import", json=dangling)
    assert response.status_code == 422
    assert "session_id" in str(response.get_json()["errors"])
    assert fresh.get("/api/v1/assessments").get_json()["items"] == []
    for bad, field in (
        ({**document, "format": "other-app"}, "format"),
        ({**document, "version": 2}, "version"),
        ({**document, "entries": "lots"}, "entries"),
        ({"format": "symptom-journal"}, "version"),
    ):
        response = fresh.post("/api/v1/import", json=bad)
        assert response.status_code == 422
        assert field in response.get_json()["errors"]["json"]
    assert fresh.get("/api/v1/entries").get_json()["items"] == []
