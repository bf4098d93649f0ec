"""The per-day table the database keeps: after every kind of write it equals the live entries
reduced by day, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import func, select, text

from symptom_journal.journal import days
from symptom_journal.journal.days import MEASURES, EntryDay
from symptom_journal.journal.models import Entry
from symptom_journal.summaries import stats

from ..factories import PASSWORD, put_entry, put_session, register

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0005_entry_days.py"


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


def assert_in_step(sql) -> dict:
    kept = sql(kept_by_triggers)
    assert kept == sql(reduced_from_entries)
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


def test_the_migration_and_the_models_make_the_same_triggers():
    spec = importlib.util.spec_from_file_location("migration_0005", MIGRATION)
    assert spec
    assert spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.sqlite_ddl() == days.sqlite_ddl()
    assert migration.postgresql_ddl() == days.postgresql_ddl()
    assert days.column_names() == migration.COLUMNS
    assert days.MEASURES == migration.MEASURES == stats.MEASURES


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
        {"entries_days_insert_delete", "entries_days_update"}
        if dialect == "postgresql"
        else {"entries_days_insert", "entries_days_delete", "entries_days_update"}
    )
    assert found == expected
