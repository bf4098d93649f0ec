"""Questionnaires over the API: instruments, scoring on write, validation, sync, privacy."""

from __future__ import annotations

import uuid

import pytest

from symptom_journal.assessments.models import Assessment

from ..factories import assessment_body, put_assessment, put_session, row_count

URL = "/api/v1/assessments"


def test_instruments_list_items_options_and_bands(client):
    response = client.get("/api/v1/instruments")
    assert response.status_code == 200
    items = {i["code"]: i for i in response.get_json()["items"]}
    assert set(items) == {"phq9", "gad7", "pcl5"}
    phq9 = items["phq9"]
    assert phq9["name"] == "PHQ-9"
    assert len(phq9["items"]) == 9
    assert phq9["items"][8]["number"] == 9
    assert "better off dead" in phq9["items"][8]["text"]
    assert [o["value"] for o in phq9["options"]] == [0, 1, 2, 3]
    assert phq9["options"][3]["label"] == "Nearly every day"
    assert phq9["max_total"] == 27
    assert [(b["code"], b["min"], b["max"]) for b in phq9["bands"]] == [
        ("minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("moderately_severe", 15, 19),
        ("severe", 20, 27),
    ]
    assert phq9["reliable_change"] == 6
    assert "Kroenke" in phq9["source"]
    assert len(items["pcl5"]["items"]) == 20
    assert [o["value"] for o in items["pcl5"]["options"]] == [0, 1, 2, 3, 4]
    assert [(b["code"], b["min"]) for b in items["pcl5"]["bands"]] == [
        ("below_threshold", 0),
        ("probable_ptsd", 33),
    ]
    assert items["gad7"]["reliable_change"] == 4
    assert items["pcl5"]["reliable_change"] == 10


def test_put_scores_the_answers(patient):
    record_id = str(uuid.uuid4())
    response = patient.put(f"{URL}/{record_id}", json=assessment_body())
    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    body = response.get_json()
    assert body["id"] == record_id
    assert body["total"] == 10
    assert body["severity"] == "moderate"
    assert body["flags"] == []
    assert body["answers"] == [2, 2, 1, 1, 1, 1, 1, 1, 0]
    assert body["completed_at"] == "2026-03-10T20:00:00+01:00"
    assert "crisis_text" not in body
    assert "dsm5_criteria_met" not in body
    assert patient.get(f"{URL}/{record_id}").get_json() == body


def test_item_9_answers_with_crisis_resources(patient):
    response = patient.post(URL, json=assessment_body(answers=[0] * 8 + [1]))
    assert response.status_code == 201
    body = response.get_json()
    assert body["flags"] == ["suicidal_ideation"]
    assert "988" in body["crisis_text"]
    assert "emergency" in body["crisis_text"]
    assert body["total"] == 1
    assert body["severity"] == "minimal"


def test_pcl5_reports_dsm5_criteria(patient):
    answers = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    body = put_assessment(patient, instrument="pcl5", answers=answers)
    assert body["total"] == 12
    assert body["severity"] == "below_threshold"
    assert body["dsm5_criteria_met"] is True
    assert body["flags"] == []


def test_gad7_severe(patient):
    body = put_assessment(patient, instrument="gad7", answers=[3, 3, 3, 2, 2, 1, 1])
    assert body["total"] == 15
    assert body["severity"] == "severe"


def test_patch_answers_rescores(patient):
    created = put_assessment(patient)
    response = patient.patch(f"{URL}/{created['id']}", json={"answers": [3] * 9})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 27
    assert body["severity"] == "severe"
    assert body["flags"] == ["suicidal_ideation"]
    assert body["version"] == 2


def test_patch_instrument_without_matching_answers(patient, sql):
    created = put_assessment(patient)
    response = patient.patch(f"{URL}/{created['id']}", json={"instrument": "gad7"})
    assert response.status_code == 422
    assert "answers" in response.get_json()["errors"]["json"]
    assert patient.get(f"{URL}/{created['id']}").get_json()["instrument"] == "phq9"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0] * 8, "9 items"),
        ([0] * 10, "9 items"),
        ([0] * 8 + [4], "between 0 and 3"),
        ([0] * 8 + ["1"], "integer"),
        ([0] * 8 + [1.5], "integer"),
        ([0] * 8 + [None], "null"),
        ("000000000", "list"),
        ([], "9 items"),
    ],
)
def test_invalid_answers_are_named(patient, sql, answers, message):
    response = patient.post(URL, json=assessment_body(answers=answers))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]["answers"]
    text = str(errors)
    assert message.lower() in text.lower(), errors
    assert row_count(sql, Assessment) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"instrument": "bdi"}, "instrument"),
        ({"completed_at": "2026-03-10T20:00:00"}, "completed_at"),
        ({"phase": "pre"}, "session_id"),
        ({"total": 3}, "total"),
        ({"severity": "mild"}, "severity"),
    ],
)
def test_other_bad_fields(patient, sql, change, field):
    response = patient.post(URL, json=assessment_body(**change))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert row_count(sql, Assessment) == 0


def test_linked_to_a_session_and_filtered(patient):
    session = put_session(patient)
    pre = put_assessment(patient, session_id=session["id"], phase="pre")
    other = put_assessment(patient, instrument="gad7", answers=[1] * 7)
    by_session = patient.get(f"{URL}?session_id={session['id']}").get_json()["items"]
    assert [a["id"] for a in by_session] == [pre["id"]]
    gad = patient.get(f"{URL}?instrument=gad7").get_json()["items"]
    assert [a["id"] for a in gad] == [other["id"]]
    patient.delete(f"/api/v1/sessions/{session['id']}")
    unlinked = patient.get(f"{URL}/{pre['id']}").get_json()
    assert unlinked["session_id"] is None
    assert unlinked["phase"] is None
    assert unlinked["total"] == pre["total"]


def test_same_put_twice_and_tombstone(patient, sql):
    record_id = str(uuid.uuid4())
    assert patient.put(f"{URL}/{record_id}", json=assessment_body()).status_code == 201
    assert patient.put(f"{URL}/{record_id}", json=assessment_body()).status_code == 200
    assert row_count(sql, Assessment) == 1
    assert patient.delete(f"{URL}/{record_id}").status_code == 204
    items = patient.get(f"{URL}?updated_since=2000-01-01T00:00:00Z").get_json()["items"]
    assert items == [{"id": record_id, "deleted": True, "updated_at": items[0]["updated_at"]}]
    assert patient.get(URL).get_json()["items"] == []


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_another_patient_gets_404(patient, other_patient, method):
    mine = put_assessment(patient, answers=[3] * 9)
    response = other_patient.open(
        f"{URL}/{mine['id']}",
        method=method,
        json={"PUT": assessment_body(), "PATCH": {"answers": [0] * 9}}.get(method),
    )
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert mine["id"] not in text
    assert "27" not in text
    assert patient.get(f"{URL}/{mine['id']}").get_json()["total"] == 27
    assert other_patient.get(URL).get_json()["items"] == []


def test_clinicians_cannot_use_assessments(clinician):
    assert clinician.get(URL).status_code == 403
    assert clinician.post(URL, json=assessment_body()).status_code == 403


BAND_EDGES = [
    ("phq9", 4, "minimal"),
    ("phq9", 5, "mild"),
    ("phq9", 9, "mild"),
    ("phq9", 10, "moderate"),
    ("phq9", 14, "moderate"),
    ("phq9", 15, "moderately_severe"),
    ("phq9", 19, "moderately_severe"),
    ("phq9", 20, "severe"),
    ("gad7", 4, "minimal"),
    ("gad7", 5, "mild"),
    ("gad7", 9, "mild"),
    ("gad7", 10, "moderate"),
    ("gad7", 14, "moderate"),
    ("gad7", 15, "severe"),
    ("pcl5", 32, "below_threshold"),
    ("pcl5", 33, "probable_ptsd"),
]


@pytest.mark.parametrize(("instrument", "total", "band"), BAND_EDGES)
def test_every_band_edge_over_the_api(patient, instrument, total, band):
    size, top = {"phq9": (9, 3), "gad7": (7, 3), "pcl5": (20, 4)}[instrument]
    answers = []
    left = total
    for number in range(size):
        # Keep PHQ-9 item 9 at 0 so that only the band is under test.
        value = 0 if instrument == "phq9" and number == 8 else min(top, left)
        answers.append(value)
        left -= value
    assert left == 0
    body = put_assessment(patient, instrument=instrument, answers=answers)
    assert body["total"] == total
    assert body["severity"] == band
