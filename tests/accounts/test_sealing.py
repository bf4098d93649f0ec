"""Authenticator secrets are stored sealed: a copy of the database alone makes no codes.
Keys can be added and rotated; a migration seals the secrets stored before."""

from __future__ import annotations

import logging
import uuid

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import Uuid, bindparam, select, text

from symptom_journal.accounts.models import TotpFactor
from symptom_journal.accounts.sealing import Sealer
from symptom_journal.config import build_config
from symptom_journal.extensions import db

from ..factories import PASSWORD, register, totp_code

LOGIN = "/api/v1/auth/login"
SECOND = "/api/v1/auth/login/second-step"
SIGN_IN = {"email": "pat@example.org", "password": PASSWORD}


def _stored(sql) -> str:
    return sql(lambda session: session.scalars(select(TotpFactor.secret)).one())


def _enrol(client) -> tuple[str, list[str]]:
    secret = client.post("/api/v1/auth/totp").get_json()["secret"]
    confirmed = client.post("/api/v1/auth/totp/confirm", json={"code": totp_code(secret)})
    assert confirmed.status_code == 200
    return secret, confirmed.get_json()["recovery_codes"]


def _signs_in(app, code: str) -> int:
    device = app.test_client()
    assert device.post(LOGIN, json=SIGN_IN).status_code == 202
    return int(device.post(SECOND, json={"code": code}).status_code)


def test_the_secret_is_stored_sealed(app, patient, sql):
    secret, _ = _enrol(patient)
    stored = _stored(sql)
    assert secret not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token: version 0x80, then the time
    assert Sealer.from_config(app.config).open(stored) == secret


def test_keys_are_added_then_rotated_and_a_lost_key_refuses_codes_not_recovery_codes(
    app, sql, monkeypatch, caplog
):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "FACTOR_ENCRYPTION_KEYS", [first])
    patient = register(app.test_client(), email="pat@example.org")
    secret, recovery_codes = _enrol(patient)
    assert Fernet(first).decrypt(_stored(sql).encode()).decode() == secret
    # A new key goes first, the old one stays: what the old one sealed still opens.
    monkeypatch.setitem(app.config, "FACTOR_ENCRYPTION_KEYS", [second, first])
    assert Sealer.from_config(app.config).open(_stored(sql)) == secret
    rotated = app.test_cli_runner().invoke(args=["rotate-factor-keys"])
    assert rotated.exit_code == 0, rotated.output
    assert rotated.output == "Sealed 1 authenticator secret(s) with the first key.\n"
    assert Fernet(second).decrypt(_stored(sql).encode()).decode() == secret
    # With the sealing key lost, the app's codes are refused and the log says why;
    # a recovery code still signs in, and rotating refuses to change anything.
    monkeypatch.setitem(app.config, "FACTOR_ENCRYPTION_KEYS", [first])
    with caplog.at_level(logging.ERROR, logger="symptom_journal.accounts.factors"):
        assert _signs_in(app, totp_code(secret, 1)) == 401
    assert "cannot be opened with the keys set" in caplog.text
    assert secret not in caplog.text
    assert _signs_in(app, recovery_codes[0]) == 200
    refused = app.test_cli_runner().invoke(args=["rotate-factor-keys"])
    assert refused.exit_code == 1
    assert "nothing was changed" in refused.output
    assert Fernet(second).decrypt(_stored(sql).encode()).decode() == secret
    # Once rotated, the old key can go: the new one alone signs in.
    monkeypatch.setitem(app.config, "FACTOR_ENCRYPTION_KEYS", [second])
    assert _signs_in(app, totp_code(secret, 1)) == 200


def test_without_keys_the_secret_key_seals_and_stays_a_key_after_keys_are_set(
    app, sql, monkeypatch
):
    monkeypatch.setitem(app.config, "FACTOR_ENCRYPTION_KEYS", [])
    patient = register(app.test_client(), email="pat@example.org")
    secret, _ = _enrol(patient)
    monkeypatch.setitem(app.config, "FACTOR_ENCRYPTION_KEYS", [Fernet.generate_key().decode()])
    assert _signs_in(app, totp_code(secret, 1)) == 200


def test_a_bad_key_stops_the_app_at_start_naming_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("FACTOR_ENCRYPTION_KEYS", f"{Fernet.generate_key().decode()}, not-a-key")
    with pytest.raises(ValueError, match="FACTOR_ENCRYPTION_KEYS: key 2 is not a Fernet key"):
        build_config(tmp_path)
    monkeypatch.setenv("FACTOR_ENCRYPTION_KEYS", "")
    assert build_config(tmp_path)["FACTOR_ENCRYPTION_KEYS"] == []


def test_make_factor_key_prints_a_key(app):
    made = app.test_cli_runner().invoke(args=["make-factor-key"])
    assert made.exit_code == 0
    Fernet(made.output.strip())  # a valid key


def test_the_migration_seals_the_secrets_stored_before_and_unseals_them_back(make_instance):
    journal = make_instance("test_sealing")
    directory = str(journal.config["MIGRATIONS_DIR"])
    secret = pyotp.random_base32()
    user_id = uuid.uuid4()
    with journal.app_context():
        upgrade(directory=directory, revision="0017")
        hashed = journal.extensions["password_hasher"].hash(PASSWORD)
        by_id = bindparam("id", type_=Uuid)
        db.session.execute(
            text(
                "INSERT INTO users (id, email, email_key, password_hash, role, timezone, "
                "created_at, updated_at, failed_logins) VALUES (:id, :email, :email, :hash, "
                "'patient', 'UTC', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
            ).bindparams(by_id),
            {"id": user_id, "email": "pat@example.org", "hash": hashed},
        )
        db.session.execute(
            text(
                "INSERT INTO totp_factors (user_id, secret, created_at, confirmed_at) "
                "VALUES (:id, :secret, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ).bindparams(by_id),
            {"id": user_id, "secret": secret},
        )
        db.session.commit()
        upgrade(directory=directory)
        stored = db.session.scalars(select(TotpFactor.secret)).one()
        db.session.remove()
    assert stored != secret
    assert Sealer.from_config(journal.config).open(stored) == secret
    assert _signs_in(journal, totp_code(secret)) == 200
    with journal.app_context():
        downgrade(directory=directory, revision="0017")
        back = db.session.execute(text("SELECT secret FROM totp_factors")).scalar_one()
        db.session.remove()
    assert back == secret
