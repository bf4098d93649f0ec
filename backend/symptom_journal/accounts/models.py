"""Users and their server-side login sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, new_id, utcnow

ROLES = ("patient", "clinician")


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('patient', 'clinician')", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254))
    # The address lower-cased: uniqueness and look-ups ignore case.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Failed sign-ins in the current window, kept with the account so that the count
    # holds across worker processes and app instances without shared rate-limit storage.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_id(self) -> str:
        return str(self.id)


class LoginSession(Base):
    """A signed-in device. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # How this sign-in passed a second step (of SECOND_FACTORS), or None for a password
    # alone; a clinician may need one (CLINICIAN_MFA_REQUIRED).
    second_factor: Mapped[str | None] = mapped_column(String(16))


@dataclass(frozen=True, slots=True, eq=False)
class SignedInUser(UserMixin):
    """The signed-in user of a request, read with the login session in one query: what
    requests need of the account (who, which role, the time zone), without an ORM object.
    A view that changes the account loads the ``User`` itself."""

    id: uuid.UUID
    email: str
    role: str
    display_name: str | None
    timezone: str


@dataclass(frozen=True, slots=True)
class SignedInSession:
    """The login session a request came with."""

    id: uuid.UUID
    last_seen_at: datetime
    second_factor: str | None


class PasswordReset(Base):
    """A link to set a new password: one use, an hour; only the token's SHA-256 is stored."""

    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


SECOND_FACTORS = ("totp", "recovery_code", "passkey")  # how a sign-in passed a second step
EVENT_KINDS = (
    "signed_in",
    "sign_in_failed",
    "password_changed",
    "password_reset_asked",
    "password_reset",
    "second_step_failed",
    "factor_added",
    "factor_removed",
    "recovery_code_used",
    "passkey_added",
    "passkey_removed",
    "recovery_codes_renewed",
)


class AuthEvent(Base):
    """Something that happened to an account's sign-in, shown to its owner."""

    __tablename__ = "auth_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(200))


class EmailVerification(Base):
    """An account whose address was confirmed: its owner opened a link mailed to it, or the
    operator made the account. Asked only where the clinic wants clinicians verified."""

    __tablename__ = "email_verifications"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email_key: Mapped[str] = mapped_column(String(254))  # the address that was confirmed
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TotpFactor(Base):
    """An authenticator app (TOTP, RFC 6238) as a second step of signing in: one an account.
    Usable once confirmed with a first code; ``last_step`` stops a code being used twice."""

    __tablename__ = "totp_factors"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(255))  # sealed (sealing.py)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(Integer)


class RecoveryCode(Base):
    """A one-use code for when the authenticator is lost; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(Base):
    """A passkey (WebAuthn credential) that signs its owner in: the authenticator checks
    the person (user verification), so it stands for password and second step together."""

    __tablename__ = "passkeys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
