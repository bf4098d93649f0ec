"""Accounts: registration, sign-in with per-account throttling, server-side sessions."""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from ..db import DbSession
from ..errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthorized
from .models import AuthEvent, LoginSession, PasswordReset, SignedInSession, SignedInUser, User
from .passwords import PasswordHasher, password_problems

WRONG_CREDENTIALS = "Wrong email or password."
TOO_MANY_FAILURES = "Too many failed sign-ins for this account. Try again later."


class NoSuchAccount(Unauthorized):
    """A sign-in refused because no account uses the address: answered exactly as a wrong
    password is (the view counts these per address, as the account counts the others)."""


# A user's signed-in devices are capped; signing in on one more ends the oldest.
MAX_SESSIONS_PER_USER = 50
# last_seen_at is written at most this often, to keep reads from becoming writes.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a login session lasts: idle timeout and absolute lifetime."""

    idle: timedelta
    lifetime: timedelta


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins allowed per account within a window."""

    max_failures: int
    window: timedelta


def email_key(email: str) -> str:
    """Return the case-insensitive key of an email address."""
    return email.strip().lower()


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest under which a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def register(
    session: DbSession,
    *,
    hasher: PasswordHasher,
    email: str,
    password: str,
    role: str = "patient",
    display_name: str | None = None,
    timezone: str = "UTC",
) -> User:
    """Create and return a user; raise Invalid for a weak password, Conflict for a taken email."""
    problems = password_problems(password, email=email)
    if problems:
        raise Invalid({"password": problems})
    key = email_key(email)
    if session.scalar(select(User.id).where(User.email_key == key)) is not None:
        raise _email_taken()
    user = User(
        email=email.strip(),
        email_key=key,
        password_hash=hasher.hash(password),
        role=role,
        display_name=display_name,
        timezone=timezone,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise _email_taken() from None
    return user


def _email_taken() -> Conflict:
    return Conflict(
        "An account with this email already exists. Sign in instead.",
        errors={"json": {"email": ["Already registered."]}},
    )


def _retry_after(since: datetime | None, window: timedelta, now: datetime) -> int:
    if since is None:
        return 1
    return max(1, math.ceil((since + window - now).total_seconds()))


def check_not_throttled(user: User, *, throttle: Throttle, now: datetime) -> None:
    """Raise TooManyRequests while the account has used up its failed sign-ins."""
    since = user.failed_logins_since
    if (
        since is not None
        and since + throttle.window > now
        and user.failed_logins >= throttle.max_failures
    ):
        seconds = _retry_after(since, throttle.window, now)
        raise TooManyRequests(
            TOO_MANY_FAILURES,
            headers={"Retry-After": str(seconds)},
        )


def record_failure(
    session: DbSession,
    *,
    user_id: uuid.UUID,
    throttle: Throttle,
    now: datetime,
    user_agent: str | None = None,
    kind: str = "sign_in_failed",
) -> None:
    """Count one failed sign-in (a wrong password, or a wrong code at the second step)
    against the account, atomically, opening a new window if due, and keep it among the
    account's events."""
    record_event(session, user_id=user_id, kind=kind, now=now, user_agent=user_agent)
    in_window = User.failed_logins_since > now - throttle.window
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            failed_logins=case((in_window, User.failed_logins + 1), else_=1),
            failed_logins_since=case((in_window, User.failed_logins_since), else_=now),
        )
        .execution_options(synchronize_session=False)
    )


def authenticate(
    session: DbSession,
    *,
    hasher: PasswordHasher,
    email: str,
    password: str,
    throttle: Throttle,
    now: datetime,
    user_agent: str | None = None,
) -> User:
    """Return the user with these credentials; raise Unauthorized, TooManyRequests when throttled.

    A failure is committed by the caller even though the sign-in is refused.
    """
    user = session.scalar(select(User).where(User.email_key == email_key(email)))
    if user is None:
        hasher.verify(None, password)
        raise NoSuchAccount(WRONG_CREDENTIALS)
    check_not_throttled(user, throttle=throttle, now=now)
    if not hasher.verify(user.password_hash, password):
        record_failure(session, user_id=user.id, throttle=throttle, now=now, user_agent=user_agent)
        raise Unauthorized(WRONG_CREDENTIALS)
    if user.failed_logins:
        user.failed_logins = 0
        user.failed_logins_since = None
    if hasher.needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def start_session(
    session: DbSession,
    *,
    user: User,
    policy: SessionPolicy,
    user_agent: str | None,
    now: datetime,
    second_factor: str | None = None,
) -> tuple[LoginSession, str]:
    """Create a login session for ``user`` (passed ``second_factor``, if any); return it and
    the token for the cookie (shown once)."""
    token = secrets.token_urlsafe(32)
    login = LoginSession(
        user_id=user.id,
        token_hash=token_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.lifetime,
        user_agent=(user_agent or "")[:200] or None,
        second_factor=second_factor,
    )
    session.add(login)
    session.flush()
    _prune_sessions(session, user_id=user.id)
    return login, token


def _prune_sessions(session: DbSession, *, user_id: uuid.UUID) -> None:
    keep = (
        select(LoginSession.id)
        .where(LoginSession.user_id == user_id)
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
        .limit(MAX_SESSIONS_PER_USER)
    )
    session.execute(
        delete(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.id.not_in(keep.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )


SIGNED_IN_FIELDS = tuple(field.name for field in fields(SignedInUser))


def resolve_session(
    session: DbSession, *, token: str, policies: dict[str, SessionPolicy], now: datetime
) -> tuple[SignedInSession, SignedInUser] | None:
    """Return the live login session and its user for a cookie token, or None.

    A session past its idle timeout or absolute lifetime no longer resolves.
    """
    row = session.execute(
        select(
            LoginSession.id,
            LoginSession.last_seen_at,
            LoginSession.expires_at,
            LoginSession.second_factor,
            *(getattr(User, name) for name in SIGNED_IN_FIELDS),
        )
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    login_id, last_seen_at, expires_at, second_factor, *user_values = row
    user = SignedInUser(*user_values)
    if expires_at <= now or last_seen_at + policies[user.role].idle <= now:
        return None
    return SignedInSession(login_id, last_seen_at, second_factor), user


def note_second_factor(session: DbSession, *, login_id: uuid.UUID, factor: str) -> None:
    """Record that the login session has shown ``factor`` (one just set up in it)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.id == login_id, LoginSession.second_factor.is_(None))
        .values(second_factor=factor)
    )


def touch_session(session: DbSession, *, login_id: uuid.UUID, now: datetime) -> None:
    """Record that the login session was used at ``now`` (its idle timeout counts from it)."""
    session.execute(
        update(LoginSession).where(LoginSession.id == login_id).values(last_seen_at=now)
    )


def needs_touch(login: SignedInSession, now: datetime) -> bool:
    """Return whether the session's last-seen time is stale enough to be written again."""
    return now - login.last_seen_at >= TOUCH_INTERVAL


def list_sessions(session: DbSession, *, user_id: uuid.UUID) -> list[LoginSession]:
    """Return the user's signed-in devices, newest first (at most MAX_SESSIONS_PER_USER)."""
    return list(
        session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user_id)
            .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
            .limit(MAX_SESSIONS_PER_USER)
        )
    )


def revoke_session(session: DbSession, *, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """End one of the user's sessions; raise NotFound when it is not theirs or does not exist."""
    result = session.execute(
        delete(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("No such session.")


def end_session(session: DbSession, *, login_id: uuid.UUID) -> None:
    """Delete a login session, so that its cookie never works again."""
    session.execute(
        delete(LoginSession)
        .where(LoginSession.id == login_id)
        .execution_options(synchronize_session=False)
    )


def confirm_password(
    session: DbSession,
    *,
    hasher: PasswordHasher,
    user: User,
    password: str,
    throttle: Throttle,
    now: datetime,
    field: str = "password",
    user_agent: str | None = None,
) -> None:
    """Check the password of a signed-in user about to change something that matters.

    Raise Forbidden naming ``field`` for a wrong one (counted as a failed sign-in, which the
    caller commits), TooManyRequests when throttled.
    """
    check_not_throttled(user, throttle=throttle, now=now)
    if not hasher.verify(user.password_hash, password):
        record_failure(session, user_id=user.id, throttle=throttle, now=now, user_agent=user_agent)
        raise Forbidden(
            "The password is wrong; nothing was changed.",
            errors={"json": {field: ["Wrong password."]}},
        )


def change_password(
    session: DbSession,
    *,
    hasher: PasswordHasher,
    user: User,
    current_password: str,
    new_password: str,
    keep_session_id: uuid.UUID | None,
    throttle: Throttle,
    now: datetime,
) -> None:
    """Set a new password and end every other session of the user.

    Raise Forbidden for a wrong current password (counted as a failed sign-in),
    TooManyRequests when throttled, Invalid for a weak new password.
    """
    confirm_password(
        session,
        hasher=hasher,
        user=user,
        password=current_password,
        throttle=throttle,
        now=now,
        field="current_password",
    )
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise Invalid({"new_password": problems})
    user.password_hash = hasher.hash(new_password)
    end_resets(session, user_id=user.id, now=now)  # a link asked for before stops working
    end_sessions(session, user_id=user.id, keep=keep_session_id)


def end_sessions(session: DbSession, *, user_id: uuid.UUID, keep: uuid.UUID | None) -> None:
    """Sign the user out everywhere, but for the login session ``keep`` (if any)."""
    others = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep is not None:
        others = others.where(LoginSession.id != keep)
    session.execute(others.execution_options(synchronize_session=False))


def erase_account(
    session: DbSession, *, hasher: PasswordHasher, user_id: uuid.UUID, password: str
) -> None:
    """Delete the user and, by cascade, every row of theirs; raise Forbidden (wrong password)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    if not hasher.verify(user.password_hash, password):
        raise Forbidden(
            "The password is wrong; nothing was erased.",
            errors={"json": {"password": ["Wrong password."]}},
        )
    # The database cascades to records, sessions, links, invites and the access log.
    session.execute(
        delete(User).where(User.id == user_id).execution_options(synchronize_session=False)
    )
    session.expunge(user)


def end_resets(session: DbSession, *, user_id: uuid.UUID, now: datetime) -> None:
    """Make every unused password reset link of the account stop working."""
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


EVENTS_KEPT = timedelta(days=365)


def record_event(
    session: DbSession, *, user_id: uuid.UUID, kind: str, now: datetime, user_agent: str | None
) -> None:
    """Keep ``kind`` (a sign-in, a failed one, a password change...) among the account's
    events; those older than a year go."""
    session.add(
        AuthEvent(user_id=user_id, kind=kind, at=now, user_agent=(user_agent or "")[:200] or None)
    )
    session.execute(
        delete(AuthEvent)
        .where(AuthEvent.user_id == user_id, AuthEvent.at < now - EVENTS_KEPT)
        .execution_options(synchronize_session=False)
    )
