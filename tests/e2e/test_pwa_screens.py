"""Every screen of the phone app: accessible (axe-core), installable, and a questionnaire
filled offline that syncs once."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from symptom_journal.assessments.models import Assessment

from .ui import PHONE, axe_violations, fits, screenshot, sign_up, wait_for_screen

SCREENS = ["today", "sessions", "history", "trends", "questionnaires", "share", "settings"]


def test_every_screen_passes_axe(live_server: str, browser: Any, artifacts) -> None:
    # axe-core is injected as a script: let it past the app's CSP for this check only.
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/")
    page.wait_for_selector("#auth-form")
    assert axe_violations(page) == []
    screenshot(page, "pwa-sign-in")
    sign_up(page, live_server, "axe@example.org")
    for screen in SCREENS:
        page.goto(f"{live_server}/#/{screen}")
        wait_for_screen(page, screen)
        assert axe_violations(page) == [], screen
        assert fits(page), screen
        screenshot(page, f"pwa-{screen}")
    context.close()


def test_installable_and_controlled_by_the_worker(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server + "/")
    page.wait_for_selector("#auth-form")
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/manifest.webmanifest")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#auth-form")  # the shell, from the cache
    context.close()


def test_phq9_offline_with_crisis_resources_syncs_once(live_server: str, browser: Any, sql) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "phq@example.org")
    page.goto(f"{live_server}/#/questionnaires")
    page.get_by_role("button", name="PHQ-9").wait_for()  # instruments loaded while online
    context.set_offline(True)
    page.get_by_role("button", name="PHQ-9").click()
    for number in range(1, 10):
        choice = "Several days" if number in (1, 2, 9) else "Not at all"
        page.get_by_label(choice, exact=True).check()
        if number == 9:
            expect(page.get_by_role("alert")).to_contain_text("988")
        page.get_by_role("button", name="Finish" if number == 9 else "Next").click()
    expect(page.locator("#score-total")).to_have_text("3")
    expect(page.locator("#score-band")).to_have_text("minimal")
    expect(page.get_by_role("alert")).to_contain_text("emergency")
    expect(page.locator("#sync-status")).to_have_text("1 waiting to sync")
    assert sql(lambda s: s.scalars(select(Assessment.id)).all()) == []

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#sync-status")).to_have_text("All synced")
    stored = sql(lambda s: s.execute(select(Assessment.total, Assessment.suicidal_item)).all())
    assert [(row.total, row.suicidal_item) for row in stored] == [(3, 1)]
    context.close()


def test_first_load_budget_and_charts_only_on_trends(
    live_server: str, browser: Any, artifacts
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server + "/")
    page.wait_for_selector("#auth-form")
    page.wait_for_load_state("networkidle")
    loaded = page.evaluate(
        """() => {
            const entries = [...performance.getEntriesByType('navigation'),
                             ...performance.getEntriesByType('resource')];
            return {bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0),
                    urls: entries.map((e) => e.name)};
        }"""
    )
    assert 0 < loaded["bytes"] < 100 * 1024, loaded["bytes"]
    assert not any("uplot" in url.lower() for url in loaded["urls"])

    sign_up(page, live_server, "trends@example.org")
    token = context.request.get(f"{live_server}/api/v1/auth/csrf").json()["csrf_token"]
    for day, mood in ((1, 3), (2, 4), (3, 6), (5, 7)):
        response = context.request.post(
            f"{live_server}/api/v1/entries",
            data={
                "recorded_at": f"{_days_ago(6 - day)}T20:00:00+00:00",
                "mood": mood,
                "sleep_hours": 7.5,
            },
            headers={"X-CSRF-Token": token},
        )
        assert response.status == 201, response.text()
    page.goto(f"{live_server}/#/trends")
    page.wait_for_selector("canvas")
    assert page.locator("figure canvas").count() >= 2  # mood and sleep
    expect(page.locator("main")).to_contain_text("4 check-ins on 4 of 90 days")
    urls = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert any("uplot" in url.lower() for url in urls)
    assert fits(page)
    page.screenshot(path=str(artifacts / "pwa-trends-with-data.png"), full_page=True)
    context.close()


def _days_ago(days: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=days)).date().isoformat()


def test_every_screen_fits_320_px_with_44_px_targets(live_server: str, browser: Any) -> None:
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    sign_up(page, live_server, "narrow@example.org")
    targets = (
        ".scale span, button, select, .tabs a, .exports a, "
        "input:not([type=radio]):not([type=checkbox]):not([type=hidden])"
    )
    for screen in SCREENS:
        page.goto(f"{live_server}/#/{screen}")
        wait_for_screen(page, screen)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, screen
        small = page.evaluate(
            f"""() => [...document.querySelectorAll('{targets}')]
                .map((el) => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect()])
                .filter(([, box]) => box.width > 0 && (box.width < 44 || box.height < 44))
                .map(([text]) => text)"""
        )
        assert small == [], (screen, small)
    context.close()


def test_share_screen_makes_a_scoped_link_and_revokes_it(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "sharer@example.org")
    page.goto(f"{live_server}/#/share")
    wait_for_screen(page, "share")
    page.get_by_label("Who is it for?").fill("Dr Rivera")
    page.get_by_label("From (empty: everything)").fill("2026-04-01")
    page.get_by_label("Up to (empty: up to each day it is opened)").fill("2026-03-31")
    page.get_by_role("button", name="Make a link").click()
    expect(page.locator("#new-link")).to_have_text("From: Must not be after 'to'.")
    expect(page.locator("#links li")).to_have_count(0)
    page.get_by_label("From (empty: everything)").fill("2026-03-01")
    page.get_by_label("Up to (empty: up to each day it is opened)").fill("2026-03-31")
    page.get_by_role("button", name="Make a link").click()
    expect(page.locator("#new-link")).to_contain_text("/s/")
    assert fits(page)
    url = page.locator("#new-link .link").inner_text().split(": ", 1)[1]
    summary = context.request.get(url + "/summary.json").json()
    assert summary["period"] == {"from": "2026-03-01", "to": "2026-03-31", "days": 31}
    expect(page.locator("#links")).to_contain_text("Dr Rivera · active")
    # Revoking asks first: cancelled, the link still works.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Revoke the link for Dr Rivera").click()
    expect(page.locator("#links")).to_contain_text("Dr Rivera · active")
    assert asked == [
        "Revoke the link for Dr Rivera? It stops working at once, for anyone who has it."
    ]
    assert context.request.get(url + "/summary.json").status == 200
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke the link for Dr Rivera").click()
    expect(page.locator("#links")).to_contain_text("Dr Rivera · revoked")
    assert context.request.get(url + "/summary.json").status == 404
    page.get_by_role("button", name="Make an invite code for a clinician").click()
    expect(page.locator("#invite-code")).to_contain_text("Code: ")
    context.close()
