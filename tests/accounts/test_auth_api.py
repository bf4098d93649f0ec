"""Accounts: register, sign in and out, the user, devices, password change, throttling."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, update

from symptom_journal.accounts.models import LoginSession, User
from symptom_journal.db import utcnow

from ..factories import PASSWORD, register

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


def user_count(sql) -> int:
    return sql(lambda s: s.scalar(select(func.count()).select_from(User)))


def test_csrf_returns_a_token(client):
    response = client.get("/api/v1/auth/csrf")
    assert response.status_code == 200
    assert set(response.get_json()) == {"csrf_token"}
    assert len(response.get_json()["csrf_token"]) > 20


def test_register_creates_a_patient_and_signs_in(client):
    response = client.post(
        REGISTER,
        json={"email": "Ana@Example.org", "password": PASSWORD, "display_name": "Ana"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "Ana@Example.org"
    assert body["role"] == "patient"
    assert body["timezone"] == "UTC"
    assert body["display_name"] == "Ana"
    assert set(body) == {"id", "email", "role", "display_name", "timezone"}
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.get_json() == body


def test_register_sets_a_server_session_cookie(client):
    response = client.post(REGISTER, json={"email": "c@example.org", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("sj_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests


def test_session_cookie_is_secure_over_https(app):
    client = app.test_client()
    response = client.post(
        REGISTER,
        json={"email": "s@example.org", "password": PASSWORD},
        base_url="https://localhost",
        # Over HTTPS the CSRF check also wants a same-origin Referer, as browsers send.
        headers={"Referer": "https://localhost/"},
    )
    assert response.status_code == 201
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("sj_session="))
    assert "Secure" in cookie


def test_register_clinician_with_timezone(client):
    response = client.post(
        REGISTER,
        json={
            "email": "doc@example.org",
            "password": PASSWORD,
            "role": "clinician",
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 201
    assert response.get_json()["role"] == "clinician"
    assert response.get_json()["timezone"] == "Europe/Berlin"


def test_email_is_unique_ignoring_case(client, app, sql):
    register(app.test_client(), email="taken@example.org")
    response = client.post(REGISTER, json={"email": "TAKEN@example.org", "password": PASSWORD})
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"json": {"email": ["Already registered."]}}
    assert user_count(sql) == 1


@pytest.mark.parametrize(
    ("body", "field", "message_part"),
    [
        ({"email": "a@example.org", "password": "short pass"}, "password", "at least 12"),
        ({"email": "a@example.org", "password": "x" * 257}, "password", "at most 256"),
        ({"email": "a@example.org", "password": "password1234"}, "password", "too common"),
        ({"email": "a@example.org", "password": "Q1W2E3R4T5Y6"}, "password", "too common"),
        ({"email": "not-an-email", "password": PASSWORD}, "email", "email"),
        ({"email": "a@example.org", "password": PASSWORD, "role": "admin"}, "role", "one of"),
        (
            {"email": "a@example.org", "password": PASSWORD, "timezone": "Mars/Base"},
            "timezone",
            "IANA",
        ),
        ({"email": "a@example.org", "password": PASSWORD, "is_admin": True}, "is_admin", "Unknown"),
        ({"password": PASSWORD}, "email", "required"),
    ],
)
def test_register_rejects_bad_input(client, sql, body, field, message_part):
    response = client.post(REGISTER, json=body)
    assert response.status_code == 422
    messages = response.get_json()["errors"]["json"][field]
    assert any(message_part.lower() in m.lower() for m in messages), messages
    assert user_count(sql) == 0


def test_common_password_list_is_large():
    from symptom_journal.accounts.passwords import common_passwords

    assert len(common_passwords()) >= 10_000


def test_login_and_me(client, app):
    register(app.test_client(), email="pat@example.org")
    response = client.post(LOGIN, json={"email": "PAT@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["email"] == "pat@example.org"
    assert client.get("/api/v1/auth/me").status_code == 200


def test_login_with_an_unstorable_email_is_422_naming_it(client):
    # PostgreSQL cannot even compare text holding NUL: this once answered 500 there.
    response = client.post(LOGIN, json={"email": "pat\x00@example.org", "password": PASSWORD})
    assert response.status_code == 422
    assert "NUL" in response.get_json()["errors"]["json"]["email"][0]


def test_wrong_email_and_wrong_password_get_the_same_answer(client, app):
    register(app.test_client(), email="pat@example.org")
    wrong_password = client.post(LOGIN, json={"email": "pat@example.org", "password": "nope" * 4})
    wrong_email = client.post(LOGIN, json={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert wrong_password.get_json() == wrong_email.get_json()
    assert wrong_password.get_json()["message"] == "Wrong email or password."


def test_me_without_session_is_401(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


def test_unsafe_request_without_csrf_is_403(client, patient):
    response = patient.post("/api/v1/auth/logout", csrf=False)
    assert response.status_code == 403
    assert "CSRF" in response.get_json()["message"]
    wrong = patient.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    assert patient.get("/api/v1/auth/me").status_code == 200


def test_login_requires_csrf_too(client, app):
    register(app.test_client(), email="pat@example.org")
    response = client.post(
        LOGIN, json={"email": "pat@example.org", "password": PASSWORD}, csrf=False
    )
    assert response.status_code == 403


def test_logout_kills_the_cookie_even_when_replayed(patient):
    cookie = patient.get_cookie("sj_session")
    assert cookie is not None
    response = patient.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert response.data == b""
    assert patient.get("/api/v1/auth/me").status_code == 401
    patient.set_cookie("sj_session", cookie.value)  # replay the old cookie
    replay = patient.get("/api/v1/auth/me")
    assert replay.status_code == 401
    assert "pat@example.org" not in replay.get_data(as_text=True)


def test_sessions_lists_devices_and_revokes_one(app, patient):
    second = app.test_client()
    second.post(
        LOGIN,
        json={"email": "pat@example.org", "password": PASSWORD},
        headers={"User-Agent": "Phone/2"},
    )
    listed = patient.get("/api/v1/auth/sessions")
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert len(items) == 2
    assert listed.get_json()["next_cursor"] is None
    assert sorted(i["current"] for i in items) == [False, True]
    other = next(i for i in items if not i["current"])
    assert other["user_agent"] == "Phone/2"
    assert set(other) == {
        "id",
        "created_at",
        "last_seen_at",
        "expires_at",
        "user_agent",
        "current",
        "second_factor",
    }
    assert other["second_factor"] is None
    assert patient.delete(f"/api/v1/auth/sessions/{other['id']}").status_code == 204
    assert second.get("/api/v1/auth/me").status_code == 401
    assert patient.get("/api/v1/auth/me").status_code == 200


def test_cannot_revoke_another_users_session(patient, other_patient):
    theirs = other_patient.get("/api/v1/auth/sessions").get_json()["items"][0]["id"]
    response = patient.delete(f"/api/v1/auth/sessions/{theirs}")
    assert response.status_code == 404
    assert theirs not in response.get_data(as_text=True)
    assert other_patient.get("/api/v1/auth/me").status_code == 200


def test_password_change_ends_other_sessions(app, patient):
    second = app.test_client()
    second.post(LOGIN, json={"email": "pat@example.org", "password": PASSWORD})
    new = "another long passphrase here"
    response = patient.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": new}
    )
    assert response.status_code == 204
    assert second.get("/api/v1/auth/me").status_code == 401
    assert patient.get("/api/v1/auth/me").status_code == 200
    fresh = app.test_client()
    assert (
        fresh.post(LOGIN, json={"email": "pat@example.org", "password": PASSWORD}).status_code
        == 401
    )
    assert fresh.post(LOGIN, json={"email": "pat@example.org", "password": new}).status_code == 200


def test_password_change_with_wrong_current_password(patient):
    response = patient.post(
        "/api/v1/auth/password",
        json={"current_password": "wrong" * 3, "new_password": "another long passphrase"},
    )
    assert response.status_code == 403
    assert response.get_json()["errors"] == {"json": {"current_password": ["Wrong password."]}}


def test_password_change_rejects_weak_new_password(patient):
    response = patient.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "password"}
    )
    assert response.status_code == 422
    assert "new_password" in response.get_json()["errors"]["json"]


def test_profile_update(patient):
    response = patient.patch(
        "/api/v1/auth/me", json={"display_name": "Pat", "timezone": "America/Chicago"}
    )
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Pat"
    assert response.get_json()["timezone"] == "America/Chicago"
    bad = patient.patch("/api/v1/auth/me", json={"timezone": "Nowhere"})
    assert bad.status_code == 422
    assert "timezone" in bad.get_json()["errors"]["json"]


def test_eleventh_failed_login_is_429_even_with_the_right_password(client, app, sql):
    register(app.test_client(), email="pat@example.org")
    for _ in range(10):
        response = client.post(LOGIN, json={"email": "pat@example.org", "password": "wrong" * 3})
        assert response.status_code == 401
    blocked = client.post(LOGIN, json={"email": "pat@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert blocked.get_json()["code"] == 429
    # The count is kept with the account: another client (address, worker) is refused too.
    assert (
        app.test_client()
        .post(LOGIN, json={"email": "pat@example.org", "password": PASSWORD})
        .status_code
        == 429
    )
    # Once the window has passed, the right password works again.
    sql(
        lambda s: s.execute(
            update(User).values(failed_logins_since=utcnow() - timedelta(minutes=16))
        )
    )
    assert (
        client.post(LOGIN, json={"email": "pat@example.org", "password": PASSWORD}).status_code
        == 200
    )


def test_an_address_without_an_account_is_refused_as_an_account_is(client, app):
    """Ten failures, then 429: the same statuses, bodies and limit with an account behind
    the address as without one, so that neither tells whether it has one."""
    register(app.test_client(), email="pat@example.org")
    answers: dict[str, list] = {}
    for email in ("pat@example.org", "nobody@example.org"):
        tries = [
            client.post(LOGIN, json={"email": email, "password": "wrong" * 3}) for _ in range(11)
        ]
        answers[email] = [(t.status_code, t.get_json()) for t in tries]
        assert 0 < int(tries[-1].headers["Retry-After"]) <= 15 * 60
    assert answers["pat@example.org"] == answers["nobody@example.org"]
    assert [status for status, _ in answers["nobody@example.org"]] == [401] * 10 + [429]
    assert answers["nobody@example.org"][-1][1] == {
        "code": 429,
        "status": "Too Many Requests",
        "message": "Too many failed sign-ins for this account. Try again later.",
    }
    # Other addresses are not held up by it.
    other = client.post(LOGIN, json={"email": "someone@example.org", "password": "x" * 12})
    assert other.status_code == 401


def test_failed_logins_per_address_are_limited(client):
    for number in range(100):
        email = f"nobody{number}@example.org"
        response = client.post(LOGIN, json={"email": email, "password": "x" * 12})
        assert response.status_code == 401
    blocked = client.post(LOGIN, json={"email": "nobody@example.org", "password": "x" * 12})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.get_json()["code"] == 429


def test_idle_session_expires(patient, sql):
    sql(
        lambda s: s.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(days=31)))
    )
    assert patient.get("/api/v1/auth/me").status_code == 401


def test_clinician_session_idles_out_after_30_minutes(clinician, sql):
    sql(
        lambda s: s.execute(
            update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=29))
        )
    )
    assert clinician.get("/api/v1/auth/me").status_code == 200
    sql(
        lambda s: s.execute(
            update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
    )
    assert clinician.get("/api/v1/auth/me").status_code == 401


def test_absolute_lifetime_ends_an_active_session(patient, sql):
    sql(
        lambda s: s.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    )
    assert patient.get("/api/v1/auth/me").status_code == 401


def test_passwords_are_stored_as_argon2id(patient, sql):
    stored = sql(lambda s: s.scalar(select(User.password_hash)))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_session_tokens_are_stored_hashed(patient, sql):
    token = patient.get_cookie("sj_session").value
    stored = sql(lambda s: s.scalars(select(LoginSession.token_hash)).all())
    assert token not in stored
    assert len(stored) == 1
    assert len(stored[0]) == 64


def test_registrations_per_address_are_limited(client):
    for number in range(100):
        response = client.post(
            REGISTER, json={"email": f"user{number}@example.org", "password": PASSWORD}
        )
        assert response.status_code == 201
        client.post("/api/v1/auth/logout")
    blocked = client.post(REGISTER, json={"email": "one-more@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_activity_keeps_a_session_alive(patient, sql):
    long_ago = utcnow() - timedelta(days=29)
    sql(lambda s: s.execute(update(LoginSession).values(last_seen_at=long_ago)))
    assert patient.get("/api/v1/auth/me").status_code == 200
    seen = sql(lambda s: s.scalar(select(LoginSession.last_seen_at)))
    assert seen > utcnow() - timedelta(minutes=1)


def test_limits_count_the_forwarded_address_only_behind_a_trusted_proxy(tmp_path, monkeypatch):
    from symptom_journal import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TRUSTED_PROXIES": 1}
    )

    @app.route("/address")
    def address():
        from flask import request

        return {"address": request.remote_addr}

    seen = app.test_client().get("/address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen.get_json() == {"address": "203.0.113.9"}


def test_a_wrong_password_is_not_told_apart_from_an_unknown_address_by_time(gunicorn_app):
    """Over HTTP to gunicorn with the real password hashing (not the test suite's
    cheapest), the time to refuse a wrong password for an account and for an address with
    none, taken in turns many times: both verify one Argon2id hash."""
    live_server = gunicorn_app(
        LOGIN_FAILURES_PER_ACCOUNT="1000", LOGIN_FAILURES_PER_ADDRESS="1000 per hour"
    )
    http = requests.Session()
    http.headers["X-CSRF-Token"] = http.get(live_server + "/api/v1/auth/csrf").json()["csrf_token"]
    made = http.post(
        live_server + "/api/v1/auth/register",
        json={"email": "pat@example.org", "password": PASSWORD},
        timeout=10,
    )
    assert made.status_code == 201
    http.cookies.clear()  # signed out; the CSRF token is sent anew below
    http.headers["X-CSRF-Token"] = http.get(live_server + "/api/v1/auth/csrf").json()["csrf_token"]
    known: list[float] = []
    unknown: list[float] = []
    turns = [("pat@example.org", known), ("nobody@example.org", unknown)]
    bodies = set()
    for round_ in range(20):
        for email, times in turns if round_ % 2 else turns[::-1]:
            began = time.perf_counter()
            answer = http.post(
                live_server + LOGIN, json={"email": email, "password": "wrong" * 3}, timeout=10
            )
            times.append(time.perf_counter() - began)
            assert answer.status_code == 401, round_
            bodies.add(answer.text)
    assert len(bodies) == 1
    a, b = statistics.median(known), statistics.median(unknown)
    print(f"wrong password: median {a * 1000:.1f} ms; no such account: {b * 1000:.1f} ms")
    assert abs(a - b) < 0.25 * min(a, b), (a, b)
