"""The per-day table the database keeps: after every kind of write it equals the live entries
reduced by day, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import Uuid, bindparam, func, select, text

from symptom_journal import create_app, records
from symptom_journal.db import utcnow
from symptom_journal.extensions import db
from symptom_journal.journal import days
from symptom_journal.journal.days import MEASURES, EntryDay, EntryWeek
from symptom_journal.journal.models import Entry
from symptom_journal.journal.schemas import EntryIn
from symptom_journal.journal.service import ENTRIES
from symptom_journal.summaries import stats

from ..factories import PASSWORD, ApiClient, entry_body, put_entry, put_session, register

VERSIONS = Path(__file__).parents[2] / "migrations" / "versions"


def reduced_from_entries(session) -> dict:
    """The live entries reduced per owner and day, computed afresh."""
    columns = [Entry.owner_id, Entry.local_date, func.count()]
    for name in MEASURES:
        column = getattr(Entry, name)
        columns += [func.count(column), func.sum(column), func.min(column), func.max(column)]
    rows = session.execute(
        select(*columns)
        .where(Entry.deleted_at.is_(None))
        .group_by(Entry.owner_id, Entry.local_date)
    )
    return {(r[0], r[1]): tuple(_plain(v) for v in r[2:]) for r in rows}


def kept_by_triggers(session) -> dict:
    names = ["entries", *days.column_names()]
    rows = session.execute(select(EntryDay.owner_id, EntryDay.local_date, *map(text, names)))
    return {(r[0], r[1]): tuple(_plain(v) for v in r[2:]) for r in rows}


def _plain(value):
    return None if value is None else float(value)


def weeks_from_days(by_day: dict) -> dict:
    """Day rows (as ``reduced_from_entries`` gives them) summed per owner and ISO week."""
    grouped = defaultdict(list)
    for (owner, day), values in by_day.items():
        grouped[(owner, day - timedelta(days=day.weekday()))].append(values)
    weeks = {}
    for key, rows in grouped.items():
        summed = [float(len(rows)), sum(row[0] for row in rows)]
        for index in range(len(MEASURES)):
            n, total, low, high = zip(
                *(row[1 + 4 * index : 5 + 4 * index] for row in rows), strict=True
            )
            known = [v for v in total if v is not None]
            summed += [
                sum(n),
                sum(known) if known else None,
                min((v for v in low if v is not None), default=None),
                max((v for v in high if v is not None), default=None),
            ]
        weeks[key] = tuple(summed)
    return weeks


def kept_week_rows(session) -> dict:
    names = ["days", "entries", *days.column_names()]
    rows = session.execute(select(EntryWeek.owner_id, EntryWeek.week_start, *map(text, names)))
    return {(r[0], r[1]): tuple(_plain(v) for v in r[2:]) for r in rows}


def assert_in_step(sql) -> dict:
    """The day rows and the week rows equal a fresh reduction of the live entries."""
    kept = sql(kept_by_triggers)
    fresh = sql(reduced_from_entries)
    assert kept == fresh
    assert sql(kept_week_rows) == weeks_from_days(fresh)
    return kept


def test_every_kind_of_write_keeps_the_day_rows_in_step(patient, sql):
    first = put_entry(
        patient, recorded_at="2026-03-10T08:00:00+01:00", mood=4, systolic=150, diastolic=95
    )
    put_entry(patient, recorded_at="2026-03-10T21:00:00+01:00", mood=7, systolic=None)
    # 23:30 in New York is already the 11th in UTC; it counts on the patient's 10 March.
    late = put_entry(patient, recorded_at="2026-03-10T23:30:00-05:00", mood=2, anxiety=9)
    kept = assert_in_step(sql)
    (day,) = kept.values()
    assert day[0] == 3  # three entries on 10 March
    assert day[1:5] == (3, 13, 2, 7)  # mood: n, sum, min, max

    # An edit that changes a value, then one that moves an entry to another day.
    patient.patch(f"/api/v1/entries/{first['id']}", json={"mood": 9}, headers={"If-Match": "1"})
    assert assert_in_step(sql)[(patient.user_id, first_day(sql))][1:5] == (3, 18, 2, 9)
    patient.patch(
        f"/api/v1/entries/{late['id']}",
        json={"recorded_at": "2026-03-12T09:00:00-05:00"},
        headers={"If-Match": "1"},
    )
    kept = assert_in_step(sql)
    assert sorted(v[0] for v in kept.values()) == [1, 2]

    # A tombstone takes the entry out; the last entry of a day takes its row with it.
    assert patient.delete(f"/api/v1/entries/{late['id']}").status_code == 204
    kept = assert_in_step(sql)
    assert next(iter(kept.values()))[0] == 2
    assert len(kept) == 1


def first_day(sql):
    return sql(lambda s: s.scalar(select(EntryDay.local_date)))


def test_linking_and_import_and_erasure_keep_the_day_rows_in_step(app, patient, sql):
    session = put_session(patient)
    put_entry(patient, session_id=session["id"], phase="pre", mood=3)
    put_entry(patient, session_id=session["id"], phase="post", mood=6, dissociation=4)
    assert_in_step(sql)
    document = patient.get("/api/v1/export/json").get_json()

    fresh = register(app.test_client(), email="fresh@example.org")
    assert fresh.post("/api/v1/import", json=document).status_code in (200, 201)
    kept = assert_in_step(sql)
    assert {owner for owner, _ in kept} == {patient.user_id, fresh.user_id}

    response = patient.delete("/api/v1/account", json={"password": PASSWORD})
    assert response.status_code == 204, response.get_json()
    kept = assert_in_step(sql)
    assert {owner for owner, _ in kept} == {fresh.user_id}


def test_one_patients_writes_never_touch_anothers_day_rows(patient, other_patient, sql):
    put_entry(patient, mood=5)
    put_entry(other_patient, mood=1)
    kept = assert_in_step(sql)
    by_owner = {owner: values[1:5] for (owner, _), values in kept.items()}
    assert by_owner == {patient.user_id: (1, 5, 5, 5), other_patient.user_id: (1, 1, 1, 1)}


def migration(name: str):
    spec = importlib.util.spec_from_file_location(name, VERSIONS / f"{name}.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_and_the_models_make_the_same_triggers():
    made_days, made_weeks = migration("0005_entry_days"), migration("0007_entry_weeks")
    latest = migration("0009_add_new_entries_to_their_day")
    assert latest.sqlite_ddl() == days.sqlite_ddl()
    assert latest.postgresql_ddl() == days.postgresql_ddl()
    assert latest.sqlite_week_ddl() == days.sqlite_week_ddl()
    assert latest.postgresql_week_ddl() == days.postgresql_week_ddl()
    # What 0009 replaces, and puts back on downgrade, is what 0005 and 0007 made.
    old_days, old_weeks = made_days.sqlite_ddl(), made_weeks.sqlite_week_ddl()
    assert latest.previous_sqlite() == [old_days[0], old_weeks[0], old_weeks[2]]
    old_days, old_weeks = made_days.postgresql_ddl(), made_weeks.postgresql_week_ddl()
    assert latest.previous_postgresql() == [old_days[1], old_weeks[1]]
    # and what it keeps is theirs
    assert latest.sqlite_ddl()[1:] == made_days.sqlite_ddl()[1:]
    assert latest.sqlite_week_ddl()[1] == made_weeks.sqlite_week_ddl()[1]
    assert latest.postgresql_ddl()[0::2] == made_days.postgresql_ddl()[0::2]
    assert latest.postgresql_week_ddl()[0::2] == made_weeks.postgresql_week_ddl()[0::2]
    assert days.column_names() == made_days.COLUMNS == made_weeks.COLUMNS == latest.COLUMNS
    assert days.MEASURES == made_days.MEASURES == made_weeks.MEASURES == stats.MEASURES
    for dialect in ("sqlite", "postgresql"):
        week = days.week_of("local_date", dialect)
        assert made_weeks.reduce_weeks("1 = 1", week) == days.reduce_weeks("1 = 1", week)


def test_writes_across_weeks_keep_the_week_rows_in_step(patient, sql):
    # Sunday 15 and Monday 16 March 2026 are in two ISO weeks.
    sunday = put_entry(patient, recorded_at="2026-03-15T22:00:00+01:00", mood=2, sleep_hours=6.25)
    monday = put_entry(patient, recorded_at="2026-03-16T07:00:00+01:00", mood=8)
    assert_in_step(sql)
    weeks = sql(kept_week_rows)
    assert sorted((week.isoformat(), row[:4]) for (_, week), row in weeks.items()) == [
        ("2026-03-09", (1.0, 1.0, 1.0, 2.0)),  # days, entries, mood n, mood sum
        ("2026-03-16", (1.0, 1.0, 1.0, 8.0)),
    ]
    # Moving Monday's entry back to Sunday empties its week, whose row goes.
    patient.patch(
        f"/api/v1/entries/{monday['id']}",
        json={"recorded_at": "2026-03-15T09:00:00+01:00"},
        headers={"If-Match": "1"},
    )
    assert_in_step(sql)
    weeks = sql(kept_week_rows)
    assert [(week.isoformat(), row[:4]) for (_, week), row in weeks.items()] == [
        ("2026-03-09", (1.0, 2.0, 2.0, 10.0))
    ]
    assert patient.delete(f"/api/v1/entries/{sunday['id']}").status_code == 204
    assert patient.delete(f"/api/v1/entries/{monday['id']}").status_code == 204
    assert_in_step(sql)
    assert sql(kept_week_rows) == {}


def test_the_triggers_exist_in_the_migrated_database(sql):
    def names(session) -> tuple[str, set[str]]:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return dialect, set(session.execute(text(query)).scalars())

    dialect, found = sql(names)
    expected = (
        {"entries_days_insert_delete", "entries_days_update", "entry_days_weeks"}
        if dialect == "postgresql"
        else {
            "entries_days_insert",
            "entries_days_delete",
            "entries_days_update",
            "entry_days_weeks_insert",
            "entry_days_weeks_delete",
            "entry_days_weeks_update",
            "entry_days_weeks_moved",
        }
    )
    assert found == expected


def test_the_day_rows_are_clustered_on_their_key_on_sqlite(sql):
    def layout(session) -> tuple[str, str]:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            query = "SELECT relkind::text FROM pg_class WHERE relname = 'entry_days'"
        else:
            query = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entry_days'"
        return dialect, session.execute(text(query)).scalar_one()

    dialect, found = sql(layout)
    if dialect == "postgresql":
        assert found == "r"  # an ordinary table: the clustering migration leaves it alone
    else:
        assert found.rstrip().endswith("WITHOUT ROWID")


def test_clustering_keeps_the_rows_and_the_triggers_both_ways(tmp_path, monkeypatch):
    """Migration 0006 rebuilds the SQLite table (on PostgreSQL it does nothing): nothing is
    lost, and writes still count, after upgrading and after downgrading."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'clustered.db'}",
            "PASSWORD_HASH_PROFILE": "cheapest",
        }
    )
    app.test_client_class = ApiClient
    directory = str(app.config["MIGRATIONS_DIR"])

    def table_sql() -> str:
        with app.app_context():
            return db.session.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'entry_days'")
            ).scalar_one()

    def state() -> dict:
        with app.app_context():
            kept = kept_by_triggers(db.session)
            assert kept == reduced_from_entries(db.session)
            db.session.remove()
            return kept

    # Entries are written through the journal's code, not the API: signing in at an old
    # schema would need the sign-in tables of today.
    owner = uuid.uuid4()

    def write(recorded_at: str, mood: int) -> None:
        with app.app_context():
            values = EntryIn().load(entry_body(recorded_at=recorded_at, mood=mood))
            records.put_record(
                db.session,
                ENTRIES,
                owner_id=owner,
                record_id=uuid.uuid4(),
                values=values,
                if_match=None,
                now=utcnow(),
            )
            db.session.commit()
            db.session.remove()

    with app.app_context():
        upgrade(directory=directory, revision="0005")
        db.session.execute(
            text(
                "INSERT INTO users (id, email, email_key, password_hash, role, timezone, "
                "created_at, updated_at, failed_logins) VALUES (:id, 'c@example.org', "
                "'c@example.org', 'x', 'patient', 'UTC', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
            ).bindparams(bindparam("id", type_=Uuid)),
            {"id": owner},
        )
        db.session.commit()
    for hour in (8, 20):
        write(f"2026-03-02T{hour:02d}:00:00+01:00", hour // 2)
    before = state()
    assert len(before) == 1
    assert "WITHOUT ROWID" not in table_sql()

    with app.app_context():
        upgrade(directory=directory)
    assert "WITHOUT ROWID" in table_sql()
    assert state() == before
    write("2026-03-03T09:00:00+01:00", 7)
    after = state()
    assert len(after) == 2

    with app.app_context():
        downgrade(directory=directory, revision="0005")
    assert "WITHOUT ROWID" not in table_sql()
    assert state() == after
    write("2026-03-04T09:00:00+01:00", 1)
    assert len(state()) == 3
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
