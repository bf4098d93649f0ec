"""For random journals, the database path of the summary agrees with the pure reference path,
and both agree with a naive recomputation from the raw entries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone
from statistics import mean

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symptom_journal import records
from symptom_journal.accounts.models import User
from symptom_journal.assessments.service import ASSESSMENTS
from symptom_journal.clinical import ClinicalSettings
from symptom_journal.db import utcnow
from symptom_journal.extensions import db
from symptom_journal.journal.service import ENTRIES, SESSIONS
from symptom_journal.summaries.service import build_summary
from symptom_journal.summaries.stats import (
    AssessmentPoint,
    EntryPoint,
    Period,
    SessionPoint,
    summarize_entries,
)

START = date(2026, 1, 1)  # a Thursday
PERIOD = Period(START + timedelta(days=5), START + timedelta(days=34))


@st.composite
def periods(draw):
    """Periods inside the entries' 41 days: whole and partial ISO weeks at either end, a
    single partial week, a single day."""
    first = draw(st.integers(min_value=0, max_value=20))
    last = draw(st.integers(min_value=first, max_value=40))
    return Period(START + timedelta(days=first), START + timedelta(days=last))


offsets = st.sampled_from([-480, -300, -240, 0, 60, 330, 540, 840])


@st.composite
def moments(draw):
    day = draw(st.integers(min_value=0, max_value=40))
    minute = draw(st.integers(min_value=0, max_value=24 * 60 - 1))
    offset = draw(offsets)
    local = datetime(2026, 1, 1) + timedelta(days=day, minutes=minute)
    return local.replace(tzinfo=timezone(timedelta(minutes=offset)))


@st.composite
def entry_values(draw):
    values = {
        "mood": draw(st.none() | st.integers(0, 10)),
        "anxiety": draw(st.none() | st.integers(0, 10)),
        "sleep_hours": draw(st.none() | st.integers(0, 96).map(lambda q: q / 4)),
        "sleep_quality": draw(st.none() | st.integers(0, 10)),
        "dissociation": draw(st.none() | st.integers(0, 10)),
        "heart_rate": draw(st.none() | st.integers(25, 250)),
    }
    if draw(st.booleans()):
        systolic = draw(st.integers(90, 230))
        values["systolic"] = systolic
        values["diastolic"] = draw(st.integers(50, min(150, systolic - 1)))
    if all(v is None for v in values.values()):
        values["mood"] = draw(st.integers(0, 10))
    return values


@st.composite
def journals(draw):
    sessions = [
        {"id": str(uuid.uuid4()), "started_at": draw(moments())}
        for _ in range(draw(st.integers(0, 4)))
    ]
    entries = []
    for _ in range(draw(st.integers(0, 40))):
        link = draw(st.none() | st.sampled_from(sessions)) if sessions else None
        entries.append(
            {
                "id": str(uuid.uuid4()),
                "recorded_at": draw(moments()),
                "values": draw(entry_values()),
                "session_id": link["id"] if link else None,
                "phase": draw(st.sampled_from(["pre", "post"])) if link else None,
            }
        )
    assessments = []
    for _ in range(draw(st.integers(0, 6))):
        code = draw(st.sampled_from(["phq9", "gad7", "pcl5"]))
        size, top = {"phq9": (9, 3), "gad7": (7, 3), "pcl5": (20, 4)}[code]
        answers = draw(st.lists(st.integers(0, top), min_size=size, max_size=size))
        assessments.append(
            {"id": str(uuid.uuid4()), "instrument": code, "at": draw(moments()), "answers": answers}
        )
    deleted = draw(st.sets(st.sampled_from([e["id"] for e in entries]))) if entries else set()
    return {
        "sessions": sessions,
        "entries": entries,
        "assessments": assessments,
        "deleted": deleted,
        "period": draw(st.just(PERIOD) | periods()),
    }


def store(journal) -> uuid.UUID:
    """Write a journal through the record services for a new owner; return the owner's id."""
    owner = User(
        email=f"{uuid.uuid4()}@example.org",
        password_hash="-",
        role="patient",
        timezone="UTC",
    )
    owner.email_key = owner.email
    db.session.add(owner)
    db.session.flush()
    now = utcnow()
    put = records.put_record
    for s in journal["sessions"]:
        values = {"started_at": s["started_at"], "treatment": "ketamine_iv"}
        put(
            db.session,
            SESSIONS,
            owner_id=owner.id,
            record_id=uuid.UUID(s["id"]),
            values=values,
            if_match=None,
            now=now,
        )
    for e in journal["entries"]:
        values = {"recorded_at": e["recorded_at"], **e["values"]}
        if e["session_id"]:
            values |= {"session_id": uuid.UUID(e["session_id"]), "phase": e["phase"]}
        put(
            db.session,
            ENTRIES,
            owner_id=owner.id,
            record_id=uuid.UUID(e["id"]),
            values=values,
            if_match=None,
            now=now,
        )
    for a in journal["assessments"]:
        values = {"completed_at": a["at"], "instrument": a["instrument"], "answers": a["answers"]}
        put(
            db.session,
            ASSESSMENTS,
            owner_id=owner.id,
            record_id=uuid.UUID(a["id"]),
            values=values,
            if_match=None,
            now=now,
        )
    for record_id in journal["deleted"]:
        records.delete_record(
            db.session,
            ENTRIES,
            owner_id=owner.id,
            record_id=uuid.UUID(record_id),
            if_match=None,
            now=now,
        )
    db.session.commit()
    return owner.id


def reference(journal):
    live = [e for e in journal["entries"] if e["id"] not in journal["deleted"]]
    return summarize_entries(
        period=journal["period"],
        entries=[
            EntryPoint(e["id"], e["recorded_at"], e["values"], e["session_id"], e["phase"])
            for e in live
        ],
        sessions=[
            SessionPoint(s["id"], s["started_at"], "ketamine_iv") for s in journal["sessions"]
        ],
        assessments=[
            AssessmentPoint(
                a["id"],
                a["instrument"],
                a["at"],
                sum(a["answers"]),
                a["answers"][8] if a["instrument"] == "phq9" else None,
            )
            for a in journal["assessments"]
        ],
        settings=ClinicalSettings(),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(journal=journals())
def test_database_path_equals_reference_and_naive_recomputation(app, journal):
    period = journal["period"]
    with app.app_context():
        owner_id = store(journal)
        fast = build_summary(
            db.session, owner_id=owner_id, period=period, settings=ClinicalSettings()
        )
        db.session.remove()
    assert fast == reference(journal)

    # Naive recomputation of the simplest numbers straight from the raw entries.
    live = [
        e
        for e in journal["entries"]
        if e["id"] not in journal["deleted"] and e["recorded_at"].date() in period
    ]
    assert fast["adherence"] == {
        "days_logged": len({e["recorded_at"].date() for e in live}),
        "days_in_period": period.days,
        "entries": len(live),
    }
    for name in ("mood", "sleep_hours", "systolic"):
        values = [e["values"][name] for e in live if e["values"].get(name) is not None]
        if not values:
            assert name not in fast["metrics"]
            continue
        metric = fast["metrics"][name]
        assert metric["n"] == len(values)
        assert metric["mean"] == round(mean(values), 2)
        assert (metric["min"], metric["max"]) == (min(values), max(values))
        by_day = defaultdict(list)
        by_week = defaultdict(list)
        for e in live:
            if e["values"].get(name) is not None:
                day = e["recorded_at"].date()
                by_day[day].append(e["values"][name])
                by_week[day - timedelta(days=day.weekday())].append(e["values"][name])
        assert [d["date"] for d in metric["daily"]] == [d.isoformat() for d in sorted(by_day)]
        assert [d["mean"] for d in metric["daily"]] == [
            round(mean(by_day[d]), 2) for d in sorted(by_day)
        ]
        assert metric["weekly"] == [
            {"week_start": w.isoformat(), "mean": round(mean(by_week[w]), 2), "n": len(by_week[w])}
            for w in sorted(by_week)
        ]


def test_other_patients_rows_change_nothing(app):
    journal = {
        "sessions": [],
        "entries": [
            {
                "id": str(uuid.uuid4()),
                "recorded_at": datetime(2026, 1, 10, 9, tzinfo=UTC),
                "values": {"mood": 3},
                "session_id": None,
                "phase": None,
            }
        ],
        "assessments": [],
        "deleted": set(),
    }
    noise = {
        **journal,
        "entries": [{**journal["entries"][0], "id": str(uuid.uuid4()), "values": {"mood": 9}}],
    }
    with app.app_context():
        mine = store(journal)
        store(noise)
        result = build_summary(
            db.session, owner_id=mine, period=PERIOD, settings=ClinicalSettings()
        )
        db.session.remove()
    assert result["metrics"]["mood"]["n"] == 1
    assert result["metrics"]["mood"]["mean"] == 3.0
