"""The second step of signing in: an authenticator app (TOTP) and recovery codes."""

from __future__ import annotations

import re

import pytest

from symptom_journal.accounts import views

from ..factories import PASSWORD, add_passkey, passed_second_step, register, totp_code

LOGIN = "/api/v1/auth/login"
SECOND = "/api/v1/auth/login/second-step"
SIGN_IN = {"email": "pat@example.org", "password": PASSWORD}


def _enrol(client) -> tuple[str, list[str]]:
    started = client.post("/api/v1/auth/totp")
    assert started.status_code == 201, started.get_json()
    secret = started.get_json()["secret"]
    confirmed = client.post("/api/v1/auth/totp/confirm", json={"code": totp_code(secret)})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"]


def test_enrolment_shows_the_secret_and_a_qr_code_and_needs_a_firsttotp_code(patient):
    started = patient.post("/api/v1/auth/totp")
    assert started.status_code == 201
    body = started.get_json()
    assert set(body) == {"secret", "otpauth_uri", "qr_svg"}
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])
    assert body["otpauth_uri"] == (
        f"otpauth://totp/Symptom%20Journal:pat%40example.org?secret={body['secret']}"
        "&issuer=Symptom%20Journal"
    )
    assert body["qr_svg"].startswith("<svg")
    assert "QR code to scan" in body["qr_svg"]
    # Not on until confirmed: signing in still takes the password alone.
    assert patient.get("/api/v1/auth/second-factors").get_json() == {
        "totp": False,
        "passkeys": 0,
        "recovery_codes_left": 0,
        "required": False,
        "this_sign_in": None,
    }
    wrong = patient.post("/api/v1/auth/totp/confirm", json={"code": "000000"})
    assert wrong.status_code == 422
    assert list(wrong.get_json()["errors"]["json"]) == ["code"]
    ok = patient.post("/api/v1/auth/totp/confirm", json={"code": totp_code(body["secret"])})
    assert ok.status_code == 200
    codes = ok.get_json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    # The code just given counts for this sign-in.
    assert patient.get("/api/v1/auth/second-factors").get_json() == {
        "totp": True,
        "passkeys": 0,
        "recovery_codes_left": 10,
        "required": False,
        "this_sign_in": "totp",
    }
    again = patient.post("/api/v1/auth/totp")
    assert again.status_code == 409


def test_signing_in_takes_two_steps_and_a_code_works_once(app, patient):
    secret, _ = _enrol(patient)
    device = app.test_client()
    first = device.post(LOGIN, json=SIGN_IN)
    assert first.status_code == 202
    assert first.get_json() == {
        "second_step": ["totp", "recovery_code"],
        "message": "Enter the 6-digit code from your authenticator app, or a recovery code.",
    }
    assert not any(h.startswith("sj_session=") for h in first.headers.getlist("Set-Cookie"))
    assert device.get("/api/v1/auth/me").status_code == 401  # the first step opens nothing
    # The second step alone, from a browser that did not pass the first, opens nothing.
    stranger = app.test_client()
    alone = stranger.post(SECOND, json={"code": totp_code(secret, 1)})
    assert alone.status_code == 401
    code = totp_code(secret, 1)  # the next step's: the current one was used to confirm
    done = device.post(SECOND, json={"code": code})
    assert done.status_code == 200
    assert done.get_json()["email"] == "pat@example.org"
    assert device.get("/api/v1/auth/me").status_code == 200
    assert device.get("/api/v1/auth/second-factors").get_json()["this_sign_in"] == "totp"
    devices = device.get("/api/v1/auth/sessions").get_json()["items"]
    assert {(d["current"], d["second_factor"]) for d in devices} == {
        (True, "totp"),
        (False, "totp"),
    }
    # The same code again, in a new sign-in: refused.
    other = app.test_client()
    assert other.post(LOGIN, json=SIGN_IN).status_code == 202
    replay = other.post(SECOND, json={"code": code})
    assert replay.status_code == 401
    assert replay.get_json()["message"].startswith("Wrong code.")


def test_a_recovery_code_works_once(app, patient):
    _, codes = _enrol(patient)
    device = app.test_client()
    device.post(LOGIN, json=SIGN_IN)
    assert device.post(SECOND, json={"code": codes[3].upper()}).status_code == 200
    again = app.test_client()
    again.post(LOGIN, json=SIGN_IN)
    assert again.post(SECOND, json={"code": codes[3]}).status_code == 401
    factors = device.get("/api/v1/auth/second-factors").get_json()
    assert factors["recovery_codes_left"] == 9
    assert factors["this_sign_in"] == "recovery_code"
    kinds = [e["kind"] for e in device.get("/api/v1/auth/events").get_json()["items"]]
    assert kinds[:4] == ["second_step_failed", "recovery_code_used", "signed_in", "factor_added"]


def test_wrong_codes_count_toward_the_accounts_limit(app, patient, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", 3)
    secret, _ = _enrol(patient)
    device = app.test_client()
    device.post(LOGIN, json=SIGN_IN)
    codes = [device.post(SECOND, json={"code": "123456"}).status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    locked = device.post(SECOND, json={"code": totp_code(secret, 1)})
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
    assert app.test_client().post(LOGIN, json=SIGN_IN).status_code == 429


def test_a_first_step_left_too_long_is_over(app, patient, monkeypatch):
    secret, _ = _enrol(patient)
    device = app.test_client()
    device.post(LOGIN, json=SIGN_IN)
    monkeypatch.setattr(views, "SECOND_STEP_WINDOW", 0)
    late = device.post(SECOND, json={"code": totp_code(secret, 1)})
    assert late.status_code == 401
    assert late.get_json()["message"].startswith("Sign in with your password first")


def test_removing_the_app_needs_the_password(app, patient):
    _enrol(patient)
    wrong = patient.delete("/api/v1/auth/totp", json={"password": "not the password"})
    assert wrong.status_code == 403
    assert list(wrong.get_json()["errors"]["json"]) == ["password"]
    assert patient.delete("/api/v1/auth/totp", json={"password": PASSWORD}).status_code == 204
    assert app.test_client().post(LOGIN, json=SIGN_IN).status_code == 200
    kinds = [e["kind"] for e in patient.get("/api/v1/auth/events").get_json()["items"]]
    assert kinds[:3] == ["signed_in", "factor_removed", "sign_in_failed"]


@pytest.mark.parametrize("required", [False, True])
def test_clinicians_may_be_required_to_have_one(app, monkeypatch, required):
    monkeypatch.setitem(app.config, "CLINICIAN_MFA_REQUIRED", required)
    doc = register(app.test_client(), email="doc@example.org", role="clinician")
    before = doc.get("/api/v1/clinician/patients")
    assert before.status_code == (403 if required else 200)
    if required:
        assert "Set up two-step sign-in" in before.get_json()["message"]
    assert doc.get("/api/v1/auth/second-factors").get_json()["required"] is required
    secret, _ = _enrol(doc)
    assert doc.get("/api/v1/clinician/patients").status_code == 200
    # On another device: the password, then the code.
    device = app.test_client()
    assert (
        device.post(LOGIN, json={"email": "doc@example.org", "password": PASSWORD}).status_code
        == 202
    )
    assert device.get("/api/v1/clinician/patients").status_code == 401
    assert device.post(SECOND, json={"code": totp_code(secret, 1)}).status_code == 200
    assert device.get("/api/v1/clinician/patients").status_code == 200


def test_a_clinician_whose_sign_in_passed_no_second_step_opens_nothing(app, monkeypatch, sql):
    monkeypatch.setitem(app.config, "CLINICIAN_MFA_REQUIRED", True)
    doc = register(app.test_client(), email="doc@example.org", role="clinician")
    add_passkey(sql, doc.user_id)  # added on another device: this sign-in showed no passkey
    refused = doc.get("/api/v1/clinician/patients")
    assert refused.status_code == 403
    assert refused.get_json()["message"].startswith("This sign-in used a password alone.")
    assert doc.get("/api/v1/auth/second-factors").get_json()["this_sign_in"] is None
    # A new sign-in with the password asks for the passkey; the first step opens nothing.
    device = app.test_client()
    first = device.post(LOGIN, json={"email": "doc@example.org", "password": PASSWORD})
    assert first.status_code == 202
    assert first.get_json() == {
        "second_step": ["passkey", "recovery_code"],
        "message": "Use your passkey, or enter a recovery code.",
    }
    assert device.get("/api/v1/clinician/patients").status_code == 401
    passed_second_step(sql, doc.user_id, "passkey")  # what signing in with the passkey records
    assert doc.get("/api/v1/clinician/patients").status_code == 200


def test_an_account_with_an_app_and_a_passkey_is_offered_both(app, patient, sql):
    _enrol(patient)
    add_passkey(sql, patient.user_id)
    first = app.test_client().post(LOGIN, json=SIGN_IN)
    assert first.status_code == 202
    assert first.get_json()["second_step"] == ["totp", "passkey", "recovery_code"]
    assert patient.get("/api/v1/auth/second-factors").get_json() == {
        "totp": True,
        "passkeys": 1,
        "recovery_codes_left": 10,
        "required": False,
        "this_sign_in": "totp",
    }


def test_recovery_codes_last_as_long_as_a_second_step_to_stand_in_for(app, patient, sql):
    passkey = add_passkey(sql, patient.user_id)
    passed_second_step(sql, patient.user_id, "passkey")
    made = patient.post("/api/v1/auth/recovery-codes")
    assert made.status_code == 201
    codes = made.get_json()["recovery_codes"]
    assert len(set(codes)) == 10
    # A passkey-only account signs in with the password and a recovery code.
    device = app.test_client()
    assert device.post(LOGIN, json=SIGN_IN).status_code == 202
    assert device.post(SECOND, json={"code": codes[0]}).status_code == 200
    # New codes replace the old.
    renewed = patient.post("/api/v1/auth/recovery-codes").get_json()["recovery_codes"]
    again = app.test_client()
    again.post(LOGIN, json=SIGN_IN)
    assert again.post(SECOND, json={"code": codes[1]}).status_code == 401
    kinds = [e["kind"] for e in patient.get("/api/v1/auth/events").get_json()["items"]]
    assert kinds[:2] == ["second_step_failed", "recovery_codes_renewed"]
    # With an app too, removing the passkey keeps the codes; removing the app as well
    # leaves nothing for them to stand in for.
    secret = patient.post("/api/v1/auth/totp").get_json()["secret"]
    patient.post("/api/v1/auth/totp/confirm", json={"code": totp_code(secret)})
    assert patient.delete(f"/api/v1/auth/passkeys/{passkey}").status_code == 204
    assert patient.get("/api/v1/auth/second-factors").get_json()["recovery_codes_left"] == 10
    assert patient.delete("/api/v1/auth/totp", json={"password": PASSWORD}).status_code == 204
    assert patient.get("/api/v1/auth/second-factors").get_json()["recovery_codes_left"] == 0
    assert renewed  # made, then dropped with the last factor
    nothing = patient.post("/api/v1/auth/recovery-codes")
    assert nothing.status_code == 409
    assert nothing.get_json()["message"].startswith("Set up an authenticator app or a passkey")
    assert app.test_client().post(LOGIN, json=SIGN_IN).status_code == 200


def test_a_password_alone_cannot_change_the_second_step(app, sql):
    """Once an account has a passkey or an app, a sign-in that showed neither can neither
    add one nor remove one: a stolen password does not take over the second step."""
    client = register(app.test_client(), email="pat@example.org")
    passkey = add_passkey(sql, client.user_id)
    for method, path in [
        ("post", "/api/v1/auth/totp"),
        ("post", "/api/v1/auth/recovery-codes"),
        ("post", "/api/v1/auth/passkeys/options"),
        ("delete", f"/api/v1/auth/passkeys/{passkey}"),
    ]:
        answer = getattr(client, method)(path)
        assert answer.status_code == 403, path
        assert (
            "sign in again with a code from your authenticator app or with a passkey"
            in (answer.get_json()["message"])
        )
    passed_second_step(sql, client.user_id, "passkey")
    assert client.post("/api/v1/auth/totp").status_code == 201
    assert client.delete(f"/api/v1/auth/passkeys/{passkey}").status_code == 204


def test_an_account_with_no_second_step_sets_one_up_with_its_password(patient):
    # The first factor needs only the sign-in there is; it then counts for that sign-in.
    assert patient.post("/api/v1/auth/passkeys/options").status_code == 200
    _enrol(patient)
    assert patient.get("/api/v1/auth/second-factors").get_json()["this_sign_in"] == "totp"


def test_with_mail_on_each_change_of_the_second_step_is_mailed(app, sql, mail_on):
    client = register(app.test_client(), email="pat@example.org")
    _, recovery_codes = _enrol(client)
    device = app.test_client()
    device.post(LOGIN, json=SIGN_IN)
    assert device.post(SECOND, json={"code": recovery_codes[0]}).status_code == 200
    passkey = add_passkey(sql, client.user_id)
    assert client.delete(f"/api/v1/auth/passkeys/{passkey}").status_code == 204
    assert client.delete("/api/v1/auth/totp", json={"password": PASSWORD}).status_code == 204
    assert [m["Subject"] for m in mail_on.messages] == [
        "Symptom Journal: authenticator app set up",
        "Symptom Journal: signed in",
        "Symptom Journal: a recovery code was used",
        "Symptom Journal: passkey removed",
        "Symptom Journal: authenticator app removed",
    ]
    assert all(m["To"] == "pat@example.org" for m in mail_on.messages)


def test_a_new_password_from_a_reset_link_still_asks_for_the_second_step(app, patient):
    secret, _ = _enrol(patient)
    made = app.test_cli_runner().invoke(args=["reset-password", "--email", "pat@example.org"])
    token = made.output.strip().splitlines()[-1].rsplit("/", 1)[-1]
    new = "another long and unusual passphrase"
    reset = app.test_client().post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": new}
    )
    assert reset.status_code == 204
    device = app.test_client()
    first = device.post(LOGIN, json={"email": "pat@example.org", "password": new})
    assert first.status_code == 202  # the link changes the password, not the second step
    assert device.get("/api/v1/auth/me").status_code == 401
    assert device.post(SECOND, json={"code": totp_code(secret, 1)}).status_code == 200
