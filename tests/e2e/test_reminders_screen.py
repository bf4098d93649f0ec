"""Reminders in the app: a patient turns them on in Settings, sees what is coming up, gets
a calendar link their calendar app can read; a bad value is named. Phone width, axe-clean."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from icalendar import Calendar
from playwright.sync_api import expect

from .ui import PHONE, axe_violations, fits, screenshot, sign_up


def test_a_patient_sets_reminders_and_gets_a_calendar_link(live_server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE, timezone_id="Europe/Paris", bypass_csp=True)
    page = context.new_page()
    sign_up(page, live_server, "reminded@example.org")
    page.goto(live_server + "/#/settings")
    form = page.locator("#reminders-form")
    expect(form).to_be_visible()
    expect(page.get_by_text("Times are in your time zone, Europe/Paris.")).to_be_visible()
    expect(page.get_by_label("By email")).to_be_disabled()  # no mail set up here
    expect(page.locator("#email-note")).to_contain_text("no mail set up")

    page.get_by_label("Remind me").check()
    page.get_by_label("Daily check-in at").fill("20:30")
    page.get_by_label("Before a session, minutes ahead").fill("1")
    page.get_by_role("button", name="Save reminders").click()
    message = page.locator("#reminders-message")
    expect(message).to_contain_text("Before a session, minutes ahead: Must be between 5 and 720")

    page.get_by_label("Before a session, minutes ahead").fill("45")
    page.get_by_role("button", name="Save reminders").click()
    expect(message).to_contain_text("Reminders saved.")
    # Notifications were not allowed in this browser: it says how reminders come instead.
    expect(message).to_contain_text("Notifications are not allowed for this site")
    expect(page.locator("#upcoming li").first).to_contain_text("Daily check-in")
    saved = page.request.get(live_server + "/api/v1/reminders/settings").json()
    assert (saved["enabled"], saved["daily_time"], saved["before_session_minutes"]) == (
        True,
        "20:30",
        45,
    )

    page.get_by_role("button", name="Get a calendar link").click()
    shown = page.locator("#calendar-url")
    expect(shown).to_contain_text("/calendar.ics")
    url = shown.inner_text().split(": ", 1)[1]
    feed = page.request.get(url)
    assert feed.status == 200
    assert Calendar.from_ical(feed.body())["x-wr-calname"] == "Symptom Journal sessions"
    expect(page.get_by_role("button", name="Stop the calendar link")).to_be_visible()

    assert fits(page)
    assert axe_violations(page) == []
    screenshot(page, "pwa-reminders")
    page.get_by_role("button", name="Stop the calendar link").click()
    expect(message).to_have_text("The calendar link no longer works.")
    assert page.request.get(url).status == 404
    context.close()


NOTIFICATIONS = """() => navigator.serviceWorker.ready
    .then((registration) => registration.getNotifications())
    .then((all) => all.map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url})))"""


def _notifications(page: Any, count: int) -> list[dict[str, Any]]:
    """The notifications the service worker shows, once there are ``count`` of them."""
    deadline = time.monotonic() + 20
    while True:
        shown = page.evaluate(NOTIFICATIONS)
        if len(shown) >= count or time.monotonic() > deadline:
            return list(shown)
        time.sleep(0.1)


def _push(context: Any, payload: dict[str, Any] | None) -> None:
    """Hand the worker a push as the browser does when its push service delivers one (the
    payload decrypted; ``None``: a push with no payload), and wait until the worker has
    handled it (the promise it gives ``waitUntil``). Made in the worker itself: DevTools'
    ServiceWorker.deliverPushMessage gives no such end to wait for, and reading the
    notifications while one is being shown now and then lost it under load."""
    worker = context.service_workers[0] if context.service_workers else None
    worker = worker or context.wait_for_event("serviceworker")
    worker.evaluate(
        """async (data) => {
          const event = new PushEvent("push", data === null ? {} : {data});
          let handled = Promise.resolve();
          const waitUntil = event.waitUntil.bind(event);
          event.waitUntil = (promise) => { handled = promise; waitUntil(promise); };
          self.dispatchEvent(event);
          await handled;
        }""",
        None if payload is None else json.dumps(payload),
    )


def test_the_service_worker_shows_a_notification_for_every_push(
    live_server: str, browser: Any
) -> None:
    context = browser.new_context(**PHONE)
    context.grant_permissions(["notifications"], origin=live_server)
    page = context.new_page()
    sign_up(page, live_server, "notified@example.org")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    _push(
        context,
        {
            "title": "Symptom Journal",
            "body": "How are you after your session? Log it now.",
            "url": "/#/today",
            "tag": "after_session:1",
        },
    )
    shown = _notifications(page, count=1)
    assert shown == [
        {
            "title": "Symptom Journal",
            "body": "How are you after your session? Log it now.",
            "tag": "after_session:1",
            "url": "/#/today",
        }
    ]
    # A push with no readable payload still shows one (a browser revokes a silent push).
    _push(context, None)
    bodies = [n["body"] for n in _notifications(page, count=2)]
    assert "Time for your check-in." in bodies

    # A tap on a questionnaire reminder opens the questionnaires in the open window. Headless
    # Chromium has no notification to tap: the worker gets the click event a tap sends, for
    # the notification it shows.
    page.goto(live_server + "/#/settings")
    expect(page.locator("#reminders-form")).to_be_visible()
    _push(
        context,
        {"body": "Time for your questionnaires.", "url": "/#/questionnaires", "tag": "q:1"},
    )
    assert len(_notifications(page, count=3)) == 3
    (worker,) = context.service_workers
    worker.evaluate(
        """async () => {
          const [shown] = await self.registration.getNotifications({tag: "q:1"});
          self.dispatchEvent(new NotificationEvent("notificationclick", {notification: shown}));
        }"""
    )
    expect(page).to_have_url(re.compile(r"/#/questionnaires$"))
    expect(page.get_by_role("heading", name="Questionnaires")).to_be_visible()
    tags = [n["tag"] for n in _notifications(page, count=0)]
    assert "q:1" not in tags  # the tapped notification is closed
    context.close()


# The browser's push service stands in for Chrome's (which a machine with no network
# cannot reach): subscribe() answers with a subscription at a push service on 127.0.0.1,
# whose keys the test holds, and notes the key the app subscribed with.
FAKE_PUSH_SERVICE = """(subscription) => {
  window.__subscribedWith = null;
  PushManager.prototype.getSubscription = async function () { return null; };
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribedWith = options;
    return { options, toJSON: () => subscription, unsubscribe: async () => true };
  };
}"""


def test_turning_reminders_on_subscribes_this_browser_and_a_reminder_arrives(
    live_server: str, browser: Any, app: Any, monkeypatch: Any
) -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy.orm import Session

    from symptom_journal.extensions import db
    from symptom_journal.reminders import worker
    from symptom_journal.reminders.push import PushChannel, public_key, subject

    from ..reminders.pushservice import PushService

    with PushService() as service:
        monkeypatch.setitem(app.config, "PUSH_SERVICE_HOSTS", [service.origin])
        phone = service.browser("phone")
        context = browser.new_context(**PHONE, timezone_id="America/New_York", bypass_csp=True)
        context.grant_permissions(["notifications"], origin=live_server)
        context.add_init_script(script=f"({FAKE_PUSH_SERVICE})({json.dumps(phone.subscription())})")
        page = context.new_page()
        sign_up(page, live_server, "subscribed@example.org")
        page.goto(live_server + "/#/settings")
        page.get_by_label("Remind me").check()
        page.get_by_label("Daily check-in at").fill("08:00")
        page.get_by_role("button", name="Save reminders").click()
        expect(page.locator("#reminders-message")).to_have_text("Reminders saved.")
        asked = page.evaluate("window.__subscribedWith")
        assert asked == {
            "userVisibleOnly": True,
            "applicationServerKey": public_key(app.extensions["vapid"]),
        }
        # The worker, at the next 08:00 in New York, sends it to this browser's service.
        zone = ZoneInfo("America/New_York")
        now = datetime.now(zone)
        eight = now.replace(hour=8, minute=0, second=0, microsecond=0)
        if eight <= now:
            eight += timedelta(days=1)
        channel = PushChannel(app.extensions["vapid"], subject(app.config))
        with app.app_context(), Session(db.engine) as session:
            tally = worker.run_once(
                session, eight.astimezone(UTC) + timedelta(minutes=1), "w1", [channel]
            )
        assert tally.sent == 2  # the daily check-in, and the first questionnaires
        assert {r.browser for r in service.received} == {"phone"}
        assert sorted(r.payload["body"] for r in service.received) == [
            "Time for your check-in.",
            "Time for your questionnaires.",
        ]
        context.close()
