"""The record schemas' quick dump gives, once encoded as JSON, exactly what marshmallow's own
field machinery gives, from ORM objects and from the plain row tuples that lists read."""

from __future__ import annotations

import marshmallow as ma
import orjson
import pytest
from sqlalchemy import select

from symptom_journal.assessments.models import Assessment
from symptom_journal.assessments.schemas import AssessmentOut
from symptom_journal.journal.models import Entry, TreatmentSession
from symptom_journal.journal.schemas import EntryOut, SessionOut
from symptom_journal.records import row_view

from .factories import put_assessment, put_entry, put_session


def marshmallows_own(schema_class: type[ma.Schema]) -> ma.Schema:
    """The same schema dumping through marshmallow's generic ``_serialize``."""
    reference = type("Reference", (schema_class,), {"_serialize": ma.Schema._serialize})
    return reference()


def as_json(dumped):
    """What a response carries: the dump as the app's JSON encoder writes it, read back."""
    return orjson.loads(orjson.dumps(dumped))


def varied_records(patient) -> None:
    session = put_session(patient, dose_mg=None, clinic=None, notes=None)
    put_session(patient, started_at="2026-03-20T09:30:00-04:00")
    put_entry(patient)  # only some measures
    put_entry(
        patient,
        recorded_at="2026-03-11T06:05:00-05:30",
        mood=0,
        anxiety=10,
        sleep_hours=0.25,
        sleep_quality=4,
        dissociation=7,
        systolic=185,
        diastolic=121,
        heart_rate=99,
        side_effects=["nausea", "headache"],
        note='=cmd|" <b>',
        session_id=session["id"],
        phase="post",
    )
    gone = put_entry(patient, mood=3)
    assert patient.delete(f"/api/v1/entries/{gone['id']}").status_code == 204
    put_assessment(patient)  # PHQ-9, item 9 at 0
    put_assessment(
        patient, answers=[3, 3, 3, 3, 3, 3, 3, 3, 2], session_id=session["id"], phase="pre"
    )
    put_assessment(patient, instrument="gad7", answers=[0] * 7)
    put_assessment(patient, instrument="pcl5", answers=[2] * 20)


@pytest.mark.parametrize(
    ("model", "schema_class"),
    [(Entry, EntryOut), (TreatmentSession, SessionOut), (Assessment, AssessmentOut)],
)
def test_the_quick_dump_equals_marshmallows(app, patient, sql, model, schema_class):
    varied_records(patient)

    def both(session):
        records = session.scalars(select(model).order_by(model.id)).all()
        view = row_view(model)
        rows = [view._make(r) for r in session.execute(select(*view.columns).order_by(model.id))]
        with app.test_request_context():
            quick = as_json(schema_class().dump(records, many=True))
            reference = as_json(marshmallows_own(schema_class).dump(records, many=True))
            one_by_one = [as_json(schema_class().dump(r)) for r in records]
            from_rows = as_json(schema_class().dump(rows, many=True))
        return quick, reference, one_by_one, from_rows

    quick, reference, one_by_one, from_rows = sql(both)
    assert len(quick) >= 2
    assert quick == reference
    assert one_by_one == reference
    # Lists read plain tuples of the columns (records.row_view), not ORM objects.
    assert from_rows == reference
    # The same key order too: clients and the documentation see fields in schema order.
    assert [list(item) for item in quick] == [list(item) for item in reference]
