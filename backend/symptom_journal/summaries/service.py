"""Assembling a patient's summary from the database: aggregates in SQL, statistics in stats.py.

No ORM object is built per entry: the journal arrives as one row per day (each measure's
mean) and one per ISO week (counts, sums, extremes) from the tables the database keeps up
to date (journal/days.py), and the few per-record reads (sessions with their linked
entries' sums, assessments, high blood pressure) are plain rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import compress, repeat
from operator import is_not
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    union_all,
)

from ..assessments.models import Assessment
from ..clinical import ClinicalSettings
from ..db import DbSession
from ..journal.days import EntryDay, EntryWeek
from ..journal.measures import MEASURES
from ..journal.models import Entry, TreatmentSession
from ..records import at_offset, owned, owned_by
from .stats import (
    AssessmentPoint,
    BpReading,
    Journal,
    Period,
    Series,
    SessionPoint,
    monday_of,
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


# The summary's statements are built once, with the owner and the period as parameters:
# building and keying a statement of 18 columns cost as much as running it.
OWNER: BindParameter[uuid.UUID] = bindparam("owner_id")
START: BindParameter[date] = bindparam("start")
END: BindParameter[date] = bindparam("end")


def _owned(model: Any) -> Select[Any]:
    """The owner's live rows of ``model``."""
    return owned(model, OWNER)


def _in_period(model: Any) -> Select[Any]:
    """The owner's live rows of ``model`` on a local date inside the period."""
    return _owned(model).where(model.local_date.between(START, END))


def _params(owner_id: uuid.UUID, period: Period) -> dict[str, Any]:
    return {"owner_id": owner_id, "start": period.start, "end": period.end}


# The period's ISO weeks: whole ones come from the week rows, a partial first or last week is
# summed from its day rows. A part the period lacks is given as an empty range.
WHOLE_FROM: BindParameter[date] = bindparam("whole_from", type_=Date)
WHOLE_TO: BindParameter[date] = bindparam("whole_to", type_=Date)
NO_DAYS = (date.max, date.min)


@dataclass(frozen=True)
class Part:
    """A partial ISO week of the period: its Monday, and its days inside the period."""

    name: str

    def params(self, monday: date, days: tuple[date, date] | None) -> dict[str, date]:
        first, last = days or NO_DAYS
        return {f"{self.name}_week": monday, f"{self.name}_from": first, f"{self.name}_to": last}

    def select(self) -> Select[Any]:
        week, first, last = (
            bindparam(f"{self.name}_{key}", type_=Date) for key in ("week", "from", "to")
        )
        sums: list[Any] = [func.count(), func.sum(EntryDay.entries)]
        for name in MEASURES:
            sums += [
                func.sum(getattr(EntryDay, f"{name}_n")),
                func.sum(getattr(EntryDay, f"{name}_sum")),
                func.min(getattr(EntryDay, f"{name}_min")),
                func.max(getattr(EntryDay, f"{name}_max")),
            ]
        return (
            _owned(EntryDay)
            .where(EntryDay.local_date.between(first, last))
            .with_only_columns(week.label("week_start"), *sums)
        )


HEAD, TAIL = Part("head"), Part("tail")


def week_params(period: Period) -> dict[str, date]:
    """Return the bounds of the period's partial first week, its whole weeks (by Monday) and
    its partial last week. No date past the period's own is made, so the calendar's last
    week works too."""
    start, end = period.start, period.end
    first, last = monday_of(start), monday_of(end)
    ends_on_sunday = (end - last).days == 6
    head = tail = None
    whole: tuple[date, date] = (first, last)
    if first == last:
        if start != first or not ends_on_sunday:
            head, whole = (start, end), NO_DAYS
    else:
        seven = timedelta(days=7)
        if start != first:
            head = (start, first + timedelta(days=6))
        if not ends_on_sunday:
            tail = (last, end)
        whole = (first if head is None else first + seven, last if tail is None else last - seven)
    return {
        "whole_from": whole[0],
        "whole_to": whole[1],
        **HEAD.params(first, head),
        **TAIL.params(last, tail),
    }


@cache
def _day_and_week_rows() -> tuple[Select[Any], CompoundSelect]:
    """Each day of the period with each measure's mean that day (null without values); and
    each ISO week of the period with its days, entries and each measure's count, sum,
    smallest and largest value inside the period."""
    means: list[Any] = [EntryDay.local_date]
    parts: list[Any] = [EntryWeek.days, EntryWeek.entries]
    for name in MEASURES:
        means.append(getattr(EntryDay, f"{name}_sum") / getattr(EntryDay, f"{name}_n"))
        parts += [getattr(EntryWeek, f"{name}_{part}") for part in ("n", "sum", "min", "max")]
    whole = (
        _owned(EntryWeek)
        .where(EntryWeek.week_start.between(WHOLE_FROM, WHOLE_TO))
        .with_only_columns(EntryWeek.week_start.label("week_start"), *parts)
    )
    return (
        _in_period(EntryDay).with_only_columns(*means).order_by(EntryDay.local_date),
        union_all(HEAD.select(), whole, TAIL.select()).order_by(literal_column("week_start")),
    )


def _driver_rows(connection: Connection, statement: Any, params: dict[str, Any]) -> Sequence[Any]:
    # The driver's own tuples: no column here needs SQLAlchemy's result processing (dates
    # come as text on SQLite), and a Row object per day cost as much as the read itself.
    result = connection.execute(statement, params)
    rows = result.cursor.fetchall()
    result.close()
    return rows


def _dates(values: Sequence[Any]) -> list[date]:
    return [value if isinstance(value, date) else date.fromisoformat(value) for value in values]


def load_journal(session: DbSession, owner_id: uuid.UUID, period: Period) -> Journal:
    """Return the owner's entries in the period reduced per day and per week, read from the
    rows the database keeps (journal/days.py): the daily means from the day rows, the
    counts, sums and extremes from the week rows (and the day rows of a partial week)."""
    per_day, per_week = _day_and_week_rows()
    connection = session.connection()
    day_rows = _driver_rows(connection, per_day, _params(owner_id, period))
    if not day_rows:
        return Journal(0, 0, {})
    week_rows = _driver_rows(connection, per_week, {"owner_id": owner_id, **week_params(period)})
    by_day = list(zip(*day_rows, strict=True))
    by_week = list(zip(*(row for row in week_rows if row[1]), strict=True))
    days = _dates(by_day[0])
    ordinals = [day.toordinal() for day in days]
    # The text of each day as SQLite gives it is kept for the answer.
    iso = {} if isinstance(by_day[0][0], date) else dict(zip(ordinals, by_day[0], strict=True))
    weeks = _dates(by_week[0])
    series = {}
    for index, name in enumerate(MEASURES):
        counts, sums, lows, highs = by_week[3 + 4 * index : 7 + 4 * index]
        if not any(counts):
            continue
        means = by_day[1 + index]  # null on a day without the measure
        if None in means:
            present = list(map(is_not, means, repeat(None)))
            picked_days = list(compress(days, present))
            picked_ordinals = list(compress(ordinals, present))
            means = tuple(compress(means, present))
        else:
            picked_days, picked_ordinals = days, ordinals
        series[name] = Series(
            days=picked_days,
            means=means,
            weeks=list(compress(weeks, counts)),
            week_counts=list(compress(counts, counts)),
            week_sums=list(compress(sums, counts)),
            # A week without the measure has no extremes of it either.
            low=float(min(compress(lows, counts))),
            high=float(max(compress(highs, counts))),
            ordinals=picked_ordinals,
        )
    return Journal(sum(by_week[1]), sum(by_week[2]), series, iso)


@cache
def _sessions_with_links() -> Select[Any]:
    """The owner's sessions that start in the period, each with every measure's count and
    sum over its linked entries by phase: one row per session and phase, or one row with a
    null phase for a session without linked entries."""
    columns: list[Any] = [
        TreatmentSession.id,
        TreatmentSession.started_at,
        TreatmentSession.utc_offset,
        TreatmentSession.treatment,
        Entry.phase,
    ]
    for name in MEASURES:
        column = getattr(Entry, name)
        columns += [func.count(column), func.sum(column)]
    linked = and_(Entry.session_id == TreatmentSession.id, *owned_by(Entry, OWNER))
    return (
        _in_period(TreatmentSession)
        .outerjoin(Entry, linked)
        .with_only_columns(*columns)
        .group_by(TreatmentSession.id, Entry.phase)
    )


def load_sessions_and_links(
    session: DbSession, owner_id: uuid.UUID, period: Period
) -> tuple[list[SessionPoint], dict[tuple[str, str], dict[str, float]]]:
    """Return the owner's treatment sessions that start in the period, and the means of each
    measure over the entries linked to each of them, by session and phase, whatever the
    entries' dates."""
    sessions: dict[str, SessionPoint] = {}
    links: dict[tuple[str, str], dict[str, float]] = {}
    rows = session.connection().execute(_sessions_with_links(), _params(owner_id, period))
    for session_id, started_at, utc_offset, treatment, phase, *counts_sums in rows.all():
        key = str(session_id)
        if key not in sessions:
            sessions[key] = SessionPoint(key, at_offset(started_at, utc_offset), treatment)
        if phase is not None:
            links[(key, phase)] = {
                name: float(total) / count
                for name, count, total in zip(
                    MEASURES, counts_sums[::2], counts_sums[1::2], strict=True
                )
                if count
            }
    return list(sessions.values()), links


@cache
def _assessments() -> Select[uuid.UUID, str, datetime, int, int | None, int | None]:
    return _in_period(Assessment).with_only_columns(
        Assessment.id,
        Assessment.instrument,
        Assessment.completed_at,
        Assessment.utc_offset,
        Assessment.total,
        Assessment.suicidal_item,
    )


def load_assessments(
    session: DbSession, owner_id: uuid.UUID, period: Period
) -> list[AssessmentPoint]:
    """Return the owner's assessments completed in the period."""
    return [
        AssessmentPoint(
            str(row.id),
            row.instrument,
            at_offset(row.completed_at, row.utc_offset),
            row.total,
            row.suicidal_item,
        )
        for row in session.connection().execute(_assessments(), _params(owner_id, period)).all()
    ]


def load_bp_readings(session: DbSession, owner_id: uuid.UUID, period: Period) -> list[BpReading]:
    """Return the owner's blood pressure readings in the period (the flags decide which are
    high, clinical.py)."""
    query = (
        _in_period(Entry)
        .where(Entry.systolic.is_not(None), Entry.diastolic.is_not(None))
        .with_only_columns(Entry.recorded_at, Entry.utc_offset, Entry.systolic, Entry.diastolic)
    )
    return [
        BpReading(at_offset(row.recorded_at, row.utc_offset), row.systolic, row.diastolic)
        for row in session.connection().execute(query, _params(owner_id, period))
    ]


def _any_high_bp(journal: Journal, settings: ClinicalSettings) -> bool:
    systolic, diastolic = journal.series.get("systolic"), journal.series.get("diastolic")
    return settings.bp_high(
        systolic.high if systolic else None, diastolic.high if diastolic else None
    )


def load_side_effects(
    session: DbSession, owner_id: uuid.UUID, session_ids: list[str]
) -> dict[str, dict[str, int]]:
    """Return, per treatment session, how many of its linked entries (either phase, whatever
    their date) report each kind of side effect."""
    if not session_ids:
        return {}
    query = (
        owned(Entry, owner_id)
        .where(Entry.session_id.in_([uuid.UUID(key) for key in session_ids]))
        .with_only_columns(Entry.session_id, Entry.side_effects)
    )
    counts: dict[str, dict[str, int]] = {}
    for session_id, kinds in session.connection().execute(query):
        by_kind = counts.setdefault(str(session_id), {})
        for kind in kinds or []:
            by_kind[kind] = by_kind.get(kind, 0) + 1
    return counts


def build_summary(
    session: DbSession, *, owner_id: uuid.UUID, period: Period, settings: ClinicalSettings
) -> dict[str, Any]:
    """Return the owner's summary of the period (CLINICAL.md, PRODUCT.md)."""
    journal = load_journal(session, owner_id, period)
    sessions, links = load_sessions_and_links(session, owner_id, period)
    # The extremes tell whether any reading reached an alert threshold; only then are the
    # readings themselves read, for the bp_high flags.
    readings = (
        load_bp_readings(session, owner_id, period) if _any_high_bp(journal, settings) else []
    )
    return summarize(
        period=period,
        journal=journal,
        sessions=sessions,
        links=links,
        assessments=load_assessments(session, owner_id, period),
        bp_readings=readings,
        settings=settings,
        side_effects=load_side_effects(session, owner_id, [s.id for s in sessions]),
    )
