"""The journal as a FHIR R4 Bundle (type collection).

LOINC codes are used only where verified (CLINICAL.md): the PHQ-9 panel, total and item 9,
the GAD-7 total, and the vital signs (blood pressure panel with its systolic and diastolic
components, heart rate). Everything else uses the product's own code system.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..assessments.instruments import INSTRUMENTS
from ..assessments.models import Assessment
from ..db import DbSession
from ..journal.models import Entry
from ..records import owned

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OWN = "urn:symptom-journal:codes"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
NAMESPACE = uuid.UUID("0b5d6a7e-92a4-4d3e-8c2f-5f3f7f0c6b11")

TOTAL_CODES = {
    "phq9": (LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score"),
    "gad7": (LOINC, "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score"),
    "pcl5": (OWN, "pcl5-total", "PTSD Checklist for DSM-5 (PCL-5) total score"),
}
QUESTIONNAIRES = {
    "phq9": "http://loinc.org/q/44249-1",
    "gad7": "urn:symptom-journal:questionnaire:gad7",
    "pcl5": "urn:symptom-journal:questionnaire:pcl5",
}
MEASURE_CODES = {
    "mood": ("mood", "Mood, 0 worst to 10 best", "{score}"),
    "anxiety": ("anxiety", "Anxiety, 0 none to 10 worst", "{score}"),
    "sleep_hours": ("sleep-hours", "Hours of sleep", "h"),
    "sleep_quality": ("sleep-quality", "Sleep quality, 0 very poor to 10 excellent", "{score}"),
    "dissociation": ("dissociation", "Dissociation, 0 none to 10", "{score}"),
}


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, ':'.join(str(p) for p in parts))}"


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _observation(
    full_url: str, patient: str, when: datetime, code: dict[str, Any], category: str, **rest: Any
) -> dict[str, Any]:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "category": [_coding(OBSERVATION_CATEGORY, category, category.replace("-", " "))],
        "code": code,
        "subject": {"reference": patient},
        "effectiveDateTime": when.isoformat(),
        **rest,
    }
    return {"fullUrl": full_url, "resource": resource}


def _assessment_entries(a: Assessment, patient: str) -> Iterator[dict[str, Any]]:
    instrument = INSTRUMENTS[a.instrument]
    when = a.completed_at_local
    response_url = _urn("response", a.id)
    yield {
        "fullUrl": response_url,
        "resource": {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": QUESTIONNAIRES[a.instrument],
            "subject": {"reference": patient},
            "authored": when.isoformat(),
            "item": [
                {
                    "linkId": str(number),
                    "text": text,
                    "answer": [{"valueInteger": answer}],
                }
                for number, (text, answer) in enumerate(
                    zip(instrument.items, a.answers, strict=True), start=1
                )
            ],
        },
    }
    system, code, display = TOTAL_CODES[a.instrument]
    yield _observation(
        _urn("total", a.id),
        patient,
        when,
        _coding(system, code, display),
        "survey",
        valueInteger=a.total,
        derivedFrom=[{"reference": response_url}],
        interpretation=[_coding(OWN, a.severity or "", (a.severity or "").replace("_", " "))],
    )
    if a.instrument == "phq9":
        yield _observation(
            _urn("item9", a.id),
            patient,
            when,
            _coding(
                LOINC,
                "44260-8",
                "Thoughts that you would be better off dead, or of hurting yourself",
            ),
            "survey",
            valueInteger=a.answers[8],
            derivedFrom=[{"reference": response_url}],
        )


def _entry_observations(e: Entry, patient: str) -> Iterator[dict[str, Any]]:
    when = e.recorded_at_local
    for name, (code, display, unit) in MEASURE_CODES.items():
        value = getattr(e, name)
        if value is not None:
            yield _observation(
                _urn(name, e.id),
                patient,
                when,
                _coding(OWN, code, display),
                "survey",
                valueQuantity=_quantity(value, unit),
            )
    if e.systolic is not None and e.diastolic is not None:
        yield _observation(
            _urn("bp", e.id),
            patient,
            when,
            _coding(LOINC, "85354-9", "Blood pressure panel with all children optional"),
            "vital-signs",
            component=[
                {
                    "code": _coding(LOINC, "8480-6", "Systolic blood pressure"),
                    "valueQuantity": _quantity(e.systolic, "mm[Hg]"),
                },
                {
                    "code": _coding(LOINC, "8462-4", "Diastolic blood pressure"),
                    "valueQuantity": _quantity(e.diastolic, "mm[Hg]"),
                },
            ],
        )
    if e.heart_rate is not None:
        yield _observation(
            _urn("hr", e.id),
            patient,
            when,
            _coding(LOINC, "8867-4", "Heart rate"),
            "vital-signs",
            valueQuantity=_quantity(e.heart_rate, "/min"),
        )


def bundle(session: DbSession, *, owner_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    """Return the owner's questionnaires and measures as a FHIR R4 collection Bundle."""
    patient_url = _urn("patient", owner_id)
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_url,
            # Pseudonymous: no name, no contact, no identifier.
            "resource": {"resourceType": "Patient", "active": True},
        }
    ]
    assessments = session.scalars(owned(Assessment, owner_id).order_by(Assessment.completed_at))
    for a in assessments:
        entries.extend(_assessment_entries(a, patient_url))
    for e in session.scalars(owned(Entry, owner_id).order_by(Entry.recorded_at)):
        entries.extend(_entry_observations(e, patient_url))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
