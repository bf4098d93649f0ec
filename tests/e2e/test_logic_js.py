"""The app's pure helpers (frontend/js/logic.js), run in the browser that runs them."""

from __future__ import annotations

from typing import Any


def test_logic_helpers(app: Any, live_server: str, browser: Any) -> None:
    logic_js = f"{app.extensions['frontend'].prefix}/js/logic.js"
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server + "/manifest.webmanifest")
    results = page.evaluate(
        """(url) => import(url).then((logic) => {
          const flags = (systolic, diastolic, phase, settings) =>
            logic.checkinFlags({systolic, diastolic}, phase, settings);
          return {
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
            high: logic.checkinProblems({mood: 5, systolic: 300, diastolic: 100}),
            pulse: logic.checkinProblems({heart_rate: 20}),
            half: logic.checkinProblems({mood: 5.5}),
            future: logic.checkinProblems({mood: 5, recorded_at: '2099-01-01T00:00:00+00:00'}),
            winterInput: logic.isoFromLocalInput('2026-01-15T08:30'),
            summerInput: logic.isoFromLocalInput('2026-07-15T08:30'),
            badInput: logic.isoFromLocalInput('yesterday'),
            plurals: [logic.plural(1, 'day'), logic.plural(2, 'day'), logic.plural(0, 'answer')],
            oneDay: logic.chartSpan([{date: '2026-03-10'}]),
            span: logic.chartSpan([{date: '2026-03-10'}, {date: '2026-03-12'}]),
            enough: [6, 7].map((n) => logic.enoughForTrend({daily: new Array(n)})),
            crisis: logic.crisisHtml('In the US, call or text 988 <now>.'),
            preFlag: flags(165, 100, 'pre', logic.DEFAULT_SETTINGS),
            highFlag: flags(182, 121, 'post', logic.DEFAULT_SETTINGS),
            calm: flags(140, 90, 'pre', logic.DEFAULT_SETTINGS),
            nextWeekly: logic.nextSessionSuggestion([
              {started_at: '2026-02-23T10:00:00-05:00'}, {started_at: '2026-03-02T10:00:00-05:00'}],
              new Date('2026-03-03T12:00:00-05:00')),
            nextRolled: logic.nextSessionSuggestion([{started_at: '2026-01-05T09:30:00-05:00'}],
              new Date('2026-01-20T12:00:00-05:00')),
            nextClamped: logic.nextSessionSuggestion([
              {started_at: '2026-01-01T08:00:00-05:00'}, {started_at: '2026-04-11T08:00:00-04:00'}],
              new Date('2026-04-12T08:00:00-04:00')),
            nextFortnight: logic.nextSessionSuggestion([
              {started_at: '2026-10-20T14:15:00-04:00'}, {started_at: '2026-10-06T14:15:00-04:00'}],
              new Date('2026-10-21T08:00:00-04:00')),
            nextNone: logic.nextSessionSuggestion([]),
            stricter: flags(135, 80, 'pre',
                {...logic.DEFAULT_SETTINGS, bp_before_session: {systolic: 130, diastolic: 85}}),
        }; })""",
        logic_js,
    )
    assert results["high"] == {
        "systolic": "Blood pressure, upper number: give a number from 60 to 260."
    }
    assert results["pulse"] == {"heart_rate": "Heart rate: give a number from 25 to 250."}
    assert results["half"] == {"mood": "Mood: give a whole number."}
    assert list(results["future"]) == ["recorded_at"]
    assert results["winterInput"] == "2026-01-15T08:30:00-05:00"
    assert results["summerInput"] == "2026-07-15T08:30:00-04:00"  # daylight saving time
    assert results["badInput"] is None
    assert results["plurals"] == ["1 day", "2 days", "0 answers"]
    noon = 1773144000  # 2026-03-10T12:00:00Z
    assert results["oneDay"] == [noon - 86400, noon + 86400]
    assert results["span"] == [noon, noon + 2 * 86400]
    assert results["enough"] == [False, True]
    assert results["crisis"] == 'In the US, call or text <a href="tel:988">988</a> &lt;now&gt;.'
    assert [flag["kind"] for flag in results["preFlag"]] == ["bp_before_session"]
    assert "above 140/90" in results["preFlag"][0]["text"]
    assert [flag["kind"] for flag in results["highFlag"]] == ["bp_high"]
    assert "at or above 180/120" in results["highFlag"][0]["text"]
    assert results["calm"] == []  # 140/90 is not above 140/90
    assert [flag["kind"] for flag in results["stricter"]] == ["bp_before_session"]
    # A week after the last, across the change to summer time on 8 March: still 10:00.
    assert (results["nextWeekly"]["when"], results["nextWeekly"]["days"]) == ("2026-03-09T10:00", 7)
    # One session, long ago: weekly from it, the first such day still ahead.
    assert results["nextRolled"]["when"] == "2026-01-26T09:30"
    assert results["nextClamped"]["days"] == 56  # a gap of 100 days is not a rhythm
    # Sessions in any order; the gap of the latest two, back to winter time on 1 November.
    assert results["nextFortnight"] == {
        "when": "2026-11-03T14:15",
        "days": 14,
        "after": {"started_at": "2026-10-20T14:15:00-04:00"},
    }
    assert results["nextNone"] is None
    assert results["winter"] == "2026-01-14T22:04:05-05:00"
    assert results["summer"] == "2026-07-15T19:59:00-04:00"
    assert results["day"] == "2026-03-10"
    assert list(results["none"]) == ["mood"]
    assert list(results["quarter"]) == ["sleep_hours"]
    assert results["fine"] == {}
    assert results["lonely"] == {"diastolic": "Blood pressure: give both numbers, upper and lower."}
    assert list(results["inverted"]) == ["diastolic"]
    assert results["synced"] == "All synced"
    assert results["waiting"] == "2 waiting to sync"
    context.close()
