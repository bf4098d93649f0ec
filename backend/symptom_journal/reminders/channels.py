"""Email, one of the ways a reminder reaches a patient (Web Push is in push.py)."""

from __future__ import annotations

from ..accounts.models import User
from ..db import DbSession
from ..mail import MailSettings, message, send
from .schedule import Reminder, Settings


class EmailChannel:
    """A short mail with a link to the journal; no health data, only what to log."""

    name = "email"

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, session: DbSession, user: User, settings: Settings, reminder: Reminder) -> bool:
        if not (self.settings.enabled and settings.by_email):
            return False
        text = (
            f"{reminder.text}\n\n"
            f"Open your journal: {self.settings.base_url}/\n\n"
            "You get this because email reminders are on in your journal's Settings, "
            "where you can turn them off."
        )
        send(self.settings, message(self.settings, user.email, f"Reminder: {reminder.text}", text))
        return True
