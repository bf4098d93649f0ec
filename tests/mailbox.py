"""A mail server on 127.0.0.1 for the tests (aiosmtpd): it keeps every message it is given."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from symptom_journal.mail import MailSettings


class Inbox:
    """An SMTP server's handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Any:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.settings = MailSettings(  # type: ignore[attr-defined]
        server="127.0.0.1",
        port=controller.port,
        security="none",
        username=None,
        password=None,
        sender="Symptom Journal <reminders@clinic.example>",
        base_url="https://journal.clinic.example",
    )
    yield handler
    controller.stop()


@pytest.fixture
def mail_on(app: Any, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> Inbox:
    """The app sends its mail to ``inbox`` for this test."""
    settings = inbox.settings  # type: ignore[attr-defined]
    for key, value in {
        "MAIL_SERVER": settings.server,
        "MAIL_PORT": settings.port,
        "MAIL_SECURITY": "none",
        "MAIL_SENDER": settings.sender,
        "BASE_URL": settings.base_url,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return inbox
