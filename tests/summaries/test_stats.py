"""The summary's statistics against values worked out by hand from CLINICAL.md's definitions."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from symptom_journal.clinical import ClinicalSettings
from symptom_journal.summaries.stats import (
    AssessmentPoint,
    EntryPoint,
    Period,
    SessionPoint,
    confidence_interval,
    summarize_entries,
)
from symptom_journal.summaries.tdist import t_quantile

PERIOD = Period(date(2026, 3, 2), date(2026, 3, 15))  # Monday to Sunday, two ISO weeks
_counter = iter(range(1_000_000))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def entry(
    when: str,
    session_id: str | None = None,
    phase: str | None = None,
    side_effects: tuple[str, ...] = (),
    **values,
):
    return EntryPoint(f"e{next(_counter)}", at(when), values, session_id, phase, side_effects)


def session(sid: str, when: str) -> SessionPoint:
    return SessionPoint(sid, at(when), "ketamine_iv")


def assessment(instrument: str, when: str, total: int, item9: int | None = None):
    return AssessmentPoint(f"a{next(_counter)}", instrument, at(when), total, item9)


def summary(entries=(), sessions=(), assessments=(), period=PERIOD, settings=None):
    return summarize_entries(
        period=period,
        entries=list(entries),
        sessions=list(sessions),
        assessments=list(assessments),
        settings=settings,
    )


def test_no_data():
    result = summary()
    assert result == {
        "period": {"from": "2026-03-02", "to": "2026-03-15", "days": 14},
        "adherence": {"days_logged": 0, "days_in_period": 14, "entries": 0},
        "metrics": {},
        "sessions": [],
        "session_effect": {},
        "instruments": {},
        "flags": [],
    }


def test_one_entry():
    result = summary([entry("2026-03-04T08:00:00+01:00", mood=6)])
    assert result["metrics"] == {
        "mood": {
            "n": 1,
            "mean": 6.0,
            "min": 6.0,
            "max": 6.0,
            "slope_per_week": None,
            "daily": [{"date": "2026-03-04", "mean": 6.0, "rolling_7d": 6.0}],
            "weekly": [{"week_start": "2026-03-02", "mean": 6.0, "n": 1}],
        }
    }
    assert result["adherence"] == {"days_logged": 1, "days_in_period": 14, "entries": 1}


def test_daily_weekly_rolling_and_slope_by_hand():
    entries = [
        entry("2026-03-02T09:00:00+01:00", mood=2),
        entry("2026-03-02T21:00:00+01:00", mood=4),
        entry("2026-03-03T21:00:00+01:00", mood=5),
        entry("2026-03-05T21:00:00+01:00", mood=6),
        entry("2026-03-09T21:00:00+01:00", mood=7),
        entry("2026-03-10T08:00:00+01:00", mood=8),
        entry("2026-03-10T21:00:00+01:00", mood=9),
    ]
    mood = summary(entries)["metrics"]["mood"]
    assert mood["n"] == 7
    assert mood["mean"] == 5.86  # 41 / 7
    assert (mood["min"], mood["max"]) == (2.0, 9.0)
    assert mood["daily"] == [
        {"date": "2026-03-02", "mean": 3.0, "rolling_7d": 3.0},
        {"date": "2026-03-03", "mean": 5.0, "rolling_7d": 4.0},
        {"date": "2026-03-05", "mean": 6.0, "rolling_7d": 4.67},  # (3 + 5 + 6) / 3
        {"date": "2026-03-09", "mean": 7.0, "rolling_7d": 6.0},  # 03-03..03-09: 5, 6, 7
        {"date": "2026-03-10", "mean": 8.5, "rolling_7d": 7.17},  # 03-04..03-10: 6, 7, 8.5
    ]
    # Weekly means are over entries, not days: (2 + 4 + 5 + 6) / 4 and (7 + 8 + 9) / 3.
    assert mood["weekly"] == [
        {"week_start": "2026-03-02", "mean": 4.25, "n": 4},
        {"week_start": "2026-03-09", "mean": 8.0, "n": 3},
    ]
    # Daily means 3, 5, 6, 7, 8.5 at days 0, 1, 3, 7, 8: slope 27.9 / 50.8 per day.
    assert mood["slope_per_week"] == 3.84
    assert summary(entries)["adherence"] == {"days_logged": 5, "days_in_period": 14, "entries": 7}


def test_week_start_may_fall_before_the_period():
    period = Period(date(2026, 3, 4), date(2026, 3, 10))  # Wednesday to Tuesday
    result = summary([entry("2026-03-05T10:00:00+00:00", mood=5)], period=period)
    assert result["metrics"]["mood"]["weekly"] == [
        {"week_start": "2026-03-02", "mean": 5.0, "n": 1}
    ]


def test_rolling_mean_reads_only_days_inside_the_period():
    period = Period(date(2026, 3, 5), date(2026, 3, 10))
    entries = [
        entry("2026-03-04T10:00:00+00:00", mood=1),
        entry("2026-03-05T10:00:00+00:00", mood=5),
    ]
    result = summary(entries, period=period)
    assert result["metrics"]["mood"]["daily"] == [
        {"date": "2026-03-05", "mean": 5.0, "rolling_7d": 5.0}
    ]
    assert result["adherence"]["entries"] == 1


def test_each_entry_counts_on_its_own_local_date_either_side_of_midnight():
    entries = [
        # 04:30 UTC on 11 March, but 23:30 on 10 March where it was written.
        entry("2026-03-10T23:30:00-05:00", mood=4),
        # 15:30 UTC on 10 March, but 00:30 on 11 March in Tokyo.
        entry("2026-03-11T00:30:00+09:00", mood=8),
    ]
    daily = summary(entries)["metrics"]["mood"]["daily"]
    assert [(d["date"], d["mean"]) for d in daily] == [("2026-03-10", 4.0), ("2026-03-11", 8.0)]


def test_daylight_saving_change_keeps_local_days():
    # New York moves from -05:00 to -04:00 at 02:00 on 8 March 2026.
    entries = [
        entry("2026-03-07T23:30:00-05:00", mood=3),
        entry("2026-03-08T00:30:00-05:00", mood=5),
        entry("2026-03-08T23:30:00-04:00", mood=7),
        entry("2026-03-09T00:15:00-04:00", mood=9),
    ]
    daily = summary(entries)["metrics"]["mood"]["daily"]
    assert [(d["date"], d["mean"]) for d in daily] == [
        ("2026-03-07", 3.0),
        ("2026-03-08", 6.0),
        ("2026-03-09", 9.0),
    ]


def test_measures_without_data_are_omitted():
    result = summary([entry("2026-03-04T08:00:00+01:00", sleep_hours=7.25)])
    assert set(result["metrics"]) == {"sleep_hours"}
    assert result["metrics"]["sleep_hours"]["mean"] == 7.25


def test_sessions_pre_post_delta_and_effect():
    sessions = [
        session("s1", "2026-03-05T10:00:00+01:00"),
        session("s2", "2026-03-12T10:00:00+01:00"),
        session("s3", "2026-03-14T10:00:00+01:00"),
    ]
    entries = [
        entry("2026-03-05T09:40:00+01:00", "s1", "pre", mood=4, systolic=120, diastolic=80),
        entry("2026-03-05T09:50:00+01:00", "s1", "pre", mood=5),
        entry("2026-03-05T11:00:00+01:00", "s1", "post", mood=7, systolic=150, diastolic=90),
        entry("2026-03-12T09:45:00+01:00", "s2", "pre", mood=5),  # only before
        entry("2026-03-14T11:00:00+01:00", "s3", "post", mood=8),  # only after
    ]
    result = summary(entries, sessions)
    rows = {row["id"]: row for row in result["sessions"]}
    assert [row["id"] for row in result["sessions"]] == ["s1", "s2", "s3"]
    assert rows["s1"]["pre"] == {"mood": 4.5, "systolic": 120.0, "diastolic": 80.0}
    assert rows["s1"]["post"] == {"mood": 7.0, "systolic": 150.0, "diastolic": 90.0}
    assert rows["s1"]["delta"] == {"mood": 2.5, "systolic": 30.0, "diastolic": 10.0}
    assert rows["s1"]["started_at"] == "2026-03-05T10:00:00+01:00"
    assert rows["s1"]["treatment"] == "ketamine_iv"
    assert (rows["s2"]["pre"], rows["s2"]["post"], rows["s2"]["delta"]) == ({"mood": 5.0}, {}, {})
    assert (rows["s3"]["pre"], rows["s3"]["post"], rows["s3"]["delta"]) == ({}, {"mood": 8.0}, {})
    # n = 1: no interval.
    assert result["session_effect"] == {
        "mood": {"n": 1, "mean_delta": 2.5, "ci95": None},
        "systolic": {"n": 1, "mean_delta": 30.0, "ci95": None},
        "diastolic": {"n": 1, "mean_delta": 10.0, "ci95": None},
    }


def test_linked_entries_count_whatever_their_date():
    sessions = [session("s1", "2026-03-05T10:00:00+01:00")]
    entries = [
        entry("2026-03-05T09:00:00+01:00", "s1", "pre", mood=3),
        # Written after the period, still the post reading of a session inside it.
        entry("2026-03-20T09:00:00+01:00", "s1", "post", mood=6),
    ]
    row = summary(entries, sessions)["sessions"][0]
    assert row["delta"] == {"mood": 3.0}


def test_session_outside_the_period_is_left_out():
    sessions = [
        session("s0", "2026-03-01T10:00:00+01:00"),
        session("s1", "2026-03-05T10:00:00+01:00"),
    ]
    assert [row["id"] for row in summary((), sessions)["sessions"]] == ["s1"]


def test_confidence_interval_by_hand():
    # Deltas 1, 2, 4: mean 7/3, s = sqrt(7/3), t(0.975, 2) = 4.302653.
    low, high = confidence_interval([1, 2, 4])
    assert low == pytest.approx(-1.461250, abs=1e-5)
    assert high == pytest.approx(6.127917, abs=1e-5)
    assert confidence_interval([3]) is None
    assert confidence_interval([]) is None


def test_session_effect_interval_in_the_summary():
    sessions = [session(f"s{i}", f"2026-03-0{i + 2}T10:00:00+00:00") for i in range(3)]
    entries = []
    for i, delta in enumerate((1, 2, 4)):
        entries.append(entry(f"2026-03-0{i + 2}T09:00:00+00:00", f"s{i}", "pre", mood=3))
        entries.append(entry(f"2026-03-0{i + 2}T11:00:00+00:00", f"s{i}", "post", mood=3 + delta))
    effect = summary(entries, sessions)["session_effect"]["mood"]
    assert effect == {"n": 3, "mean_delta": 2.33, "ci95": [-1.46, 6.13]}


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706205), (2, 4.302653), (3, 3.182446), (9, 2.262157), (29, 2.045230), (120, 1.979930)],
)
def test_t_quantiles_match_published_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)


def _durability_case(
    after: dict[str, int], next_session: str | None = None, start=date(2026, 3, 1)
):
    before = {"2026-03-01": 4, "2026-03-03": 5, "2026-03-06": 3}  # baseline (4 + 5 + 3) / 3 = 4
    moods = {**before, **after}
    entries = [entry(f"{day}T20:00:00+00:00", mood=mood) for day, mood in moods.items()]
    sessions = [session("s1", "2026-03-08T10:00:00+00:00")]
    if next_session:
        sessions.append(session("s2", f"{next_session}T10:00:00+00:00"))
    result = summary(entries, sessions, period=Period(start, date(2026, 3, 20)))
    return result["sessions"][0]


def test_durability_counts_days_until_mood_is_back_at_baseline():
    row = _durability_case({"2026-03-09": 7, "2026-03-10": 6, "2026-03-11": 4})
    assert row["baseline_mood"] == 4.0
    assert row["durability_days"] == 3
    assert row["returned_to_baseline"] is True


def test_durability_when_mood_never_returns():
    row = _durability_case({"2026-03-09": 7, "2026-03-10": 6, "2026-03-12": 5})
    assert row["baseline_mood"] == 4.0
    assert row["durability_days"] is None
    assert row["returned_to_baseline"] is False


def test_durability_stops_at_the_next_session():
    row = _durability_case({"2026-03-09": 7, "2026-03-11": 4}, next_session="2026-03-11")
    assert row["durability_days"] is None
    assert row["returned_to_baseline"] is False


def test_baseline_uses_only_days_inside_the_period():
    row = _durability_case({"2026-03-09": 3}, start=date(2026, 3, 5))
    assert row["baseline_mood"] == 3.0  # only 03-06 is inside the period
    assert row["durability_days"] == 1


def test_no_baseline_without_mood_in_the_week_before():
    entries = [entry("2026-03-10T20:00:00+00:00", mood=2)]
    row = summary(entries, [session("s1", "2026-03-08T10:00:00+00:00")])["sessions"][0]
    assert row["baseline_mood"] is None
    assert row["durability_days"] is None
    assert row["returned_to_baseline"] is False


def test_phq9_drop_of_exactly_half_is_a_response():
    result = summary(
        assessments=[
            assessment("phq9", "2026-03-02T10:00:00+00:00", 20),
            assessment("phq9", "2026-03-09T10:00:00+00:00", 14),
            assessment("phq9", "2026-03-15T10:00:00+00:00", 10),
        ]
    )
    assert result["instruments"]["phq9"] == {
        "baseline": {"total": 20, "date": "2026-03-02"},
        "latest": {"total": 10, "date": "2026-03-15"},
        "change": -10,
        "percent_change": -50.0,
        "response": True,
        "remission": False,
        "reliable_change": "improved",
        "severity": "moderate",
    }


def test_phq9_just_short_of_half_is_no_response():
    result = summary(
        assessments=[
            assessment("phq9", "2026-03-02T10:00:00+00:00", 21),
            assessment("phq9", "2026-03-09T10:00:00+00:00", 11),
        ]
    )
    assert result["instruments"]["phq9"]["response"] is False  # 11 > 10.5


def test_baseline_zero_has_no_percent_change():
    result = summary(
        assessments=[
            assessment("gad7", "2026-03-02T10:00:00+00:00", 0),
            assessment("gad7", "2026-03-09T10:00:00+00:00", 0),
        ]
    )
    gad7 = result["instruments"]["gad7"]
    assert gad7["percent_change"] is None
    assert gad7["change"] == 0
    assert gad7["response"] is False
    assert gad7["remission"] is True
    assert gad7["severity"] == "minimal"


def test_single_assessment_is_baseline_and_latest():
    result = summary(assessments=[assessment("gad7", "2026-03-04T10:00:00+00:00", 12)])
    gad7 = result["instruments"]["gad7"]
    assert gad7["baseline"] == gad7["latest"] == {"total": 12, "date": "2026-03-04"}
    assert gad7["change"] == 0
    assert gad7["percent_change"] == 0.0
    assert gad7["reliable_change"] == "none"


def test_pcl5_drop_of_exactly_10():
    result = summary(
        assessments=[
            assessment("pcl5", "2026-03-02T10:00:00+00:00", 50),
            assessment("pcl5", "2026-03-14T10:00:00+00:00", 40),
        ]
    )
    pcl5 = result["instruments"]["pcl5"]
    assert pcl5["change"] == -10
    assert pcl5["percent_change"] == -20.0
    assert pcl5["response"] is True
    assert pcl5["reliable_change"] == "improved"
    assert pcl5["remission"] is False
    assert pcl5["severity"] == "probable_ptsd"
    nine = summary(
        assessments=[
            assessment("pcl5", "2026-03-02T10:00:00+00:00", 41),
            assessment("pcl5", "2026-03-14T10:00:00+00:00", 32),
        ]
    )["instruments"]["pcl5"]
    assert (nine["response"], nine["reliable_change"], nine["remission"]) == (False, "none", True)


def test_gad7_reliable_deterioration_raises_worsening():
    result = summary(
        assessments=[
            assessment("gad7", "2026-03-02T10:00:00+00:00", 5),
            assessment("gad7", "2026-03-14T18:00:00+01:00", 9),
        ]
    )
    gad7 = result["instruments"]["gad7"]
    assert gad7["reliable_change"] == "deteriorated"
    assert gad7["percent_change"] == 80.0
    assert result["flags"] == [
        {
            "kind": "worsening",
            "at": "2026-03-14T18:00:00+01:00",
            "detail": {
                "instrument": "gad7",
                "baseline": 5,
                "latest": 9,
                "change": 4,
                "threshold": 4,
            },
        }
    ]


def test_reliable_change_thresholds_are_settings():
    settings = ClinicalSettings(reliable_change={"phq9": 6, "gad7": 5, "pcl5": 10})
    result = summary(
        assessments=[
            assessment("gad7", "2026-03-02T10:00:00+00:00", 5),
            assessment("gad7", "2026-03-14T10:00:00+00:00", 9),
        ],
        settings=settings,
    )
    assert result["instruments"]["gad7"]["reliable_change"] == "none"
    assert result["flags"] == []


def test_phq9_item_9_raises_one_flag_per_assessment():
    result = summary(
        assessments=[
            assessment("phq9", "2026-03-03T10:00:00+00:00", 12, item9=1),
            assessment("phq9", "2026-03-10T10:00:00+00:00", 8, item9=0),
            assessment("phq9", "2026-03-12T10:00:00-04:00", 9, item9=2),
        ]
    )
    assert result["flags"] == [
        {
            "kind": "suicidal_ideation",
            "at": "2026-03-03T10:00:00+00:00",
            "detail": {"item_9": 1, "total": 12},
        },
        {
            "kind": "suicidal_ideation",
            "at": "2026-03-12T10:00:00-04:00",
            "detail": {"item_9": 2, "total": 9},
        },
    ]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "flagged"),
    [(180, 100, True), (179, 119, False), (150, 120, True), (179, 120, True), (250, 60, True)],
)
def test_bp_high_at_the_thresholds(systolic, diastolic, flagged):
    result = summary([entry("2026-03-04T08:00:00+01:00", systolic=systolic, diastolic=diastolic)])
    expected = [
        {
            "kind": "bp_high",
            "at": "2026-03-04T08:00:00+01:00",
            "detail": {"systolic": systolic, "diastolic": diastolic},
        }
    ]
    assert result["flags"] == (expected if flagged else [])


@pytest.mark.parametrize(
    ("post_systolic", "post_diastolic", "flagged"),
    [(160, 85, True), (159, 104, False), (130, 105, True), (159, 105, True)],
)
def test_bp_rise_at_the_thresholds(post_systolic, post_diastolic, flagged):
    # Pre 120/80: a systolic rise of 40 or a diastolic rise of 25 raises the flag.
    entries = [
        entry("2026-03-05T09:40:00+01:00", "s1", "pre", systolic=120, diastolic=80),
        entry(
            "2026-03-05T11:00:00+01:00",
            "s1",
            "post",
            systolic=post_systolic,
            diastolic=post_diastolic,
        ),
    ]
    result = summary(entries, [session("s1", "2026-03-05T10:00:00+01:00")])
    rises = [f for f in result["flags"] if f["kind"] == "bp_rise"]
    if not flagged:
        assert rises == []
        return
    assert rises == [
        {
            "kind": "bp_rise",
            "at": "2026-03-05T10:00:00+01:00",
            "detail": {
                "session_id": "s1",
                "systolic_rise": float(post_systolic - 120),
                "diastolic_rise": float(post_diastolic - 80),
                "pre": {"systolic": 120.0, "diastolic": 80.0},
                "post": {"systolic": float(post_systolic), "diastolic": float(post_diastolic)},
            },
        }
    ]


@pytest.mark.parametrize(
    ("pre_readings", "flagged", "means"),
    [
        # Strictly above 140/90: a mean of exactly 140/90 does not raise it.
        ([(140, 90)], False, None),
        ([(141, 80)], True, (141.0, 80.0)),
        ([(120, 91)], True, (120.0, 91.0)),
        # The mean of the pre entries: (150 + 132) / 2 = 141, (88 + 90) / 2 = 89.
        ([(150, 88), (132, 90)], True, (141.0, 89.0)),
        ([(150, 88), (130, 90)], False, None),  # 140 and 89
    ],
)
def test_bp_before_session_from_the_pre_means(pre_readings, flagged, means):
    entries = [
        entry(f"2026-03-05T09:{10 + n}:00+01:00", "s1", "pre", systolic=sys_, diastolic=dia)
        for n, (sys_, dia) in enumerate(pre_readings)
    ]
    result = summary(entries, [session("s1", "2026-03-05T10:00:00+01:00")])
    raised = [f for f in result["flags"] if f["kind"] == "bp_before_session"]
    if not flagged:
        assert raised == []
        return
    assert raised == [
        {
            "kind": "bp_before_session",
            "at": "2026-03-05T10:00:00+01:00",
            "detail": {"session_id": "s1", "pre": {"systolic": means[0], "diastolic": means[1]}},
        }
    ]


def test_bp_before_session_needs_a_pre_reading_and_follows_its_settings():
    post_only = [entry("2026-03-05T11:00:00+01:00", "s1", "post", systolic=170, diastolic=100)]
    sessions = [session("s1", "2026-03-05T10:00:00+01:00")]
    assert [f["kind"] for f in summary(post_only, sessions)["flags"]] == []
    pre = [entry("2026-03-05T09:00:00+01:00", "s1", "pre", systolic=135, diastolic=85)]
    assert summary(pre, sessions)["flags"] == []
    stricter = ClinicalSettings(bp_predose_systolic=130, bp_predose_diastolic=80)
    kinds = [f["kind"] for f in summary(pre, sessions, settings=stricter)["flags"]]
    assert kinds == ["bp_before_session"]


def test_side_effects_are_counted_per_session_over_both_phases():
    entries = [
        entry("2026-03-05T09:40:00+01:00", "s1", "pre", ("anxiety",), mood=4),
        entry("2026-03-05T11:00:00+01:00", "s1", "post", ("nausea", "dissociation"), mood=6),
        entry("2026-03-05T13:00:00+01:00", "s1", "post", ("nausea", "headache"), mood=6),
        # Not linked: counted nowhere.
        entry("2026-03-05T20:00:00+01:00", None, None, ("nausea",), mood=6),
        # The second session: linked entries without side effects.
        entry("2026-03-12T11:00:00+01:00", "s2", "post", mood=7),
    ]
    sessions = [
        session("s1", "2026-03-05T10:00:00+01:00"),
        session("s2", "2026-03-12T10:00:00+01:00"),
    ]
    rows = summary(entries, sessions)["sessions"]
    assert [row["side_effects"] for row in rows] == [
        {"anxiety": 1, "dissociation": 1, "headache": 1, "nausea": 2},
        {},
    ]


def test_bp_thresholds_are_settings():
    settings = ClinicalSettings(bp_alert_systolic=160, bp_alert_diastolic=100)
    result = summary(
        [entry("2026-03-04T08:00:00+01:00", systolic=165, diastolic=90)], settings=settings
    )
    assert [f["kind"] for f in result["flags"]] == ["bp_high"]


def test_flags_are_in_time_order():
    result = summary(
        [entry("2026-03-10T08:00:00+00:00", systolic=190, diastolic=100)],
        assessments=[assessment("phq9", "2026-03-04T08:00:00+00:00", 5, item9=1)],
    )
    assert [f["kind"] for f in result["flags"]] == ["suicidal_ideation", "bp_high"]


def test_numbers_are_rounded_to_two_places():
    entries = [entry(f"2026-03-0{d}T08:00:00+00:00", mood=m) for d, m in ((2, 1), (3, 1), (4, 2))]
    mood = summary(entries)["metrics"]["mood"]
    assert mood["mean"] == 1.33
    assert mood["daily"][-1]["rolling_7d"] == 1.33
