"""Web Push reminders through a push service on 127.0.0.1 that checks the VAPID signature
and decrypts each payload with the browser's own keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from symptom_journal.extensions import db
from symptom_journal.reminders import worker
from symptom_journal.reminders.models import PushSubscription, ReminderDelivery
from symptom_journal.reminders.push import PushChannel, subject

from ..factories import register
from .pushservice import PushService
from .test_worker import EIGHT, SETTINGS

SUBSCRIPTIONS = "/api/v1/reminders/push/subscriptions"


@pytest.fixture
def service(app, monkeypatch) -> Any:
    with PushService() as running:
        monkeypatch.setitem(app.config, "PUSH_SERVICE_HOSTS", [running.origin])
        yield running


def _patient(app: Any, service: PushService, email: str, *browsers: str) -> Any:
    client = register(app.test_client(), email=email, timezone="America/New_York")
    saved = client.put("/api/v1/reminders/settings", json={**SETTINGS, "by_email": False})
    assert saved.status_code == 200
    for name in browsers:
        added = client.post(SUBSCRIPTIONS, json=service.browser(name).subscription())
        assert added.status_code == 201, added.get_json()
    return client


def _run(app: Any) -> worker.Tally:
    channel = PushChannel(app.extensions["vapid"], subject(app.config))
    with app.app_context(), Session(db.engine) as session:
        return worker.run_once(session, EIGHT + timedelta(minutes=1), "w1", [channel])


def _rows(app: Any, model: Any) -> list[Any]:
    with app.app_context(), Session(db.engine) as session:
        return list(session.scalars(select(model)))


def test_each_browser_gets_the_reminder_encrypted_for_it_alone(app, service):
    _patient(app, service, "phones@example.org", "phone", "laptop")
    tally = _run(app)
    assert tally.sent == 1
    assert sorted(r.browser for r in service.received) == ["laptop", "phone"]
    for received in service.received:
        assert received.payload == {
            "title": "Symptom Journal",
            "body": "Time for your check-in.",
            "url": "/#/today",
            "tag": "daily:2026-03-12",
        }
        assert received.claims["sub"] == "mailto:no-reply@localhost"
        assert received.headers["ttl"] == "21600"
    [row] = _rows(app, ReminderDelivery)
    assert (row.status, row.channels) == ("sent", "push")


def test_a_subscription_the_service_says_is_gone_is_forgotten(app, service):
    _patient(app, service, "gone@example.org", "old-phone", "new-phone")
    service.answers["old-phone"] = 410
    assert _run(app).sent == 1
    assert [r.browser for r in service.received] == ["new-phone"]
    assert [s.endpoint.rsplit("/", 1)[-1] for s in _rows(app, PushSubscription)] == ["new-phone"]


def test_a_push_service_failing_is_said_and_stops_nothing(app, service):
    _patient(app, service, "failing@example.org", "phone")
    service.answers["phone"] = 503
    tally = _run(app)
    assert (tally.sent, tally.failed) == (0, 1)
    [row] = _rows(app, ReminderDelivery)
    assert row.reason == "push: the push service answered 503"
    assert len(_rows(app, PushSubscription)) == 1  # kept: the service may be back


def test_the_api_gives_the_key_and_takes_only_push_services(app, service):
    client = register(app.test_client(), email="keys@example.org")
    key = client.get("/api/v1/reminders/push/key").get_json()["public_key"]
    assert len(key) == 87  # 65 bytes, an uncompressed P-256 point, in base64url
    elsewhere = {**service.browser("x").subscription(), "endpoint": "http://10.0.0.7/push/x"}
    refused = client.post(SUBSCRIPTIONS, json=elsewhere)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["json"]["endpoint"] == [
        "Not a push service this journal sends to."
    ]
    good = service.browser("y").subscription()
    assert client.post(SUBSCRIPTIONS, json=good).status_code == 201
    assert client.post(SUBSCRIPTIONS, json=good).status_code == 201  # again: still one
    assert len(_rows(app, PushSubscription)) == 1
    assert client.delete(SUBSCRIPTIONS, json={"endpoint": good["endpoint"]}).status_code == 204
    assert _rows(app, PushSubscription) == []


def test_another_patient_cannot_remove_a_subscription(app, service, other_patient):
    _patient(app, service, "mine@example.org", "phone")
    endpoint = service.browsers["phone"].endpoint
    assert other_patient.delete(SUBSCRIPTIONS, json={"endpoint": endpoint}).status_code == 204
    assert len(_rows(app, PushSubscription)) == 1  # untouched


def test_the_vapid_key_is_made_once_and_kept(app, tmp_path):
    from symptom_journal.reminders.push import load_vapid, public_key

    first = public_key(load_vapid({}, tmp_path))
    assert public_key(load_vapid({}, tmp_path)) == first
    assert (tmp_path / "vapid_private.pem").stat().st_mode & 0o777 == 0o600
