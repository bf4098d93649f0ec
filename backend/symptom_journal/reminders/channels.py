"""The ways a reminder reaches a patient: email here (Web Push joins it)."""

from __future__ import annotations

from ..accounts.models import User
from ..mail import MailSettings, message, send
from .schedule import Reminder, Settings


class EmailChannel:
    """A short mail with a link to the journal; no health data, only what to log."""

    name = "email"

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, user: User, settings: Settings, reminder: Reminder) -> bool:
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
