"""Assembling a patient's summary from the database: aggregates in SQL, statistics in stats.py.

No ORM object is built per entry: the journal arrives as one row per day (GROUP BY), and
the few per-record reads (sessions, assessments, high blood pressure) are plain tuples.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_

from ..assessments.models import Assessment
from ..db import DbSession
from ..journal.models import Entry, TreatmentSession
from ..records import at_offset, owned
from .stats import (
    MEASURES,
    Agg,
    AssessmentPoint,
    BpReading,
    Day,
    Period,
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


def load_days(session: DbSession, owner_id: uuid.UUID, period: Period) -> list[Day]:
    """Return the per-day aggregates of the owner's entries in the period, from one GROUP BY."""
    columns: list[Any] = [Entry.local_date, func.count()]
    for name in MEASURES:
        column = getattr(Entry, name)
        columns += [func.count(column), func.sum(column), func.min(column), func.max(column)]
    query = (
        _in_period(Entry, owner_id, period)
        .with_only_columns(*columns)
        .group_by(Entry.local_date)
        .order_by(Entry.local_date)
    )
    days = []
    for row in session.execute(query):
        measures = {}
        for index, name in enumerate(MEASURES):
            count, total, low, high = row[2 + 4 * index : 6 + 4 * index]
            if count:
                measures[name] = Agg(count, float(total), float(low), float(high))
        days.append(Day(row[0], row[1], measures))
    return days


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


def build_summary(
    session: DbSession, *, owner_id: uuid.UUID, period: Period, settings: Settings
) -> dict[str, Any]:
    """Return the owner's summary of the period (CLINICAL.md, PRODUCT.md)."""
    sessions = load_sessions(session, owner_id, period)
    return summarize(
        period=period,
        days=load_days(session, owner_id, period),
        sessions=sessions,
        links=load_links(session, owner_id, [s.id for s in sessions]),
        assessments=load_assessments(session, owner_id, period),
        bp_readings=load_high_bp(session, owner_id, period, settings),
        settings=settings,
    )
