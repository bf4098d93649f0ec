"""Reminder settings (one row a patient, made on first save) and the reminders to send."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, new_id, utcnow


class ReminderSettings(Base):
    """When to remind; the calendar feed's secret is kept as its SHA-256 only."""

    __tablename__ = "reminder_settings"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    daily_time: Mapped[time | None] = mapped_column(Time)
    before_session_minutes: Mapped[int | None] = mapped_column(Integer)
    after_session_minutes: Mapped[int | None] = mapped_column(Integer)
    next_morning: Mapped[bool] = mapped_column(Boolean, default=True)
    questionnaire_every_days: Mapped[int | None] = mapped_column(Integer)
    include_pcl5: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


DELIVERY_STATUSES = ("pending", "sending", "sent", "dropped", "failed")


class ReminderDelivery(Base):
    """One reminder to send: made by the planner, claimed and sent by one worker.

    ``(owner_id, key)`` is unique, so however often the schedule is planned, a reminder is
    sent once. A claim is a lease: a worker that dies mid-send leaves the row ``sending``
    until the lease runs out, and another worker sends it then (``resends`` counts those:
    the only case in which a patient may get one twice, if the first send had gone out).
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("owner_id", "key", name="uq_reminder_deliveries_owner_key"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'dropped', 'failed')", name="status"
        ),
        Index("ix_reminder_deliveries_status_due", "status", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    resends: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channels: Mapped[str | None] = mapped_column(String(40))  # e.g. "email"
    reason: Mapped[str | None] = mapped_column(String(200))  # why dropped or failed


class PushSubscription(Base):
    """A browser's Web Push subscription: where to post, and the keys to encrypt for it."""

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(120))
    auth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
