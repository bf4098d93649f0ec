"""The app's pure helpers (frontend/js/logic.js), run in the browser that runs them."""

from __future__ import annotations

from typing import Any


def test_logic_helpers(live_server: str, browser: Any) -> None:
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server + "/manifest.webmanifest")
    results = page.evaluate(
        """() => import('/js/logic.js').then((logic) => ({
            winter: logic.nowWithOffset(new Date(Date.UTC(2026, 0, 15, 3, 4, 5))),
            summer: logic.nowWithOffset(new Date(Date.UTC(2026, 6, 15, 23, 59, 0))),
            day: logic.localDate('2026-03-10T23:30:00-05:00'),
            none: logic.checkinProblems({}),
            quarter: logic.checkinProblems({sleep_hours: 7.3}),
            fine: logic.checkinProblems({sleep_hours: 7.25}),
            lonely: logic.checkinProblems({mood: 5, systolic: 120}),
            inverted: logic.checkinProblems({mood: 5, systolic: 120, diastolic: 120}),
            synced: logic.syncLabel(0),
            waiting: logic.syncLabel(2),
        }))"""
    )
    assert results["winter"] == "2026-01-14T22:04:05-05:00"
    assert results["summer"] == "2026-07-15T19:59:00-04:00"
    assert results["day"] == "2026-03-10"
    assert list(results["none"]) == ["mood"]
    assert list(results["quarter"]) == ["sleep_hours"]
    assert results["fine"] == {}
    assert list(results["lonely"]) == ["diastolic"]
    assert list(results["inverted"]) == ["diastolic"]
    assert results["synced"] == "All synced"
    assert results["waiting"] == "2 waiting to sync"
    context.close()
