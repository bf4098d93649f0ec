"""CSV exports: exact round trips, formula injection neutralised, numbers left as numbers."""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import datetime

import pytest

from ..factories import put_assessment, put_session

FORMULAS = ["=1+2", "+1", "-1", "@SUM(1)", "\t=1", "\r=1", "\n=1", 'a",=1']


def _read(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_500_entries_round_trip_value_for_value(patient, sql):
    from symptom_journal.db import utcnow
    from symptom_journal.journal.service import ENTRIES
    from symptom_journal.records import put_record

    rng = random.Random(3)
    session = put_session(patient)

    def seed(s):
        for n in range(500):
            values = {
                "recorded_at": datetime.fromisoformat(
                    f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00"
                    + ["+01:00", "-05:00", "+05:30", "+00:00"][n % 4]
                ),
                "mood": rng.randint(0, 10),
                "anxiety": rng.choice([None, rng.randint(0, 10)]),
                "sleep_hours": rng.choice([None, rng.randint(0, 96) / 4]),
                "side_effects": rng.sample(
                    ["nausea", "headache", "dizziness"], k=rng.randint(0, 2)
                ),
                "note": rng.choice(
                    [None, "plain", 'commas, and "quotes"', "multi\nline", *FORMULAS]
                ),
            }
            if n % 50 == 0:
                values |= {
                    "session_id": uuid.UUID(session["id"]),
                    "phase": "pre",
                    "systolic": 130,
                    "diastolic": 85,
                }
            put_record(
                s,
                ENTRIES,
                owner_id=patient.user_id,
                record_id=uuid.uuid4(),
                values=values,
                if_match=None,
                now=utcnow(),
            )

    sql(seed)
    exported = patient.get("/api/v1/entries?limit=500").get_json()["items"]
    rows = _read(patient.get("/api/v1/export/entries.csv"))
    assert len(rows) == 500
    by_id = {row["id"]: row for row in rows}
    for item in exported:
        row = by_id[item["id"]]
        assert next(iter(row)) == "id"
        for name, value in item.items():
            if name == "flags":
                continue  # computed for the API, not a stored field
            cell = row[name]
            if name == "side_effects":
                assert (cell.split(";") if cell else []) == value
            elif value is None:
                assert cell == ""
            elif name == "note" and value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
                assert cell == "'" + value
            elif isinstance(value, float):
                assert float(cell) == value
            elif isinstance(value, int):
                assert cell == str(value)
            elif name.endswith("_at"):
                assert datetime.fromisoformat(cell) == datetime.fromisoformat(value), name
                assert cell[-6:] == value[-6:]  # the same offset
            else:
                assert cell == value, name


@pytest.mark.parametrize("note", FORMULAS)
def test_formulas_are_neutralised_and_columns_hold(patient, note):
    put_session(patient, notes=note, clinic=note, dose_mg=40)
    text = patient.get("/api/v1/export/sessions.csv").get_data().decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, row = rows[0], rows[1]
    assert len(row) == len(header)
    values = dict(zip(header, row, strict=True))
    assert values["notes"] == "'" + note if note[0] in "=+-@\t\r\n" else values["notes"] == note
    assert values["clinic"] == values["notes"]
    assert values["dose_mg"] == "40.0"
    assert values["duration_minutes"] == "45"
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell


def test_assessments_csv_has_items_total_and_band(patient):
    put_assessment(patient, answers=[3, 3, 3, 2, 2, 2, 1, 1, 1])
    put_assessment(
        patient, instrument="gad7", answers=[1] * 7, completed_at="2026-03-11T20:00:00+01:00"
    )
    rows = _read(patient.get("/api/v1/export/assessments.csv"))
    header = list(rows[0])
    assert header[0] == "id"
    assert [h for h in header if h.startswith("item_")] == [f"item_{n}" for n in range(1, 21)]
    assert header.index("total") > header.index("item_20")
    phq9, gad7 = rows
    assert [phq9[f"item_{n}"] for n in range(1, 10)] == [
        "3",
        "3",
        "3",
        "2",
        "2",
        "2",
        "1",
        "1",
        "1",
    ]
    assert phq9["item_10"] == ""
    assert (phq9["total"], phq9["severity"]) == ("18", "moderately_severe")
    assert (gad7["total"], gad7["severity"], gad7["item_8"]) == ("7", "mild", "")


def test_exports_are_the_owners_only(patient, other_patient, clinician, client):
    put_session(patient, notes="mine alone")
    for name in ("entries.csv", "sessions.csv", "assessments.csv"):
        theirs = other_patient.get(f"/api/v1/export/{name}")
        assert theirs.status_code == 200
        assert "mine alone" not in theirs.get_data(as_text=True)
        assert len(list(csv.reader(io.StringIO(theirs.get_data(as_text=True))))) == 1  # header only
        assert clinician.get(f"/api/v1/export/{name}").status_code == 403
        assert client.get(f"/api/v1/export/{name}").status_code == 401


def test_the_database_formatted_csv_equals_the_reference(app, patient, sql):
    from symptom_journal.exports.csv import encode, entry_rows

    session = put_session(patient)
    bodies = [
        {"recorded_at": "2026-03-10T23:59:59.123456-09:30", "mood": 4, "note": "=SUM(A1)"},
        {
            "recorded_at": "2026-03-10T00:00:00+14:00",
            "sleep_hours": 7.0,
            "side_effects": ["nausea", "other"],
        },
        {
            "recorded_at": "2026-01-01T12:30:00.000001+00:00",
            "anxiety": 0,
            "note": 'quote " and, comma',
        },
        {
            "recorded_at": "2026-06-30T08:00:00+05:45",
            "mood": 10,
            "session_id": session["id"],
            "phase": "post",
            "systolic": 200,
            "diastolic": 119,
            "heart_rate": 61,
            "note": "multi\nline",
        },
    ]
    for body in bodies:
        assert patient.post("/api/v1/entries", json=body).status_code == 201
    served = patient.get("/api/v1/export/entries.csv").get_data().decode()
    reference = "".join(sql(lambda s: list(encode(entry_rows(s, owner_id=patient.user_id)))))
    served_rows = list(csv.reader(io.StringIO(served, newline="")))
    reference_rows = list(csv.reader(io.StringIO(reference, newline="")))
    assert served_rows[0] == reference_rows[0]
    assert len(served_rows) == len(reference_rows) == 5
    for got, expected in zip(served_rows[1:], reference_rows[1:], strict=True):
        for name, a, b in zip(reference_rows[0], got, expected, strict=True):
            if name == "sleep_hours" and a and b:
                assert float(a) == float(b)  # PostgreSQL prints 7.0 as 7
            elif name.endswith("_at"):
                # PostgreSQL trims trailing zeros of the fraction: the same instant and offset.
                assert datetime.fromisoformat(a) == datetime.fromisoformat(b), (name, a, b)
                assert a[-6:] == b[-6:]
            else:
                assert a == b, (name, a, b)
