"""GAD-7 and PCL-5 in the app, online: one item a screen, Back keeps and changes an answer,
the score and band at the end are CLINICAL.md's, and the server stores what was answered."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from symptom_journal.assessments.models import Assessment

from .ui import PHONE, axe_violations, fits, open_screen, sign_up

GAD7 = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
PCL5 = ["Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"]


def _answer(page: Any, options: list[str], answers: list[int], items: int, first: int = 1) -> None:
    """Answer items ``first``... of a questionnaire of ``items`` items, one screen each."""
    for number, value in enumerate(answers, start=first):
        expect(page.locator("legend")).to_contain_text(f"{number} of {items}.")
        page.get_by_label(options[value], exact=True).check()
        page.get_by_role("button", name="Finish" if number == items else "Next").click()


def test_gad7_and_pcl5_are_scored_and_stored(live_server: str, browser: Any, sql: Any) -> None:
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "scales@example.org")
    open_screen(page, "Questionnaires")

    # GAD-7: 1+2+3+1+0+2+1 = 10, the first point of "moderate" (10-14). Item 2 is first
    # answered "Nearly every day" (3), then corrected to 2 after going back.
    page.get_by_role("button", name="GAD-7").click()
    _answer(page, GAD7, [1], items=7)
    page.get_by_label(GAD7[3], exact=True).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label(GAD7[3], exact=True)).to_be_checked()
    page.get_by_label(GAD7[2], exact=True).check()
    page.get_by_role("button", name="Next").click()
    _answer(page, GAD7, [3, 1, 0, 2, 1], items=7, first=3)
    expect(page.locator("#score-total")).to_have_text("10")
    expect(page.locator("#score-band")).to_have_text("moderate")
    expect(page.locator(".score")).to_contain_text("of 21")

    # PCL-5: thirteen items at 2 and seven at 1 make 33, the cut-off itself: probable PTSD.
    # Items 15-20 (cluster E) are below 2, so the DSM-5 pattern is not met.
    page.get_by_role("button", name="Another questionnaire").click()
    page.get_by_role("button", name="PCL-5").click()
    _answer(page, PCL5, [2] * 13 + [1] * 7, items=20)
    expect(page.locator("#score-total")).to_have_text("33")
    expect(page.locator("#score-band")).to_have_text("probable PTSD")
    expect(page.locator(".score")).to_contain_text("of 80")
    assert fits(page)
    assert axe_violations(page) == []
    expect(page.locator("#sync-status")).to_have_text("All synced")

    stored = sql(
        lambda s: s.execute(
            select(
                Assessment.instrument,
                Assessment.answers,
                Assessment.total,
                Assessment.severity,
                Assessment.dsm5_criteria_met,
            ).order_by(Assessment.instrument)
        ).all()
    )
    assert [tuple(row) for row in stored] == [
        ("gad7", [1, 2, 3, 1, 0, 2, 1], 10, "moderate", None),
        ("pcl5", [2] * 13 + [1] * 7, 33, "probable_ptsd", False),
    ]
    context.close()
