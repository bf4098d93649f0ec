"""Who may be a clinician: the clinic chooses (CLINICIAN_SELF_REGISTRATION), and an account
the operator makes gets a link to set its password."""

from __future__ import annotations

import re

import pytest

from symptom_journal.config import build_config

from ..factories import PASSWORD, register

REGISTER = "/api/v1/auth/register"
LINKS = "/api/v1/clinician/links"


def _text(mail) -> str:
    return str(mail.get_payload(decode=True).decode())


def _invite(patient) -> str:
    answer = patient.post("/api/v1/care-team/invites", json={})
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["code"])


def test_by_default_anyone_may_register_as_a_clinician_and_the_options_say_so(app, patient):
    options = app.test_client().get("/api/v1/auth/options")
    assert (options.status_code, options.get_json()) == (
        200,
        {"clinician_self_registration": "open", "mail": False},
    )
    doc = register(app.test_client(), email="open.doc@example.org", role="clinician")
    assert doc.post(LINKS, json={"code": _invite(patient)}).status_code == 201


def test_with_self_registration_off_only_patients_register(app, monkeypatch, sql):
    monkeypatch.setitem(app.config, "CLINICIAN_SELF_REGISTRATION", "off")
    client = app.test_client()
    answer = client.post(
        REGISTER, json={"email": "doc@example.org", "password": PASSWORD, "role": "clinician"}
    )
    assert answer.status_code == 403
    body = answer.get_json()
    assert body["errors"] == {"json": {"role": ["Only patients register here."]}}
    assert "made by the clinic" in body["message"]
    assert client.get("/api/v1/auth/me").status_code == 401  # nothing was made or signed in
    assert register(app.test_client(), email="pat@example.org").user["role"] == "patient"
    options = client.get("/api/v1/auth/options").get_json()
    assert options["clinician_self_registration"] == "off"


def test_a_verified_clinician_opens_patient_data_only_after_confirming(
    app, patient, monkeypatch, mail_on
):
    monkeypatch.setitem(app.config, "CLINICIAN_SELF_REGISTRATION", "verified")
    doc = register(app.test_client(), email="new.doc@example.org", role="clinician")
    code = _invite(patient)
    refused = doc.post(LINKS, json={"code": code})
    assert refused.status_code == 403
    assert refused.get_json()["message"].startswith("Confirm your address first")
    assert doc.get("/api/v1/clinician/patients").status_code == 403
    [mail] = mail_on.messages
    assert mail["Subject"] == "Symptom Journal: confirm your address"
    token = re.search(r"/#/verify/(\S+)", _text(mail)).group(1)

    anyone = app.test_client()
    forged = anyone.post("/api/v1/auth/verify-email", json={"token": token[:-2] + "xx"})
    assert forged.status_code == 404
    assert forged.get_json()["message"].startswith("This link to confirm an address has expired")
    # The link works in any browser, and twice does no harm.
    assert anyone.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 204
    assert anyone.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 204
    assert doc.post(LINKS, json={"code": code}).status_code == 201
    assert doc.get("/api/v1/clinician/patients").status_code == 200
    again = doc.post("/api/v1/auth/verify-email/resend")
    assert again.get_json() == {"message": "Your address is confirmed already."}


def test_a_confirmation_link_asked_for_again_arrives(app, monkeypatch, mail_on):
    monkeypatch.setitem(app.config, "CLINICIAN_SELF_REGISTRATION", "verified")
    doc = register(app.test_client(), email="slow.doc@example.org", role="clinician")
    answer = doc.post("/api/v1/auth/verify-email/resend")
    assert (answer.status_code, answer.get_json()) == (
        202,
        {"message": "A link to confirm your address is on its way to slow.doc@example.org."},
    )
    assert [m["Subject"] for m in mail_on.messages] == ["Symptom Journal: confirm your address"] * 2


@pytest.mark.parametrize(("mail", "flags"), [("off", []), ("on", []), ("off", ["--link"])])
def test_the_operator_makes_a_clinician_who_sets_their_own_password(
    app, monkeypatch, request, mail, flags
):
    monkeypatch.setitem(app.config, "CLINICIAN_SELF_REGISTRATION", "verified")
    inbox = request.getfixturevalue("mail_on") if mail == "on" else None
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "Made.Doc@example.org", "--role", "clinician", *flags]
    )
    assert result.exit_code == 0, result.output
    assert "Created clinician Made.Doc@example.org" in result.output
    if inbox is None:
        assert "No mail server is set: give the person this link (one use, 7 days):" in (
            result.output
        )
        url = result.output.strip().splitlines()[-1]
    else:
        assert "Mailed Made.Doc@example.org a link" in result.output
        [mail_sent] = inbox.messages
        url = re.search(r"(\S+/#/reset/\S+)", _text(mail_sent)).group(1)
    token = url.rsplit("/", 1)[1]
    client = app.test_client()
    set_it = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": PASSWORD}
    )
    assert set_it.status_code == 204
    login = client.post(
        "/api/v1/auth/login", json={"email": "made.doc@example.org", "password": PASSWORD}
    )
    assert login.status_code == 200
    # Made by the operator: the address counts as confirmed.
    assert client.get("/api/v1/clinician/patients").status_code == 200


@pytest.mark.parametrize(
    ("raw", "mode"),
    [("", "open"), ("verified", "verified"), ("OFF", "off"), ("false", "off"), ("true", "open")],
)
def test_the_setting_takes_its_names_and_yes_or_no(monkeypatch, tmp_path, raw, mode):
    monkeypatch.setenv("CLINICIAN_SELF_REGISTRATION", raw)
    assert build_config(tmp_path)["CLINICIAN_SELF_REGISTRATION"] == mode


def test_a_setting_it_does_not_know_stops_the_app_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CLINICIAN_SELF_REGISTRATION", "sometimes")
    with pytest.raises(ValueError, match="CLINICIAN_SELF_REGISTRATION must be open or verified"):
        build_config(tmp_path)
