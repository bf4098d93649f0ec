"""The share page in a real browser: patient text stays text, and it reads on any width."""

from __future__ import annotations

from typing import Any

import requests

from ..factories import PASSWORD

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def _patient_with_share(base: str) -> str:
    http = requests.Session()
    http.headers["X-CSRF-Token"] = http.get(f"{base}/api/v1/auth/csrf", timeout=10).json()[
        "csrf_token"
    ]
    response = http.post(
        f"{base}/api/v1/auth/register",
        json={"email": "xss@example.org", "password": PASSWORD, "display_name": HOSTILE},
        timeout=10,
    )
    assert response.status_code == 201
    session = http.post(
        f"{base}/api/v1/sessions",
        json={"started_at": "2026-03-05T10:00:00+01:00", "treatment": "ketamine_iv"},
        timeout=10,
    ).json()
    for day, mood in ((2, 3), (3, 4), (4, 4), (6, 6), (7, 7), (8, 6), (10, 7)):
        http.post(
            f"{base}/api/v1/entries",
            json={
                "recorded_at": f"2026-03-{day:02d}T21:00:00+01:00",
                "mood": mood,
                "anxiety": 9 - mood,
                "sleep_hours": 6.5 + mood / 4,
                "note": HOSTILE if day == 4 else None,
            },
            timeout=10,
        )
    for phase, mood in (("pre", 3), ("post", 7)):
        http.post(
            f"{base}/api/v1/entries",
            json={
                "recorded_at": "2026-03-05T09:00:00+01:00"
                if phase == "pre"
                else "2026-03-05T11:30:00+01:00",
                "mood": mood,
                "systolic": 125 if phase == "pre" else 150,
                "diastolic": 80 if phase == "pre" else 92,
                "session_id": session["id"],
                "phase": phase,
            },
            timeout=10,
        )
    share = http.post(
        f"{base}/api/v1/shares", json={"include_notes": True, "to": "2026-03-12"}, timeout=10
    )
    return str(share.json()["url"])


def test_hostile_text_is_shown_as_text(live_server: str, browser: Any, artifacts) -> None:
    url = live_server + _patient_with_share(live_server)
    dialogs: list[str] = []
    errors: list[str] = []
    for width, height in ((375, 812), (1280, 900)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(url)
        assert response is not None
        assert response.status == 200
        page.wait_for_timeout(300)
        assert HOSTILE in page.inner_text("h1")
        assert HOSTILE in page.inner_text(".notes")
        assert page.locator(".notes img").count() == 0
        assert page.locator("main script").count() == 0
        assert page.locator("svg.chart").count() >= 3
        # No horizontal scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"share-page-{width}.png"), full_page=True)
        page.close()
        assert errors == []
    assert dialogs == []
