"""A patient's reminder settings: one row each, made on first save."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Integer, String, Time, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


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
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
