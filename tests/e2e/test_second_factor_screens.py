"""Two-step sign-in in the app: a patient sets up an authenticator app from the key shown
(the code computed from it, as the app would), keeps the recovery codes, signs in again
with a code, then with a recovery code. Phone width, axe-clean."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from ..factories import PASSWORD, totp_code
from .ui import (
    DESKTOP,
    PHONE,
    axe_violations,
    fits,
    open_screen,
    screenshot,
    sign_up,
    sign_up_clinician,
)


def _sign_in(page: Any) -> None:
    """Sign out, then in again with the password: the second step comes up."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill("twostep@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()


def test_a_patient_turns_on_two_step_sign_in_and_uses_it(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "twostep@example.org")
    open_screen(page, "Settings")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#factor-secret").inner_text()
    page.get_by_role("button", name="Turn it on").click()
    expect(page.locator("#factor-message")).to_have_text("Code: type the 6 digits the app shows.")
    page.get_by_label("The 6-digit code the app shows").fill("000000")
    page.get_by_role("button", name="Turn it on").click()
    expect(page.locator("#factor-message")).to_contain_text("Not the code the app shows now")
    page.get_by_label("The 6-digit code the app shows").fill(totp_code(secret))
    page.get_by_role("button", name="Turn it on").click()
    codes = page.locator("#factor-body .codes li")
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
    page.get_by_label("Code").fill(totp_code(secret, 1))  # the next step's: this one was used
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("#checkin")

    _sign_in(page)
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("#checkin")
    open_screen(page, "Settings")
    expect(page.locator("#factor-body")).to_contain_text("9 of 10 recovery codes left")
    expect(page.locator("#auth-events")).to_contain_text("A recovery code was used")
    expect(page.locator("#auth-events")).to_contain_text("Authenticator app set up")
    context.close()


def test_a_patient_adds_a_passkey_signs_in_with_it_and_removes_it(
    live_server: str, browser: Any, app: Any, monkeypatch: Any
) -> None:
    # A passkey belongs to a domain: the app is opened at localhost (still this machine).
    base = live_server.replace("127.0.0.1", "localhost")
    monkeypatch.setitem(app.config, "BASE_URL", base)
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_up(page, base, "passkey@example.org")
    open_screen(page, "Settings")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-message")).to_have_text(
        "Name: say which device this passkey is on."
    )
    page.get_by_label("Name for a new passkey").fill("This phone")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-message")).to_have_text('Passkey "This phone" added.')
    expect(page.locator("#passkey-list li")).to_contain_text("This phone · added")
    # The account's first second step comes with its recovery codes.
    codes = page.locator("#passkey-codes .codes li")
    expect(codes).to_have_count(10)
    recovery = codes.nth(0).inner_text()
    expect(page.locator("#factor-body")).to_contain_text(
        "On: signing in with your password asks for your passkey too. 10 of 10 recovery codes"
    )
    assert axe_violations(page) == []
    page.get_by_role("button", name="I have kept them").click()
    expect(codes).to_have_count(0)

    # The password is now the first of two steps: the passkey, or a recovery code.
    for second in ("passkey", "recovery code"):
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Email").fill("passkey@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", name="One more step")).to_be_visible()
        expect(page.locator("#step-help")).to_have_text(
            "Use your passkey, or enter a recovery code."
        )
        if second == "passkey":
            assert axe_violations(page) == []
            page.get_by_role("button", name="Use your passkey").click()
        else:
            page.get_by_label("Code").fill(recovery)
            page.get_by_role("button", name="Continue").click()
        page.wait_for_selector("#checkin")
    open_screen(page, "Settings")
    expect(page.locator("#factor-body")).to_contain_text("9 of 10 recovery codes left")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_selector("#checkin")  # no password, no second step
    open_screen(page, "Settings")
    expect(page.locator("#devices li").first).to_contain_text("This device")
    expect(page.locator("#devices")).to_contain_text("with a passkey")
    expect(page.locator("#passkey-list li")).to_contain_text("last used")
    expect(page.locator("#auth-events")).to_contain_text("Passkey added")

    page.get_by_role("button", name="Remove the passkey This phone").click()
    expect(page.locator("#passkey-message")).to_have_text("Removed This phone.")
    # With no second step left, the recovery codes go, and the password alone signs in.
    expect(page.locator("#factor-body")).to_contain_text("After your password, signing in can")
    expect(page.locator("#factor-body")).not_to_contain_text("recovery codes left")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("#auth-error")).to_contain_text("did not sign you in")
    page.get_by_label("Email").fill("passkey@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector("#checkin")
    context.close()


def test_a_clinician_the_clinic_asks_for_two_steps_sets_one_up_and_then_opens_the_list(
    live_server: str, browser: Any, app: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "CLINICIAN_MFA_REQUIRED", True)
    desk = browser.new_context(**DESKTOP, bypass_csp=True)
    page = desk.new_page()
    sign_up_clinician(page, live_server, "doc@example.org", "Dr Okafor")
    expect(page.locator("#patient-list")).to_contain_text(
        "Set up two-step sign-in (an authenticator app or a passkey) before opening"
    )
    expect(page.locator("#factor-body")).to_contain_text("Your clinic asks clinicians to have it")
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("#factor-secret").inner_text()
    page.get_by_label("The 6-digit code the app shows").fill(totp_code(secret))
    page.get_by_role("button", name="Turn it on").click()
    expect(page.locator("#factor-body .codes li")).to_have_count(10)
    # The list opens at once: this sign-in has just shown the second step.
    expect(page.locator("#patient-list")).to_contain_text("No patient has linked you yet")
    page.get_by_role("button", name="I have kept them").click()
    expect(page.locator("#auth-events")).to_contain_text("Authenticator app set up")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill("doc@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#step-help")).to_have_text(
        "Enter the 6-digit code from your authenticator app, or a recovery code."
    )
    page.get_by_label("Code").fill(totp_code(secret, 1))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#patient-list")).to_contain_text("No patient has linked you yet")

    # Your account has the devices and a new password too, as a patient's Settings has.
    expect(page.locator("#devices li")).to_have_count(1)
    expect(page.locator("#devices li")).to_contain_text("This device · since")
    expect(page.locator("#devices li")).to_contain_text("· with an app code")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("a new and longer passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-message")).to_have_text(
        "Password changed. Your other devices are signed out."
    )
    expect(page.locator("#auth-events li").first).to_contain_text("Password changed")
    assert axe_violations(page) == []
    desk.close()
