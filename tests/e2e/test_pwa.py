"""The phone app as a person uses it: sign up, check in before a session, lose the network,
check in after it, come back online; nothing is lost and nothing is stored twice."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from symptom_journal.assessments.models import Assessment
from symptom_journal.journal.models import Entry, TreatmentSession

from ..factories import PASSWORD
from .ui import PHONE, open_screen, sign_up, tap_score

# The outbox module of the page's own version of the app (the shell names it).
OUTBOX = "new URL('outbox.js', document.querySelector('script[type=module]').src).href"


def test_offline_check_in_syncs_once(live_server: str, browser: Any, sql, artifacts) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("Email").fill("phone@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Name shown to your care team").fill("Robin")
    page.screenshot(path=str(artifacts / "pwa-sign-up.png"))
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("#checkin")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    tap_score(page, "Mood", 4)
    tap_score(page, "Anxiety", 6)
    page.get_by_role("button", name="Before session").click()
    expect(page.locator("#checkin-message")).to_have_text("Saved.")
    expect(page.locator("#sync-status")).to_have_text("All synced")

    context.set_offline(True)
    tap_score(page, "Mood", 7)
    page.get_by_text("Before or after a session: which one, dissociation").click()
    tap_score(page, "Dissociation", 5)
    page.get_by_label("Nausea").check()
    page.get_by_label("Blood pressure, upper").fill("150")
    page.get_by_label("lower").fill("92")
    page.get_by_role("button", name="After session").click()
    expect(page.locator("#sync-status")).to_have_text("1 waiting to sync")
    # Waits: the message and the status are separate updates of the page.
    expect(page.locator("#checkin-message")).to_contain_text("sync when you are back online")
    page.screenshot(path=str(artifacts / "pwa-today-offline.png"), full_page=True)

    # Still offline: a PHQ-9, from the copy of the questionnaires kept on the phone.
    open_screen(page, "Questionnaires")
    page.get_by_role("button", name="PHQ-9").click()
    for number in range(1, 10):
        page.get_by_label(
            "More than half the days" if number < 3 else "Not at all", exact=True
        ).check()
        page.get_by_role("button", name="Finish" if number == 9 else "Next").click()
    expect(page.locator("#score-total")).to_have_text("4")
    expect(page.locator("#sync-status")).to_have_text("2 waiting to sync")
    assert sql(lambda s: len(s.scalars(select(Entry.id)).all())) == 1
    assert sql(lambda s: s.scalars(select(Assessment.id)).all()) == []

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#sync-status")).to_have_text("All synced")

    entries = sql(
        lambda s: s.execute(
            select(Entry.phase, Entry.mood, Entry.session_id, Entry.side_effects)
        ).all()
    )
    sessions = sql(lambda s: s.scalars(select(TreatmentSession.id)).all())
    assert len(sessions) == 1
    assert sorted((e.phase, e.mood) for e in entries) == [("post", 7), ("pre", 4)]
    assert {e.session_id for e in entries} == {sessions[0]}
    post = next(e for e in entries if e.phase == "post")
    assert post.side_effects == ["nausea"]
    scores = sql(lambda s: s.execute(select(Assessment.instrument, Assessment.total)).all())
    assert [(row.instrument, row.total) for row in scores] == [("phq9", 4)]

    # The shell comes from the service worker's cache when the network is gone.
    context.set_offline(True)
    page.goto(live_server + "/")
    page.wait_for_selector("#checkin")
    expect(page.locator("h2").first).to_have_text("How are you today?")
    context.close()


def test_sign_out_leaves_no_journal_data(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "leaving@example.org")
    tap_score(page, "Mood", 5)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#sync-status")).to_have_text("All synced")
    page.evaluate("fetch('/api/v1/entries').then(r => r.json())")  # lets the worker cache a read
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("#auth-form")
    left = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const cached = [];
            for (const name of names) {
                for (const request of await (await caches.open(name)).keys()) {
                    if (request.url.includes('/api/')) cached.push(request.url);
                }
            }
            const read = (db, store) => new Promise((resolve) => {
                const open = indexedDB.open(db);
                open.onsuccess = () => {
                    const tx = open.result.transaction(store, 'readonly');
                    const all = tx.objectStore(store).getAllKeys();
                    all.onsuccess = () => resolve(all.result.length);
                };
                open.onerror = () => resolve(0);
            });
            return {cached, data: await read('symptom-journal-cache', 'data'),
                    outbox: await read('symptom-journal-outbox', 'writes')};
        }"""
    )
    assert left == {"cached": [], "data": 0, "outbox": 0}
    context.close()


def test_touch_targets_are_at_least_44_px_at_320_wide(live_server: str, browser: Any) -> None:
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    sign_up(page, live_server, "small@example.org")
    targets = ".scale span, button, select, input:not([type=radio]):not([type=checkbox])"
    small = page.evaluate(
        f"""() => [...document.querySelectorAll('{targets}')]
            .map((el) => el.getBoundingClientRect())
            .filter((box) => box.width > 0 && (box.width < 44 || box.height < 44)).length"""
    )
    assert small == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_reload_in_the_middle_of_a_sync_stores_each_check_in_once(
    live_server: str, browser: Any, sql
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "reload@example.org")
    context.set_offline(True)
    for mood in range(5):
        tap_score(page, "Mood", mood)
        page.get_by_role("button", name="Save check-in").click()
        expect(page.locator("#sync-status")).to_have_text(f"{mood + 1} waiting to sync")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()  # whatever was in flight is sent again after the reload
    page.wait_for_selector("#checkin")
    expect(page.locator("#sync-status")).to_have_text("All synced")
    moods = sql(lambda s: sorted(s.scalars(select(Entry.mood)).all()))
    assert moods == [0, 1, 2, 3, 4]
    context.close()


def test_a_refused_write_asks_the_person(live_server: str, browser: Any, sql) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "conflict@example.org")
    token = context.request.get(f"{live_server}/api/v1/auth/csrf").json()["csrf_token"]
    stored = context.request.post(
        f"{live_server}/api/v1/entries",
        data={"recorded_at": "2026-03-10T21:00:00+01:00", "mood": 2},
        headers={"X-CSRF-Token": token},
    ).json()
    # The phone had another version of the same check-in waiting (edited offline).
    page.evaluate(
        """([url]) => import(OUTBOX()).then((outbox) => outbox.enqueue(
               url, {recorded_at: '2026-03-10T21:00:00+01:00', mood: 8}, 'check-in'))""".replace(
            "OUTBOX()", OUTBOX
        ),
        [f"/api/v1/entries/{stored['id']}"],
    )
    expect(page.locator("#sync-status")).to_contain_text("1 needs your decision")
    expect(page.locator("#conflicts")).to_contain_text("was not accepted")
    page.get_by_role("button", name="Keep mine").click()
    expect(page.locator("#sync-status")).to_have_text("All synced")
    rows = sql(lambda s: s.execute(select(Entry.mood, Entry.version)).all())
    assert [(r.mood, r.version) for r in rows] == [(8, 2)]
    context.close()


def test_a_write_refused_for_its_content_names_the_field_and_keeps_nothing_twice(
    live_server: str, browser: Any, sql
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "refused@example.org")
    # A check-in an older version of the app queued with a value the server refuses.
    page.evaluate(
        """() => import(OUTBOX()).then((outbox) => outbox.enqueue(
               `/api/v1/entries/${crypto.randomUUID()}`,
               {recorded_at: '2026-03-10T21:00:00+01:00', mood: 11}, 'check-in'))""".replace(
            "OUTBOX()", OUTBOX
        )
    )
    expect(page.locator("#conflicts")).to_contain_text("mood: Must be between 0 and 10.")
    # Nothing to choose between: no "Keep mine", which could only be refused again.
    expect(page.get_by_role("button", name="Keep mine")).to_have_count(0)
    page.get_by_role("button", name="Drop it").click()
    expect(page.locator("#sync-status")).to_have_text("All synced")
    assert sql(lambda s: s.scalars(select(Entry.id)).all()) == []
    context.close()


def test_a_session_is_edited_with_its_version(live_server: str, browser: Any, sql) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up(page, live_server, "edit@example.org")
    open_screen(page, "Sessions")
    message = page.locator("#session-message")
    page.get_by_label("Dose (mg)").fill("0")
    page.get_by_role("button", name="Save the session").click()
    expect(message).to_have_text("Dose: more than 0 mg, or leave it empty.")
    page.get_by_label("Dose (mg)").fill("35")
    page.get_by_label("Length (minutes)").fill("45.5")
    page.get_by_role("button", name="Save the session").click()
    expect(message).to_have_text("Length: whole minutes, 1 to 600, or leave it empty.")
    expect(page.locator("#session-list li")).to_have_count(0)  # nothing saved or queued
    page.get_by_label("Length (minutes)").fill("40")
    page.get_by_label("Notes (how it went, what changed)").fill("Felt floaty for an hour.")
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator("#session-list li")).to_have_count(1)  # sent, or waiting to be
    expect(page.locator("#session-list li")).to_contain_text("35 mg · 40 min")
    expect(page.locator("#sync-status")).to_have_text("All synced")
    page.reload()  # the list now comes from the server, versions included
    page.get_by_role("button", name="Edit the session of").click()
    expect(page.get_by_label("Notes (how it went, what changed)")).to_have_value(
        "Felt floaty for an hour."
    )
    expect(page.get_by_label("Length (minutes)")).to_have_value("40")
    page.get_by_label("Dose (mg)").fill("45")
    page.get_by_role("button", name="Save the changes to the session of").click()
    expect(page.locator("#session-submit")).to_have_text("Save the session")  # sent
    expect(page.locator("#sync-status")).to_have_text("All synced")
    rows = sql(
        lambda s: s.execute(
            select(
                TreatmentSession.dose_mg,
                TreatmentSession.duration_minutes,
                TreatmentSession.notes,
                TreatmentSession.version,
            )
        ).all()
    )
    assert [tuple(r) for r in rows] == [(45.0, 40, "Felt floaty for an hour.", 2)]
    context.close()
