"""Share links: made once, scoped, expiring, revocable; the same 404 for every dead token."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from symptom_journal.db import utcnow
from symptom_journal.sharing.models import ShareLink
from symptom_journal.sharing.service import create_share

from .conftest import SECRET_NOTE, make_share

VIEWS = ("", "/summary.json", "/entries.csv", "/report.pdf")


def test_create_returns_the_token_once(patient, journal):
    body = make_share(patient, expires_in_days=30, include_notes=False)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", body["token"])
    assert body["url"] == f"/s/{body['token']}"
    assert body["label"] == "Dr Rivera"
    assert body["status"] == "active"
    assert body["from"] is None
    assert body["to"] is None
    assert body["include_notes"] is False
    listed = patient.get("/api/v1/shares").get_json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert "url" not in listed[0]
    assert body["token"] not in patient.get("/api/v1/shares").get_data(as_text=True)


def test_default_expiry_is_14_days(patient):
    body = make_share(patient)
    from datetime import datetime

    created = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(body["expires_at"]) - created == timedelta(days=14)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"expires_in_days": "7"}, "expires_in_days"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "from"),
        ({"from": "March"}, "from"),
        ({"label": "x" * 101}, "label"),
        ({"include_notes": "maybe"}, "include_notes"),
        ({"token": "mine"}, "token"),
    ],
)
def test_bad_share_requests(patient, body, field):
    response = patient.post("/api/v1/shares", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_database_keeps_only_hashes(patient, sql):
    body = make_share(patient)
    stored = sql(lambda s: s.scalars(select(ShareLink.token_hash)).all())
    assert body["token"] not in stored
    assert len(stored[0]) == 64


def test_a_thousand_tokens_are_distinct(app, patient, sql):
    def make(session):
        return [
            create_share(
                session,
                owner_id=patient.user_id,
                label=None,
                expires_in_days=1,
                period_from=None,
                period_to=None,
                include_notes=False,
                now=utcnow(),
            )[1]
            for _ in range(1000)
        ]

    tokens = sql(make)
    assert len(set(tokens)) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43,}", t) for t in tokens)


def test_the_page_and_its_data(client, share, journal):
    token = share["token"]
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "<svg" in html
    assert "2026-03-04 to " in html  # whole history: from the first record
    assert SECRET_NOTE in html  # include_notes
    for response in (page, client.get(f"/s/{token}/summary.json")):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Robots-Tag"] == "noindex"
    csp = page.headers["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    summary = client.get(f"/s/{token}/summary.json").get_json()
    assert summary["period"]["from"] == "2026-03-04"
    assert summary["adherence"]["entries"] == 4
    assert [f["kind"] for f in summary["flags"]] == ["suicidal_ideation", "bp_rise", "bp_high"]


def test_csv_of_the_link(client, share):
    response = client.get(f"/s/{share['token']}/entries.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["mood"] for r in rows] == ["3", "7", "6", "8"]
    assert rows[2]["note"] == SECRET_NOTE


def test_scope_and_notes_are_respected(client, patient, journal):
    body = make_share(patient, **{"from": "2026-03-05", "to": "2026-03-06"}, include_notes=False)
    summary = client.get(f"/s/{body['token']}/summary.json").get_json()
    assert summary["period"] == {"from": "2026-03-05", "to": "2026-03-06", "days": 2}
    assert summary["adherence"]["entries"] == 3
    assert summary["instruments"] == {}  # the questionnaire was on 4 March
    html = client.get(f"/s/{body['token']}").get_data(as_text=True)
    assert SECRET_NOTE not in html
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/s/{body['token']}/entries.csv").get_data(as_text=True))
        )
    )
    assert "note" not in rows[0]
    assert len(rows) == 4
    assert SECRET_NOTE not in str(rows)


def _dead_answers(client, token):
    return [client.get(f"/s/{token}{view}") for view in VIEWS]


def test_revoked_link_is_404_everywhere_at_once(client, patient, share):
    assert patient.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    for response in _dead_answers(client, share["token"]):
        assert response.status_code == 404
        assert SECRET_NOTE not in response.get_data(as_text=True)
    assert patient.get("/api/v1/shares").get_json()["items"][0]["status"] == "revoked"


def test_expired_link_is_404(client, patient, share, sql):
    sql(lambda s: s.execute(update(ShareLink).values(expires_at=utcnow() - timedelta(seconds=1))))
    for response in _dead_answers(client, share["token"]):
        assert response.status_code == 404
    assert patient.get("/api/v1/shares").get_json()["items"][0]["status"] == "expired"


def test_unknown_expired_and_revoked_look_the_same(client, patient, share, sql):
    unknown = client.get("/s/" + "A" * 43 + "/summary.json")
    patient.delete(f"/api/v1/shares/{share['id']}")
    revoked = client.get(f"/s/{share['token']}/summary.json")
    assert unknown.status_code == revoked.status_code == 404
    assert unknown.get_json() == revoked.get_json()
    assert client.get("/s/nothing").get_data() == client.get(f"/s/{share['token']}").get_data()


def test_another_patient_cannot_revoke(other_patient, patient, share, client):
    response = other_patient.delete(f"/api/v1/shares/{share['id']}")
    assert response.status_code == 404
    assert "Dr Rivera" not in response.get_data(as_text=True)
    assert client.get(f"/s/{share['token']}/summary.json").status_code == 200
    assert other_patient.get("/api/v1/shares").get_json()["items"] == []


def test_unknown_tokens_are_rate_limited_per_address(client, share):
    for _ in range(30):
        assert client.get("/s/" + "x" * 43).status_code == 404
    limited = client.get(f"/s/{share['token']}")  # even a good token, from that address
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_pdf_carries_the_numbers(client, share):
    from pypdf import PdfReader

    response = client.get(f"/s/{share['token']}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "4 check-ins on 3 of" in text
    assert "185" not in text  # nothing invented
    assert "182/95 mmHg" in text
    assert "PHQ-9" in text
    assert SECRET_NOTE in text
