"""Reminder settings, what the patient has logged, the upcoming reminders and the calendar
feed's secret. Services take the session; every query of patient data goes through
``owned``."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, timedelta
from typing import Any, Protocol
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


class Account(Protocol):
    """What reminders need of an account: a ``User`` or a row with these columns."""

    id: uuid.UUID
    timezone: str
    created_at: datetime


def settings_of(row: Any) -> Settings:
    """The settings of a ``ReminderSettings`` row (or a row with its columns)."""
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


def logged(
    session: DbSession, user: User, start: datetime, end: datetime, settings: Settings
) -> Logged:
    """What ``user`` has logged that bears on reminders due in ``[start, end)``."""
    return logged_many(session, [user], start, end)[user.id]


def logged_many(
    session: DbSession, users: Sequence[Account], start: datetime, end: datetime
) -> dict[uuid.UUID, Logged]:
    """What each of ``users`` (account rows: their time zone and first day) has logged that
    bears on reminders due in ``[start, end)``: one query a table for all of them."""
    owners = [user.id for user in users]
    # A session's after and next-morning reminders come up to two days after its start;
    # its before reminder at most 12 hours ahead of it.
    sessions: dict[uuid.UUID, list[Session]] = {owner: [] for owner in owners}
    query = (
        select(TreatmentSession.owner_id, TreatmentSession.id, TreatmentSession.started_at)
        .where(
            *owned_by(TreatmentSession, owners),
            TreatmentSession.started_at >= start - timedelta(days=2),
            TreatmentSession.started_at < end + timedelta(hours=12),
        )
        .order_by(TreatmentSession.started_at, TreatmentSession.id)
    )
    for owner, session_id, started_at in session.execute(query):
        if len(sessions[owner]) < MAX_SESSIONS:
            sessions[owner].append(Session(session_id, started_at))
    ids = [s.id for found in sessions.values() for s in found]
    phases: dict[tuple[uuid.UUID, str], set[uuid.UUID]] = {}
    if ids:
        linked = select(Entry.owner_id, Entry.session_id, Entry.phase).where(
            *owned_by(Entry, owners), Entry.session_id.in_(ids), Entry.phase.is_not(None)
        )
        for owner, linked_id, phase in session.execute(linked):
            if linked_id is not None:
                phases.setdefault((owner, str(phase)), set()).add(linked_id)
    days: dict[uuid.UUID, set[date]] = {}
    days_query = (
        select(Entry.owner_id, Entry.local_date)
        .where(
            *owned_by(Entry, owners),
            Entry.local_date >= start.date() - timedelta(days=2),
            Entry.local_date <= end.date() + timedelta(days=2),
        )
        .distinct()
    )
    for owner, day in session.execute(days_query):
        days.setdefault(owner, set()).add(day)
    last: dict[uuid.UUID, dict[str, date]] = {}
    last_query = (
        select(Assessment.owner_id, Assessment.instrument, func.max(Assessment.local_date))
        .where(*owned_by(Assessment, owners))
        .group_by(Assessment.owner_id, Assessment.instrument)
    )
    for owner, instrument, day in session.execute(last_query):
        last.setdefault(owner, {})[str(instrument)] = day
    return {
        user.id: Logged(
            sessions=tuple(sessions[user.id]),
            pre=frozenset(phases.get((user.id, "pre"), ())),
            post=frozenset(phases.get((user.id, "post"), ())),
            days=frozenset(days.get(user.id, ())),
            last_completed=last.get(user.id, {}),
            first_day=user.created_at.astimezone(ZoneInfo(user.timezone)).date(),
        )
        for user in users
    }


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
