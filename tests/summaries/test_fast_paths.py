"""The array arithmetic of the statistics gives what the plain definitions give."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from symptom_journal.summaries.service import week_params
from symptom_journal.summaries.stats import Period, rolling_means, rounded_all

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# Halves of a cent, and their nearest neighbours: where rounding by scaling goes wrong.
near_ties = st.integers(-100_000, 100_000).flatmap(
    lambda k: st.sampled_from(
        [k / 200, np.nextafter(k / 200, np.inf).item(), np.nextafter(k / 200, -np.inf).item()]
    )
)


@given(st.lists(finite | near_ties, max_size=50))
def test_rounded_all_is_round_to_two_places(values):
    assert rounded_all(np.array(values, dtype=np.float64)) == [round(v, 2) for v in values]


def test_rounded_all_on_known_ties():
    # 2.675 is stored just below the half: round() gives 2.67, scaling by 100 gives 2.68.
    assert rounded_all(np.array([2.675, 0.125, 0.375, 1.005, 0.0])) == [2.67, 0.12, 0.38, 1.0, 0.0]


@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.floats(0, 300, allow_nan=False)),
        min_size=1,
        max_size=40,
        unique_by=lambda pair: pair[0],
    )
)
def test_rolling_means_equal_the_plain_definition(points):
    points.sort()
    ordinals = np.array([738_000 + day for day, _ in points], dtype=np.int64)
    means = np.array([mean for _, mean in points])
    expected = []
    for day, _ in points:
        window = [mean for other, mean in points if day - 6 <= other <= day]
        expected.append(sum(window) / len(window))
    assert rolling_means(ordinals, means).tolist() == expected


@given(
    st.sampled_from([date(2026, 1, 1), date.min, date.max - timedelta(days=80)]),
    st.integers(0, 20),
    st.integers(0, 60),
)
@example(date.max - timedelta(days=80), 20, 60)  # a period that ends on the calendar's last day
@example(date.min, 0, 0)
def test_week_parts_cover_the_period_once(origin, offset, length):
    start = origin + timedelta(days=offset)
    period = Period(start, start + timedelta(days=length))
    params = week_params(period)
    covered = []
    for part in ("head", "tail"):
        first, last = params[f"{part}_from"], params[f"{part}_to"]
        monday = params[f"{part}_week"]
        assert monday.weekday() == 0
        # By ordinals: a day past the calendar's last (date.max) cannot even be made.
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            day = date.fromordinal(ordinal)
            assert day - timedelta(days=day.weekday()) == monday  # inside its own week
            covered.append(day)
    whole = range(params["whole_from"].toordinal(), params["whole_to"].toordinal() + 1, 7)
    for ordinal in whole:
        assert date.fromordinal(ordinal).weekday() == 0
        covered += [date.fromordinal(ordinal + d) for d in range(7)]
    assert sorted(covered) == [start + timedelta(days=d) for d in range(length + 1)]
