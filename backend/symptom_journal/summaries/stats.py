"""Every number of the trend summary, as pure functions over plain data (CLINICAL.md).

Nothing here knows Flask or the database. The journal is reduced first to per-day
aggregates (the count and sum of each measure, and its extremes), which the database can
also produce with GROUP BY; everything else is computed from those, the sessions, the
means of the entries linked to each session, and the assessments.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import mul, truediv
from typing import Any

from ..assessments.instruments import INSTRUMENTS
from .tdist import t_quantile

MEASURES = (
    "mood",
    "anxiety",
    "sleep_hours",
    "sleep_quality",
    "dissociation",
    "systolic",
    "diastolic",
    "heart_rate",
)
INSTRUMENT_ORDER = ("phq9", "gad7", "pcl5")
# Cut-offs of remission (latest below) and the PCL-5's response (a fall of at least).
REMISSION_BELOW = {"phq9": 5, "gad7": 5, "pcl5": 33}
PCL5_RESPONSE_POINTS = 10
ROLLING_DAYS = 7
BASELINE_DAYS = 7


@dataclass(frozen=True)
class Settings:
    """The thresholds a clinic may change (CLINICAL.md), with their defaults."""

    bp_alert_systolic: int = 180
    bp_alert_diastolic: int = 120
    bp_rise_systolic: int = 40
    bp_rise_diastolic: int = 25
    reliable_change: Mapping[str, int] = field(
        default_factory=lambda: {"phq9": 6, "gad7": 4, "pcl5": 10}
    )


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Series:
    """One measure inside the period: the days that have it (ascending) with the count and sum
    of its values on each, and its smallest and largest value."""

    days: Sequence[date]
    counts: Sequence[int]
    sums: Sequence[float]
    low: float
    high: float


@dataclass(frozen=True)
class Journal:
    """The entries of a period, reduced: entries per day, and each measure's series."""

    entry_days: Sequence[tuple[date, int]]
    series: Mapping[str, Series]


@dataclass(frozen=True)
class EntryPoint:
    """One journal entry as the statistics see it."""

    id: str
    at: datetime  # aware, at the offset it was recorded with
    values: Mapping[str, float | None]
    session_id: str | None = None
    phase: str | None = None

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class SessionPoint:
    id: str
    started_at: datetime  # aware, at the client's offset
    treatment: str

    @property
    def day(self) -> date:
        return self.started_at.date()


@dataclass(frozen=True)
class AssessmentPoint:
    id: str
    instrument: str
    completed_at: datetime  # aware, at the client's offset
    total: int
    suicidal_item: int | None = None

    @property
    def day(self) -> date:
        return self.completed_at.date()


@dataclass(frozen=True)
class BpReading:
    """An entry's blood pressure, for the bp_high flag."""

    at: datetime
    systolic: int
    diastolic: int


# Means of the entries linked to each session, by (session id, phase) and measure.
LinkMeans = Mapping[tuple[str, str], Mapping[str, float]]


def rounded(value: float | None) -> float | None:
    """Return ``value`` rounded to 2 decimal places, for responses; None stays None."""
    return None if value is None else round(value, 2)


# --- reducing raw entries (the reference path; the database computes the same) ---


def journal_from_entries(entries: Iterable[EntryPoint], period: Period) -> Journal:
    """Return the per-day reduction of the entries inside the period."""
    counts: dict[date, int] = defaultdict(int)
    values: dict[str, dict[date, list[float]]] = {name: defaultdict(list) for name in MEASURES}
    for entry in entries:
        if entry.day not in period:
            continue
        counts[entry.day] += 1
        for name in MEASURES:
            value = entry.values.get(name)
            if value is not None:
                values[name][entry.day].append(float(value))
    series = {}
    for name, by_day in values.items():
        if not by_day:
            continue
        days = sorted(by_day)
        every = [v for day in days for v in by_day[day]]
        series[name] = Series(
            days=days,
            counts=[len(by_day[day]) for day in days],
            sums=[sum(by_day[day]) for day in days],
            low=min(every),
            high=max(every),
        )
    return Journal(sorted(counts.items()), series)


def link_means_from_entries(
    entries: Iterable[EntryPoint],
) -> dict[tuple[str, str], dict[str, float]]:
    """Return the mean of each measure over the entries linked to each session and phase."""
    linked: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        if entry.session_id is None or entry.phase is None:
            continue
        for name in MEASURES:
            value = entry.values.get(name)
            if value is not None:
                linked[(entry.session_id, entry.phase)][name].append(float(value))
    return {
        key: {name: sum(v) / len(v) for name, v in by_name.items()}
        for key, by_name in linked.items()
    }


def bp_readings_from_entries(entries: Iterable[EntryPoint], period: Period) -> list[BpReading]:
    """Return the blood pressure readings of the entries inside the period."""
    return [
        BpReading(e.at, int(e.values["systolic"]), int(e.values["diastolic"]))  # type: ignore[arg-type]
        for e in entries
        if e.day in period
        and e.values.get("systolic") is not None
        and e.values.get("diastolic") is not None
    ]


# --- the journal measures ---


def least_squares_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return the least-squares slope of ys on xs, or None with fewer than 2 distinct xs."""
    n = len(xs)
    if n < 2:
        return None
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    dx = [x - mean_x for x in xs]
    spread = sum(map(mul, dx, dx))
    if spread == 0:
        return None
    return sum(map(mul, dx, [y - mean_y for y in ys])) / spread


def daily_means(series: Series | None) -> dict[date, float]:
    """Return the mean of a measure on each day that has it."""
    if series is None:
        return {}
    return {
        day: total / count
        for day, count, total in zip(series.days, series.counts, series.sums, strict=True)
    }


def metric(series: Series, period: Period, iso: Mapping[date, str] | None = None) -> dict[str, Any]:
    """Return n, mean, min, max, slope and the daily and weekly series of one measure.

    ``iso`` may map days to their ISO text, shared between measures to format each day once.
    Five years hold about 1,800 days a measure, so the loops here stay plain and allocate
    little: one pass for the 7-day means, one for the ISO weeks.
    """
    days, counts, sums = series.days, series.counts, series.sums
    text = iso if iso is not None else {day: day.isoformat() for day in days}
    ordinals = [day.toordinal() for day in days]
    means = list(map(truediv, sums, counts))
    rolling = []
    low = 0
    for index, ordinal in enumerate(ordinals):
        # The window's first day only moves forward: advance it instead of searching.
        while ordinals[low] <= ordinal - ROLLING_DAYS:
            low += 1
        rolling.append(sum(means[low : index + 1]) / (index + 1 - low))
    # Means of a few small numbers take few distinct values: round each of them once.
    two_places = {value: round(value, 2) for value in {*means, *rolling}}
    daily = [
        {"date": text[day], "mean": two_places[mean], "rolling_7d": two_places[roll]}
        for day, mean, roll in zip(days, means, rolling, strict=True)
    ]
    weekly = []
    week, week_count, week_total = -1, 0, 0.0
    # Day 1 of the proleptic calendar was a Monday: a day's Monday is ordinal - (ordinal - 1) % 7.
    for ordinal, count, total in zip(ordinals, counts, sums, strict=True):
        monday = ordinal - (ordinal - 1) % 7
        if monday != week:
            if week_count:
                weekly.append((week, week_count, week_total))
            week, week_count, week_total = monday, 0, 0.0
        week_count += count
        week_total += total
    if week_count:
        weekly.append((week, week_count, week_total))
    start = period.start.toordinal()
    slope = least_squares_slope([o - start for o in ordinals], means)
    n = sum(counts)
    return {
        "n": n,
        "mean": round(sum(sums) / n, 2),
        "min": round(series.low, 2),
        "max": round(series.high, 2),
        "slope_per_week": None if slope is None else round(slope * 7, 2),
        "daily": daily,
        "weekly": [
            {
                "week_start": date.fromordinal(monday).isoformat(),
                "mean": round(total / count, 2),
                "n": int(count),
            }
            for monday, count, total in weekly
        ],
    }


def adherence(journal: Journal, period: Period) -> dict[str, int]:
    """Return days logged, days in the period and the number of entries."""
    return {
        "days_logged": sum(1 for _, count in journal.entry_days if count),
        "days_in_period": period.days,
        "entries": sum(count for _, count in journal.entry_days),
    }


# --- sessions ---


def _durability(
    session_day: date,
    next_day: date | None,
    baseline: float | None,
    moods: Mapping[date, float],
    mood_days: Sequence[date],
) -> int | None:
    if baseline is None:
        return None
    for day in mood_days[bisect_right(mood_days, session_day) :]:
        if next_day is not None and day >= next_day:
            return None
        if moods[day] <= baseline:
            return (day - session_day).days
    return None


def session_rows(
    sessions: Sequence[SessionPoint], links: LinkMeans, moods: Mapping[date, float]
) -> list[dict[str, Any]]:
    """Return each session with its pre/post means, deltas and mood durability, by start time."""
    ordered = sorted(sessions, key=lambda s: (s.started_at, s.id))
    mood_days = sorted(moods)
    rows = []
    for index, session in enumerate(ordered):
        pre = dict(links.get((session.id, "pre"), {}))
        post = dict(links.get((session.id, "post"), {}))
        delta = {name: post[name] - pre[name] for name in MEASURES if name in pre and name in post}
        window = [
            moods[day]
            for offset in range(1, BASELINE_DAYS + 1)
            if (day := session.day - timedelta(days=offset)) in moods
        ]
        baseline = sum(window) / len(window) if window else None
        next_day = ordered[index + 1].day if index + 1 < len(ordered) else None
        durability = _durability(session.day, next_day, baseline, moods, mood_days)
        rows.append(
            {
                "id": session.id,
                "started_at": session.started_at.isoformat(),
                "treatment": session.treatment,
                "pre": pre,
                "post": post,
                "delta": delta,
                "baseline_mood": baseline,
                "durability_days": durability,
                "returned_to_baseline": durability is not None,
            }
        )
    return rows


def confidence_interval(values: Sequence[float]) -> tuple[float, float] | None:
    """Return the 95% interval mean +/- t(0.975, n-1) s / sqrt(n); None when n < 2."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.975, n - 1) * s / math.sqrt(n)
    return mean - half, mean + half


def session_effect(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return n, mean delta and its 95% interval for each measure with a delta somewhere."""
    effect = {}
    for name in MEASURES:
        deltas = [row["delta"][name] for row in rows if name in row["delta"]]
        if not deltas:
            continue
        interval = confidence_interval(deltas)
        effect[name] = {
            "n": len(deltas),
            "mean_delta": rounded(sum(deltas) / len(deltas)),
            "ci95": None if interval is None else [rounded(interval[0]), rounded(interval[1])],
        }
    return effect


def _round_session(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("pre", "post", "delta"):
        out[key] = {name: rounded(value) for name, value in row[key].items()}
    out["baseline_mood"] = rounded(row["baseline_mood"])
    return out


# --- questionnaires ---


def instrument_change(
    instrument: str, assessments: Sequence[AssessmentPoint], settings: Settings
) -> dict[str, Any]:
    """Return baseline, latest, change, response, remission, reliable change of an instrument."""
    ordered = sorted(assessments, key=lambda a: (a.completed_at, a.id))
    first, last = ordered[0], ordered[-1]
    change = last.total - first.total
    if instrument == "pcl5":
        response = first.total - last.total >= PCL5_RESPONSE_POINTS
    else:
        response = first.total > 0 and last.total <= 0.5 * first.total
    threshold = settings.reliable_change[instrument]
    if first.total - last.total >= threshold:
        reliable = "improved"
    elif last.total - first.total >= threshold:
        reliable = "deteriorated"
    else:
        reliable = "none"
    return {
        "baseline": {"total": first.total, "date": first.day.isoformat()},
        "latest": {"total": last.total, "date": last.day.isoformat()},
        "change": change,
        "percent_change": rounded(100 * change / first.total) if first.total else None,
        "response": response,
        "remission": last.total < REMISSION_BELOW[instrument],
        "reliable_change": reliable,
        "severity": INSTRUMENTS[instrument].band(last.total).code,
    }


# --- flags ---


def _flag(kind: str, at: datetime, detail: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "at": at, "detail": detail}


def flags(
    *,
    bp_readings: Iterable[BpReading],
    sessions: Sequence[Mapping[str, Any]],
    session_times: Mapping[str, datetime],
    assessments: Sequence[AssessmentPoint],
    instruments: Mapping[str, Mapping[str, Any]],
    settings: Settings,
) -> list[dict[str, Any]]:
    """Return one flag per record that raises it, oldest first."""
    raised = []
    for a in assessments:
        if a.instrument == "phq9" and a.suicidal_item:
            raised.append(
                _flag(
                    "suicidal_ideation",
                    a.completed_at,
                    {"item_9": a.suicidal_item, "total": a.total},
                )
            )
    for bp in bp_readings:
        if bp.systolic >= settings.bp_alert_systolic or bp.diastolic >= settings.bp_alert_diastolic:
            raised.append(
                _flag("bp_high", bp.at, {"systolic": bp.systolic, "diastolic": bp.diastolic})
            )
    for row in sessions:
        rise = {name: row["delta"].get(name) for name in ("systolic", "diastolic")}
        if (rise["systolic"] is not None and rise["systolic"] >= settings.bp_rise_systolic) or (
            rise["diastolic"] is not None and rise["diastolic"] >= settings.bp_rise_diastolic
        ):
            detail = {
                "session_id": row["id"],
                "systolic_rise": rounded(rise["systolic"]),
                "diastolic_rise": rounded(rise["diastolic"]),
                "pre": {k: rounded(row["pre"].get(k)) for k in ("systolic", "diastolic")},
                "post": {k: rounded(row["post"].get(k)) for k in ("systolic", "diastolic")},
            }
            raised.append(_flag("bp_rise", session_times[row["id"]], detail))
    latest_of = {}
    for a in sorted(assessments, key=lambda a: (a.completed_at, a.id)):
        latest_of[a.instrument] = a
    for code, change in instruments.items():
        if change["reliable_change"] == "deteriorated":
            detail = {
                "instrument": code,
                "baseline": change["baseline"]["total"],
                "latest": change["latest"]["total"],
                "change": change["change"],
                "threshold": settings.reliable_change[code],
            }
            raised.append(_flag("worsening", latest_of[code].completed_at, detail))
    raised.sort(key=lambda f: (f["at"], f["kind"]))
    for item in raised:
        item["at"] = item["at"].isoformat()
    return raised


# --- the whole summary ---


def summarize(
    *,
    period: Period,
    journal: Journal,
    sessions: Sequence[SessionPoint],
    links: LinkMeans,
    assessments: Sequence[AssessmentPoint],
    bp_readings: Sequence[BpReading],
    settings: Settings,
) -> dict[str, Any]:
    """Return the summary of a period from its parts: ``journal`` holds only the entries inside
    the period, ``links`` each session's linked entries whatever their date."""
    in_period_sessions = [s for s in sessions if s.day in period]
    in_period_assessments = [a for a in assessments if a.day in period]
    iso = {day: day.isoformat() for day, _ in journal.entry_days}
    metrics = {
        name: metric(journal.series[name], period, iso)
        for name in MEASURES
        if name in journal.series
    }
    rows = session_rows(in_period_sessions, links, daily_means(journal.series.get("mood")))
    by_instrument: dict[str, list[AssessmentPoint]] = defaultdict(list)
    for a in in_period_assessments:
        by_instrument[a.instrument].append(a)
    instruments = {
        code: instrument_change(code, by_instrument[code], settings)
        for code in INSTRUMENT_ORDER
        if by_instrument.get(code)
    }
    raised = flags(
        bp_readings=[b for b in bp_readings if b.at.date() in period],
        sessions=rows,
        session_times={s.id: s.started_at for s in in_period_sessions},
        assessments=in_period_assessments,
        instruments=instruments,
        settings=settings,
    )
    return {
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "days": period.days,
        },
        "adherence": adherence(journal, period),
        "metrics": metrics,
        "sessions": [_round_session(row) for row in rows],
        "session_effect": session_effect(rows),
        "instruments": instruments,
        "flags": raised,
    }


def summarize_entries(
    *,
    period: Period,
    entries: Sequence[EntryPoint],
    sessions: Sequence[SessionPoint] = (),
    assessments: Sequence[AssessmentPoint] = (),
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Return the summary computed straight from raw entries (the reference path)."""
    return summarize(
        period=period,
        journal=journal_from_entries(entries, period),
        sessions=sessions,
        links=link_means_from_entries(entries),
        assessments=assessments,
        bp_readings=bp_readings_from_entries(entries, period),
        settings=settings or Settings(),
    )
