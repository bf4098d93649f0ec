"""A sign-in the server ends (a new password set elsewhere, a device signed out, a while
without use) takes the app back to the sign-in screen, saying why. What waits to sync is
kept for its own person: someone else signing in on the phone never sends it, nor sees it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from symptom_journal.journal.models import Entry

from ..factories import PASSWORD
from .ui import PHONE, api_session, api_user, open_screen, sign_up, tap_score

NEW_PASSWORD = "another long passphrase"
SIGNED_OUT = "You were signed out (a while without use, or from another device)."


def _sign_in(page: Any, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_check_in_waiting_when_the_sign_in_ends_goes_to_its_own_account(
    live_server: str, browser: Any, sql: Any
) -> None:
    api_user(live_server, "sam@example.org")  # someone else, on another phone

    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "alex@example.org")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    context.set_offline(True)
    tap_score(page, "Mood", 3)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#sync-status")).to_have_text("1 waiting to sync")

    # Alex sets a new password on a computer: every other sign-in ends, this phone's too.
    computer = api_session(live_server)
    assert (
        computer.post(
            f"{live_server}/api/v1/auth/login",
            json={"email": "alex@example.org", "password": PASSWORD},
            timeout=10,
        ).status_code
        == 200
    )
    changed = computer.post(
        f"{live_server}/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        timeout=10,
    )
    assert changed.status_code == 204

    # Back online, the phone learns its sign-in has ended: the sign-in screen says so.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#auth-notice")).to_have_text(SIGNED_OUT)
    assert sql(lambda s: s.scalars(select(Entry.id)).all()) == []
    page.reload()  # opened again later, it still says why
    expect(page.locator("#auth-notice")).to_have_text(SIGNED_OUT)

    # Sam signs in on this phone: Alex's check-in is neither sent into Sam's journal nor shown.
    _sign_in(page, "sam@example.org", PASSWORD)
    page.wait_for_selector("#checkin")
    expect(page.locator("#sync-status")).to_have_text("All synced")
    open_screen(page, "History")
    expect(page.locator("#history-message")).to_have_text("No check-in yet.")
    assert sql(lambda s: s.scalars(select(Entry.id)).all()) == []
    page.get_by_role("button", name="Sign out").click()

    # Alex signs in again: the check-in made offline is sent, into Alex's journal.
    _sign_in(page, "alex@example.org", NEW_PASSWORD)
    page.wait_for_selector("#checkin")
    expect(page.locator("#sync-status")).to_have_text("All synced")
    stored = sql(lambda s: s.execute(select(Entry.mood, Entry.owner_id)).all())
    alex = page.request.get(f"{live_server}/api/v1/auth/me").json()["id"]
    assert [(row.mood, str(row.owner_id)) for row in stored] == [(3, alex)]

    # Ended while a screen is open: the next read takes the app to the sign-in screen.
    computer.post(
        f"{live_server}/api/v1/auth/login",
        json={"email": "alex@example.org", "password": NEW_PASSWORD},
        timeout=10,
    )
    for device in computer.get(f"{live_server}/api/v1/auth/sessions", timeout=10).json()["items"]:
        if not device["current"]:
            computer.delete(f"{live_server}/api/v1/auth/sessions/{device['id']}", timeout=10)
    page.get_by_role("link", name="Trends", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#auth-notice")).to_have_text(SIGNED_OUT)
    context.close()
