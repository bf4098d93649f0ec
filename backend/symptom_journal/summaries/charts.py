"""Inline SVG charts of a summary, drawn on the server so pages need no JavaScript (pure).

Colours are given as presentation attributes, which the PDF renderer reads; the page's
style sheet overrides them in browsers (dark mode included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from markupsafe import Markup, escape

PLOT = 'class="plot" fill="none" stroke="#d5dae1"'
GRID = 'class="grid" stroke="#d5dae1" stroke-dasharray="2 3"'
TICK = 'class="tick" fill="#5b6473" font-size="11"'
SESSION = 'class="session" stroke="#a1321f" stroke-dasharray="4 3"'
DAILY = 'class="daily" fill="none" stroke="#5b6473" stroke-width="1"'
ROLLING = 'class="rolling" fill="none" stroke="#2f5fb3" stroke-width="2.5"'
DELTA = 'class="delta" stroke="#1d2330"'
PRE = 'class="pre" fill="#5b6473"'
DOT = 'class="dot" fill="#5b6473"'
POST = 'class="post" fill="#2f5fb3"'

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28

SCALES = {  # fixed axes, so that charts of different periods compare at a glance
    "mood": (0, 10),
    "anxiety": (0, 10),
    "sleep_hours": (0, 12),
    "sleep_quality": (0, 10),
    "dissociation": (0, 10),
}
LABELS = {
    "mood": "Mood (0 worst - 10 best)",
    "anxiety": "Anxiety (0 none - 10 worst)",
    "sleep_hours": "Sleep (hours)",
    "sleep_quality": "Sleep quality (0 very poor - 10 excellent)",
    "dissociation": "Dissociation (0 none - 10)",
    "systolic": "Systolic blood pressure (mmHg)",
    "diastolic": "Diastolic blood pressure (mmHg)",
    "heart_rate": "Heart rate (bpm)",
}


# Daily means are drawn as dots too up to this many days.
DOTS_UP_TO = 60


def _x(day: date, start: date, end: date) -> float:
    span = max((end - start).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span


def _y(value: float, low: float, high: float) -> float:
    span = (high - low) or 1
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - low) / span)


def _points(items: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in items)


def daily_chart(
    measure: str,
    metric: Mapping[str, Any],
    period: Mapping[str, Any],
    session_days: Sequence[date],
) -> Markup:
    """Return an SVG line chart of a measure's daily means, its 7-day mean and session days."""
    start, end = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    daily = metric["daily"]
    low: float
    high: float
    if measure in SCALES:
        low, high = SCALES[measure]
    else:
        low, high = float(metric["min"]) - 5, float(metric["max"]) + 5
    title = LABELS.get(measure, measure)
    description = (
        f"{title}: {len(daily)} days with data between {period['from']} and {period['to']}; "
        f"mean {metric['mean']}, lowest {metric['min']}, highest {metric['max']}."
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t-{measure} d-{measure}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{measure}">{escape(title)}</title>',
        f'<desc id="d-{measure}">{escape(description)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{HEIGHT - TOP - BOTTOM}" {PLOT}/>',
    ]
    for tick in (low, (low + high) / 2, high):
        y = _y(tick, low, high)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" {GRID}/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" {TICK} text-anchor="end">{tick:g}</text>'
        )
    for day in session_days:
        if start <= day <= end:
            x = _x(day, start, end)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" {SESSION}/>'
            )
    means = [
        (_x(date.fromisoformat(d["date"]), start, end), _y(d["mean"], low, high)) for d in daily
    ]
    rolling = [
        (_x(date.fromisoformat(d["date"]), start, end), _y(d["rolling_7d"], low, high))
        for d in daily
    ]
    parts.append(f'<polyline points="{_points(means)}" {DAILY}/>')
    parts.append(f'<polyline points="{_points(rolling)}" {ROLLING}/>')
    if len(means) <= DOTS_UP_TO:  # few days: each one a dot, so that a single day shows
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" {DOT}/>' for x, y in means]
    parts += [
        f'<text x="{LEFT}" y="{HEIGHT - 8}" {TICK}>{escape(period["from"])}</text>',
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" {TICK} text-anchor="end">'
        f"{escape(period['to'])}</text>",
        "</svg>",
    ]
    # Every piece of text above went through escape(); the rest is numbers and markup.
    return Markup("".join(parts))  # noqa: S704


def before_after_chart(sessions: Sequence[Mapping[str, Any]], measure: str = "mood") -> Markup:
    """Return an SVG of each session's mean before and after, as a pair of dots joined."""
    pairs = [s for s in sessions if measure in s["pre"] and measure in s["post"]]
    if not pairs:
        return Markup("")
    low, high = SCALES.get(measure, (0, 10))
    step = (WIDTH - LEFT - RIGHT) / max(len(pairs), 1)
    title = f"{LABELS.get(measure, measure)} before and after each session"
    description = "; ".join(
        f"{s['started_at'][:10]}: {s['pre'][measure]} before, {s['post'][measure]} after"
        for s in pairs
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t-ba-{measure} d-ba-{measure}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-ba-{measure}">{escape(title)}</title>',
        f'<desc id="d-ba-{measure}">{escape(description)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{HEIGHT - TOP - BOTTOM}" {PLOT}/>',
    ]
    for tick in (low, (low + high) / 2, high):
        y = _y(tick, low, high)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" {GRID}/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" {TICK} text-anchor="end">{tick:g}</text>'
        )
    for index, session in enumerate(pairs):
        x = LEFT + step * (index + 0.5)
        y_pre, y_post = (
            _y(session["pre"][measure], low, high),
            _y(session["post"][measure], low, high),
        )
        parts.append(
            f'<line x1="{x - 6:.1f}" x2="{x + 6:.1f}" y1="{y_pre:.1f}" y2="{y_post:.1f}" '
            f"{DELTA}/>"
            f'<circle cx="{x - 6:.1f}" cy="{y_pre:.1f}" r="4" {PRE}/>'
            f'<circle cx="{x + 6:.1f}" cy="{y_post:.1f}" r="4" {POST}/>'
        )
    parts.append("</svg>")
    # Every piece of text above went through escape(); the rest is numbers and markup.
    return Markup("".join(parts))  # noqa: S704
