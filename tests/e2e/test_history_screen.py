"""History in the app: a page of 20 at a time, newest first, "Show older" for the rest;
sessions and questionnaires in the same list, each described in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from .ui import PHONE, api_write, axe_violations, fits, open_screen, sign_up


def test_history_pages_and_kinds(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "history@example.org")
    start = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    for day in range(25):
        at = (start + timedelta(days=day)).isoformat()
        api_write(
            page, live_server, "POST", "/api/v1/entries", {"recorded_at": at, "mood": day % 11}
        )
    api_write(
        page,
        live_server,
        "POST",
        "/api/v1/sessions",
        {"started_at": "2026-10-10T10:00:00+02:00", "treatment": "ketamine_iv", "dose_mg": 35},
    )
    api_write(
        page,
        live_server,
        "POST",
        "/api/v1/assessments",
        {"instrument": "phq9", "completed_at": "2026-10-11T09:00:00+02:00", "answers": [1] * 9},
    )

    open_screen(page, "History")
    items = page.locator("#history-list > li")
    expect(items).to_have_count(20)
    expect(page.locator("#history-message")).to_have_text(
        "20 check-ins (newest first; more below)."
    )
    # Newest first: 25 October (mood 24 % 11 = 2) down to 6 October.
    expect(items.first).to_contain_text("2026-10-25 08:00 · Mood 2")
    expect(items.nth(19)).to_contain_text("2026-10-06 08:00 · Mood 5")
    page.get_by_role("button", name="Show older").click()
    expect(items).to_have_count(25)
    expect(items.last).to_contain_text("2026-10-01 08:00 · Mood 0")
    expect(page.get_by_role("button", name="Show older")).to_be_hidden()

    page.get_by_label("Show").select_option("sessions")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("2026-10-10 10:00 · ")
    expect(page.locator("#history-message")).to_have_text("1 treatment session.")
    page.get_by_label("Show").select_option("assessments")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("2026-10-11 09:00 · PHQ-9 9 (mild)")
    assert fits(page)
    assert axe_violations(page) == []
    context.close()
