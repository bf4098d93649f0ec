"""Every number of the trend summary, as pure functions over plain data (CLINICAL.md).

Nothing here knows Flask or the database. The journal is reduced first to each measure's
daily means and its per-ISO-week counts, sums and extremes, which the database keeps in
its day and week rows; everything else is computed from those, the sessions, the means of
the entries linked to each session, and the assessments. ``journal_from_entries`` makes
the same reduction straight from entries: the reference the tests hold the database to.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from ..assessments.instruments import INSTRUMENTS
from ..clinical import ClinicalSettings
from ..journal.measures import MEASURES
from .tdist import t_quantile

INSTRUMENT_ORDER = ("phq9", "gad7", "pcl5")
# Cut-offs of remission (latest below) and the PCL-5's response (a fall of at least).
REMISSION_BELOW = {"phq9": 5, "gad7": 5, "pcl5": 33}
PCL5_RESPONSE_POINTS = 10
ROLLING_DAYS = 7
BASELINE_DAYS = 7


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
    """One measure inside the period: the days that have it (ascending) with the mean of its
    values on each; the ISO weeks that have it (their Mondays, ascending) with the count and
    sum of its values inside the period in each; and its smallest and largest value.

    Every value is a multiple of 0.25 (PRODUCT.md), so every sum is exact in binary floating
    point whatever the order of its terms: a week's sum is the same from the database's
    per-week rows as from the entries themselves.
    """

    days: Sequence[date]
    means: Sequence[float]
    weeks: Sequence[date]
    week_counts: Sequence[int]
    week_sums: Sequence[float]
    low: float
    high: float
    ordinals: Sequence[int] | None = None  # of the days, where the source has them at hand


@dataclass(frozen=True)
class Journal:
    """The entries of a period, reduced: days with entries, entries, and each measure's
    series."""

    days_logged: int
    entries: int
    series: Mapping[str, Series]
    # ISO texts of the days by ordinal, where the source already had them.
    iso: Mapping[int, str] = field(default_factory=dict)


def monday_of(day: date) -> date:
    """Return the Monday that starts the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


class IsoDays(dict[int, str]):
    """ISO texts of days by ordinal, each formatted once when first asked for."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


@dataclass(frozen=True)
class EntryPoint:
    """One journal entry as the statistics see it."""

    id: str
    at: datetime  # aware, at the offset it was recorded with
    values: Mapping[str, float | None]
    session_id: str | None = None
    phase: str | None = None
    side_effects: Sequence[str] = ()

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
# Side effects reported in the entries linked to each session: session id -> kind -> count.
SideEffectCounts = Mapping[str, Mapping[str, int]]


def rounded(value: float | None) -> float | None:
    """Return ``value`` rounded to 2 decimal places, for responses; None stays None."""
    return None if value is None else round(value, 2)


# --- reducing raw entries (the reference path; the database computes the same) ---


def journal_from_entries(entries: Iterable[EntryPoint], period: Period) -> Journal:
    """Return the per-day and per-week reduction of the entries inside the period."""
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
        by_week: dict[date, list[float]] = defaultdict(list)
        for day in days:
            by_week[monday_of(day)] += by_day[day]
        weeks = sorted(by_week)
        every = [v for day in days for v in by_day[day]]
        series[name] = Series(
            days=days,
            means=[sum(by_day[day]) / len(by_day[day]) for day in days],
            weeks=weeks,
            week_counts=[len(by_week[week]) for week in weeks],
            week_sums=[sum(by_week[week]) for week in weeks],
            low=min(every),
            high=max(every),
        )
    return Journal(len(counts), sum(counts.values()), series)


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


def side_effects_from_entries(entries: Iterable[EntryPoint]) -> dict[str, dict[str, int]]:
    """Return, per session, how many of its linked entries (either phase) report each kind
    of side effect."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        if entry.session_id is None:
            continue
        for kind in entry.side_effects:
            counts[entry.session_id][kind] += 1
    return {key: dict(by_kind) for key, by_kind in counts.items()}


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


def least_squares_slope(xs: np.ndarray, ys: np.ndarray) -> float | None:
    """Return the least-squares slope of ys on xs, or None with fewer than 2 distinct xs."""
    n = len(xs)
    if n < 2:
        return None
    dx = xs - xs.sum() / n
    spread = float(dx @ dx)
    if spread == 0:
        return None
    return float(dx @ (ys - ys.sum() / n)) / spread


def rounded_all(values: np.ndarray) -> list[float]:
    """Return each value rounded to 2 decimal places exactly as ``round(value, 2)`` does, for
    values of magnitude below 1e6 (the measures are below 300)."""
    scaled = values * 100.0
    out: list[float] = (np.rint(scaled) / 100.0).tolist()
    # rint(x * 100) / 100 is round(x, 2) except where x * 100 lies within its own rounding
    # error of a half: those few values are rounded one by one.
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for index in np.flatnonzero(near_half).tolist():
        out[index] = round(float(values[index]), 2)
    return out


def rolling_means(ordinals: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Return, for each day, the mean of the daily means of that day and the 6 before it.

    The days are laid out on a calendar with 0 for days without data, and the 7 shifted
    copies are added oldest first: the same additions, in the same order, as summing each
    window's means one by one (adding 0.0 changes nothing).
    """
    width = ROLLING_DAYS - 1
    slots = ordinals - ordinals[0] + width
    calendar = np.zeros(int(slots[-1]) + 1)
    recorded = np.zeros(int(slots[-1]) + 1, dtype=np.int64)
    calendar[slots] = means
    recorded[slots] = 1
    totals = np.zeros(len(ordinals))
    days = np.zeros(len(ordinals), dtype=np.int64)
    for back in range(width, -1, -1):
        totals += calendar[slots - back]
        days += recorded[slots - back]
    return totals / days


def daily_means(series: Series | None) -> dict[date, float]:
    """Return the mean of a measure on each day that has it."""
    if series is None:
        return {}
    return dict(zip(series.days, series.means, strict=True))


def metric(series: Series, period: Period, iso: IsoDays | None = None) -> dict[str, Any]:
    """Return n, mean, min, max, slope and the daily and weekly series of one measure.

    ``iso`` may be shared between measures, to format each day and each week once.
    Five years hold about 1,800 days a measure: the arithmetic runs over arrays, and Python
    only builds the points of the answer.
    """
    text = iso if iso is not None else IsoDays()
    ordinals = np.array(
        series.ordinals
        if series.ordinals is not None
        else [day.toordinal() for day in series.days],
        dtype=np.int64,
    )
    means = np.array(series.means, dtype=np.float64)
    daily = [
        {"date": text[day], "mean": mean, "rolling_7d": roll}
        for day, mean, roll in zip(
            ordinals.tolist(),
            rounded_all(means),
            rounded_all(rolling_means(ordinals, means)),
            strict=True,
        )
    ]
    week_counts = np.array(series.week_counts, dtype=np.int64)
    week_sums = np.array(series.week_sums, dtype=np.float64)
    weekly = [
        {"week_start": text[monday.toordinal()], "mean": mean, "n": count}
        for monday, mean, count in zip(
            series.weeks, rounded_all(week_sums / week_counts), week_counts.tolist(), strict=True
        )
    ]
    slope = least_squares_slope((ordinals - period.start.toordinal()).astype(np.float64), means)
    n = int(week_counts.sum())
    return {
        "n": n,
        "mean": round(float(week_sums.sum()) / n, 2),
        "min": round(series.low, 2),
        "max": round(series.high, 2),
        "slope_per_week": None if slope is None else round(slope * 7, 2),
        "daily": daily,
        "weekly": weekly,
    }


def adherence(journal: Journal, period: Period) -> dict[str, int]:
    """Return days logged, days in the period and the number of entries."""
    return {
        "days_logged": journal.days_logged,
        "days_in_period": period.days,
        "entries": journal.entries,
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
    first = bisect_right(mood_days, session_day)
    last = len(mood_days) if next_day is None else bisect_left(mood_days, next_day, lo=first)
    for index in range(first, last):
        day = mood_days[index]
        if moods[day] <= baseline:
            return (day - session_day).days
    return None


def session_rows(
    sessions: Sequence[SessionPoint],
    links: LinkMeans,
    moods: Mapping[date, float],
    side_effects: SideEffectCounts | None = None,
) -> list[dict[str, Any]]:
    """Return each session with its pre/post means, deltas, side effects and mood
    durability, by start time."""
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
                "side_effects": dict(sorted((side_effects or {}).get(session.id, {}).items())),
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
        out[key] = {name: round(value, 2) for name, value in row[key].items()}  # never None
    out["baseline_mood"] = rounded(row["baseline_mood"])
    return out


# --- questionnaires ---


def instrument_change(
    instrument: str, assessments: Sequence[AssessmentPoint], settings: ClinicalSettings
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


def _pre_post(row: Mapping[str, Any], phase: str) -> dict[str, float | None]:
    return {name: rounded(row[phase].get(name)) for name in ("systolic", "diastolic")}


def _session_flags(
    row: Mapping[str, Any], at: datetime, settings: ClinicalSettings
) -> list[dict[str, Any]]:
    """Return the blood-pressure flags a session raises: bp_before_session from its pre
    means, bp_rise from its pre-to-post rise."""
    raised = []
    pre = row["pre"]
    if settings.bp_before_session(pre.get("systolic"), pre.get("diastolic")):
        detail = {"session_id": row["id"], "pre": _pre_post(row, "pre")}
        raised.append(_flag("bp_before_session", at, detail))
    rise = {name: row["delta"].get(name) for name in ("systolic", "diastolic")}
    if settings.bp_rise(rise["systolic"], rise["diastolic"]):
        detail = {
            "session_id": row["id"],
            "systolic_rise": rounded(rise["systolic"]),
            "diastolic_rise": rounded(rise["diastolic"]),
            "pre": _pre_post(row, "pre"),
            "post": _pre_post(row, "post"),
        }
        raised.append(_flag("bp_rise", at, detail))
    return raised


def flags(
    *,
    bp_readings: Iterable[BpReading],
    sessions: Sequence[Mapping[str, Any]],
    session_times: Mapping[str, datetime],
    assessments: Sequence[AssessmentPoint],
    instruments: Mapping[str, Mapping[str, Any]],
    settings: ClinicalSettings,
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
        if settings.bp_high(bp.systolic, bp.diastolic):
            raised.append(
                _flag("bp_high", bp.at, {"systolic": bp.systolic, "diastolic": bp.diastolic})
            )
    for row in sessions:
        raised += _session_flags(row, session_times[row["id"]], settings)
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
    settings: ClinicalSettings,
    side_effects: SideEffectCounts | None = None,
) -> dict[str, Any]:
    """Return the summary of a period from its parts: ``journal`` holds only the entries inside
    the period, ``links`` and ``side_effects`` each session's linked entries whatever their
    date."""
    in_period_sessions = [s for s in sessions if s.day in period]
    in_period_assessments = [a for a in assessments if a.day in period]
    iso = IsoDays(journal.iso)
    metrics = {
        name: metric(journal.series[name], period, iso)
        for name in MEASURES
        if name in journal.series
    }
    rows = session_rows(
        in_period_sessions, links, daily_means(journal.series.get("mood")), side_effects
    )
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
    settings: ClinicalSettings | None = None,
) -> dict[str, Any]:
    """Return the summary computed straight from raw entries (the reference path)."""
    return summarize(
        period=period,
        journal=journal_from_entries(entries, period),
        sessions=sessions,
        links=link_means_from_entries(entries),
        assessments=assessments,
        bp_readings=bp_readings_from_entries(entries, period),
        settings=settings or ClinicalSettings(),
        side_effects=side_effects_from_entries(entries),
    )
