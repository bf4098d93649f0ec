"""A clinician's list of linked patients, with the same number of queries for 2 or 200."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from ..accounts.models import User
from ..assessments.models import Assessment
from ..clinical import ClinicalSettings
from ..db import DbSession
from ..journal.models import Entry, TreatmentSession
from ..records import at_offset, owned_by
from ..summaries.stats import (
    INSTRUMENT_ORDER,
    AssessmentPoint,
    BpReading,
    flags,
    instrument_change,
)
from .models import CareLink

OPEN_FLAG_DAYS = 30
MAX_PATIENTS = 1000  # listed for one clinician
SCORE_DAYS = 90  # the default summary period, over which change is judged


def _latest_scores(session: DbSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    rank = (
        func.row_number()
        .over(
            partition_by=(Assessment.owner_id, Assessment.instrument),
            order_by=(Assessment.completed_at.desc(), Assessment.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(
            Assessment.owner_id,
            Assessment.instrument,
            Assessment.total,
            Assessment.severity,
            Assessment.completed_at,
            Assessment.utc_offset,
            rank,
        )
        .where(*owned_by(Assessment, ids))
        .subquery()
    )
    scores: dict[uuid.UUID, dict[str, Any]] = defaultdict(dict)
    for row in session.execute(select(ranked).where(ranked.c.rank == 1)):
        scores[row.owner_id][row.instrument] = {
            "total": row.total,
            "severity": row.severity,
            "completed_at": at_offset(row.completed_at, row.utc_offset).isoformat(),
        }
    return scores


def _last_entries(session: DbSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rank = (
        func.row_number()
        .over(partition_by=Entry.owner_id, order_by=(Entry.recorded_at.desc(), Entry.id.desc()))
        .label("rank")
    )
    ranked = (
        select(Entry.owner_id, Entry.recorded_at, Entry.utc_offset, rank)
        .where(*owned_by(Entry, ids))
        .subquery()
    )
    return {
        row.owner_id: at_offset(row.recorded_at, row.utc_offset).isoformat()
        for row in session.execute(select(ranked).where(ranked.c.rank == 1))
    }


def _readings(
    session: DbSession, ids: list[uuid.UUID], cutoff: datetime
) -> dict[uuid.UUID, list[BpReading]]:
    """Each patient's blood pressure readings since ``cutoff`` (the flags judge them)."""
    readings: dict[uuid.UUID, list[BpReading]] = defaultdict(list)
    for row in session.execute(
        select(Entry.owner_id, Entry.recorded_at, Entry.utc_offset, Entry.systolic, Entry.diastolic)
        .where(*owned_by(Entry, ids), Entry.recorded_at >= cutoff)
        .where(Entry.systolic.is_not(None), Entry.diastolic.is_not(None))
    ):
        readings[row.owner_id].append(
            BpReading(at_offset(row.recorded_at, row.utc_offset), row.systolic, row.diastolic)
        )
    return readings


def _session_pressures(
    session: DbSession, ids: list[uuid.UUID], cutoff: datetime
) -> tuple[dict[uuid.UUID, list[dict[str, Any]]], dict[str, datetime]]:
    """Each patient's sessions since ``cutoff`` with the pre and post means of their blood
    pressure and the rise, as the summary's session rows have them; and each session's time."""
    sessions: dict[uuid.UUID, dict[str, dict[str, Any]]] = defaultdict(dict)
    times: dict[str, datetime] = {}
    linked = (Entry.session_id == TreatmentSession.id) & Entry.deleted_at.is_(None)
    for owner_id, session_id, started_at, utc_offset, phase, systolic, diastolic in session.execute(
        select(
            TreatmentSession.owner_id,
            TreatmentSession.id,
            TreatmentSession.started_at,
            TreatmentSession.utc_offset,
            Entry.phase,
            func.avg(Entry.systolic),
            func.avg(Entry.diastolic),
        )
        .join(Entry, linked)
        .where(*owned_by(TreatmentSession, ids), TreatmentSession.started_at >= cutoff)
        .group_by(
            TreatmentSession.owner_id,
            TreatmentSession.id,
            TreatmentSession.started_at,
            TreatmentSession.utc_offset,
            Entry.phase,
        )
    ):
        key = str(session_id)
        times[key] = at_offset(started_at, utc_offset)
        item = sessions[owner_id].setdefault(key, {"id": key, "pre": {}, "post": {}, "delta": {}})
        for name, value in (("systolic", systolic), ("diastolic", diastolic)):
            if value is not None:
                item[phase][name] = float(value)
    for by_id in sessions.values():
        for item in by_id.values():
            item["delta"] = {
                name: item["post"][name] - item["pre"][name]
                for name in ("systolic", "diastolic")
                if name in item["pre"] and name in item["post"]
            }
    return {owner: list(by_id.values()) for owner, by_id in sessions.items()}, times


def _recent_assessments(
    session: DbSession, ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, list[AssessmentPoint]]:
    """Each patient's assessments of the last SCORE_DAYS, over which change is judged."""
    scored: dict[uuid.UUID, list[AssessmentPoint]] = defaultdict(list)
    for score in session.execute(
        select(
            Assessment.owner_id,
            Assessment.id,
            Assessment.instrument,
            Assessment.completed_at,
            Assessment.utc_offset,
            Assessment.total,
            Assessment.suicidal_item,
        ).where(
            *owned_by(Assessment, ids), Assessment.completed_at >= now - timedelta(days=SCORE_DAYS)
        )
    ):
        scored[score.owner_id].append(
            AssessmentPoint(
                str(score.id),
                score.instrument,
                at_offset(score.completed_at, score.utc_offset),
                score.total,
                score.suicidal_item,
            )
        )
    return scored


def _open_flags(
    session: DbSession, ids: list[uuid.UUID], now: datetime, settings: ClinicalSettings
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each patient's flags raised in the last OPEN_FLAG_DAYS, by the summary's own rules."""
    cutoff = now - timedelta(days=OPEN_FLAG_DAYS)
    readings = _readings(session, ids, cutoff)
    sessions, times = _session_pressures(session, ids, cutoff)
    scored = _recent_assessments(session, ids, now)
    result = {}
    for patient_id in ids:
        assessments = scored.get(patient_id, [])
        by_instrument = defaultdict(list)
        for a in assessments:
            by_instrument[a.instrument].append(a)
        raised = flags(
            bp_readings=readings.get(patient_id, []),
            sessions=sessions.get(patient_id, []),
            session_times=times,
            assessments=assessments,
            instruments={
                code: instrument_change(code, by_instrument[code], settings)
                for code in INSTRUMENT_ORDER
                if by_instrument.get(code)
            },
            settings=settings,
        )
        result[patient_id] = [f for f in raised if datetime.fromisoformat(f["at"]) >= cutoff]
    return result


def patient_list(
    session: DbSession, *, clinician_id: uuid.UUID, now: datetime, settings: ClinicalSettings
) -> list[dict[str, Any]]:
    """Return the clinician's linked patients (at most 1,000, by name) with their latest
    scores, last entry time and the flags raised in the last 30 days; the same number of
    queries however many."""
    rows = session.execute(
        select(User, CareLink.linked_at)
        .join(CareLink, CareLink.patient_id == User.id)
        .where(CareLink.clinician_id == clinician_id)
        .order_by(User.display_name, User.email)
        .limit(MAX_PATIENTS)
    ).all()
    ids = [user.id for user, _ in rows]
    if not ids:
        return []
    scores = _latest_scores(session, ids)
    last = _last_entries(session, ids)
    open_flags = _open_flags(session, ids, now, settings)
    return [
        {
            "id": user.id,
            "display_name": user.display_name,
            "email": user.email,
            "linked_at": linked_at,
            "latest_scores": scores.get(user.id, {}),
            "last_entry_at": last.get(user.id),
            "open_flags": open_flags[user.id],
        }
        for user, linked_at in rows
    ]
