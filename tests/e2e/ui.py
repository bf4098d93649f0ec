"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

from ..factories import PASSWORD

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


def sign_up(page: Any, base: str, email: str) -> None:
    """Create an account through the app's own form and wait for today's check-in."""
    page.goto(base + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("#checkin")
