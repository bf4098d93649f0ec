"""The flask commands."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from symptom_journal.journal.models import Entry, TreatmentSession

LOGIN = "/api/v1/auth/login"


def test_demo_data_creates_a_patient_who_can_sign_in(app, client, sql):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    email = next(line.split()[-1] for line in result.output.splitlines() if "email:" in line)
    password = next(line.split()[-1] for line in result.output.splitlines() if "password:" in line)
    assert client.post(LOGIN, json={"email": email, "password": password}).status_code == 200
    assert sql(lambda s: s.scalar(select(func.count()).select_from(TreatmentSession))) == 8
    linked = sql(
        lambda s: s.execute(
            select(Entry.phase, func.count()).where(Entry.phase.is_not(None)).group_by(Entry.phase)
        ).all()
    )
    assert dict(linked) == {"pre": 8, "post": 8}
    daily = sql(
        lambda s: s.scalar(select(func.count()).select_from(Entry).where(Entry.phase.is_(None)))
    )
    assert 140 <= daily <= 182  # about six months, a few days missed
    with_bp = sql(lambda s: s.scalar(select(func.count()).where(Entry.systolic.is_not(None))))
    assert with_bp == 16
    # Through the API, as the patient sees it: six months, newest first.
    items = client.get("/api/v1/entries?limit=500").get_json()["items"]
    assert len(items) == daily + 16
    assert any(item["note"] for item in items)
    scores = client.get("/api/v1/assessments?instrument=phq9&limit=500").get_json()["items"]
    assert len(scores) == 13  # every two weeks for six months
    oldest, newest = scores[-1], scores[0]
    assert oldest["total"] > newest["total"]  # improving with treatment
    assert oldest["flags"] == ["suicidal_ideation"]
    start = (date.today() - timedelta(days=200)).isoformat()
    summary = client.get(f"/api/v1/summary?from={start}").get_json()
    assert summary["instruments"]["phq9"]["reliable_change"] == "improved"
    assert len(summary["sessions"]) == 8
    # Running it again replaces the demo patient rather than failing.
    again = app.test_cli_runner().invoke(args=["demo-data"])
    assert again.exit_code == 0, again.output
    assert sql(lambda s: s.scalar(select(func.count()).select_from(TreatmentSession))) == 8


def test_create_user(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "doc@example.org",
            "--role",
            "clinician",
            "--password",
            "a fine long passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    response = client.post(
        LOGIN, json={"email": "doc@example.org", "password": "a fine long passphrase"}
    )
    assert response.status_code == 200
    assert response.get_json()["role"] == "clinician"
    both = app.test_cli_runner().invoke(
        args=["create-user", "--email", "x@example.org", "--password", "a" * 20, "--link"]
    )
    assert both.exit_code == 2
    assert "Give --password or --link, not both." in both.output
