"""Scoring of PHQ-9, GAD-7 and PCL-5, at every band edge (CLINICAL.md)."""

from __future__ import annotations

import pytest

from symptom_journal.assessments.instruments import (
    INSTRUMENTS,
    answer_problems,
    dsm5_criteria_met,
    score,
)


def answers_totalling(code: str, total: int) -> list[int]:
    """Return answers in item order whose sum is ``total``, filled from the first item."""
    instrument = INSTRUMENTS[code]
    answers = []
    for _ in instrument.items:
        value = min(instrument.max_answer, total)
        answers.append(value)
        total -= value
    assert total == 0
    return answers


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately_severe"),
        ("phq9", 19, "moderately_severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("gad7", 0, "minimal"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 14, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("pcl5", 0, "below_threshold"),
        ("pcl5", 32, "below_threshold"),
        ("pcl5", 33, "probable_ptsd"),
        ("pcl5", 80, "probable_ptsd"),
    ],
)
def test_band_edges(code, total, band):
    result = score(code, answers_totalling(code, total))
    assert result.total == total
    assert result.severity == band


def test_instrument_shapes():
    assert (len(INSTRUMENTS["phq9"].items), INSTRUMENTS["phq9"].max_total) == (9, 27)
    assert (len(INSTRUMENTS["gad7"].items), INSTRUMENTS["gad7"].max_total) == (7, 21)
    assert (len(INSTRUMENTS["pcl5"].items), INSTRUMENTS["pcl5"].max_total) == (20, 80)


def test_phq9_item_9_raises_the_flag():
    answers = [0] * 8 + [1]
    result = score("phq9", answers)
    assert result.flags == ("suicidal_ideation",)
    assert result.suicidal_item == 1
    assert result.total == 1
    quiet = score("phq9", [3] * 8 + [0])
    assert quiet.flags == ()
    assert quiet.suicidal_item == 0


def test_item_9_of_other_instruments_is_not_a_flag():
    assert score("pcl5", [1] * 20).flags == ()
    assert score("gad7", [3] * 7).flags == ()


def test_dsm5_criteria():
    # B 1 of 1-5, C 1 of 6-7, D 2 of 8-14, E 2 of 15-20; endorsed = 2 or more.
    met = [2, 0, 0, 0, 0] + [2, 0] + [2, 2, 0, 0, 0, 0, 0] + [2, 2, 0, 0, 0, 0]
    assert dsm5_criteria_met(met)
    assert score("pcl5", met).dsm5_criteria_met is True
    one_short_in_e = met[:14] + [2, 1, 1, 1, 1, 1]
    assert not dsm5_criteria_met(one_short_in_e)
    no_c = met[:5] + [1, 1] + met[7:]
    assert not dsm5_criteria_met(no_c)
    # A high total without the pattern: probable PTSD band, criteria not met.
    lopsided = [4] * 14 + [1] * 6
    assert score("pcl5", lopsided).severity == "probable_ptsd"
    assert score("pcl5", lopsided).dsm5_criteria_met is False
    assert score("phq9", [0] * 9).dsm5_criteria_met is None


@pytest.mark.parametrize(
    ("code", "answers", "message"),
    [
        ("phq9", [0] * 8, "9 items"),
        ("phq9", [0] * 10, "9 items"),
        ("phq9", [0] * 8 + [4], "between 0 and 3"),
        ("pcl5", [0] * 19 + [5], "between 0 and 4"),
        ("gad7", [0] * 6 + [-1], "between 0 and 3"),
        ("gad7", [0] * 6 + ["1"], "whole number"),
        ("gad7", [0] * 6 + [1.5], "whole number"),
        ("gad7", [0] * 6 + [True], "whole number"),
        ("gad7", "0000000", "list"),
    ],
)
def test_answer_problems(code, answers, message):
    problems = answer_problems(code, answers)
    assert any(message in p for p in problems), problems


def test_valid_answers_have_no_problems():
    assert answer_problems("phq9", [3] * 9) == []
    assert answer_problems("pcl5", [4] * 20) == []
