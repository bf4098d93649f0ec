"""Mail: one module for every message the app sends (reminders, password resets, sign-in
notices).

Configured by the environment: ``MAIL_SERVER`` (none: mail is off), ``MAIL_PORT`` (587),
``MAIL_SECURITY`` (``starttls``, ``tls`` for implicit TLS, or ``none`` on a trusted local
relay), ``MAIL_USERNAME`` and ``MAIL_PASSWORD`` (optional), ``MAIL_SENDER``; every link is
built on ``BASE_URL``, never on a request's Host header. With mail off, a message a request
would send is written to the log instead (an operator also has `flask reset-password`).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import Response, after_this_request, current_app

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


def link(settings: MailSettings, path: str) -> str:
    """An address in the app, on ``BASE_URL``."""
    return settings.base_url + path


def after_response(work: Callable[[], None]) -> None:
    """Run ``work`` in an app context of its own once this request's answer has gone (the
    server closes the answer, then calls it): how long the answer took says nothing of
    what ``work`` found or did. A failure is logged; the answer has already gone."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:  # nobody is waiting for it: tell the operator
                app.logger.exception("Work after an answer failed")

    @after_this_request
    def _later(response: Response) -> Response:
        response.call_on_close(run)
        return response


def send_after_response(to: str, subject: str, text: str) -> None:
    """Send a message once this request's answer has gone; with mail off, log it."""
    settings = MailSettings.from_config(current_app.config)
    mail = message(settings, to, subject, text)
    after_response(lambda: send_or_log(settings, mail))


def send_or_log(settings: MailSettings, mail: EmailMessage) -> None:
    """Send ``mail``; with mail off, or when the server does not take it, log it."""
    logger = current_app.logger
    if not settings.enabled:
        logger.warning(
            "Mail is off (MAIL_SERVER is not set); this message was not sent:\nTo: %s\n"
            "Subject: %s\n\n%s",
            mail["To"],
            mail["Subject"],
            mail.get_content(),
        )
        return
    try:
        send(settings, mail)
    except MailError as exc:
        logger.error("A message to %s was not sent: %s", mail["To"], exc)
