"""Questionnaire answers, scored by the server when stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime
from ..records import Record, at_offset


class Assessment(Record, Base):
    """One completed PHQ-9, GAD-7 or PCL-5."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("instrument IN ('phq9', 'gad7', 'pcl5')", name="instrument"),
        CheckConstraint("phase IN ('pre', 'post')", name="phase"),
        CheckConstraint("(session_id IS NULL) = (phase IS NULL)", name="session_phase_pair"),
        Index("ix_assessments_owner_completed", "owner_id", "completed_at", "id"),
        Index("ix_assessments_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_assessments_owner_local_date", "owner_id", "local_date"),
        Index(
            "ix_assessments_session_id",
            "session_id",
            sqlite_where=text("session_id IS NOT NULL"),
            postgresql_where=text("session_id IS NOT NULL"),
        ),
    )

    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    instrument: Mapped[str] = mapped_column(String(8))
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("treatment_sessions.id", ondelete="SET NULL")
    )
    phase: Mapped[str | None] = mapped_column(String(4))
    # Scored on write from the answers, so that summaries and exports read plain columns.
    total: Mapped[int | None] = mapped_column(Integer)
    severity: Mapped[str | None] = mapped_column(String(24))
    dsm5_criteria_met: Mapped[bool | None] = mapped_column(Boolean)
    suicidal_item: Mapped[int | None] = mapped_column(Integer)

    @property
    def completed_at_local(self) -> datetime:
        return at_offset(self.completed_at, self.utc_offset)
