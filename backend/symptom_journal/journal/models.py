"""Treatment sessions and journal entries: the patient's own synced records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime
from ..records import Record, at_offset

TREATMENTS = (
    "ketamine_iv",
    "ketamine_im",
    "esketamine_nasal",
    "ketamine_oral",
    "ketamine_sublingual",
    "other",
)
PHASES = ("pre", "post")
SIDE_EFFECTS = (
    "nausea",
    "headache",
    "dizziness",
    "drowsiness",
    "blurred_vision",
    "dissociation",
    "anxiety",
    "elevated_bp",
    "other",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class TreatmentSession(Record, Base):
    """A ketamine or esketamine treatment the patient received."""

    __tablename__ = "treatment_sessions"
    __table_args__ = (
        CheckConstraint(_in("treatment", TREATMENTS), name="treatment"),
        Index("ix_treatment_sessions_owner_started", "owner_id", "started_at", "id"),
        Index("ix_treatment_sessions_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_treatment_sessions_owner_local_date", "owner_id", "local_date"),
    )

    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    treatment: Mapped[str] = mapped_column(String(32))
    dose_mg: Mapped[float | None] = mapped_column(Float)
    clinic: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    @property
    def started_at_local(self) -> datetime:
        return at_offset(self.started_at, self.utc_offset)


class Entry(Record, Base):
    """One check-in: measures, side effects, a note, optionally before or after a session."""

    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint(_in("phase", PHASES), name="phase"),
        CheckConstraint("(session_id IS NULL) = (phase IS NULL)", name="session_phase_pair"),
        Index("ix_entries_owner_recorded", "owner_id", "recorded_at", "id"),
        Index("ix_entries_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_entries_owner_local_date", "owner_id", "local_date"),
        # Only linked entries: statistics of a column that is mostly NULL would otherwise
        # steer the planner away from it when a summary reads a session's entries.
        Index(
            "ix_entries_session_id",
            "session_id",
            sqlite_where=text("session_id IS NOT NULL"),
            postgresql_where=text("session_id IS NOT NULL"),
        ),
    )

    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mood: Mapped[int | None] = mapped_column(Integer)
    anxiety: Mapped[int | None] = mapped_column(Integer)
    sleep_hours: Mapped[float | None] = mapped_column(Float)
    sleep_quality: Mapped[int | None] = mapped_column(Integer)
    dissociation: Mapped[int | None] = mapped_column(Integer)
    systolic: Mapped[int | None] = mapped_column(Integer)
    diastolic: Mapped[int | None] = mapped_column(Integer)
    heart_rate: Mapped[int | None] = mapped_column(Integer)
    side_effects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("treatment_sessions.id", ondelete="SET NULL")
    )
    phase: Mapped[str | None] = mapped_column(String(4))

    @property
    def recorded_at_local(self) -> datetime:
        return at_offset(self.recorded_at, self.utc_offset)


# The per-day table the triggers on entries keep; imported here so that it is in the
# metadata wherever entries are.
from .days import EntryDay, EntryWeek  # noqa: E402, F401
