"""The journeys of a patient and a clinician, in the app as a person goes through them: a
phone at 390 px, the clinic's desktop at 1280 px, axe-clean on every screen."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from symptom_journal.journal.models import Entry

from .ui import (
    DESKTOP,
    PHONE,
    api_user,
    axe_violations,
    fits,
    open_screen,
    screenshot,
    sign_up,
    sign_up_clinician,
    tap_score,
    wait_for_screen,
)


def test_a_patient_removes_a_clinician_from_the_care_team(live_server: str, browser: Any) -> None:
    patient = api_user(live_server, "ben@example.org", "Ben")
    code = patient.post(f"{live_server}/api/v1/care-team/invites", timeout=10).json()["code"]
    clinician = api_user(live_server, "lee@example.org", "Dr Lee", role="clinician")
    linked = clinician.post(
        f"{live_server}/api/v1/clinician/links", json={"code": code}, timeout=10
    )
    assert linked.status_code == 201, linked.text
    summary = f"{live_server}/api/v1/clinician/patients/{linked.json()['id']}/summary"
    assert clinician.get(summary, timeout=10).status_code == 200

    phone = browser.new_context(**PHONE, bypass_csp=True)
    phone.add_cookies(
        [{"name": c.name, "value": c.value, "url": live_server} for c in patient.cookies if c.value]
    )
    page = phone.new_page()
    page.goto(f"{live_server}/#/share")
    wait_for_screen(page, "share")
    team = page.locator("#team li")
    expect(team).to_have_count(1)
    expect(team.first).to_contain_text("Dr Lee")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Remove Dr Lee").click()
    expect(team).to_have_count(1)
    assert clinician.get(summary, timeout=10).status_code == 200
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Dr Lee").click()
    expect(team).to_have_count(0)
    assert clinician.get(summary, timeout=10).status_code == 404
    assert (
        clinician.get(f"{live_server}/api/v1/clinician/patients", timeout=10).json()["items"] == []
    )
    assert axe_violations(page) == []
    phone.close()


def test_a_clinician_links_a_patient_reads_the_flags_and_unlinks(
    live_server: str, browser: Any
) -> None:
    # The patient: a blood pressure of 182/121 yesterday, and an invite code from the app.
    patient = api_user(live_server, "ana@example.org", "Ana")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)
    answer = patient.post(
        f"{live_server}/api/v1/entries",
        json={"recorded_at": yesterday.isoformat(), "mood": 4, "systolic": 182, "diastolic": 121},
        timeout=10,
    )
    assert answer.status_code == 201
    phone = browser.new_context(**PHONE)
    phone.add_cookies(
        [{"name": c.name, "value": c.value, "url": live_server} for c in patient.cookies if c.value]
    )
    patient_page = phone.new_page()
    patient_page.goto(f"{live_server}/#/share")
    wait_for_screen(patient_page, "share")
    patient_page.get_by_role("button", name="Make an invite code for a clinician").click()
    expect(patient_page.locator("#invite-code")).to_contain_text("Code: ")
    code = re.search(r"Code: (\S+)", patient_page.locator("#invite-code").inner_text()).group(1)

    desk = browser.new_context(**DESKTOP, bypass_csp=True)
    page = desk.new_page()
    sign_up_clinician(page, live_server, "rivera@example.org", "Dr Rivera")
    expect(page.locator("main h2").first).to_have_text("Your patients")
    expect(page.locator("#patient-list")).to_contain_text("No patient has linked you yet")

    # A mistyped code says what to do; the right one adds the patient, flags by name.
    page.get_by_label("Invite code from a patient").fill("WRONG-CODE")
    page.get_by_role("button", name="Add the patient").click()
    expect(page.locator("#link-message")).to_contain_text("used already, or it has expired")
    page.get_by_label("Invite code from a patient").fill(code)
    page.get_by_role("button", name="Add the patient").click()
    expect(page.locator("#link-message")).to_have_text("Ana is now in your list.")
    day = f"{yesterday.day} {yesterday.strftime('%b')}"
    expect(page.locator(".open-flags li")).to_have_text([f"BP 182/121, {day}"])
    assert axe_violations(page) == []
    screenshot(page, "clinician-patients")

    # The same code again is refused: it was for one use.
    page.get_by_label("Invite code from a patient").fill(code)
    page.get_by_role("button", name="Add the patient").click()
    expect(page.locator("#link-message")).to_contain_text("used already")

    # The patient's page: the files, the way back, and unlinking.
    page.get_by_role("link", name="Ana").click()
    expect(page.locator("h1")).to_have_text("Ana")
    nav = page.get_by_role("navigation", name="This summary as a file")
    for name, path in (
        ("PDF", "/report.pdf"),
        ("Check-ins (CSV)", "/entries.csv"),
        ("Data (JSON)", "/summary"),
    ):
        href = nav.get_by_role("link", name=name).get_attribute("href")
        assert path in href
        assert desk.request.get(live_server + href).status == 200, name
    assert nav.get_by_role("link", name="← Your patients").get_attribute("href") == "/#/patients"
    expect(page.locator(".flags")).to_contain_text("182/121 mmHg")
    assert axe_violations(page) == []
    screenshot(page, "clinician-patient-page")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Unlink this patient").click()
    page.wait_for_url(f"{live_server}/#/patients")
    expect(page.locator("main h2").first).to_have_text("Your patients")
    expect(page.locator("#patient-list")).to_contain_text("No patient has linked you yet")
    desk.close()

    # The patient's access log tells the clinician's views by name.
    patient_page.reload()
    expect(patient_page.locator("#audit")).to_contain_text(
        "Dr Rivera (signed in) viewed the summary"
    )
    phone.close()


def test_a_patient_back_dates_flags_corrects_and_deletes(
    live_server: str, browser: Any, sql
) -> None:
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "robin@example.org")

    # A check-in for yesterday evening.
    yesterday = (datetime.now() - timedelta(days=1)).replace(hour=21, minute=15)
    tap_score(page, "Mood", 5)
    page.get_by_label("When (leave empty for now)").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin-message")).to_have_text("Saved.")
    expect(page.locator("#sync-status")).to_have_text("All synced")
    days = sql(lambda s: s.scalars(select(Entry.local_date)).all())
    assert [day.isoformat() for day in days] == [yesterday.date().isoformat()]

    # Before a session, 165/100: above the pre-dose limit, said at once with what to do.
    tap_score(page, "Mood", 4)
    page.get_by_text("Before or after a session: which one").click()
    page.get_by_label("Blood pressure, upper").fill("165")
    page.get_by_label("lower").fill("100")
    page.get_by_role("button", name="Before session").click()
    expect(page.locator("#checkin-message")).to_contain_text(
        "above 140/90. Tell the clinic staff before your dose"
    )
    screenshot(page, "pwa-flag-before-session")

    # A range the server would refuse is named before anything is saved.
    page.get_by_label("Blood pressure, upper").fill("300")
    page.get_by_label("lower").fill("100")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin-message")).to_contain_text(
        "Blood pressure, upper number: give a number from 60 to 260."
    )
    page.get_by_label("Blood pressure, upper").fill("")
    page.get_by_label("lower").fill("")
    assert len(sql(lambda s: s.scalars(select(Entry.id)).all())) == 2

    # History: newest first; the back-dated one is corrected, the other deleted.
    open_screen(page, "History")
    items = page.locator("#history-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("before a session")
    assert axe_violations(page) == []
    screenshot(page, "pwa-history")
    label = f"Correct the check-in of {yesterday.strftime('%Y-%m-%d %H:%M')}"
    page.get_by_role("button", name=label).click()
    page.get_by_label("Mood (0-10)").fill("6")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#history-message")).to_have_text("Correction saved.")
    expect(items.nth(1)).to_contain_text("Mood 6")
    page.on("dialog", lambda dialog: dialog.accept())
    items.nth(0).get_by_role("button", name="Delete").click()
    expect(page.locator("#history-message")).to_contain_text("was deleted")
    expect(items).to_have_count(1)
    rows = sql(lambda s: s.execute(select(Entry.mood, Entry.version, Entry.deleted_at)).all())
    live = [(r.mood, r.version) for r in rows if r.deleted_at is None]
    assert live == [(6, 2)]
    assert len(rows) == 2  # the deleted one stays as a tombstone for other devices
    assert fits(page)
    context.close()


def test_a_double_tap_saves_once_and_a_long_note_shows_its_count(
    live_server: str, browser: Any, sql
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "tap@example.org")
    tap_score(page, "Mood", 7)
    page.get_by_label("Note (optional)").fill("x" * 1900)
    expect(page.locator("#note-count")).to_have_text("1900 of 2000 characters")
    page.get_by_role("button", name="Save check-in").dblclick()
    expect(page.locator("#checkin-message .message")).to_have_count(1)
    expect(page.locator("#sync-status")).to_have_text("All synced")
    assert len(sql(lambda s: s.scalars(select(Entry.id)).all())) == 1
    # A blank form names what is missing.
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin-message")).to_contain_text("Give at least one answer")
    context.close()


def test_the_share_page_links_its_files_and_fits_a_phone(live_server: str, browser: Any) -> None:
    patient = api_user(live_server, "lee@example.org", "Lee")
    session = patient.post(
        f"{live_server}/api/v1/sessions",
        json={"started_at": "2026-03-05T10:00:00+01:00", "treatment": "esketamine_nasal"},
        timeout=10,
    ).json()
    for phase, values in (("pre", (150, 95)), ("post", (190, 100))):
        patient.post(
            f"{live_server}/api/v1/entries",
            json={
                "recorded_at": f"2026-03-05T{'09' if phase == 'pre' else '11'}:30:00+01:00",
                "mood": 5,
                "dissociation": 6 if phase == "post" else 0,
                "systolic": values[0],
                "diastolic": values[1],
                "side_effects": ["nausea"] if phase == "post" else [],
                "session_id": session["id"],
                "phase": phase,
            },
            timeout=10,
        )
    share = patient.post(
        f"{live_server}/api/v1/shares",
        json={"label": "Dr Rivera", "from": "2026-03-01", "to": "2026-03-31"},
        timeout=10,
    ).json()
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + share["url"])
    nav = page.get_by_role("navigation", name="This summary as a file")
    for name in ("PDF", "Check-ins (CSV)", "Data (JSON)"):
        href = nav.get_by_role("link", name=name).get_attribute("href")
        assert href.startswith(share["url"] + "/")
    session_table = page.get_by_role("region", name="Before and after the session of 2026-03-05")
    expect(session_table).to_contain_text("150/95")
    expect(session_table).to_contain_text("190/100")
    expect(page.locator(".session-block")).to_contain_text("Side effects: nausea")
    expect(page.locator(".flags")).to_contain_text("before the session 150/95 mmHg")
    assert axe_violations(page) == []
    assert fits(page)
    screenshot(page, "share-page-phone")
    context.close()

    # The patient's access log tells a view through a link, with its label.
    log = patient.get(f"{live_server}/api/v1/audit", timeout=10).json()["items"]
    assert any(item.get("who") == "Dr Rivera" for item in log), log


def test_a_session_is_planned_ahead_and_trends_offline_say_when_they_are_from(
    live_server: str, browser: Any
) -> None:
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "planner@example.org")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker
    page.wait_for_selector("#checkin")
    tap_score(page, "Mood", 6)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#sync-status")).to_have_text("All synced")

    # Next Tuesday at 10:00, planned from the Sessions screen.
    ahead = (datetime.now() + timedelta(days=7 - datetime.now().weekday() + 1)).replace(
        hour=10, minute=0
    )
    open_screen(page, "Sessions")
    page.get_by_label("When (now, earlier, or planned ahead)").fill(
        ahead.strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Treatment").select_option("esketamine_nasal")
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator("#session-message")).to_have_text("Planned.")
    expect(page.locator("#session-list li").first).to_contain_text(
        f"Planned: {ahead.strftime('%Y-%m-%d %H:%M')} · Esketamine nasal spray"
    )

    # The one after, in two taps: a week later (one session so far), same time and treatment.
    page.get_by_role("button", name="Plan the next session:").click()
    after = ahead + timedelta(days=7)
    expect(page.get_by_label("When (now, earlier, or planned ahead)")).to_have_value(
        after.strftime("%Y-%m-%dT%H:%M")
    )
    expect(page.locator("#session-message")).to_contain_text("7 days after the last session")
    page.get_by_role("button", name="Plan this session").click()
    expect(page.locator("#session-message")).to_have_text("Planned.")
    expect(page.locator("#session-list li").first).to_contain_text(
        f"Planned: {after.strftime('%Y-%m-%d %H:%M')} · Esketamine nasal spray"
    )
    planned = page.request.get(live_server + "/api/v1/sessions").json()["items"]
    assert [s["started_at"][:16] for s in planned] == [
        after.strftime("%Y-%m-%dT%H:%M"),
        ahead.strftime("%Y-%m-%dT%H:%M"),
    ]
    assert axe_violations(page) == []

    # Trends once online, then offline: the same figures, said to be from the last sync.
    open_screen(page, "Trends")
    expect(page.locator("main")).to_contain_text("1 check-in on 1 of 90 days")
    expect(page.locator("main")).to_contain_text("Not enough data yet for a trend")
    context.set_offline(True)
    page.reload()
    expect(page.locator("main")).to_contain_text("these trends are from the last sync")
    expect(page.locator("main")).to_contain_text("1 check-in on 1 of 90 days")
    context.close()
