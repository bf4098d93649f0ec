"""A forgotten password, in the app: ask for a link, open it from the mail, set a new
password, sign in with it and see it among the account's sign-in activity. Phone width,
axe-clean."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import expect

from ..factories import PASSWORD
from .ui import PHONE, axe_violations, fits, open_screen, screenshot, sign_up

NEW_PASSWORD = "a new and unusual passphrase"


def _mailed_link(inbox: Any, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for mail in inbox.messages:
            text = mail.get_payload(decode=True).decode()
            found = re.search(r"(http://127\.0\.0\.1:\d+/#/reset/[A-Za-z0-9_-]+)", text)
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no reset mail arrived")


def test_a_patient_resets_a_forgotten_password_by_mail(
    live_server: str, browser: Any, mail_on: Any, app: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", live_server)
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "forgetful@example.org")
    page.get_by_role("button", name="Sign out").click()

    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    page.get_by_role("button", name="Mail me a link").click()
    message = page.locator("#forgot-message")
    expect(message).to_have_text("Email: give the address you signed up with.")
    page.get_by_label("Email").fill("forgetful@example.org")
    page.get_by_role("button", name="Mail me a link").click()
    expect(message).to_contain_text("If an account uses this address, a link to set a new")
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, "pwa-forgot-password")

    link = _mailed_link(mail_on)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#reset-message")).to_contain_text("New password:")
    assert axe_violations(page) == []
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#auth-notice")).to_have_text(
        "Your new password is set, and every device was signed out. Sign in with it."
    )
    assert page.url == live_server + "/"

    # The link worked once.
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("yet another long passphrase")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#reset-message")).to_contain_text("has been used, has expired")

    page.goto(live_server + "/")
    page.get_by_label("Email").fill("forgetful@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#auth-error")).to_have_text("Wrong email or password.")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector("#checkin")
    open_screen(page, "Settings")
    activity = page.locator("#auth-events")
    expect(activity).to_contain_text("Password set with a link from a mail")
    expect(activity).to_contain_text("A sign-in with a wrong password")
    expect(activity.locator("li").first).to_contain_text("Signed in")
    assert axe_violations(page) == []
    context.close()


def test_the_role_list_offers_only_what_the_clinic_allows(
    live_server: str, browser: Any, app: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "CLINICIAN_SELF_REGISTRATION", "off")
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    expect(page.get_by_text("Clinicians: your clinic makes your account")).to_be_visible()
    expect(page.get_by_label("I am a")).to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_label("Email").fill("only.patient@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("#checkin")
    context.close()


def test_a_clinician_who_registers_confirms_their_address_first(
    live_server: str, browser: Any, mail_on: Any, app: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "CLINICIAN_SELF_REGISTRATION", "verified")
    monkeypatch.setitem(app.config, "BASE_URL", live_server)
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    expect(page.get_by_text("Clinicians confirm their address by a mailed link")).to_be_visible()
    page.get_by_label("Email").fill("careful.doc@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I am a").select_option("clinician")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#patient-list")).to_contain_text("Confirm your address first")
    page.get_by_role("button", name="Mail me the link again").click()
    expect(page.locator("#link-message")).to_contain_text(
        "A link to confirm your address is on its way to careful.doc@example.org."
    )
    assert axe_violations(page) == []

    deadline = time.monotonic() + 10
    while len(mail_on.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    text = mail_on.messages[-1].get_payload(decode=True).decode()
    link = re.search(r"(http://127\.0\.0\.1:\d+/#/verify/\S+)", text).group(1)
    page.goto(link)
    expect(page.locator("#verify-message")).to_have_text(
        "Your address is confirmed. You can open your patients' journals."
    )
    assert axe_violations(page) == []
    page.get_by_role("button", name="Go to the journal").click()
    expect(page.locator("#patient-list")).to_contain_text("No patient has linked you yet")
    context.close()
