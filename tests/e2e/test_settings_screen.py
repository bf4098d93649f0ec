"""Settings in the app, as a patient with two phones uses it: the time zone, the signed-in
devices (signing one out), a new password (which signs the other phone out), deleting the
account; taking the journal out (CSV, JSON) and bringing it into another account. Each form
answers below itself, naming what was wrong. Phone width, axe-clean."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from ..factories import PASSWORD
from .ui import PHONE, api_write, axe_violations, fits, open_screen, sign_up

EMAIL = "two-phones@example.org"
NEW_PASSWORD = "a longer passphrase now"
OFFLINE = "You are offline: nothing was changed. Try again once you are connected."


def _sign_in(page: Any, base: str, password: str = PASSWORD) -> None:
    page.goto(base + "/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _signed_out(page: Any, base: str) -> None:
    """The other phone, opened again, is at the sign-in screen."""
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_patient_manages_devices_password_and_account(live_server: str, browser: Any) -> None:
    phone = browser.new_context(**PHONE, bypass_csp=True)
    page = phone.new_page()
    other = browser.new_context(**PHONE, user_agent="Second phone", bypass_csp=True)
    second = other.new_page()
    sign_up(page, live_server, EMAIL)
    _sign_in(second, live_server)
    second.wait_for_selector("#checkin")

    open_screen(page, "Settings")
    page.get_by_role("combobox", name="Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#zone-message")).to_have_text("Time zone saved.")
    assert page.request.get(live_server + "/api/v1/auth/me").json()["timezone"] == "Asia/Tokyo"
    # Offline, a form says so under itself, and nothing changes.
    phone.set_offline(True)
    page.get_by_role("combobox", name="Time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#zone-message")).to_have_text(OFFLINE)
    page.get_by_role("button", name="Save reminders").click()
    expect(page.locator("#reminders-message")).to_have_text(OFFLINE)
    phone.set_offline(False)
    assert page.request.get(live_server + "/api/v1/auth/me").json()["timezone"] == "Asia/Tokyo"

    # The other phone is listed by what it is; signing it out from here signs it out there.
    devices = page.locator("#devices li")
    expect(devices).to_have_count(2)
    expect(devices.filter(has_text="This device")).to_have_count(1)
    there = devices.filter(has_text="Second phone")
    there.get_by_role("button", name="Sign out there").click()
    expect(page.locator("#devices-message")).to_have_text("Signed out there.")
    expect(devices).to_have_count(1)
    _signed_out(second, live_server)

    # A new password: each mistake is named by its field; then the other phone is signed out.
    _sign_in(second, live_server)
    second.wait_for_selector("#checkin")
    page.reload()
    open_screen(page, "Settings")
    expect(devices).to_have_count(2)
    message = page.locator("#password-message")
    page.get_by_label("Current password").fill("not the password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(message).to_have_text("Current password: Wrong password.")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(message).to_contain_text("New password: ")
    expect(message).to_contain_text("12")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(message).to_have_text("Password changed. Your other devices are signed out.")
    expect(devices).to_have_count(1)
    expect(page.locator("#auth-events li").first).to_contain_text("Password changed")
    assert fits(page)
    assert axe_violations(page) == []
    _signed_out(second, live_server)
    _sign_in(second, live_server, NEW_PASSWORD)
    second.wait_for_selector("#checkin")

    # Deleting asks to be sure and for the password; then the account is gone.
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#delete-form").get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Delete my account and all my data").click()
    expect(page.locator("#delete-message")).to_have_text("Wrong password: nothing was deleted.")
    page.locator("#delete-form").get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account and all my data").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _sign_in(page, live_server, NEW_PASSWORD)
    expect(page.locator("#auth-error")).to_have_text("Wrong email or password.")
    _signed_out(second, live_server)
    phone.close()
    other.close()


def test_a_patient_takes_the_journal_out_and_into_another_account(
    live_server: str, browser: Any, tmp_path: Path
) -> None:
    old = browser.new_context(**PHONE, bypass_csp=True)
    page = old.new_page()
    sign_up(page, live_server, "leaving@example.org")
    session = api_write(
        page,
        live_server,
        "POST",
        "/api/v1/sessions",
        {"started_at": "2026-11-30T10:00:00+01:00", "treatment": "esketamine_nasal"},
    )
    entry = api_write(
        page,
        live_server,
        "POST",
        "/api/v1/entries",
        {
            "recorded_at": "2026-11-30T09:30:00+01:00",
            "mood": 3,
            "note": "=before the dose",
            "session_id": session["id"],
            "phase": "pre",
        },
    )
    open_screen(page, "Settings")
    with page.expect_download() as download:
        page.get_by_role("link", name="Check-ins (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0][0] == "id"
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["id"], row["mood"], row["note"], row["phase"]) == (
        entry["id"],
        "3",
        "'=before the dose",
        "pre",
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Everything (JSON, to import elsewhere)").click()
    journal = tmp_path / "journal.json"
    download.value.save_as(journal)
    old.close()

    new = browser.new_context(**PHONE, bypass_csp=True)
    page = new.new_page()
    sign_up(page, live_server, "arriving@example.org")
    open_screen(page, "Settings")
    message = page.locator("#import-message")
    bring_in = page.get_by_role("button", name="Bring it in")
    bring_in.click()
    expect(message).to_have_text("Journal file: choose the .json file to bring in.")
    (tmp_path / "notes.txt").write_text("not a journal")
    page.get_by_label("Journal file (JSON)").set_input_files(tmp_path / "notes.txt")
    bring_in.click()
    expect(message).to_have_text(
        "notes.txt is not a journal file (it is not JSON): nothing was brought in."
    )
    document = json.loads(journal.read_text())
    document["entries"][0]["mood"] = 11
    (tmp_path / "edited.json").write_text(json.dumps(document))
    page.get_by_label("Journal file (JSON)").set_input_files(tmp_path / "edited.json")
    bring_in.click()
    expect(message).to_have_text(
        "Nothing was brought in. Check-in 1, mood: Must be between 0 and 10."
    )
    page.get_by_label("Journal file (JSON)").set_input_files(journal)
    bring_in.click()
    expect(message).to_have_text("Brought in: 1 session, 1 check-in.")
    page.get_by_label("Journal file (JSON)").set_input_files(journal)
    bring_in.click()
    expect(message).to_have_text("Nothing new: everything in the file is here already.")
    assert fits(page)
    assert axe_violations(page) == []

    # What came in is this account's now: in History, and attached to its session still.
    open_screen(page, "History")
    expect(page.locator("#history-list li")).to_have_count(1)
    entries = page.request.get(live_server + "/api/v1/entries").json()["items"]
    sessions = page.request.get(live_server + "/api/v1/sessions").json()["items"]
    assert [(e["mood"], e["note"], e["phase"]) for e in entries] == [(3, "=before the dose", "pre")]
    assert entries[0]["session_id"] == sessions[0]["id"] != session["id"]
    new.close()
