"""Passkeys through the API: the options the browser is given, and what is refused. A
passkey made and used by a browser is in tests/e2e/test_second_factor_screens.py."""

from __future__ import annotations

from sqlalchemy import select

from symptom_journal.accounts.models import Passkey

from ..factories import PASSWORD, add_passkey, passed_second_step


def test_registration_options_name_this_journal_and_ask_for_the_person(app, patient, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://journal.clinic.example")
    answer = patient.post("/api/v1/auth/passkeys/options")
    assert answer.status_code == 200
    options = answer.get_json()
    assert options["rp"] == {"id": "journal.clinic.example", "name": "Symptom Journal"}
    assert options["user"]["name"] == "pat@example.org"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert len(options["challenge"]) >= 43  # 32 random bytes, base64url


def test_a_credential_that_answers_no_challenge_is_refused_naming_it(patient):
    made_up = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}
    without = patient.post("/api/v1/auth/passkeys", json={"name": "Phone", "credential": made_up})
    assert without.status_code == 422
    assert list(without.get_json()["errors"]["json"]) == ["credential"]
    patient.post("/api/v1/auth/passkeys/options")
    forged = patient.post("/api/v1/auth/passkeys", json={"name": "Phone", "credential": made_up})
    assert forged.status_code == 422
    no_name = patient.post("/api/v1/auth/passkeys", json={"credential": made_up})
    assert list(no_name.get_json()["errors"]["json"]) == ["name"]


def test_an_unknown_passkey_signs_nobody_in(app, patient, sql):
    add_passkey(sql, patient.user_id, credential_id="AAAA")
    client = app.test_client()
    options = client.post("/api/v1/auth/passkey-login/options")
    assert options.status_code == 200
    assert options.get_json()["userVerification"] == "required"
    for credential in (
        {"id": "BBBB", "rawId": "BBBB", "type": "public-key", "response": {}},
        {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}},  # no signature
    ):
        client.post("/api/v1/auth/passkey-login/options")
        answer = client.post("/api/v1/auth/passkey-login", json={"credential": credential})
        assert answer.status_code == 401
        assert answer.get_json()["message"].startswith("That passkey did not sign you in")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_passkeys_are_listed_and_removed_by_their_owner_only(patient, other_patient, sql):
    theirs = add_passkey(sql, other_patient.user_id)
    assert patient.get("/api/v1/auth/passkeys").get_json() == {"items": [], "next_cursor": None}
    foreign = patient.delete(f"/api/v1/auth/passkeys/{theirs}")
    assert foreign.status_code == 404
    assert "Their phone" not in foreign.get_data(as_text=True)
    listed = other_patient.get("/api/v1/auth/passkeys").get_json()["items"]
    assert [p["name"] for p in listed] == ["Their phone"]
    assert set(listed[0]) == {"id", "name", "created_at", "last_used_at"}
    passed_second_step(sql, other_patient.user_id, "passkey")
    assert other_patient.delete(f"/api/v1/auth/passkeys/{theirs}").status_code == 204
    assert sql(lambda s: s.scalars(select(Passkey)).all()) == []


def test_after_the_password_the_options_name_that_accounts_passkeys(app, patient, sql):
    add_passkey(sql, patient.user_id, credential_id="AAAA")
    client = app.test_client()
    anyone = client.post("/api/v1/auth/passkey-login/options").get_json()
    assert anyone.get("allowCredentials", []) == []
    sign_in = {"email": "pat@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=sign_in).status_code == 202
    options = client.post("/api/v1/auth/passkey-login/options").get_json()
    assert [c["id"] for c in options["allowCredentials"]] == ["AAAA"]
