"""Mail: one module for every message the app sends (reminders now; resets and alerts next).

Configured by the environment: ``MAIL_SERVER`` (none: mail is off), ``MAIL_PORT`` (587),
``MAIL_SECURITY`` (``starttls``, ``tls`` for implicit TLS, or ``none`` on a trusted local
relay), ``MAIL_USERNAME`` and ``MAIL_PASSWORD`` (optional), ``MAIL_SENDER``; every link is
built on ``BASE_URL``, never on a request's Host header.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

SECURITY = ("starttls", "tls", "none")
TIMEOUT_SECONDS = 20


class MailError(Exception):
    """A message the mail server did not take; the message says why (no content of it)."""


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    security: str
    username: str | None
    password: str | None
    sender: str
    base_url: str

    @property
    def enabled(self) -> bool:
        return bool(self.server)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT", 587)),
            security=config.get("MAIL_SECURITY", "starttls"),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=config.get("MAIL_SENDER", "Symptom Journal <no-reply@localhost>"),
            base_url=str(config.get("BASE_URL", "http://127.0.0.1:5000")).rstrip("/"),
        )


def message(settings: MailSettings, to: str, subject: str, text: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="symptom-journal")
    mail.set_content(text)
    return mail


def send(settings: MailSettings, mail: EmailMessage) -> None:
    """Hand ``mail`` to the configured server; raise MailError when it is not taken."""
    if not settings.enabled:
        raise MailError("mail is off: MAIL_SERVER is not set")
    assert settings.server is not None
    context = ssl.create_default_context()
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.server, settings.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(settings.server, settings.port, timeout=TIMEOUT_SECONDS)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.username and settings.password:
                client.login(settings.username, settings.password)
            client.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"the mail server did not take the message: {type(exc).__name__}") from exc
