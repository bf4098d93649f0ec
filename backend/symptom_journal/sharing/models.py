"""Share links, care-team invites and links, and the access log."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, new_id, utcnow


class ShareLink(Base):
    """A revocable, expiring link to a patient's summary. Only the token's SHA-256 is kept."""

    __tablename__ = "share_links"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str | None] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Without period_from the link covers the whole history; without period_to it runs up
    # to the day of each view.
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    include_notes: Mapped[bool] = mapped_column(Boolean, default=False)


class CareInvite(Base):
    """A one-use code a patient gives a clinician to link their accounts."""

    __tablename__ = "care_invites"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CareLink(Base):
    """A clinician who may read a patient's summary."""

    __tablename__ = "care_links"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_care_links_clinician", "clinician_id"),)


class AccessEvent(Base):
    """One view or download of a patient's data by a clinician or through a share link."""

    __tablename__ = "access_log"
    __table_args__ = (
        CheckConstraint("actor IN ('clinician', 'share_link')", name="actor"),
        Index("ix_access_log_patient_at", "patient_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(16))
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    share_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("share_links.id", ondelete="SET NULL")
    )
    # Who, as the patient knew them at the time: the clinician's name or the link's label.
    actor_name: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
