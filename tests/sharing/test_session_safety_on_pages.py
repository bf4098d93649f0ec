"""What a session's check-ins record (before and after values, dissociation, side effects,
blood pressure) reaches the share page, the clinician page and the PDF, and every threshold
they state is the one configured."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from ..factories import put_entry, put_session
from .conftest import make_share


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def session_with_only_an_after(patient) -> dict:
    # No pre entry at all: the after values still show.
    session = put_session(patient, started_at="2026-03-10T10:00:00+01:00")
    put_entry(
        patient,
        recorded_at="2026-03-10T11:30:00+01:00",
        mood=6,
        dissociation=7,
        systolic=165,
        diastolic=100,
        side_effects=["nausea", "dizziness"],
        session_id=session["id"],
        phase="post",
    )
    return session


def test_the_after_values_side_effects_and_pressure_show_without_a_before(
    client, patient, session_with_only_an_after
):
    share = make_share(patient, **{"from": "2026-03-01", "to": "2026-03-31"})
    page = client.get(f"/s/{share['token']}").get_data(as_text=True)
    for text in ("Dissociation (0-10)", "Blood pressure (mmHg)", "165/100", "dizziness, nausea"):
        assert text in page
    # The before column says there is nothing, not a zero.
    assert "<td>\u2013</td><td>165/100</td>" in page
    text = pdf_text(client.get(f"/s/{share['token']}/report.pdf").data)
    assert "165/100" in text
    assert "dizziness, nausea" in text


@pytest.fixture
def stricter_clinic(app) -> Iterator[None]:
    changed = {
        "BP_ALERT_SYSTOLIC": 160,
        "BP_ALERT_DIASTOLIC": 100,
        "BP_RISE_SYSTOLIC": 30,
        "BP_RISE_DIASTOLIC": 20,
        "BP_PREDOSE_SYSTOLIC": 135,
        "BP_PREDOSE_DIASTOLIC": 85,
        "RELIABLE_CHANGE_PHQ9": 5,
    }
    saved = {name: app.config[name] for name in changed}
    app.config.update(changed)
    yield
    app.config.update(saved)


def test_pages_state_the_configured_thresholds(
    client, patient, session_with_only_an_after, stricter_clinic
):
    share = make_share(patient, **{"from": "2026-03-01", "to": "2026-03-31"})
    page = client.get(f"/s/{share['token']}").get_data(as_text=True)
    text = pdf_text(client.get(f"/s/{share['token']}/report.pdf").data)
    for shown in (page, " ".join(text.split())):
        assert "systolic 160 or diastolic 100 mmHg" in shown
        assert "a rise of 30 systolic or 20 diastolic" in shown
        assert "above 135/85 mmHg" in shown
        assert "PHQ-9 5" in shown
        for default in ("180", "120 mmHg", "rise of 40", "140/90"):
            assert default not in shown
    # 165/100 is at the clinic's alert threshold: flagged, with the clinic's rule beside it.
    assert "Blood pressure at or above the alert threshold" in page
    summary = client.get(f"/s/{share['token']}/summary.json").get_json()
    assert [flag["kind"] for flag in summary["flags"]] == ["bp_high"]


def test_the_pdf_is_tagged_and_every_page_names_the_patient_and_period(client, patient):
    for day in range(1, 29):
        put_entry(patient, recorded_at=f"2026-02-{day:02d}T21:00:00+01:00", mood=5, note="x" * 300)
    share = make_share(patient, include_notes=True, **{"from": "2026-02-01", "to": "2026-02-28"})
    data = client.get(f"/s/{share['token']}/report.pdf").data
    reader = PdfReader(io.BytesIO(data))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers (PDF/UA-1)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "2026-02-01 to 2026-02-28" in text
