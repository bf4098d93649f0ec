"""Steps the browser tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import expect

from ..factories import PASSWORD

PHONE_WIDTH = 390
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*.min.js"))
# Screenshots of every screen, shown in the README.
SCREENS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screens"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Return axe-core's WCAG 2 A and AA violations on the page (its context must bypass CSP)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result]


def screenshot(page: Any, name: str) -> None:
    """Keep a screenshot of the page in docs/screens/ (the README shows them)."""
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS_DIR / f"{name}.png"), full_page=True)


def fits(page: Any, width: int = PHONE_WIDTH) -> bool:
    """Return whether nothing on the page is wider than the screen."""
    return bool(page.evaluate("document.documentElement.scrollWidth") <= width)


def sign_up(page: Any, base: str, email: str) -> None:
    """Create an account through the app's own form and wait for today's check-in."""
    page.goto(base + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("#checkin")


def wait_for_screen(page: Any, screen: str) -> None:
    """Wait until the journal shows ``screen`` (its tab is the current one) and has loaded
    what it shows: a section that arrives moves those below it, so a tap aimed lower down
    could land beside its button."""
    expect(page.locator(f'nav a[href="#/{screen}"]')).to_have_attribute("aria-current", "page")
    expect(page.locator("#app > section[aria-busy=false]")).to_be_attached()


def open_screen(page: Any, tab: str) -> None:
    """Open one of the journal's screens by its tab, as a person would, and wait for it."""
    page.get_by_role("link", name=tab, exact=True).click()
    wait_for_screen(page, tab.lower())


def api_write(page: Any, base: str, method: str, path: str, body: dict[str, Any]) -> Any:
    """Write through the API with this page's session, as the app does; expect a 201."""
    token = page.request.get(base + "/api/v1/auth/csrf").json()["csrf_token"]
    answer = page.request.fetch(
        base + path, method=method, data=body, headers={"X-CSRF-Token": token}
    )
    assert answer.status == 201, answer.text()
    return answer.json()


def api_session(base: str) -> requests.Session:
    """A client of the API elsewhere (another phone, a computer), sending the CSRF token."""
    http = requests.Session()
    http.headers["X-CSRF-Token"] = http.get(f"{base}/api/v1/auth/csrf", timeout=10).json()[
        "csrf_token"
    ]
    return http


def api_user(
    base: str, email: str, name: str | None = None, role: str = "patient"
) -> requests.Session:
    """A person registered through the API (so signed in), on a client of their own."""
    http = api_session(base)
    body = {"email": email, "password": PASSWORD, "role": role}
    if name:
        body["display_name"] = name
    answer = http.post(f"{base}/api/v1/auth/register", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    return http


def sign_up_clinician(page: Any, base: str, email: str, name: str) -> None:
    """Create a clinician account through the app's own form."""
    page.goto(base + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Name shown to your care team").fill(name)
    page.get_by_label("I am a").select_option("clinician")
    page.get_by_role("button", name="Create account").click()


def tap_score(page: Any, legend: str, value: int) -> None:
    """Tap a number of a 0-10 scale: the radio button stretched over the number."""
    page.locator(f"fieldset:has(legend:text-is('{legend}')) input[value='{value}']").click()
