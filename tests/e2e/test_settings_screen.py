"""Settings in the app, as a patient with two phones uses it: the time zone, the signed-in
devices (signing one out), a new password (which signs the other phone out), and deleting
the account. Each form answers below itself, naming what was wrong. Phone width, axe-clean."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from ..factories import PASSWORD
from .ui import PHONE, axe_violations, fits, open_screen, sign_up

EMAIL = "two-phones@example.org"
NEW_PASSWORD = "a longer passphrase now"


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
