"""The CSRF check and the cookie that holds its secret: a token passes only with its own
secret cookie, and that cookie only with the sign-in it is bound to."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select

from symptom_journal.journal.models import Entry

from ..factories import PASSWORD, entry_body

CSRF = "/api/v1/auth/csrf"


def token_of(client) -> str:
    return str(client.get(CSRF).get_json()["csrf_token"])


def put_entry(client, token: str, **kwargs):
    return client.put(
        f"/api/v1/entries/{uuid.uuid4()}",
        json=entry_body(),
        headers={"X-CSRF-Token": token, **kwargs.pop("headers", {})},
        **kwargs,
    )


def entries_of(sql, client) -> int:
    owner = client.user_id
    return sql(lambda s: s.scalar(select(func.count()).where(Entry.owner_id == owner)))


def assert_csrf_refused(response, reason: str) -> None:
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == 403
    assert reason in body["message"]


def test_a_token_serves_every_request_of_its_session(patient, sql):
    token = token_of(patient)
    for _ in range(3):
        assert put_entry(patient, token).status_code == 201
    # A token asked for later (it carries the time it was made) and the first both work.
    assert put_entry(patient, token_of(patient)).status_code == 201
    assert put_entry(patient, token).status_code == 201
    assert entries_of(sql, patient) == 5


def test_a_checked_token_is_refused_for_another_session(patient, other_patient, sql):
    mine = token_of(patient)
    assert put_entry(patient, mine).status_code == 201  # checked, and kept by the worker

    assert_csrf_refused(put_entry(other_patient, mine), "The CSRF tokens do not match.")
    assert entries_of(sql, other_patient) == 0


def cookie(client, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None
    return found.value


def test_another_persons_csrf_cookie_and_token_do_not_pass_with_your_sign_in(
    patient, other_patient, sql
):
    # The other person's whole CSRF pair, valid for them, sent with my session cookie.
    theirs = token_of(other_patient)
    assert put_entry(other_patient, theirs).status_code == 201
    patient.set_cookie("sj_csrf", cookie(other_patient, "sj_csrf"))

    refused = put_entry(patient, theirs)
    assert_csrf_refused(refused, "belongs to another sign-in")
    assert entries_of(sql, patient) == 0

    # Asking for a token again replaces the planted secret with one bound to my sign-in.
    mine = token_of(patient)
    assert mine != theirs
    assert put_entry(patient, mine).status_code == 201
    assert put_entry(patient, theirs).status_code == 403
    assert entries_of(sql, patient) == 1


def test_a_token_fetched_before_signing_in_serves_after_it(client, sql):
    from ..factories import register

    token = token_of(client)
    register(client, email="later@example.org")
    assert put_entry(client, token).status_code == 201
    assert token_of(client) == token


def test_a_forged_token_is_refused(patient, sql):
    token = token_of(patient)
    assert put_entry(patient, token).status_code == 201
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    assert_csrf_refused(put_entry(patient, forged), "The CSRF token is invalid.")
    assert_csrf_refused(
        patient.put(f"/api/v1/entries/{uuid.uuid4()}", json=entry_body(), csrf=False), "missing"
    )
    assert entries_of(sql, patient) == 1


def test_a_tampered_secret_cookie_is_a_new_empty_session(patient, sql):
    token = token_of(patient)
    assert put_entry(patient, token).status_code == 201
    cookie = patient.get_cookie("sj_csrf").value
    patient.set_cookie("sj_csrf", cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB"))

    assert_csrf_refused(put_entry(patient, token), "The CSRF session token is missing.")
    assert entries_of(sql, patient) == 1


@pytest.mark.parametrize("when", ["after its lifetime", "before it was signed"])
def test_a_checked_secret_cookie_is_refused_out_of_its_time(app, patient, sql, monkeypatch, when):
    token = token_of(patient)
    assert put_entry(patient, token).status_code == 201  # the cookie is checked and kept
    lifetime = app.permanent_session_lifetime.total_seconds()
    shift = lifetime + 60 if when == "after its lifetime" else -3600
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + shift)

    assert_csrf_refused(put_entry(patient, token), "The CSRF session token is missing.")
    assert entries_of(sql, patient) == 1


def test_rotating_the_secret_key_keeps_cookies_only_while_the_old_key_is_a_fallback(
    app, patient, sql, monkeypatch
):
    token = token_of(patient)
    assert put_entry(patient, token).status_code == 201
    old_key = app.secret_key
    monkeypatch.setitem(app.config, "SECRET_KEY", "a new secret key for this test")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])

    # Flask-WTF signs tokens with the current key only: the old token is refused, and a
    # new one for the same secret (the cookie still holds, under the fallback) works.
    assert_csrf_refused(put_entry(patient, token), "The CSRF token is invalid.")
    fresh = token_of(patient)
    assert put_entry(patient, fresh).status_code == 201

    # Once the old key is dropped, the cookie signed with it no longer holds, though this
    # worker had checked and kept it.
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert_csrf_refused(put_entry(patient, fresh), "The CSRF session token is missing.")
    assert entries_of(sql, patient) == 2


def test_over_https_a_checked_token_still_needs_a_same_origin_referer(app, sql):
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    token = client.get(CSRF, **https).get_json()["csrf_token"]
    registered = client.post(
        "/api/v1/auth/register",
        json={"email": "tls@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": token, "Referer": "https://localhost/app"},
        **https,
    )
    assert registered.status_code == 201
    client.user_id = uuid.UUID(registered.get_json()["id"])
    assert (
        put_entry(client, token, headers={"Referer": "https://localhost/"}, **https).status_code
        == 201
    )

    assert_csrf_refused(put_entry(client, token, **https), "The referrer header is missing.")
    assert_csrf_refused(
        put_entry(client, token, headers={"Referer": "https://elsewhere.example/"}, **https),
        "The referrer does not match the host.",
    )
    assert entries_of(sql, client) == 1
