"""The reminder worker: each due reminder mailed once, from one worker or two, through a
real SMTP server on 127.0.0.1; the clock is moved by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from symptom_journal.extensions import db
from symptom_journal.mail import MailSettings
from symptom_journal.reminders import worker
from symptom_journal.reminders.channels import EmailChannel
from symptom_journal.reminders.models import ReminderDelivery

from ..factories import register
from ..mailbox import Inbox, free_port

SETTINGS = {
    "enabled": True,
    "daily_time": "08:00",
    "before_session_minutes": 60,
    "after_session_minutes": 120,
    "next_morning": True,
    "questionnaire_every_days": None,
    "include_pcl5": False,
    "quiet_start": None,
    "quiet_end": None,
    "by_email": True,
}
# 12 March 2026, 08:00 in New York (EDT, UTC-4) is 12:00 UTC.
EIGHT = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)


def _patient(app: Any, email: str, **settings: Any) -> Any:
    client = register(app.test_client(), email=email, timezone="America/New_York")
    assert (
        client.put("/api/v1/reminders/settings", json={**SETTINGS, **settings}).status_code == 200
    )
    return client


def _run(app: Any, now: datetime, inbox: Inbox, name: str = "w1") -> worker.Tally:
    with app.app_context(), Session(db.engine) as session:
        return worker.run_once(session, now, name, [EmailChannel(inbox.settings)])


def _rows(app: Any) -> list[ReminderDelivery]:
    with app.app_context(), Session(db.engine) as session:
        return list(session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.key)))


def test_a_due_reminder_is_mailed_once_and_says_nothing_of_health(app, inbox):
    _patient(app, "mailed@example.org")
    early = _run(app, EIGHT - timedelta(minutes=20), inbox)  # planned, not yet due
    assert (early.planned, early.sent) == (1, 0)
    tally = _run(app, EIGHT + timedelta(minutes=1), inbox)
    assert (tally.sent, tally.late_seconds) == (1, [60.0])
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "mailed@example.org"
    assert mail["Subject"] == "Reminder: Time for your check-in."
    body = mail.get_payload()
    assert "https://journal.clinic.example/" in body
    again = _run(app, EIGHT + timedelta(minutes=2), inbox)
    assert (again.planned, again.claimed, len(inbox.messages)) == (0, 0, 1)
    [row] = _rows(app)
    assert (row.key, row.status, row.channels) == ("daily:2026-03-12", "sent", "email")


def test_a_check_in_logged_after_planning_drops_the_reminder(app, inbox):
    patient = _patient(app, "early@example.org")
    _run(app, EIGHT - timedelta(minutes=20), inbox)
    entry = {"recorded_at": "2026-03-12T07:50:00-04:00", "mood": 6}
    assert patient.post("/api/v1/entries", json=entry).status_code == 201
    tally = _run(app, EIGHT + timedelta(minutes=1), inbox)
    assert (tally.dropped, tally.sent, inbox.messages) == (1, 0, [])
    assert [r.status for r in _rows(app)] == ["dropped"]


def test_reminders_turned_off_are_not_sent(app, inbox):
    patient = _patient(app, "off@example.org")
    _run(app, EIGHT - timedelta(minutes=20), inbox)
    assert patient.patch("/api/v1/reminders/settings", json={"enabled": False}).status_code == 200
    assert _run(app, EIGHT + timedelta(minutes=1), inbox).dropped == 1
    assert inbox.messages == []


def test_a_reminder_moved_by_new_settings_waits_for_its_new_time(app, inbox):
    patient = _patient(app, "moved@example.org")
    _run(app, EIGHT - timedelta(minutes=20), inbox)
    assert (
        patient.patch("/api/v1/reminders/settings", json={"daily_time": "10:00"}).status_code == 200
    )
    assert _run(app, EIGHT + timedelta(minutes=1), inbox).rescheduled == 1
    assert inbox.messages == []
    assert _run(app, EIGHT + timedelta(hours=2, minutes=1), inbox).sent == 1
    assert len(inbox.messages) == 1


def test_a_patient_without_email_reminders_gets_none_and_it_is_said(app, inbox):
    _patient(app, "push-only@example.org", by_email=False)
    tally = _run(app, EIGHT + timedelta(minutes=1), inbox)
    assert (tally.failed, inbox.messages) == (1, [])
    [row] = _rows(app)
    assert row.reason == "no channel chosen or set up"


def test_a_mail_server_that_is_down_fails_the_reminder_without_stopping(app, inbox):
    _patient(app, "down@example.org")
    down = MailSettings("127.0.0.1", free_port(), "none", None, None, "x@y.z", "http://h")
    with app.app_context(), Session(db.engine) as session:
        tally = worker.run_once(session, EIGHT + timedelta(minutes=1), "w1", [EmailChannel(down)])
    assert tally.failed == 1
    [row] = _rows(app)
    assert row.reason.startswith("email: the mail server did not take the message")


def test_two_workers_send_each_reminder_once(app, inbox):
    for n in range(12):
        _patient(app, f"crowd{n}@example.org")
    now = EIGHT + timedelta(minutes=1)
    tallies: list[worker.Tally] = []
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            tallies.append(_run(app, now, inbox, name))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(t.sent for t in tallies) == 12
    recipients = sorted(m["To"] for m in inbox.messages)
    assert recipients == sorted(f"crowd{n}@example.org" for n in range(12))  # once each
    assert {r.status for r in _rows(app)} == {"sent"}


def test_a_worker_killed_mid_send_loses_nothing_and_the_resend_is_counted(app, inbox):
    _patient(app, "crash@example.org")
    now = EIGHT + timedelta(minutes=1)
    with app.app_context(), Session(db.engine) as session:
        worker.plan(session, now)
        claimed = worker.claim(session, now, "dies")  # and then the worker is killed
    assert len(claimed) == 1
    soon = _run(app, now + timedelta(minutes=1), inbox, "w2")
    assert (soon.claimed, inbox.messages) == (0, [])  # its lease still holds
    later = _run(app, now + worker.LEASE + timedelta(minutes=1), inbox, "w2")
    assert (later.sent, later.resends) == (1, 1)
    assert len(inbox.messages) == 1
    [row] = _rows(app)
    assert (row.attempts, row.resends, row.claimed_by) == (2, 1, "w2")


def test_the_worker_command_runs_a_pass(app, inbox):
    _patient(app, "command@example.org", daily_time=None, before_session_minutes=None)
    result = app.test_cli_runner().invoke(args=["reminders-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "0 sent" in result.output


def test_a_worker_plans_every_ten_minutes_and_catches_a_time_set_just_before(app, inbox):
    passes = worker.Worker("w1", [EmailChannel(inbox.settings)])

    def run(now: datetime) -> worker.Tally:
        with app.app_context(), Session(db.engine) as session:
            return passes.run(session, now)

    patient = _patient(app, "paced@example.org", daily_time="09:00")
    assert run(EIGHT - timedelta(minutes=2)).planned == 0  # 07:58: plans; nothing before 08:28
    # At 08:04 the patient sets the daily time to 08:05.
    assert (
        patient.patch("/api/v1/reminders/settings", json={"daily_time": "08:05"}).status_code == 200
    )
    # 08:05:30: a pass that does not plan (the last was 7.5 minutes ago): nothing yet.
    quiet = run(EIGHT + timedelta(minutes=5, seconds=30))
    assert (quiet.planned, quiet.claimed, inbox.messages) == (0, 0, [])
    # 08:08: it plans again, back to 07:53, and sends the 08:05 reminder, 3 minutes late.
    late = run(EIGHT + timedelta(minutes=8))
    assert (late.planned, late.sent, late.late_seconds) == (1, 1, [180.0])
    assert run(EIGHT + timedelta(minutes=9)).claimed == 0
    assert [m["To"] for m in inbox.messages] == ["paced@example.org"]
