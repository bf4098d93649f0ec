"""The reminders API: settings, the upcoming reminders, and the calendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from ..factories import register

SETTINGS = "/api/v1/reminders/settings"
UPCOMING = "/api/v1/reminders/upcoming"
CALENDAR = "/api/v1/reminders/calendar"
FULL = {
    "enabled": True,
    "daily_time": "20:30",
    "before_session_minutes": 45,
    "after_session_minutes": 90,
    "next_morning": True,
    "questionnaire_every_days": 14,
    "include_pcl5": False,
    "quiet_start": "22:00",
    "quiet_end": "07:00",
    "by_email": True,
}


@pytest.fixture
def new_yorker(app):
    return register(app.test_client(), email="ny@example.org", timezone="America/New_York")


def test_reminders_are_off_until_turned_on(new_yorker):
    response = new_yorker.get(SETTINGS)
    assert response.status_code == 200
    assert response.get_json() == {
        "enabled": False,
        "daily_time": None,
        "before_session_minutes": 60,
        "after_session_minutes": 120,
        "next_morning": True,
        "questionnaire_every_days": 14,
        "include_pcl5": False,
        "quiet_start": None,
        "quiet_end": None,
        "by_email": False,
        "timezone": "America/New_York",
        "calendar_active": False,
        "email_available": False,
    }
    assert new_yorker.get(UPCOMING).get_json() == {"timezone": "America/New_York", "items": []}


def test_settings_are_replaced_and_read_back(new_yorker):
    response = new_yorker.put(SETTINGS, json=FULL)
    assert response.status_code == 200
    assert new_yorker.get(SETTINGS).get_json() == {
        **FULL,
        "timezone": "America/New_York",
        "calendar_active": False,
        "email_available": False,
    }
    changed = new_yorker.patch(SETTINGS, json={"daily_time": None, "include_pcl5": True})
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["daily_time"] is None
    assert body["include_pcl5"] is True
    assert body["before_session_minutes"] == 45  # kept


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"daily_time": "25:00"}, "daily_time", 'Give a time of day as "HH:MM", e.g. "20:30".'),
        ({"daily_time": "8pm"}, "daily_time", 'Give a time of day as "HH:MM", e.g. "20:30".'),
        ({"before_session_minutes": 1}, "before_session_minutes", "Must be between 5 and 720"),
        ({"after_session_minutes": 7.5}, "after_session_minutes", "Not a valid integer."),
        ({"questionnaire_every_days": 3}, "questionnaire_every_days", "Must be between 7 and 90"),
        ({"quiet_end": None}, "quiet_end", "Give both ends of the quiet hours, or neither."),
        ({"enabled": "maybe"}, "enabled", "Not a valid boolean."),
    ],
)
def test_a_bad_setting_is_named_and_nothing_is_saved(new_yorker, change, field, message):
    response = new_yorker.put(SETTINGS, json={**FULL, **change})
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert message in " ".join(errors[field])
    assert new_yorker.get(SETTINGS).get_json()["enabled"] is False  # nothing saved


def test_put_needs_every_setting(new_yorker):
    body = {k: v for k, v in FULL.items() if k != "next_morning"}
    response = new_yorker.put(SETTINGS, json=body)
    assert response.status_code == 422
    assert "next_morning" in response.get_json()["errors"]["json"]


def test_patch_checks_the_whole_it_makes(new_yorker):
    response = new_yorker.patch(SETTINGS, json={"quiet_start": "22:00"})  # quiet_end is null
    assert response.status_code == 422
    assert "quiet_end" in response.get_json()["errors"]["json"]


def _next_session(client, days=2, hour=15):
    start = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    response = client.post(
        "/api/v1/sessions",
        json={"started_at": start.isoformat(), "treatment": "esketamine_nasal", "dose_mg": 37.25},
    )
    assert response.status_code == 201
    return response.get_json(), start


def test_a_planned_session_shows_its_reminders_and_a_logged_one_drops(new_yorker):
    settings = {**FULL, "daily_time": None, "questionnaire_every_days": None}
    settings |= {"quiet_start": None, "quiet_end": None}
    assert new_yorker.put(SETTINGS, json=settings).status_code == 200
    session, start = _next_session(new_yorker)
    items = new_yorker.get(UPCOMING + "?days=7").get_json()["items"]
    by_kind = {item["kind"]: item for item in items}
    assert set(by_kind) == {"before_session", "after_session", "next_morning"}
    before = by_kind["before_session"]
    assert datetime.fromisoformat(before["due_at"]) == start - timedelta(minutes=45)
    assert before["text"] == "Log how you feel before your session."
    assert before["session_id"] == session["id"]
    after = datetime.fromisoformat(by_kind["after_session"]["due_at"])
    assert after == start + timedelta(minutes=90)
    morning = by_kind["next_morning"]["local_time"]
    assert morning.endswith(("T09:00-05:00", "T09:00-04:00"))  # 09:00 in New York
    pre = new_yorker.post(
        "/api/v1/entries",
        json={
            "recorded_at": (start - timedelta(minutes=30)).isoformat(),
            "mood": 4,
            "session_id": session["id"],
            "phase": "pre",
        },
    )
    assert pre.status_code == 201
    kinds = {i["kind"] for i in new_yorker.get(UPCOMING).get_json()["items"]}
    assert kinds == {"after_session", "next_morning"}


def test_upcoming_days_are_bounded(new_yorker):
    response = new_yorker.get(UPCOMING + "?days=32")
    assert response.status_code == 422
    assert "days" in response.get_json()["errors"]["query"]


def test_only_a_patient_has_reminders(app, clinician):
    assert app.test_client().get(SETTINGS).status_code == 401
    assert clinician.get(SETTINGS).status_code == 403
    assert clinician.post(CALENDAR).status_code == 403


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    return response


def test_the_calendar_feed_lists_sessions_with_their_check_ins(app, new_yorker):
    assert new_yorker.put(SETTINGS, json=FULL).status_code == 200
    session, start = _next_session(new_yorker)
    made = new_yorker.post(CALENDAR)
    assert made.status_code == 201
    link = made.get_json()
    assert link["url"] == f"/api/v1/reminders/{link['token']}/calendar.ics"
    assert len(link["token"]) >= 43
    assert new_yorker.get(SETTINGS).get_json()["calendar_active"] is True
    anyone = app.test_client()
    body = _feed(anyone, link["url"]).get_data()
    assert b"esketamine" not in body  # no treatment
    assert b"37.25" not in body  # nor dose
    calendar = Calendar.from_ical(body)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    event = events[f"session-{session['id']}@symptom-journal"]
    assert event.decoded("dtstart") == start
    assert str(event["summary"]) == "Treatment session"
    triggers = sorted(a.decoded("trigger") for a in event.walk("VALARM"))
    assert triggers == [timedelta(minutes=-45), timedelta(minutes=90)]
    morning = events[f"morning-after-{session['id']}@symptom-journal"]
    local = morning.decoded("dtstart").astimezone(
        __import__("zoneinfo").ZoneInfo("America/New_York")
    )
    assert (local.date() - start.date()).days == 1
    assert local.strftime("%H:%M") == "20:30"  # the daily time


def test_a_new_calendar_link_ends_the_old_and_a_revoked_one_is_gone(app, new_yorker):
    first = new_yorker.post(CALENDAR).get_json()["url"]
    second = new_yorker.post(CALENDAR).get_json()["url"]
    anyone = app.test_client()
    gone = anyone.get(first)
    assert gone.status_code == 404
    assert gone.get_json()["message"].startswith("There is no calendar at this address")
    _feed(anyone, second)
    assert new_yorker.delete(CALENDAR).status_code == 204
    assert anyone.get(second).status_code == 404
    assert new_yorker.get(SETTINGS).get_json()["calendar_active"] is False


def test_one_patients_settings_are_their_own(app, new_yorker, other_patient):
    assert new_yorker.put(SETTINGS, json=FULL).status_code == 200
    theirs = other_patient.get(SETTINGS).get_json()
    assert theirs["enabled"] is False
    assert theirs["daily_time"] is None
    _next_session(new_yorker)
    assert other_patient.get(UPCOMING).get_json()["items"] == []
