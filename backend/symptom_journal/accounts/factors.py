"""A second step of signing in: an authenticator app (TOTP, with pyotp), and ten one-use
recovery codes for when it is lost.

Enrolment shows the secret (as text, an ``otpauth://`` address and a QR code drawn by segno
as SVG, no network) and keeps it unconfirmed until a first code from the app is given. A
code is taken for the 30-second step it belongs to, one step either side for a phone's
clock, and never twice: the step used last is kept. The secret is stored sealed
(``sealing.py``). Recovery codes are shown once; only their SHA-256 is stored (each has
50 random bits).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, func, select, update

from ..db import DbSession
from ..errors import Conflict, Invalid
from .models import Passkey, RecoveryCode, TotpFactor, User
from .sealing import InvalidToken, Sealer

log = logging.getLogger(__name__)

ISSUER = "Symptom Journal"
RECOVERY_CODES = 10
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def has_totp(session: DbSession, user_id: uuid.UUID) -> bool:
    found = session.scalar(
        select(TotpFactor.user_id).where(
            TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None)
        )
    )
    return found is not None


def has_any_factor(session: DbSession, user_id: uuid.UUID) -> bool:
    """Whether the account has an authenticator app or a passkey."""
    return bool(second_steps(session, user_id))


def second_steps(session: DbSession, user_id: uuid.UUID) -> list[str]:
    """The ways the account can pass the second step of signing in: "totp" and "passkey"
    for what it has, then "recovery_code"; empty when it has neither."""
    totp = select(TotpFactor.user_id).where(
        TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None)
    )
    passkey = select(Passkey.user_id).where(Passkey.user_id == user_id)
    row = session.execute(select(totp.exists(), passkey.exists())).one()
    found = [name for name, present in zip(("totp", "passkey"), row, strict=True) if present]
    return [*found, "recovery_code"] if found else []


def passkeys_count(session: DbSession, user_id: uuid.UUID) -> int:
    return int(session.scalar(select(func.count()).where(Passkey.user_id == user_id)) or 0)


def start_totp(session: DbSession, user: User, now: datetime, *, sealer: Sealer) -> Enrolment:
    """Make a new secret for ``user`` (replacing one not yet confirmed); Conflict when an
    authenticator is already set up (remove it first)."""
    row = session.get(TotpFactor, user.id)
    if row is not None and row.confirmed_at is not None:
        raise Conflict("An authenticator app is set up already. Remove it first to set up another.")
    secret = pyotp.random_base32()
    if row is None:
        row = TotpFactor(user_id=user.id)
        session.add(row)
    row.secret, row.created_at = sealer.seal(secret), now
    row.confirmed_at, row.last_step = None, None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, title="QR code to scan")
    return Enrolment(secret, uri, str(svg))


def _open_secret(row: TotpFactor, sealer: Sealer) -> str | None:
    try:
        return sealer.open(row.secret)
    except InvalidToken:
        log.error(
            "An authenticator app's secret cannot be opened with the keys set: was "
            "SECRET_KEY or FACTOR_ENCRYPTION_KEYS changed? Its codes are refused; "
            "recovery codes still work."
        )
        return None


def _matching_step(secret: str | None, code: str, now: datetime) -> int | None:
    """The time step (of 30 s) whose code ``code`` is, within one step of ``now``."""
    if secret is None or not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def confirm_totp(
    session: DbSession, user: User, code: str, now: datetime, *, sealer: Sealer
) -> list[str]:
    """Turn the pending authenticator on with a first code from it; return ten new
    recovery codes (shown once). Invalid for a wrong code."""
    row = session.get(TotpFactor, user.id)
    if row is None or row.confirmed_at is not None:
        raise Conflict("Start setting up an authenticator app first.")
    step = _matching_step(_open_secret(row, sealer), _normal(code), now)
    if step is None:
        raise Invalid({"code": ["Not the code the app shows now. Check the phone's clock."]})
    row.confirmed_at, row.last_step = now, step
    return new_recovery_codes(session, user.id)


def new_recovery_codes(session: DbSession, user_id: uuid.UUID) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user_id, code_hash=_hash(raw)))
    return codes


def remove_totp(session: DbSession, user_id: uuid.UUID) -> bool:
    """Turn the authenticator off (and the recovery codes, unless a passkey stays);
    whether there was one."""
    gone = session.execute(
        delete(TotpFactor)
        .where(TotpFactor.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    drop_unused_recovery_codes(session, user_id)
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def drop_unused_recovery_codes(session: DbSession, user_id: uuid.UUID) -> None:
    """Recovery codes stand in for a second step: with none left to stand in for, they go."""
    if not has_any_factor(session, user_id):
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def check_second_step(
    session: DbSession, user_id: uuid.UUID, code: str, now: datetime, *, sealer: Sealer
) -> str | None:
    """Take a code from the authenticator or a recovery code, once; return which it was
    ("totp" or "recovery_code"), or None when it is neither."""
    given = _normal(code)
    row = session.get(TotpFactor, user_id)
    if row is not None and row.confirmed_at is not None:
        step = _matching_step(_open_secret(row, sealer), given, now)
        if step is not None and (row.last_step is None or step > row.last_step):
            # Of two requests with the same code, one moves the step on.
            taken = session.execute(
                update(TotpFactor)
                .where(
                    TotpFactor.user_id == user_id,
                    (TotpFactor.last_step.is_(None)) | (TotpFactor.last_step < step),
                )
                .values(last_step=step)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return "totp"
            return None
    if len(given) == 10:
        used = session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == _hash(given),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount == 1:  # type: ignore[attr-defined]
            return "recovery_code"
    return None


def recovery_codes_left(session: DbSession, user_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )
