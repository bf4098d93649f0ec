"""When the journal reminds a patient: plain functions of the settings, the patient's time
zone, what is already logged and a window of time (the clock is a parameter).

- **daily**: at the daily time, on each local day with no check-in yet (off by default);
- **before_session**: a set time before a planned session, unless its ``pre`` entry exists;
  quiet hours do not move it (the patient is up for the session);
- **after_session**: a set time after a session's start, unless its ``post`` entry exists;
- **next_morning**: the morning after a session, at the daily time (09:00 when the daily
  reminder is off), unless that day already has a check-in; it replaces that day's daily one;
- **questionnaires**: PHQ-9 and GAD-7 (and PCL-5 when chosen) every N days after the last
  one completed, in the morning; one reminder for those due the same day, once (an overdue
  one the next morning to come).

A reminder that falls in quiet hours (other than ``before_session``) moves to their end.
Local times are turned into instants with the zone's rules, so they hold across
daylight-saving changes: a time the clocks skip happens at the same distance after the
change (02:30 on a spring-forward night is 03:30), and a time they repeat happens once,
the first time. Each reminder has a ``key`` naming what it is for, the same however often
the schedule is computed, so that it is sent once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MORNING = time(9, 0)  # the next-morning and questionnaire time when no daily time is set
KINDS = ("daily", "before_session", "after_session", "next_morning", "questionnaires")
TEXTS = {
    "daily": "Time for your check-in.",
    "before_session": "Log how you feel before your session.",
    "after_session": "How are you after your session? Log it now.",
    "next_morning": "How are you after yesterday's session?",
    "questionnaires": "Time for your questionnaires.",
}
INSTRUMENTS = ("phq9", "gad7")


@dataclass(frozen=True)
class Settings:
    """A patient's reminder settings (defaults: reminders off until asked for)."""

    enabled: bool = False
    daily_time: time | None = None
    before_session_minutes: int | None = 60
    after_session_minutes: int | None = 120
    next_morning: bool = True
    questionnaire_every_days: int | None = 14
    include_pcl5: bool = False
    quiet_start: time | None = None
    quiet_end: time | None = None
    by_email: bool = False  # the second channel, besides the phone's notifications

    @property
    def morning(self) -> time:
        return self.daily_time or MORNING

    @property
    def instruments(self) -> tuple[str, ...]:
        return (*INSTRUMENTS, "pcl5") if self.include_pcl5 else INSTRUMENTS


@dataclass(frozen=True)
class Session:
    id: uuid.UUID
    started_at: datetime


@dataclass(frozen=True)
class Logged:
    """What the patient has already logged, as far as reminders care."""

    sessions: tuple[Session, ...] = ()
    pre: frozenset[uuid.UUID] = frozenset()
    post: frozenset[uuid.UUID] = frozenset()
    days: frozenset[date] = frozenset()  # local days with a check-in
    last_completed: dict[str, date] = field(default_factory=dict)  # instrument -> local day
    first_day: date | None = None  # the account's first local day


@dataclass(frozen=True)
class Reminder:
    kind: str
    due_at: datetime  # UTC
    key: str
    session_id: uuid.UUID | None = None
    instruments: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return TEXTS[self.kind]


def at_local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of a local day and time in ``zone``."""
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def _local_days(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _in_quiet(moment: datetime, settings: Settings, zone: ZoneInfo) -> bool:
    begin, finish = settings.quiet_start, settings.quiet_end
    if begin is None or finish is None or begin == finish:
        return False
    local = moment.astimezone(zone).time()
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish  # over midnight


def _after_quiet(moment: datetime, settings: Settings, zone: ZoneInfo) -> datetime:
    """Move ``moment`` to the end of quiet hours when it falls inside them."""
    if settings.quiet_end is None or not _in_quiet(moment, settings, zone):
        return moment
    local = moment.astimezone(zone)
    day = local.date()
    if local.time() >= settings.quiet_end:
        day += timedelta(days=1)
    return at_local(day, settings.quiet_end, zone)


def _session_reminders(settings: Settings, zone: ZoneInfo, logged: Logged) -> Iterator[Reminder]:
    for session in logged.sessions:
        if settings.before_session_minutes is not None and session.id not in logged.pre:
            yield Reminder(
                "before_session",
                session.started_at - timedelta(minutes=settings.before_session_minutes),
                f"before_session:{session.id}",
                session.id,
            )
        next_day = session.started_at.astimezone(zone).date() + timedelta(days=1)
        after_moved_to_next_day = False
        if settings.after_session_minutes is not None and session.id not in logged.post:
            after = session.started_at + timedelta(minutes=settings.after_session_minutes)
            moved = _after_quiet(after, settings, zone)
            after_moved_to_next_day = moved != after and moved.astimezone(zone).date() == next_day
            yield Reminder("after_session", moved, f"after_session:{session.id}", session.id)
        # One question the next morning, not two: an after-session reminder that quiet hours
        # moved there stands for it.
        if settings.next_morning and next_day not in logged.days and not after_moved_to_next_day:
            yield Reminder(
                "next_morning",
                _after_quiet(at_local(next_day, settings.morning, zone), settings, zone),
                f"next_morning:{session.id}",
                session.id,
            )


def _questionnaire_reminders(
    settings: Settings, zone: ZoneInfo, logged: Logged, start: datetime
) -> Iterator[Reminder]:
    every = settings.questionnaire_every_days
    if every is None:
        return
    today = start.astimezone(zone).date()
    # One reminder for the instruments due the same day, named by that day: the name stays
    # the same however late it is planned and whatever else is due by then, so it goes
    # out once. An overdue one is asked for at the next morning to come.
    by_due_day: dict[date, list[str]] = {}
    for instrument in settings.instruments:
        last = logged.last_completed.get(instrument)
        due_day = last + timedelta(days=every) if last else (logged.first_day or today)
        by_due_day.setdefault(due_day, []).append(instrument)
    for due_day, instruments in sorted(by_due_day.items()):
        day = max(due_day, today)
        if at_local(day, settings.morning, zone) < start:
            day += timedelta(days=1)
        moment = _after_quiet(at_local(day, settings.morning, zone), settings, zone)
        yield Reminder(
            "questionnaires", moment, f"questionnaires:{due_day}", instruments=tuple(instruments)
        )


def due(
    settings: Settings, zone: ZoneInfo, logged: Logged, start: datetime, end: datetime
) -> list[Reminder]:
    """The reminders due in ``[start, end)``, in time order; none when reminders are off."""
    if not settings.enabled:
        return []
    found = list(_session_reminders(settings, zone, logged))
    mornings = {r.due_at.astimezone(zone).date() for r in found if r.kind == "next_morning"}
    if settings.daily_time is not None:
        for day in _local_days(start, end, zone):
            if day in logged.days or day in mornings:
                continue
            moment = _after_quiet(at_local(day, settings.daily_time, zone), settings, zone)
            found.append(Reminder("daily", moment, f"daily:{day}"))
    found.extend(_questionnaire_reminders(settings, zone, logged, start))
    return sorted(_within(found, start, end), key=lambda r: (r.due_at, KINDS.index(r.kind)))


def _within(reminders: Iterable[Reminder], start: datetime, end: datetime) -> Iterator[Reminder]:
    seen: set[str] = set()
    for reminder in reminders:
        if start <= reminder.due_at < end and reminder.key not in seen:
            seen.add(reminder.key)
            yield reminder
