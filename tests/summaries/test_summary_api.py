"""GET /api/v1/summary over HTTP: periods, validation, scoping and the numbers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ..factories import put_assessment, put_entry, put_session

URL = "/api/v1/summary"


def test_default_period_is_the_last_90_days_in_the_patients_timezone(patient):
    patient.patch("/api/v1/auth/me", json={"timezone": "Pacific/Kiritimati"})
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    response = patient.get(URL)
    assert response.status_code == 200
    assert response.get_json()["period"] == {
        "from": (today - timedelta(days=89)).isoformat(),
        "to": today.isoformat(),
        "days": 90,
    }


def test_only_from_runs_to_today(patient):
    today = date.today()
    start = today - timedelta(days=9)
    body = patient.get(f"{URL}?from={start.isoformat()}").get_json()
    assert body["period"]["days"] in (9, 10, 11)  # today in UTC may differ by a day


def test_empty_summary_has_every_section(patient):
    body = patient.get(f"{URL}?from=2026-03-01&to=2026-03-31").get_json()
    assert body == {
        "period": {"from": "2026-03-01", "to": "2026-03-31", "days": 31},
        "adherence": {"days_logged": 0, "days_in_period": 31, "entries": 0},
        "metrics": {},
        "sessions": [],
        "session_effect": {},
        "instruments": {},
        "flags": [],
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-10&to=2026-03-01", "from"),
        ("from=2026-02-30", "from"),
        ("from=10-03-2026", "from"),
        ("to=tomorrow", "to"),
        ("from=2016-03-09&to=2026-03-10", "from"),
        ("from=1800-01-01&to=1800-01-02", "from"),
    ],
)
def test_bad_periods_are_422(patient, query, field):
    response = patient.get(f"{URL}?{query}")
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["query"]


def test_ten_years_exactly_is_allowed(patient):
    response = patient.get(f"{URL}?from=2016-03-10&to=2026-03-10")
    assert response.status_code == 200
    assert response.get_json()["period"]["days"] == 3653


def test_a_journal_end_to_end(patient):
    session = put_session(patient, started_at="2026-03-05T10:00:00+01:00")
    put_entry(
        patient,
        recorded_at="2026-03-05T09:40:00+01:00",
        mood=4,
        anxiety=None,
        sleep_hours=None,
        systolic=120,
        diastolic=80,
        session_id=session["id"],
        phase="pre",
    )
    put_entry(
        patient,
        recorded_at="2026-03-05T11:00:00+01:00",
        mood=7,
        anxiety=None,
        sleep_hours=None,
        systolic=165,
        diastolic=95,
        session_id=session["id"],
        phase="post",
    )
    put_entry(patient, recorded_at="2026-03-06T21:00:00+01:00", mood=6, anxiety=2, sleep_hours=7.5)
    put_entry(
        patient,
        recorded_at="2026-03-07T21:00:00+01:00",
        mood=5,
        anxiety=3,
        sleep_hours=None,
        systolic=182,
        diastolic=100,
    )
    put_assessment(
        patient, completed_at="2026-03-02T20:00:00+01:00", answers=[3, 3, 3, 3, 2, 2, 2, 1, 1]
    )
    put_assessment(
        patient, completed_at="2026-03-14T20:00:00+01:00", answers=[1, 1, 1, 1, 1, 1, 1, 1, 0]
    )
    deleted = put_entry(patient, recorded_at="2026-03-08T21:00:00+01:00", mood=0)
    patient.delete(f"/api/v1/entries/{deleted['id']}")

    body = patient.get(f"{URL}?from=2026-03-01&to=2026-03-15").get_json()
    assert body["adherence"] == {"days_logged": 3, "days_in_period": 15, "entries": 4}
    mood = body["metrics"]["mood"]
    assert (mood["n"], mood["mean"], mood["min"], mood["max"]) == (4, 5.5, 4.0, 7.0)
    assert [(d["date"], d["mean"], d["rolling_7d"]) for d in mood["daily"]] == [
        ("2026-03-05", 5.5, 5.5),
        ("2026-03-06", 6.0, 5.75),
        ("2026-03-07", 5.0, 5.5),
    ]
    assert mood["slope_per_week"] == -1.75  # daily means 5.5, 6, 5 at days 4, 5, 6
    assert set(body["metrics"]) == {"mood", "anxiety", "sleep_hours", "systolic", "diastolic"}
    [row] = body["sessions"]
    assert row["id"] == session["id"]
    assert row["delta"] == {"mood": 3.0, "systolic": 45.0, "diastolic": 15.0}
    assert row["baseline_mood"] is None
    assert body["session_effect"]["mood"] == {"n": 1, "mean_delta": 3.0, "ci95": None}
    phq9 = body["instruments"]["phq9"]
    assert phq9["baseline"] == {"total": 20, "date": "2026-03-02"}
    assert phq9["latest"] == {"total": 8, "date": "2026-03-14"}
    assert (phq9["change"], phq9["percent_change"]) == (-12, -60.0)
    assert (phq9["response"], phq9["remission"], phq9["reliable_change"]) == (
        True,
        False,
        "improved",
    )
    assert phq9["severity"] == "mild"
    assert [(f["kind"], f["at"]) for f in body["flags"]] == [
        ("suicidal_ideation", "2026-03-02T20:00:00+01:00"),
        ("bp_rise", "2026-03-05T10:00:00+01:00"),
        ("bp_high", "2026-03-07T21:00:00+01:00"),
    ]
    assert body["flags"][2]["detail"] == {"systolic": 182, "diastolic": 100}


def test_another_patients_data_is_never_counted(patient, other_patient):
    put_entry(
        other_patient, recorded_at="2026-03-06T21:00:00+01:00", mood=10, systolic=200, diastolic=130
    )
    put_assessment(other_patient, completed_at="2026-03-06T20:00:00+01:00", answers=[3] * 9)
    put_entry(patient, recorded_at="2026-03-06T21:00:00+01:00", mood=2)
    body = patient.get(f"{URL}?from=2026-03-01&to=2026-03-31").get_json()
    assert body["adherence"]["entries"] == 1
    assert body["metrics"]["mood"]["mean"] == 2.0
    assert set(body["metrics"]) == {"mood", "anxiety", "sleep_hours"}
    assert body["instruments"] == {}
    assert body["flags"] == []


def test_clinicians_and_strangers_are_refused(clinician, client):
    assert clinician.get(URL).status_code == 403
    assert client.get(URL).status_code == 401


def test_a_sessions_side_effects_and_pre_dose_pressure_reach_the_summary(app, patient):
    # 165/100 before the session (above 140/90), nausea before and after, dizziness after;
    # an entry of the day after, linked, counts too; an unlinked one does not.
    session = put_session(patient, started_at="2026-03-10T10:00:00+01:00")
    linked = {"session_id": session["id"]}
    put_entry(
        patient,
        recorded_at="2026-03-10T09:30:00+01:00",
        mood=4,
        systolic=165,
        diastolic=100,
        side_effects=["nausea"],
        phase="pre",
        **linked,
    )
    put_entry(
        patient,
        recorded_at="2026-03-10T11:30:00+01:00",
        mood=6,
        dissociation=5,
        systolic=150,
        diastolic=95,
        side_effects=["nausea", "dizziness"],
        phase="post",
        **linked,
    )
    put_entry(
        patient,
        recorded_at="2026-03-11T08:00:00+01:00",
        mood=7,
        side_effects=["headache"],
        phase="post",
        **linked,
    )
    put_entry(patient, recorded_at="2026-03-11T20:00:00+01:00", mood=7, side_effects=["nausea"])
    body = patient.get(f"{URL}?from=2026-03-01&to=2026-03-31").get_json()
    (row,) = body["sessions"]
    assert row["side_effects"] == {"dizziness": 1, "headache": 1, "nausea": 2}
    # (Every entry also carries the factory's anxiety 3 and sleep 7.5 hours.)
    same = {"anxiety": 3.0, "sleep_hours": 7.5}
    assert row["pre"] == {**same, "mood": 4.0, "systolic": 165.0, "diastolic": 100.0}
    # Post means: mood (6 + 7) / 2, dissociation 5, BP from the one post reading.
    assert row["post"] == {
        **same,
        "mood": 6.5,
        "dissociation": 5.0,
        "systolic": 150.0,
        "diastolic": 95.0,
    }
    assert [f for f in body["flags"] if f["kind"] == "bp_before_session"] == [
        {
            "kind": "bp_before_session",
            "at": "2026-03-10T10:00:00+01:00",
            "detail": {"session_id": session["id"], "pre": {"systolic": 165.0, "diastolic": 100.0}},
        }
    ]
    # A clinic with a higher limit sees no such flag.
    app.config["BP_PREDOSE_SYSTOLIC"], app.config["BP_PREDOSE_DIASTOLIC"] = 170, 105
    try:
        stricter = patient.get(f"{URL}?from=2026-03-01&to=2026-03-31").get_json()
    finally:
        app.config["BP_PREDOSE_SYSTOLIC"], app.config["BP_PREDOSE_DIASTOLIC"] = 140, 90
    assert [f["kind"] for f in stricter["flags"]] == []
