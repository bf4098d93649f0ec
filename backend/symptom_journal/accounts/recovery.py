"""Getting back into an account, and what happened to it.

- **Password reset**: asking for a link answers the same whether or not the address has an
  account (the mail goes out after the answer); the link holds a random token of 256 bits,
  of which only the SHA-256 is stored; it works once, for an hour; setting the new password
  ends every session and every other link.
- **Events**: each sign-in, failed sign-in, password change and reset is kept for the
  account's owner to see (the newest ``MAX_EVENTS``).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, select, update

from ..db import DbSession
from ..errors import Invalid, NotFound
from .models import AuthEvent, EmailVerification, PasswordReset, User
from .passwords import PasswordHasher, password_problems
from .service import email_key, end_resets, end_sessions, token_hash

RESET_LIFETIME = timedelta(minutes=60)
SET_PASSWORD_LIFETIME = timedelta(days=7)  # a link the operator gives with a new account
VERIFY_LIFETIME = timedelta(days=7)
VERIFY_GONE = (
    "This link to confirm an address has expired or is not one we sent. Ask for a new one."
)
LINK_GONE = (
    "This link to set a new password has been used, has expired or is not one we sent. "
    "Ask for a new one."
)
MAX_EVENTS = 100


def ask_reset(
    session: DbSession, email: str, now: datetime, lifetime: timedelta = RESET_LIFETIME
) -> tuple[User, str] | None:
    """Make a reset link's token for the account of ``email``; None when there is none.
    The token is made either way, so both answers take the same work up to the lookup."""
    token = secrets.token_urlsafe(32)
    user = session.scalar(select(User).where(User.email_key == email_key(email)))
    if user is None:
        return None
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return user, token


def _live_reset(token: str, now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        PasswordReset.token_hash == token_hash(token),
        PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now,
    )


def reset_password(
    session: DbSession, *, hasher: PasswordHasher, token: str, password: str, now: datetime
) -> User:
    """Set the password of the link's account; the link and every other one of that account
    stop working and every session ends. Raise NotFound for a used, expired or unknown
    link (one answer for all three), Invalid for a weak password (the link still works)."""
    if len(token) > 100:
        raise NotFound(LINK_GONE)
    user = session.scalar(
        select(User)
        .join(PasswordReset, PasswordReset.user_id == User.id)
        .where(*_live_reset(token, now))
    )
    if user is None:
        raise NotFound(LINK_GONE)
    problems = password_problems(password, email=user.email)
    if problems:
        raise Invalid({"password": problems})
    # Used once: of two requests with the same link, only one changes this row.
    claimed = session.execute(
        update(PasswordReset)
        .where(*_live_reset(token, now))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(LINK_GONE)
    end_resets(session, user_id=user.id, now=now)  # and every other link of the account
    user.password_hash = hasher.hash(password)
    user.failed_logins, user.failed_logins_since = 0, None
    end_sessions(session, user_id=user.id, keep=None)
    return user


def list_events(session: DbSession, *, user_id: uuid.UUID) -> list[AuthEvent]:
    """The account's newest events, newest first."""
    return list(
        session.scalars(
            select(AuthEvent)
            .where(AuthEvent.user_id == user_id)
            .order_by(AuthEvent.at.desc(), AuthEvent.id)
            .limit(MAX_EVENTS)
        )
    )


# --- confirming an address: a signed link (no table: confirming twice does no harm) ---


def _verifier(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="verify-email")


def verification_token(secret_key: str, user: User) -> str:
    """A link's token that confirms ``user``'s current address (7 days)."""
    return str(_verifier(secret_key).dumps({"user": str(user.id), "email": user.email_key}))


def verify_email(session: DbSession, secret_key: str, token: str, now: datetime) -> User:
    """Mark the address of the token's account as confirmed; raise NotFound for a token
    that is expired, forged, or for an address the account no longer has."""
    try:
        claims = _verifier(secret_key).loads(token, max_age=int(VERIFY_LIFETIME.total_seconds()))
        user = session.get(User, uuid.UUID(claims["user"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(VERIFY_GONE) from None
    if user is None or user.email_key != claims["email"]:
        raise NotFound(VERIFY_GONE)
    mark_verified(session, user, now)
    return user


def mark_verified(session: DbSession, user: User, now: datetime) -> None:
    """Record that ``user``'s current address is confirmed (again: no harm)."""
    row = session.get(EmailVerification, user.id)
    if row is None:
        session.add(EmailVerification(user_id=user.id, email_key=user.email_key, verified_at=now))
    elif row.email_key != user.email_key:
        row.email_key, row.verified_at = user.email_key, now


def is_verified(session: DbSession, user_id: uuid.UUID, email_key: str) -> bool:
    row = session.get(EmailVerification, user_id)
    return row is not None and row.email_key == email_key
