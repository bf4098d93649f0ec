"""Rules of treatment sessions and entries, and what deleting a session does to its entries."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..assessments.models import Assessment
from ..db import DbSession
from ..errors import Invalid
from ..records import RecordKind, owned, owned_update
from ..summaries.stats import MEASURES
from .models import Entry, TreatmentSession

ENTRY_FIELDS = (
    "recorded_at",
    *MEASURES,
    "side_effects",
    "note",
    "session_id",
    "phase",
)
SESSION_FIELDS = ("started_at", "duration_minutes", "treatment", "dose_mg", "clinic", "notes")


def _pair(
    values: Mapping[str, Any], first: str, second: str, problems: dict[str, list[str]]
) -> None:
    has_first, has_second = values.get(first) is not None, values.get(second) is not None
    if has_first and not has_second:
        problems.setdefault(second, []).append(f"Required when {first} is given.")
    if has_second and not has_first:
        problems.setdefault(first, []).append(f"Required when {second} is given.")


def entry_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return the cross-field problems of an entry's full content, by field name."""
    problems: dict[str, list[str]] = {}
    if all(values.get(name) is None for name in MEASURES):
        problems["_schema"] = [f"Give at least one measure: {', '.join(MEASURES)}."]
    _pair(values, "systolic", "diastolic", problems)
    systolic, diastolic = values.get("systolic"), values.get("diastolic")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        problems.setdefault("diastolic", []).append("Must be below systolic.")
    for name, messages in session_link_problems(values).items():
        problems.setdefault(name, []).extend(messages)
    return problems


def session_link_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return the problems of a record's session_id/phase pair: both or neither."""
    problems: dict[str, list[str]] = {}
    _pair(values, "session_id", "phase", problems)
    return problems


def check_session_link(
    session: DbSession,
    owner_id: uuid.UUID,
    values: Mapping[str, Any],
    problems: dict[str, list[str]],
) -> None:
    """Add a problem when the record names a treatment session that is not the owner's."""
    session_id = values.get("session_id")
    if session_id is None or "session_id" in problems:
        return
    query = owned(TreatmentSession, owner_id).where(TreatmentSession.id == session_id)
    if session.scalar(query.with_only_columns(TreatmentSession.id)) is None:
        problems["session_id"] = ["No such treatment session of yours."]


def check_entry(session: DbSession, owner_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    """Raise Invalid when the entry breaks a rule or names a session that is not the owner's."""
    problems = entry_problems(values)
    check_session_link(session, owner_id, values, problems)
    if problems:
        raise Invalid(problems)


SESSIONS = RecordKind(
    model=TreatmentSession, name="treatment session", time_field="started_at", fields=SESSION_FIELDS
)
ENTRIES = RecordKind(
    model=Entry,
    name="entry",
    time_field="recorded_at",
    fields=ENTRY_FIELDS,
    defaults={"side_effects": []},
    rules=check_entry,
)


def unlink_records(session: DbSession, treatment: TreatmentSession, now: datetime) -> None:
    """Detach a session's entries and assessments before it is deleted; they keep their values,
    their versions go up."""
    for model in (Entry, Assessment):
        session.execute(
            owned_update(model, treatment.owner_id)
            .where(model.session_id == treatment.id)
            .values(session_id=None, phase=None, version=model.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
