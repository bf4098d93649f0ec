"""Sending reminders, once each, from any number of workers.

Three steps, each its own short transaction, with the clock as a parameter:

1. **plan**: for every patient with reminders on, the reminders due in the next
   ``horizon`` become rows of ``reminder_deliveries``; ``(owner_id, key)`` is unique and the
   insert skips a row that exists, so planning again (by this worker or another) adds none.
2. **claim**: a worker takes a batch of rows that are due, marking them ``sending`` with its
   name and the time. On PostgreSQL the rows are read ``FOR UPDATE SKIP LOCKED``, so two
   workers never take the same row; SQLite has one writer at a time. A row left ``sending``
   past the lease (its worker died mid-send) is taken again, and counted in ``resends``.
3. **deliver**: the schedule is asked again for the claimed batch (one query a table), so a
   reminder whose check-in was logged since, or whose patient turned reminders off or
   left, is ``dropped``; one that
   moved (new settings) goes back to ``pending`` at its new time; the rest are sent on every
   channel the patient has, then marked ``sent``.

Chosen over a job library: the reminders are rows the app already owns, the database the
app already has serves as the queue on both SQLite and PostgreSQL, and a claim is one
documented statement; a broker would be a second thing for a clinic to run and back up.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..accounts.models import User
from ..db import DbSession
from ..mail import MailError
from ..records import owned_by
from . import service
from .models import ReminderDelivery, ReminderSettings
from .schedule import Reminder, Settings, due

ChannelError = MailError  # what a channel raises when its service refused a message
HORIZON = timedelta(minutes=30)
PLAN_EVERY = timedelta(minutes=10)  # a worker plans at most this often (passes are 30 s)
LEASE = timedelta(minutes=5)
BATCH = 100
PLAN_CHUNK = 1000  # patients planned with one query a table
RECHECK = timedelta(days=2)  # how far either side the schedule is asked again at send time


class Channel(Protocol):
    name: str

    def send(self, session: DbSession, user: User, settings: Settings, reminder: Reminder) -> bool:
        """Send ``reminder`` to ``user``; return whether it went out (False: not chosen,
        or no address on this channel)."""


@dataclass
class Tally:
    planned: int = 0
    claimed: int = 0
    sent: int = 0
    dropped: int = 0
    rescheduled: int = 0
    failed: int = 0
    resends: int = 0
    late_seconds: list[float] = field(default_factory=list)


def _insert_ignoring_existing(session: DbSession, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = make(ReminderDelivery).on_conflict_do_nothing(index_elements=["owner_id", "key"])
    result = session.execute(statement.returning(ReminderDelivery.id), rows)
    return len(result.all())


def plan(session: DbSession, now: datetime, horizon: timedelta = HORIZON) -> int:
    """Add the reminders due before ``now + horizon`` for every patient with reminders on,
    and those due since the last plan could have run (a setting changed just before its
    time); return how many rows were new. Reads a chunk of patients with one query a
    table. Commits."""
    start, end = now - PLAN_EVERY - LEASE, now + horizon
    # Plain rows (the account's id, zone and start, and the settings), not ORM objects:
    # planning reads every patient with reminders on.
    settings_columns = [getattr(ReminderSettings, name) for name in service.SETTING_NAMES]
    rows = session.execute(
        select(User.id, User.timezone, User.created_at, *settings_columns)
        .join(ReminderSettings, ReminderSettings.owner_id == User.id)
        .where(ReminderSettings.enabled.is_(True))
        .order_by(User.id)
    ).all()
    added = 0
    for first in range(0, len(rows), PLAN_CHUNK):
        chunk = rows[first : first + PLAN_CHUNK]
        journals = service.logged_many(session, chunk, start, end)
        new_rows = [
            {
                "id": uuid.uuid4(),
                "owner_id": user.id,
                "key": reminder.key,
                "kind": reminder.kind,
                "due_at": reminder.due_at,
                "status": "pending",
                "attempts": 0,
                "resends": 0,
            }
            for user in chunk
            for reminder in due(
                service.settings_of(user),
                ZoneInfo(user.timezone),
                journals[user.id],
                start,
                end,
            )
        ]
        added += _insert_ignoring_existing(session, new_rows)
    session.commit()
    return added


def claim(
    session: DbSession, now: datetime, worker: str, batch: int = BATCH, lease: timedelta = LEASE
) -> list[ReminderDelivery]:
    """Take up to ``batch`` due rows for ``worker``; commits the claim."""
    query = (
        select(ReminderDelivery)
        .where(
            or_(
                and_(ReminderDelivery.status == "pending", ReminderDelivery.due_at <= now),
                and_(
                    ReminderDelivery.status == "sending",
                    ReminderDelivery.claimed_at < now - lease,
                ),
            )
        )
        .order_by(ReminderDelivery.due_at, ReminderDelivery.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        if row.status == "sending":
            row.resends += 1  # its worker stopped mid-send; the push may have gone out
        row.status = "sending"
        row.claimed_at = now
        row.claimed_by = worker
        row.attempts += 1
    session.commit()
    return rows


def _asked_again(
    session: DbSession, rows: Sequence[ReminderDelivery], now: datetime
) -> dict[uuid.UUID, tuple[User | None, Settings, dict[str, Reminder]]]:
    """For each owner in ``rows``: the account, settings and the reminders the schedule
    gives now around those rows' times, read with one query a table for the batch."""
    owners = sorted({row.owner_id for row in rows})
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(owners)))}
    settings = {
        r.owner_id: service.settings_of(r)
        for r in session.scalars(
            select(ReminderSettings).where(*owned_by(ReminderSettings, owners))
        )
    }
    start = min(row.due_at for row in rows) - RECHECK
    end = max(now, max(row.due_at for row in rows)) + RECHECK
    journals = service.logged_many(session, list(users.values()), start, end)
    found: dict[uuid.UUID, tuple[User | None, Settings, dict[str, Reminder]]] = {}
    for owner in owners:
        user, chosen = users.get(owner), settings.get(owner, service.DEFAULTS)
        current = (
            {r.key: r for r in due(chosen, ZoneInfo(user.timezone), journals[owner], start, end)}
            if user is not None
            else {}
        )
        found[owner] = (user, chosen, current)
    return found


def deliver(
    session: DbSession,
    row: ReminderDelivery,
    now: datetime,
    channels: Sequence[Channel],
    asked: tuple[User | None, Settings, dict[str, Reminder]],
) -> str:
    """Send one claimed row on every channel, or drop or move it, by what the schedule
    says now (``asked``); return its new status. Commits."""
    user, settings, current = asked
    reminder = current.get(row.key)
    if reminder is None:
        row.status, row.reason = "dropped", "logged already, or reminders turned off"
    elif reminder.due_at > now:
        row.status, row.due_at, row.claimed_at = "pending", reminder.due_at, None
        row.reason = "moved by new settings"
    else:
        sent, refused = _send(session, user, settings, reminder, channels)
        row.channels = ",".join(sent) or None
        row.status = "sent" if sent else "failed"
        row.reason = None if sent else ("; ".join(refused) or "no channel chosen or set up")
        row.sent_at = now
    session.commit()
    return row.status


def _send(
    session: DbSession,
    user: User | None,
    settings: Settings,
    reminder: Reminder,
    channels: Sequence[Channel],
) -> tuple[list[str], list[str]]:
    """Send on every channel; return those it went out on and why others refused."""
    sent: list[str] = []
    refused: list[str] = []
    if user is None:
        return sent, ["the account is gone"]
    for channel in channels:
        try:
            if channel.send(session, user, settings, reminder):
                sent.append(channel.name)
        except ChannelError as exc:
            refused.append(f"{channel.name}: {exc}"[:100])
    return sent, refused


def run_once(
    session: DbSession,
    now: datetime,
    worker: str,
    channels: Sequence[Channel],
    planning: bool = True,
) -> Tally:
    """Plan (unless told not to), then claim and deliver until nothing is due; one pass."""
    tally = Tally(planned=plan(session, now) if planning else 0)
    while rows := claim(session, now, worker):
        tally.claimed += len(rows)
        asked = _asked_again(session, rows, now)
        for row in rows:
            tally.resends += row.resends
            due_at = row.due_at
            status = deliver(session, row, now, channels, asked[row.owner_id])
            if status == "sent":
                tally.sent += 1
                tally.late_seconds.append((now - due_at).total_seconds())
            elif status == "pending":
                tally.rescheduled += 1
            else:
                setattr(tally, status, getattr(tally, status) + 1)
    return tally


@dataclass
class Worker:
    """A worker's passes: each claims and delivers what is due; every ``PLAN_EVERY`` one
    also plans (planning reads every patient with reminders on; delivery only what is due).
    The horizon is three times that, so a reminder is planned well before its time."""

    name: str
    channels: Sequence[Channel]
    planned_at: datetime | None = None

    def run(self, session: DbSession, now: datetime) -> Tally:
        planning = self.planned_at is None or now - self.planned_at >= PLAN_EVERY
        if planning:
            self.planned_at = now
        return run_once(session, now, self.name, self.channels, planning)
