"""Reminders in the app: a patient turns them on in Settings, sees what is coming up, gets
a calendar link their calendar app can read; a bad value is named. Phone width, axe-clean."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar
from playwright.sync_api import expect

from .ui import PHONE, axe_violations, fits, screenshot, sign_up


def test_a_patient_sets_reminders_and_gets_a_calendar_link(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE, timezone_id="Europe/Paris", bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "reminded@example.org")
    page.goto(live_server + "/#/settings")
    form = page.locator("#reminders-form")
    expect(form).to_be_visible()
    expect(page.get_by_text("Times are in your time zone, Europe/Paris.")).to_be_visible()
    expect(page.get_by_label("By email")).to_be_disabled()  # no mail set up here
    expect(page.locator("#email-note")).to_contain_text("no mail set up")

    page.get_by_label("Remind me").check()
    page.get_by_label("Daily check-in at").fill("20:30")
    page.get_by_label("Before a session, minutes ahead").fill("1")
    page.get_by_role("button", name="Save reminders").click()
    message = page.locator("#reminders-message")
    expect(message).to_contain_text("Before a session, minutes ahead: Must be between 5 and 720")

    page.get_by_label("Before a session, minutes ahead").fill("45")
    page.get_by_role("button", name="Save reminders").click()
    expect(message).to_have_text("Reminders saved.")
    expect(page.locator("#upcoming li").first).to_contain_text("Daily check-in")
    saved = page.request.get(live_server + "/api/v1/reminders/settings").json()
    assert (saved["enabled"], saved["daily_time"], saved["before_session_minutes"]) == (
        True,
        "20:30",
        45,
    )

    page.get_by_role("button", name="Get a calendar link").click()
    shown = page.locator("#calendar-url")
    expect(shown).to_contain_text("/calendar.ics")
    url = shown.inner_text().split(": ", 1)[1]
    feed = page.request.get(url)
    assert feed.status == 200
    assert Calendar.from_ical(feed.body())["x-wr-calname"] == "Symptom Journal sessions"
    expect(page.get_by_role("button", name="Stop the calendar link")).to_be_visible()

    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, "pwa-reminders")
    page.get_by_role("button", name="Stop the calendar link").click()
    expect(message).to_have_text("The calendar link no longer works.")
    assert page.request.get(url).status == 404
    context.close()
