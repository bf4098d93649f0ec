"""Password reset by mail, `flask reset-password`, and the account's sign-in events."""

from __future__ import annotations

import hashlib
import re
import statistics
import time
from datetime import timedelta

import requests
from sqlalchemy import select, update

from symptom_journal.accounts.models import AuthEvent, PasswordReset
from symptom_journal.db import utcnow

from ..factories import PASSWORD, register

ASK = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "another long and unusual passphrase"
ASKED = {
    "message": "If an account uses this address, a link to set a new password is on its way "
    "to it. The link works once, for 60 minutes."
}
GONE = {
    "code": 404,
    "status": "Not Found",
    "message": "This link to set a new password has been used, has expired or is not one we "
    "sent. Ask for a new one.",
}


def _text(mail) -> str:
    return str(mail.get_payload(decode=True).decode())


def _token(mail) -> str:
    found = re.search(r"https://journal\.clinic\.example/#/reset/([A-Za-z0-9_-]+)", _text(mail))
    assert found, _text(mail)
    return found.group(1)


def _resets(inbox) -> list:
    return [m for m in inbox.messages if m["Subject"] == "Symptom Journal: set a new password"]


def _signs_in(app, email: str, password: str) -> int:
    return app.test_client().post(LOGIN, json={"email": email, "password": password}).status_code


def test_a_reset_link_is_mailed_works_once_and_ends_every_session(app, patient, mail_on, sql):
    other_device = app.test_client()
    assert other_device.post(LOGIN, json={"email": "pat@example.org", "password": PASSWORD})
    answer = app.test_client().post(ASK, json={"email": "PAT@example.org"})
    assert (answer.status_code, answer.get_json()) == (202, ASKED)
    [mail] = _resets(mail_on)
    assert mail["To"] == "pat@example.org"
    assert mail["Subject"] == "Symptom Journal: set a new password"
    token = _token(mail)
    # Only the token's SHA-256 is stored.
    stored = sql(lambda s: s.scalars(select(PasswordReset.token_hash)).all())
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]

    stranger = app.test_client()
    done = stranger.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204
    assert patient.get("/api/v1/auth/me").status_code == 401  # every session ended
    assert other_device.get("/api/v1/auth/me").status_code == 401
    assert _signs_in(app, "pat@example.org", PASSWORD) == 401
    assert _signs_in(app, "pat@example.org", NEW_PASSWORD) == 200
    again = stranger.post(CONFIRM, json={"token": token, "password": "yet another passphrase!"})
    assert (again.status_code, again.get_json()) == (404, GONE)
    assert _signs_in(app, "pat@example.org", NEW_PASSWORD) == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, mail_on):
    answer = app.test_client().post(ASK, json={"email": "nobody@example.org"})
    assert (answer.status_code, answer.get_json()) == (202, ASKED)
    assert mail_on.messages == []


def test_unknown_used_and_expired_links_are_one_404(app, patient, mail_on, sql):
    client = app.test_client()
    unknown = client.post(CONFIRM, json={"token": "x" * 43, "password": NEW_PASSWORD})
    assert (unknown.status_code, unknown.get_json()) == (404, GONE)
    client.post(ASK, json={"email": "pat@example.org"})
    token = _token(_resets(mail_on)[0])
    sql(lambda s: s.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(1))))
    expired = client.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    assert (expired.status_code, expired.get_json()) == (404, GONE)
    assert _signs_in(app, "pat@example.org", PASSWORD) == 200


def test_a_link_lasts_sixty_minutes(app, patient, mail_on, sql):
    app.test_client().post(ASK, json={"email": "pat@example.org"})
    created, expires = sql(
        lambda s: s.execute(select(PasswordReset.created_at, PasswordReset.expires_at)).one()
    )
    assert expires - created == timedelta(minutes=60)


def test_a_weak_password_is_named_and_the_link_still_works(app, patient, mail_on):
    client = app.test_client()
    client.post(ASK, json={"email": "pat@example.org"})
    token = _token(_resets(mail_on)[0])
    weak = client.post(CONFIRM, json={"token": token, "password": "short"})
    assert weak.status_code == 422
    assert list(weak.get_json()["errors"]["json"]) == ["password"]
    missing = client.post(CONFIRM, json={"password": NEW_PASSWORD})
    assert (missing.status_code, list(missing.get_json()["errors"]["json"])) == (422, ["token"])
    assert client.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD}).status_code == 204


def test_using_one_link_or_changing_the_password_ends_the_others(app, patient, mail_on):
    client = app.test_client()
    for _ in range(3):
        client.post(ASK, json={"email": "pat@example.org"})
    first, second, third = (_token(m) for m in _resets(mail_on))
    assert client.post(CONFIRM, json={"token": second, "password": NEW_PASSWORD}).status_code == 204
    assert client.post(CONFIRM, json={"token": first, "password": PASSWORD}).status_code == 404
    # A link asked for before a password change stops working with the change.
    client.post(ASK, json={"email": "pat@example.org"})
    fourth = _token(_resets(mail_on)[-1])
    assert fourth != third
    signed_in = app.test_client()
    signed_in.post(LOGIN, json={"email": "pat@example.org", "password": NEW_PASSWORD})
    changed = signed_in.post(
        "/api/v1/auth/password",
        json={"current_password": NEW_PASSWORD, "new_password": "a third long passphrase"},
    )
    assert changed.status_code == 204
    assert client.post(CONFIRM, json={"token": fourth, "password": PASSWORD}).status_code == 404


def test_asking_is_limited_per_account_whatever_the_case(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESETS_PER_ACCOUNT", "2 per hour")
    client = app.test_client()
    codes = [
        client.post(ASK, json={"email": email}).status_code
        for email in ("a@example.org", "A@example.org", "a@EXAMPLE.org")
    ]
    assert codes == [202, 202, 429]
    limited = client.post(ASK, json={"email": "a@example.org"})
    assert "Retry-After" in limited.headers
    assert limited.get_json()["code"] == 429
    assert client.post(ASK, json={"email": "b@example.org"}).status_code == 202


def test_asking_is_limited_per_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESETS_PER_ADDRESS", "3 per hour")
    client = app.test_client()
    codes = [client.post(ASK, json={"email": f"{n}@example.org"}).status_code for n in "abcd"]
    assert codes == [202, 202, 202, 429]


def test_asking_needs_the_csrf_token(app):
    answer = app.test_client().post(ASK, json={"email": "a@example.org"}, csrf=False)
    assert answer.status_code == 403


def test_an_address_with_an_account_is_not_told_apart_by_time(patient, gunicorn_app, inbox):
    """Over HTTP to gunicorn, the time to answer for an address with an account and one
    without, taken in turns many times (the lookup, the link and the mail come after the
    answer)."""
    live_server = gunicorn_app(
        PASSWORD_RESETS_PER_ACCOUNT="1000 per hour",
        PASSWORD_RESETS_PER_ADDRESS="1000 per hour",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(inbox.settings.port),
        MAIL_SECURITY="none",
        BASE_URL="https://journal.clinic.example",
    )
    http = requests.Session()
    http.headers["X-CSRF-Token"] = http.get(live_server + "/api/v1/auth/csrf").json()["csrf_token"]
    known, unknown = [], []
    turns = [("pat@example.org", known), ("nobody@example.org", unknown)]
    for round_ in range(40):
        for email, times in turns if round_ % 2 else turns[::-1]:
            began = time.perf_counter()
            answer = http.post(live_server + ASK, json={"email": email}, timeout=10)
            times.append(time.perf_counter() - began)
            assert (answer.status_code, answer.json()) == (202, ASKED), round_
            # The work after the answer (for the account: its link and mail) is done
            # before the next answer is timed.
            deadline = time.monotonic() + 10
            while len(_resets(inbox)) < len(known) and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(0.01)
    a, b = statistics.median(known), statistics.median(unknown)
    print(f"reset asked: with an account, median {a * 1000:.2f} ms; without: {b * 1000:.2f} ms")
    assert abs(a - b) < 0.25 * min(a, b), (a, b)


def test_with_mail_off_the_answer_says_so_and_the_message_is_logged(app, patient, capsys):
    capsys.readouterr()
    answer = app.test_client().post(ASK, json={"email": "pat@example.org"})
    assert (answer.status_code, answer.get_json()["message"]) == (
        202,
        "This journal has no mail server set up, so no link can be mailed. Ask the people "
        "who run it for a link to set a new password.",
    )
    log = capsys.readouterr().err
    assert log.count("Mail is off (MAIL_SERVER is not set)") == 1
    assert "To: pat@example.org" in log
    assert "http://127.0.0.1:5000/#/reset/" in log


def test_the_command_prints_a_link_that_works(app, patient):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reset-password", "--email", "Pat@Example.org"])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:5000/#/reset/")
    token = url.rsplit("/", 1)[1]
    done = app.test_client().post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204
    missing = runner.invoke(args=["reset-password", "--email", "nobody@example.org"])
    assert missing.exit_code != 0
    assert "No account uses nobody@example.org" in missing.output


def test_the_account_sees_its_sign_in_events_newest_first(app, patient, other_patient, sql):
    device = app.test_client()
    assert device.post(LOGIN, json={"email": "pat@example.org", "password": "wrong"})
    device.post(LOGIN, json={"email": "pat@example.org", "password": PASSWORD}, headers={})
    device.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    device.post(ASK, json={"email": "pat@example.org"})
    events = device.get("/api/v1/auth/events")
    assert events.status_code == 200
    body = events.get_json()
    assert [e["kind"] for e in body["items"]] == [
        "password_reset_asked",
        "password_changed",
        "signed_in",
        "sign_in_failed",
    ]
    assert body["items"][2]["description"] == "Signed in"
    assert body["next_cursor"] is None
    # Each account sees only its own.
    theirs = other_patient.get("/api/v1/auth/events").get_json()["items"]
    assert theirs == []
    assert app.test_client().get("/api/v1/auth/events").status_code == 401
    owners = sql(lambda s: set(s.scalars(select(AuthEvent.user_id)).all()))
    assert owners == {patient.user_id}


def test_with_mail_on_a_sign_in_is_mailed_to_the_owner(app, mail_on):
    register(app.test_client(), email="noticed@example.org")
    assert mail_on.messages == []  # registering is not a notice
    app.test_client().post(
        LOGIN,
        json={"email": "noticed@example.org", "password": PASSWORD},
        headers={"User-Agent": "Firefox on a phone"},
    )
    [mail] = mail_on.messages
    assert mail["Subject"] == "Symptom Journal: signed in"
    assert "Firefox on a phone" in _text(mail)
    assert "https://journal.clinic.example/#/forgot" in _text(mail)
