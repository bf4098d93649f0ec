"""Web Push (RFC 8030, payloads encrypted per RFC 8291, VAPID per RFC 8292) with pywebpush.

The VAPID key is made once into the instance folder (``vapid_private.pem``), like the
secret key, unless ``VAPID_PRIVATE_KEY`` gives one; ``VAPID_SUBJECT`` (a ``mailto:``) names
who runs the journal, from ``MAIL_SENDER`` when unset. The server only ever posts to the
push services in ``PUSH_SERVICE_HOSTS``: an address a browser gives is not a way into the
clinic's network. A payload says only that it is time for a check-in.
"""

from __future__ import annotations

import json
import os
import uuid
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from py_vapid import Vapid02
from py_vapid.utils import b64urlencode
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select

from ..accounts.models import User
from ..db import DbSession, utcnow
from ..mail import MailError
from ..records import owned_by
from .models import PushSubscription
from .schedule import Reminder, Settings

TTL_SECONDS = 6 * 3600  # a phone that is off for longer gets no stale reminder
GONE = (404, 410)  # the push service says the subscription ended
SCREENS = {"questionnaires": "/#/questionnaires"}  # where a tap opens; else the check-in


class PushError(MailError):
    """A push service refused a message (the status, never the content)."""


def load_vapid(config: dict[str, Any] | Any, instance_path: Path) -> Vapid02:
    given = config.get("VAPID_PRIVATE_KEY")
    if given:
        return (
            Vapid02.from_string(given) if "BEGIN" not in given else Vapid02.from_pem(given.encode())
        )
    path = instance_path / "vapid_private.pem"
    instance_path.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        vapid = Vapid02()
        vapid.generate_keys()
        try:
            # O_EXCL: when two workers start at once, one key is written and both read it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(vapid.private_pem())
    return Vapid02.from_pem(path.read_bytes())


def public_key(vapid: Vapid02) -> str:
    """The application server key a browser subscribes with (base64url, uncompressed)."""
    from cryptography.hazmat.primitives import serialization

    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return str(b64urlencode(raw))


def subject(config: Any) -> str:
    if config.get("VAPID_SUBJECT"):
        return str(config["VAPID_SUBJECT"])
    return "mailto:" + parseaddr(config.get("MAIL_SENDER", ""))[1]


def host_allowed(endpoint: str, hosts: tuple[str, ...] | list[str]) -> bool:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    for allowed in hosts:
        allowed = allowed.lower()
        if allowed.startswith("http://"):  # a local service, named with its scheme (tests)
            if f"{parts.scheme}://{parts.netloc}".lower() == allowed:
                return True
        elif parts.scheme == "https" and (
            host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:]))
        ):
            return True
    return False


def subscribe(
    session: DbSession, owner_id: uuid.UUID, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Keep this browser's subscription for the owner (one row an endpoint)."""
    row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(endpoint=endpoint)
        session.add(row)
    row.owner_id, row.p256dh, row.auth = owner_id, p256dh, auth
    row.created_at = utcnow()
    session.flush()
    return row


def unsubscribe(session: DbSession, owner_id: uuid.UUID, endpoint: str) -> None:
    session.execute(
        delete(PushSubscription).where(
            *owned_by(PushSubscription, owner_id), PushSubscription.endpoint == endpoint
        )
    )


class PushChannel:
    """Each of the patient's browsers gets a notification."""

    name = "push"

    def __init__(self, vapid: Vapid02, subject: str) -> None:
        self.vapid, self.subject = vapid, subject

    def send(self, session: DbSession, user: User, settings: Settings, reminder: Reminder) -> bool:
        subscriptions = session.scalars(
            select(PushSubscription).where(*owned_by(PushSubscription, user.id))
        ).all()
        payload = json.dumps(
            {
                "title": "Symptom Journal",
                "body": reminder.text,
                "url": SCREENS.get(reminder.kind, "/#/today"),
                "tag": reminder.key,
            }
        )
        delivered, refused = 0, []
        for row in subscriptions:
            info = {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}}
            try:
                webpush(
                    info,
                    payload,
                    vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.subject},
                    ttl=TTL_SECONDS,
                    timeout=10,
                )
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in GONE:
                    session.delete(row)  # the browser dropped it; it re-subscribes if it can
                else:
                    refused.append(str(status or "no answer"))
                continue
            row.last_sent_at = utcnow()
            delivered += 1
        if not delivered and refused:
            raise PushError(f"the push service answered {', '.join(refused)}")
        return delivered > 0
