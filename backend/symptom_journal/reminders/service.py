"""Reminder settings, what the patient has logged, the upcoming reminders and the calendar
feed's secret. Services take the session; every query of patient data goes through
``owned``."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from ..accounts.models import User
from ..assessments.models import Assessment
from ..db import DbSession, utcnow
from ..journal.models import Entry, TreatmentSession
from ..records import owned, owned_by
from ..sharing.service import digest
from .models import ReminderSettings
from .schedule import Logged, Reminder, Session, Settings, due

SETTING_NAMES = tuple(f.name for f in dataclass_fields(Settings))
DEFAULTS = Settings()
MAX_SESSIONS = 500  # sessions a window or a calendar feed reads at most
MAX_UPCOMING = 200
CALENDAR_PAST_DAYS = 30
CALENDAR_AHEAD_DAYS = 365


def _settings_row(owner_id: uuid.UUID) -> Select[Any]:
    return select(ReminderSettings).where(*owned_by(ReminderSettings, owner_id))


def settings_of(row: ReminderSettings | None) -> Settings:
    if row is None:
        return DEFAULTS
    return Settings(**{name: getattr(row, name) for name in SETTING_NAMES})


def load_settings(session: DbSession, owner_id: uuid.UUID) -> Settings:
    return settings_of(session.scalar(_settings_row(owner_id)))


def save_settings(session: DbSession, owner_id: uuid.UUID, values: dict[str, Any]) -> Settings:
    """Replace the owner's settings with ``values`` (every setting; validated by the schema)."""
    row = session.scalar(_settings_row(owner_id))
    if row is None:
        row = ReminderSettings(owner_id=owner_id)
        session.add(row)
    for name in SETTING_NAMES:
        setattr(row, name, values[name])
    row.updated_at = utcnow()
    session.flush()
    return settings_of(row)


def _sessions(
    session: DbSession, owner_id: uuid.UUID, start: datetime, end: datetime
) -> tuple[Session, ...]:
    query = (
        owned(TreatmentSession, owner_id)
        .where(TreatmentSession.started_at >= start, TreatmentSession.started_at < end)
        .order_by(TreatmentSession.started_at, TreatmentSession.id)
        .limit(MAX_SESSIONS)
    )
    return tuple(Session(s.id, s.started_at) for s in session.scalars(query))


def logged(
    session: DbSession, user: User, start: datetime, end: datetime, settings: Settings
) -> Logged:
    # ``user`` is the account's row: its time zone and the day it was made.
    """What ``user`` has logged that bears on reminders due in ``[start, end)``."""
    before = timedelta(minutes=settings.before_session_minutes or 0)
    # A session's after and next-morning reminders come up to two days after its start.
    sessions = _sessions(session, user.id, start - timedelta(days=2), end + before)
    ids = [s.id for s in sessions]
    phases: dict[str, set[uuid.UUID]] = {"pre": set(), "post": set()}
    if ids:
        linked = owned(Entry, user.id).where(Entry.session_id.in_(ids), Entry.phase.is_not(None))
        for entry in session.scalars(linked):
            phases[str(entry.phase)].add(entry.session_id)
    first = start.date() - timedelta(days=2)
    days_query = (
        owned(Entry, user.id)
        .where(Entry.local_date >= first, Entry.local_date <= end.date() + timedelta(days=2))
        .with_only_columns(Entry.local_date)
        .distinct()
    )
    last_query = (
        owned(Assessment, user.id)
        .with_only_columns(Assessment.instrument, func.max(Assessment.local_date))
        .group_by(Assessment.instrument)
    )
    zone = ZoneInfo(user.timezone)
    return Logged(
        sessions=sessions,
        pre=frozenset(phases["pre"]),
        post=frozenset(phases["post"]),
        days=frozenset(session.scalars(days_query)),
        last_completed={str(name): day for name, day in session.execute(last_query)},
        first_day=user.created_at.astimezone(zone).date(),
    )


def upcoming(session: DbSession, owner_id: uuid.UUID, now: datetime, days: int) -> list[Reminder]:
    """The reminders due for the owner from ``now`` for ``days`` days, in time order."""
    user = session.get(User, owner_id)
    if user is None:
        return []
    settings = load_settings(session, user.id)
    end = now + timedelta(days=days)
    journal = logged(session, user, now, end, settings)
    return due(settings, ZoneInfo(user.timezone), journal, now, end)[:MAX_UPCOMING]


# --- the calendar feed ---


def new_calendar_token(session: DbSession, owner_id: uuid.UUID) -> str:
    """Make the calendar feed's secret (256 random bits), ending any earlier one."""
    row = session.scalar(_settings_row(owner_id))
    if row is None:
        row = ReminderSettings(
            owner_id=owner_id, **{name: getattr(DEFAULTS, name) for name in SETTING_NAMES}
        )
        session.add(row)
    token = secrets.token_urlsafe(32)
    row.calendar_token_hash = digest(token)
    row.updated_at = utcnow()
    session.flush()
    return token


def revoke_calendar_token(session: DbSession, owner_id: uuid.UUID) -> bool:
    row = session.scalar(_settings_row(owner_id))
    if row is None or row.calendar_token_hash is None:
        return False
    row.calendar_token_hash = None
    row.updated_at = utcnow()
    return True


def calendar_owner(session: DbSession, token: str) -> tuple[User, Settings] | None:
    """The patient whose calendar feed ``token`` opens, with their settings; None if none."""
    row = session.scalar(
        select(ReminderSettings).where(ReminderSettings.calendar_token_hash == digest(token))
    )
    if row is None:
        return None
    user = session.get(User, row.owner_id)
    return (user, settings_of(row)) if user is not None else None


def calendar_sessions(session: DbSession, owner_id: uuid.UUID, now: datetime) -> list[Any]:
    """The owner's sessions from a month ago to a year ahead, for the feed."""
    query = (
        owned(TreatmentSession, owner_id)
        .where(
            TreatmentSession.started_at >= now - timedelta(days=CALENDAR_PAST_DAYS),
            TreatmentSession.started_at < now + timedelta(days=CALENDAR_AHEAD_DAYS),
        )
        .order_by(TreatmentSession.started_at, TreatmentSession.id)
        .limit(MAX_SESSIONS)
    )
    return list(session.scalars(query))
