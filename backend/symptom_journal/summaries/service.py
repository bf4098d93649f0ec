"""Assembling a patient's summary from the database: aggregates in SQL, statistics in stats.py.

No ORM object is built per entry: the journal arrives as one row per day from the per-day
table the database keeps up to date (journal/days.py), and the few per-record reads
(sessions, assessments, high blood pressure) are plain tuples.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from itertools import compress
from typing import Any

from sqlalchemy import String, func, or_, type_coerce

from ..assessments.models import Assessment
from ..db import DbSession
from ..journal.days import EntryDay
from ..journal.models import Entry, TreatmentSession
from ..records import at_offset, owned
from .stats import (
    MEASURES,
    AssessmentPoint,
    BpReading,
    Journal,
    Period,
    Series,
    SessionPoint,
    Settings,
    summarize,
)

MAX_YEARS = 10
DEFAULT_DAYS = 90


def period_problems(
    start: date | None, end: date | None, today: date
) -> tuple[Period, dict[str, list[str]]]:
    """Return the period asked for (defaults: the 90 days up to today) and its problems."""
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    problems: dict[str, list[str]] = {}
    if start > end:
        problems["from"] = ["Must not be after 'to'."]
    else:
        try:
            limit = end.replace(year=end.year - MAX_YEARS)
        except ValueError:  # 29 February
            limit = end.replace(year=end.year - MAX_YEARS, day=28)
        if start < limit:
            problems["from"] = [f"The period may be at most {MAX_YEARS} years long."]
    return Period(start, end), problems


def _in_period(model: Any, owner_id: uuid.UUID, period: Period) -> Any:
    return owned(model, owner_id).where(model.local_date.between(period.start, period.end))


def load_journal(session: DbSession, owner_id: uuid.UUID, period: Period) -> Journal:
    """Return the owner's entries in the period reduced per day, read from the per-day rows
    the database keeps (journal/days.py): one row per day, and one aggregate for each
    measure's extremes."""
    per_day: list[Any] = [type_coerce(EntryDay.local_date, String()), EntryDay.entries]
    extremes: list[Any] = []
    for name in MEASURES:
        per_day += [getattr(EntryDay, f"{name}_n"), getattr(EntryDay, f"{name}_sum")]
        extremes += [
            func.min(getattr(EntryDay, f"{name}_min")),
            func.max(getattr(EntryDay, f"{name}_max")),
        ]
    days_in_period = _in_period(EntryDay, owner_id, period)
    # Core execution, and the driver's own tuples: no column here needs SQLAlchemy's result
    # processing (the day comes as text on SQLite), and a Row object per day cost as much as
    # the read itself.
    connection = session.connection()
    result = connection.execute(
        days_in_period.with_only_columns(*per_day).order_by(EntryDay.local_date)
    )
    rows = result.cursor.fetchall()
    result.close()
    if not rows:
        return Journal([], {})
    lows_highs = connection.execute(days_in_period.with_only_columns(*extremes)).one()
    columns = list(zip(*rows, strict=True))
    # The day comes as text on SQLite: parsing it here is cheaper than SQLAlchemy's Date type.
    days = [day if isinstance(day, date) else date.fromisoformat(day) for day in columns[0]]
    series = {}
    for index, name in enumerate(MEASURES):
        counts, sums = columns[2 + 2 * index], columns[3 + 2 * index]
        if all(counts):  # a measure recorded every day with entries: the columns as they are
            picked_days, picked_counts, picked_sums = days, list(counts), list(sums)
        elif any(counts):
            picked_days = list(compress(days, counts))
            picked_counts = list(compress(counts, counts))
            picked_sums = list(compress(sums, counts))
        else:
            continue
        series[name] = Series(
            days=picked_days,
            counts=picked_counts,
            sums=picked_sums,
            low=float(lows_highs[2 * index]),
            high=float(lows_highs[2 * index + 1]),
        )
    return Journal(list(zip(days, columns[1], strict=True)), series)


def load_sessions(session: DbSession, owner_id: uuid.UUID, period: Period) -> list[SessionPoint]:
    """Return the owner's treatment sessions that start in the period."""
    query = _in_period(TreatmentSession, owner_id, period).with_only_columns(
        TreatmentSession.id,
        TreatmentSession.started_at,
        TreatmentSession.utc_offset,
        TreatmentSession.treatment,
    )
    return [
        SessionPoint(str(row.id), at_offset(row.started_at, row.utc_offset), row.treatment)
        for row in session.execute(query)
    ]


def load_links(
    session: DbSession, owner_id: uuid.UUID, session_ids: list[str]
) -> dict[tuple[str, str], dict[str, float]]:
    """Return the means of each measure over the entries linked to each session, by phase."""
    if not session_ids:
        return {}
    columns: list[Any] = [Entry.session_id, Entry.phase]
    for name in MEASURES:
        column = getattr(Entry, name)
        columns += [func.count(column), func.sum(column)]
    query = (
        owned(Entry, owner_id)
        .where(Entry.session_id.in_([uuid.UUID(i) for i in session_ids]))
        .with_only_columns(*columns)
        .group_by(Entry.session_id, Entry.phase)
    )
    links: dict[tuple[str, str], dict[str, float]] = {}
    for row in session.execute(query):
        means = {}
        for index, name in enumerate(MEASURES):
            count, total = row[2 + 2 * index], row[3 + 2 * index]
            if count:
                means[name] = float(total) / count
        links[(str(row[0]), row[1])] = means
    return links


def load_assessments(
    session: DbSession, owner_id: uuid.UUID, period: Period
) -> list[AssessmentPoint]:
    """Return the owner's assessments completed in the period."""
    query = _in_period(Assessment, owner_id, period).with_only_columns(
        Assessment.id,
        Assessment.instrument,
        Assessment.completed_at,
        Assessment.utc_offset,
        Assessment.total,
        Assessment.suicidal_item,
    )
    return [
        AssessmentPoint(
            str(row.id),
            row.instrument,
            at_offset(row.completed_at, row.utc_offset),
            row.total,
            row.suicidal_item,
        )
        for row in session.execute(query)
    ]


def load_high_bp(
    session: DbSession, owner_id: uuid.UUID, period: Period, settings: Settings
) -> list[BpReading]:
    """Return the owner's readings in the period at or above an alert threshold."""
    query = (
        _in_period(Entry, owner_id, period)
        .where(
            or_(
                Entry.systolic >= settings.bp_alert_systolic,
                Entry.diastolic >= settings.bp_alert_diastolic,
            )
        )
        .with_only_columns(Entry.recorded_at, Entry.utc_offset, Entry.systolic, Entry.diastolic)
    )
    return [
        BpReading(at_offset(row.recorded_at, row.utc_offset), row.systolic, row.diastolic)
        for row in session.execute(query)
    ]


def _any_high_bp(journal: Journal, settings: Settings) -> bool:
    systolic, diastolic = journal.series.get("systolic"), journal.series.get("diastolic")
    return bool(
        (systolic and systolic.high >= settings.bp_alert_systolic)
        or (diastolic and diastolic.high >= settings.bp_alert_diastolic)
    )


def build_summary(
    session: DbSession, *, owner_id: uuid.UUID, period: Period, settings: Settings
) -> dict[str, Any]:
    """Return the owner's summary of the period (CLINICAL.md, PRODUCT.md)."""
    journal = load_journal(session, owner_id, period)
    sessions = load_sessions(session, owner_id, period)
    # The extremes tell whether any reading reached an alert threshold; only then are the
    # readings themselves read, for the bp_high flags.
    high_bp = (
        load_high_bp(session, owner_id, period, settings) if _any_high_bp(journal, settings) else []
    )
    return summarize(
        period=period,
        journal=journal,
        sessions=sessions,
        links=load_links(session, owner_id, [s.id for s in sessions]),
        assessments=load_assessments(session, owner_id, period),
        bp_readings=high_bp,
        settings=settings,
    )
