"""The reminder schedule, worked by hand in New York (UTC-5 in winter, UTC-4 from 8 March
2026 to 1 November 2026)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from symptom_journal.reminders.schedule import Logged, Session, Settings, due

NY = ZoneInfo("America/New_York")
ON = Settings(enabled=True, questionnaire_every_days=None)
SESSION = uuid.UUID("00000000-0000-4000-8000-000000000001")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def when(reminders):
    return [(r.kind, r.due_at.isoformat()) for r in reminders]


def test_nothing_is_due_until_reminders_are_turned_on():
    planned = Logged(sessions=(Session(SESSION, utc("2026-03-12T14:00:00")),))
    assert due(Settings(), NY, planned, utc("2026-03-01T00:00"), utc("2026-04-01T00:00")) == []


def test_the_daily_time_holds_across_the_spring_change():
    settings = Settings(enabled=True, daily_time=time(20, 0), questionnaire_every_days=None)
    found = due(settings, NY, Logged(), utc("2026-03-07T12:00"), utc("2026-03-09T12:00"))
    assert when(found) == [
        ("daily", "2026-03-08T01:00:00+00:00"),  # 7 March, 20:00 EST (UTC-5)
        ("daily", "2026-03-09T00:00:00+00:00"),  # 8 March, 20:00 EDT (UTC-4)
    ]
    assert [r.key for r in found] == ["daily:2026-03-07", "daily:2026-03-08"]


def test_a_skipped_time_comes_after_the_change_and_a_repeated_one_once():
    spring = Settings(enabled=True, daily_time=time(2, 30), questionnaire_every_days=None)
    found = due(spring, NY, Logged(), utc("2026-03-08T00:00"), utc("2026-03-08T12:00"))
    assert when(found) == [("daily", "2026-03-08T07:30:00+00:00")]  # 03:30 EDT
    autumn = Settings(enabled=True, daily_time=time(1, 30), questionnaire_every_days=None)
    found = due(autumn, NY, Logged(), utc("2026-11-01T00:00"), utc("2026-11-01T12:00"))
    assert when(found) == [("daily", "2026-11-01T05:30:00+00:00")]  # the first 01:30 (EDT)


def test_a_planned_session_brings_before_after_and_next_morning():
    planned = Logged(sessions=(Session(SESSION, utc("2026-03-12T14:00:00")),))  # 10:00 EDT
    found = due(ON, NY, planned, utc("2026-03-12T00:00"), utc("2026-03-14T00:00"))
    assert when(found) == [
        ("before_session", "2026-03-12T13:00:00+00:00"),  # 60 minutes before
        ("after_session", "2026-03-12T16:00:00+00:00"),  # 2 hours after the start
        ("next_morning", "2026-03-13T13:00:00+00:00"),  # 09:00 EDT the next day
    ]
    assert {r.session_id for r in found} == {SESSION}
    assert found[0].text == "Log how you feel before your session."
    assert found[2].text == "How are you after yesterday's session?"


def test_what_is_already_logged_is_not_asked_for():
    logged = Logged(
        sessions=(Session(SESSION, utc("2026-03-12T14:00:00")),),
        pre=frozenset({SESSION}),
        post=frozenset({SESSION}),
        days=frozenset({date(2026, 3, 13)}),
    )
    assert due(ON, NY, logged, utc("2026-03-12T00:00"), utc("2026-03-14T00:00")) == []


def test_quiet_hours_move_the_after_session_reminder_to_the_morning_once():
    quiet = Settings(
        enabled=True,
        quiet_start=time(22, 0),
        quiet_end=time(8, 0),
        questionnaire_every_days=None,
    )
    evening = Logged(sessions=(Session(SESSION, utc("2026-03-13T01:00:00")),))  # 12 Mar 21:00
    found = due(quiet, NY, evening, utc("2026-03-12T00:00"), utc("2026-03-15T00:00"))
    assert when(found) == [
        ("before_session", "2026-03-13T00:00:00+00:00"),  # 20:00, before quiet hours anyway
        ("after_session", "2026-03-13T12:00:00+00:00"),  # 23:00 moved to 08:00 EDT
    ]


def test_before_session_is_not_moved_by_quiet_hours():
    quiet = Settings(
        enabled=True,
        quiet_start=time(22, 0),
        quiet_end=time(8, 0),
        next_morning=False,
        after_session_minutes=None,
        questionnaire_every_days=None,
    )
    early = Logged(sessions=(Session(SESSION, utc("2026-03-12T11:30:00")),))  # 07:30 EDT
    found = due(quiet, NY, early, utc("2026-03-12T00:00"), utc("2026-03-13T00:00"))
    assert when(found) == [("before_session", "2026-03-12T10:30:00+00:00")]  # 06:30 EDT


def test_the_next_morning_replaces_that_days_daily_reminder():
    settings = Settings(
        enabled=True,
        daily_time=time(8, 0),
        questionnaire_every_days=None,
        before_session_minutes=None,
        after_session_minutes=None,
    )
    planned = Logged(sessions=(Session(SESSION, utc("2026-03-12T14:00:00")),))
    found = due(settings, NY, planned, utc("2026-03-12T13:00"), utc("2026-03-14T13:00"))
    assert when(found) == [
        ("next_morning", "2026-03-13T12:00:00+00:00"),  # 13 March 08:00 EDT, the daily time
        ("daily", "2026-03-14T12:00:00+00:00"),
    ]


def test_questionnaires_every_14_days_after_the_last_and_one_reminder_a_day():
    settings = Settings(
        enabled=True,
        questionnaire_every_days=14,
        include_pcl5=True,
        before_session_minutes=None,
        after_session_minutes=None,
    )
    logged = Logged(
        last_completed={"phq9": date(2026, 3, 1), "gad7": date(2026, 3, 1)},
        first_day=date(2026, 2, 1),
    )
    found = due(settings, NY, logged, utc("2026-03-10T15:00"), utc("2026-03-20T00:00"))
    assert when(found) == [
        ("questionnaires", "2026-03-11T13:00:00+00:00"),  # PCL-5 never done: next morning
        ("questionnaires", "2026-03-15T13:00:00+00:00"),  # PHQ-9 and GAD-7: 1 March + 14
    ]
    assert [r.instruments for r in found] == [("pcl5",), ("phq9", "gad7")]
    assert [r.key for r in found] == ["questionnaires:2026-02-01", "questionnaires:2026-03-15"]
    # Planned later, the overdue one moves to the next morning under the same name, so it is
    # sent once; planned after PHQ-9 and GAD-7 fall due too, the names still hold.
    later = due(settings, NY, logged, utc("2026-03-11T15:00"), utc("2026-03-13T00:00"))
    assert [(r.key, r.due_at) for r in later] == [
        ("questionnaires:2026-02-01", utc("2026-03-12T13:00"))
    ]
    latest = due(settings, NY, logged, utc("2026-03-15T14:00"), utc("2026-03-17T00:00"))
    assert [(r.key, r.instruments) for r in latest] == [
        ("questionnaires:2026-02-01", ("pcl5",)),
        ("questionnaires:2026-03-15", ("phq9", "gad7")),
    ]


def test_the_window_includes_its_start_and_not_its_end():
    settings = Settings(enabled=True, daily_time=time(9, 0), questionnaire_every_days=None)
    nine = utc("2026-03-12T13:00")  # 09:00 EDT
    starting = due(settings, NY, Logged(), nine, nine + timedelta(days=1))
    assert [r.due_at for r in starting] == [nine]
    ending = due(settings, NY, Logged(), nine - timedelta(days=1), nine)
    assert [r.due_at for r in ending] == [nine - timedelta(days=1)]
