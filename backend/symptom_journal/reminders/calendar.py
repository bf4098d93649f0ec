"""The calendar feed (RFC 5545, with ``icalendar``): each treatment session, with alarms for
the check-ins before and after it, and the next morning's check-in.

A calendar app keeps its copy wherever it syncs, so an event holds no health data: no
treatment type, dose, clinic or note, only "Treatment session" and what to log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from .schedule import TEXTS, Settings, at_local

PRODUCT_ID = "-//Symptom Journal//Reminders//EN"
DEFAULT_MINUTES = 60  # a session recorded without its length


def _alarm(trigger: timedelta, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", trigger)  # relative to the event's start
    return alarm


def _session_event(session: Any, settings: Settings, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"session-{session.id}@symptom-journal")
    event.add("dtstamp", now)
    event.add("dtstart", session.started_at)
    event.add("duration", timedelta(minutes=session.duration_minutes or DEFAULT_MINUTES))
    event.add("summary", "Treatment session")
    event.add("description", "Symptom Journal: log how you feel before and after.")
    if settings.before_session_minutes is not None:
        before = timedelta(minutes=-settings.before_session_minutes)
        event.add_component(_alarm(before, TEXTS["before_session"]))
    if settings.after_session_minutes is not None:
        after = timedelta(minutes=settings.after_session_minutes)
        event.add_component(_alarm(after, TEXTS["after_session"]))
    return event


def _morning_event(session: Any, settings: Settings, zone: ZoneInfo, now: datetime) -> Event:
    day = session.started_at.astimezone(zone).date() + timedelta(days=1)
    event = Event()
    event.add("uid", f"morning-after-{session.id}@symptom-journal")
    event.add("dtstamp", now)
    event.add("dtstart", at_local(day, settings.morning, zone))
    event.add("duration", timedelta(minutes=15))
    event.add("summary", "Check-in after yesterday's session")
    event.add("description", TEXTS["next_morning"])
    event.add_component(_alarm(timedelta(0), TEXTS["next_morning"]))
    return event


def feed(sessions: list[Any], settings: Settings, zone: ZoneInfo, now: datetime) -> bytes:
    """The feed of ``sessions`` as an iCalendar document."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Symptom Journal sessions")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for session in sessions:
        calendar.add_component(_session_event(session, settings, now))
        if settings.next_morning:
            calendar.add_component(_morning_event(session, settings, zone, now))
    return calendar.to_ical()
