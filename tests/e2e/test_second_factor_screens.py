"""Two-step sign-in in the app: a patient sets up an authenticator app from the key shown
(the code computed from it, as the app would), keeps the recovery codes, signs in again
with a code, then with a recovery code. Phone width, axe-clean."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from playwright.sync_api import expect

from ..factories import PASSWORD
from .ui import PHONE, axe_violations, fits, screenshot, sign_up


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return str(totp.generate_otp(totp.timecode(time.time()) + steps_ahead))


def _sign_in(page: Any) -> None:
    """Sign out, then in again with the password: the second step comes up."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill("twostep@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()


def test_a_patient_turns_on_two_step_sign_in_and_uses_it(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "twostep@example.org")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#factor-secret").inner_text()
    page.get_by_role("button", name="Turn it on").click()
    expect(page.locator("#factor-message")).to_have_text("Code: type the 6 digits the app shows.")
    page.get_by_label("The 6-digit code the app shows").fill("000000")
    page.get_by_role("button", name="Turn it on").click()
    expect(page.locator("#factor-message")).to_contain_text("Not the code the app shows now")
    page.get_by_label("The 6-digit code the app shows").fill(_code(secret))
    page.get_by_role("button", name="Turn it on").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = codes.nth(0).inner_text()
    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, "pwa-two-step-sign-in")
    page.get_by_role("button", name="I have kept them").click()
    expect(page.locator("#factor-body")).to_contain_text("10 of 10 recovery codes left")

    _sign_in(page)
    assert axe_violations(page) == []
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#step-error")).to_contain_text("Wrong code.")
    page.get_by_label("Code").fill(_code(secret, 1))  # the next step's: this one was used
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("#checkin")

    _sign_in(page)
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("#checkin")
    page.get_by_role("link", name="Settings").click()
    expect(page.locator("#factor-body")).to_contain_text("9 of 10 recovery codes left")
    expect(page.locator("#auth-events")).to_contain_text("A recovery code was used")
    expect(page.locator("#auth-events")).to_contain_text("Authenticator app set up")
    context.close()
