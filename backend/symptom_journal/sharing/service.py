"""Share links, care-team links and the access log (no Flask)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, union_all

from ..accounts.models import User
from ..assessments.models import Assessment
from ..db import DbSession
from ..errors import NotFound
from ..fields import encode_cursor
from ..journal.models import Entry, TreatmentSession
from ..records import owned
from ..summaries.stats import Period
from .models import AccessEvent, CareInvite, CareLink, ShareLink

INVITE_DAYS = 7
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
INVITE_LENGTH = 12
MAX_SHARES_LISTED = 200
MAX_CARE_TEAM = 200  # clinicians of one patient, listed
ACTIONS = {
    "view_summary": "viewed the summary page",
    "view_summary_json": "downloaded the summary (JSON)",
    "download_entries_csv": "downloaded the entries (CSV)",
    "download_report_pdf": "downloaded the report (PDF)",
}


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest under which a token or code is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def share_status(link: ShareLink, now: datetime) -> str:
    """Return ``active``, ``expired`` or ``revoked``."""
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"


def create_share(
    session: DbSession,
    *,
    owner_id: uuid.UUID,
    label: str | None,
    expires_in_days: int,
    period_from: date | None,
    period_to: date | None,
    include_notes: bool,
    now: datetime,
) -> tuple[ShareLink, str]:
    """Create a share link; return it and its token (256 random bits, shown only now)."""
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        owner_id=owner_id,
        label=label,
        token_hash=digest(token),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
        period_from=period_from,
        period_to=period_to,
        include_notes=include_notes,
    )
    session.add(link)
    session.flush()
    return link, token


def list_shares(session: DbSession, *, owner_id: uuid.UUID) -> list[ShareLink]:
    """Return the owner's share links, newest first (the most recent 200)."""
    query = (
        select(ShareLink)
        .where(ShareLink.owner_id == owner_id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        .limit(MAX_SHARES_LISTED)
    )
    return list(session.scalars(query))


def revoke_share(
    session: DbSession, *, owner_id: uuid.UUID, share_id: uuid.UUID, now: datetime
) -> None:
    """Revoke one of the owner's links at once; raise NotFound for anyone else's."""
    link = session.scalar(
        select(ShareLink).where(ShareLink.id == share_id, ShareLink.owner_id == owner_id)
    )
    if link is None:
        raise NotFound("No such share link.")
    if link.revoked_at is None:
        link.revoked_at = now


def resolve_share(session: DbSession, *, token: str, now: datetime) -> ShareLink | None:
    """Return the live link of a token; None when unknown, expired or revoked alike."""
    if not token or len(token) > 100:
        return None
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == digest(token)))
    if link is None or share_status(link, now) != "active":
        return None
    return link


def first_day(session: DbSession, *, owner_id: uuid.UUID) -> date | None:
    """Return the local date of the owner's earliest live record, or None without any."""
    firsts = union_all(
        *(
            owned(model, owner_id).with_only_columns(func.min(model.local_date))
            for model in (Entry, TreatmentSession, Assessment)
        )
    ).subquery()
    return session.scalar(select(func.min(firsts.c[0])))


def share_period(session: DbSession, link: ShareLink, *, today: date) -> Period:
    """Return the period a link covers on a given day: its own bounds, else the whole history
    up to today."""
    end = link.period_to or today
    start = link.period_from or first_day(session, owner_id=link.owner_id) or end
    return Period(min(start, end), end)


def record_access(
    session: DbSession,
    *,
    patient_id: uuid.UUID,
    action: str,
    now: datetime,
    clinician: User | None = None,
    share: ShareLink | None = None,
) -> None:
    """Add one access-log record: a clinician's or a share link's view or download."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    name: str | None
    if clinician is not None:
        actor, name = "clinician", clinician.display_name or clinician.email
    elif share is not None:
        actor, name = "share_link", share.label
    else:
        raise ValueError("an access needs a clinician or a share link")
    session.add(
        AccessEvent(
            patient_id=patient_id,
            at=now,
            actor=actor,
            clinician_id=clinician.id if clinician else None,
            share_id=share.id if share else None,
            actor_name=name,
            action=action,
        )
    )


@dataclass
class AccessPage:
    items: list[AccessEvent]
    next_cursor: str | None


def list_access(
    session: DbSession,
    *,
    patient_id: uuid.UUID,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> AccessPage:
    """Return a page of the patient's access log, newest first."""
    query = select(AccessEvent).where(AccessEvent.patient_id == patient_id)
    if after is not None:
        at, last_id = after
        query = query.where(
            (AccessEvent.at < at) | ((AccessEvent.at == at) & (AccessEvent.id < last_id))
        )
    rows = list(
        session.scalars(
            query.order_by(AccessEvent.at.desc(), AccessEvent.id.desc()).limit(limit + 1)
        )
    )
    if len(rows) <= limit:
        return AccessPage(rows, None)
    last = rows[limit - 1]
    return AccessPage(rows[:limit], encode_cursor(["a", last.at.isoformat(), str(last.id)]))


def normalize_code(code: str) -> str:
    """Return an invite code as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_invite(
    session: DbSession, *, owner_id: uuid.UUID, now: datetime
) -> tuple[CareInvite, str]:
    """Create a one-use invite code valid for 7 days; return it and the code (shown once)."""
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    invite = CareInvite(
        owner_id=owner_id,
        code_hash=digest(raw),
        created_at=now,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    session.add(invite)
    session.flush()
    return invite, "-".join(raw[i : i + 4] for i in range(0, INVITE_LENGTH, 4))


def redeem_invite(
    session: DbSession, *, clinician_id: uuid.UUID, code: str, now: datetime
) -> tuple[CareLink, User]:
    """Link the clinician to the patient who made the code; raise NotFound for an unknown,
    used or expired code."""
    invite = session.scalar(
        select(CareInvite)
        .where(CareInvite.code_hash == digest(normalize_code(code)))
        .with_for_update()
    )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise NotFound("This code is unknown, used or expired. Ask the patient for a new one.")
    invite.used_at = now
    patient = session.get(User, invite.owner_id)
    assert patient is not None
    link = session.get(CareLink, (invite.owner_id, clinician_id))
    if link is None:
        link = CareLink(patient_id=invite.owner_id, clinician_id=clinician_id, linked_at=now)
        session.add(link)
        session.flush()
    return link, patient


def care_team(session: DbSession, *, patient_id: uuid.UUID) -> list[tuple[User, CareLink]]:
    """Return the clinicians linked to the patient, earliest link first (at most 200)."""
    rows = session.execute(
        select(User, CareLink)
        .join(CareLink, CareLink.clinician_id == User.id)
        .where(CareLink.patient_id == patient_id)
        .order_by(CareLink.linked_at, User.id)
        .limit(MAX_CARE_TEAM)
    )
    return [(user, link) for user, link in rows]


def unlink(session: DbSession, *, patient_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
    """Remove a care-team link; raise NotFound when there is none."""
    result = session.execute(
        delete(CareLink)
        .where(CareLink.patient_id == patient_id, CareLink.clinician_id == clinician_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("No such link.")


def linked_patient(session: DbSession, *, clinician_id: uuid.UUID, patient_id: uuid.UUID) -> User:
    """Return a patient the clinician is linked to: the one gate to a patient's data for
    clinicians. Raise NotFound otherwise, the same for unknown and unlinked ids."""
    patient = session.scalar(
        select(User)
        .join(CareLink, CareLink.patient_id == User.id)
        .where(CareLink.clinician_id == clinician_id, User.id == patient_id)
    )
    if patient is None:
        raise NotFound("No such patient.")
    return patient
