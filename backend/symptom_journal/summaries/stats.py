"""Every number of the trend summary, as pure functions over plain data (CLINICAL.md).

Nothing here knows Flask or the database. The journal is reduced first to per-day
aggregates (count, sum, min, max of each measure), which the database can also produce
with GROUP BY; everything else is computed from those, the sessions, the means of the
entries linked to each session, and the assessments.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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


@dataclass
class Agg:
    """Count, sum, minimum and maximum of one measure over some entries."""

    count: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)

    def merge(self, other: Agg) -> None:
        self.count += other.count
        self.total += other.total
        self.low = min(self.low, other.low)
        self.high = max(self.high, other.high)

    @property
    def mean(self) -> float:
        return self.total / self.count


@dataclass(frozen=True)
class Day:
    """The entries of one local date: how many, and the aggregate of each measure they carry."""

    day: date
    entries: int
    measures: Mapping[str, Agg]


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


def days_from_entries(entries: Iterable[EntryPoint], period: Period) -> list[Day]:
    """Return the per-day aggregates of the entries inside the period, by date."""
    counts: dict[date, int] = defaultdict(int)
    measures: dict[date, dict[str, Agg]] = defaultdict(dict)
    for entry in entries:
        if entry.day not in period:
            continue
        counts[entry.day] += 1
        for name in MEASURES:
            value = entry.values.get(name)
            if value is not None:
                measures[entry.day].setdefault(name, Agg()).add(float(value))
    return [Day(day, counts[day], measures[day]) for day in sorted(counts)]


def link_means_from_entries(
    entries: Iterable[EntryPoint],
) -> dict[tuple[str, str], dict[str, float]]:
    """Return the mean of each measure over the entries linked to each session and phase."""
    aggs: dict[tuple[str, str], dict[str, Agg]] = defaultdict(dict)
    for entry in entries:
        if entry.session_id is None or entry.phase is None:
            continue
        for name in MEASURES:
            value = entry.values.get(name)
            if value is not None:
                aggs[(entry.session_id, entry.phase)].setdefault(name, Agg()).add(float(value))
    return {key: {name: agg.mean for name, agg in by.items()} for key, by in aggs.items()}


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


def least_squares_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Return the least-squares slope of y on x, or None with fewer than 2 distinct x."""
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def daily_means(days: Sequence[Day], measure: str) -> dict[date, float]:
    """Return the mean of a measure on each day that has it."""
    return {d.day: d.measures[measure].mean for d in days if measure in d.measures}


def metric(days: Sequence[Day], measure: str, period: Period) -> dict[str, Any] | None:
    """Return n, mean, min, max, slope, daily and weekly series of a measure; None if no data."""
    per_day = [(d.day, d.measures[measure]) for d in days if measure in d.measures]
    if not per_day:
        return None
    overall = Agg()
    weeks: dict[date, Agg] = {}
    for day, agg in per_day:
        overall.merge(agg)
        weeks.setdefault(day - timedelta(days=day.weekday()), Agg()).merge(agg)
    means = {day: agg.mean for day, agg in per_day}
    daily = []
    for day, mean in means.items():
        window = [
            means[other]
            for offset in range(ROLLING_DAYS)
            if (other := day - timedelta(days=offset)) in means
        ]
        daily.append(
            {
                "date": day.isoformat(),
                "mean": rounded(mean),
                "rolling_7d": rounded(sum(window) / len(window)),
            }
        )
    slope = least_squares_slope([((day - period.start).days, mean) for day, mean in means.items()])
    return {
        "n": overall.count,
        "mean": rounded(overall.mean),
        "min": rounded(overall.low),
        "max": rounded(overall.high),
        "slope_per_week": rounded(None if slope is None else slope * 7),
        "daily": daily,
        "weekly": [
            {"week_start": start.isoformat(), "mean": rounded(agg.mean), "n": agg.count}
            for start, agg in sorted(weeks.items())
        ],
    }


def adherence(days: Sequence[Day], period: Period) -> dict[str, int]:
    """Return days logged, days in the period and the number of entries."""
    return {
        "days_logged": sum(1 for d in days if d.entries),
        "days_in_period": period.days,
        "entries": sum(d.entries for d in days),
    }


# --- sessions ---


def _durability(
    session_day: date, next_day: date | None, baseline: float | None, moods: Mapping[date, float]
) -> int | None:
    if baseline is None:
        return None
    for day in sorted(d for d in moods if d > session_day):
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
        durability = _durability(session.day, next_day, baseline, moods)
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
    days: Sequence[Day],
    sessions: Sequence[SessionPoint],
    links: LinkMeans,
    assessments: Sequence[AssessmentPoint],
    bp_readings: Sequence[BpReading],
    settings: Settings,
) -> dict[str, Any]:
    """Return the summary of a period from its parts; the parts must be inside the period
    except ``links``, which covers each session's linked entries whatever their date."""
    days = [d for d in days if d.day in period]
    in_period_sessions = [s for s in sessions if s.day in period]
    in_period_assessments = [a for a in assessments if a.day in period]
    metrics = {}
    for name in MEASURES:
        value = metric(days, name, period)
        if value is not None:
            metrics[name] = value
    rows = session_rows(in_period_sessions, links, daily_means(days, "mood"))
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
        "adherence": adherence(days, period),
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
        days=days_from_entries(entries, period),
        sessions=sessions,
        links=link_means_from_entries(entries),
        assessments=assessments,
        bp_readings=bp_readings_from_entries(entries, period),
        settings=settings or Settings(),
    )
