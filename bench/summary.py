"""Benchmark of GET /api/v1/summary's work, in process, against a floor measured in the same run.

Seeds deterministic data (a patient with five years of entries and 60 sessions, a heavy
patient with 50,000 entries, then other patients up to 1,000,000 entry rows in all) and
times the summary (SQL aggregates, statistics and JSON encoding) against the floor: the raw
DBAPI read of the same patient's entry rows for the same period. The two are timed in
turns (floor, summary, floor, ...) so that the machine's drift falls on both alike; medians
of 31 each, after a few seconds of untimed runs.

    python bench/summary.py                      # SQLite and PostgreSQL
    python bench/summary.py --db sqlite --repeat 51 --rows 60000
    BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres python bench/summary.py

The PostgreSQL run uses (and recreates) a database named symptom_journal_bench.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from common import database_url
from flask import current_app
from sqlalchemy import insert, text

from symptom_journal import create_app
from symptom_journal.accounts.models import User
from symptom_journal.clinical import ClinicalSettings
from symptom_journal.extensions import db
from symptom_journal.journal import days
from symptom_journal.journal.models import Entry, TreatmentSession
from symptom_journal.summaries.service import build_summary
from symptom_journal.summaries.stats import Period

TARGETS = {  # (database, patient) -> largest acceptable ratio to the floor
    ("sqlite", "five years"): 2.0,
    ("postgresql", "five years"): 3.0,
    ("sqlite", "heavy"): 1.5,
    ("postgresql", "heavy"): 1.5,
}
NOISE_TARGET = 1.2  # with 1,000,000 rows of others, at most 20% slower than with none
END = date(2026, 6, 30)
START = END - timedelta(days=5 * 365 - 1)
PERIOD = Period(START, END)  # the whole five years
RECENT = Period(END - timedelta(days=89), END)  # the default period: the last 90 days
BATCH = 20_000
OFFSETS = (-300, -240)  # New York, winter and summer

FLOOR_SQL = (
    "SELECT local_date, recorded_at, utc_offset, mood, anxiety, sleep_hours, sleep_quality, "
    "dissociation, systolic, diastolic, heart_rate, session_id, phase FROM entries "
    "WHERE owner_id = {p} AND deleted_at IS NULL AND local_date >= {p} AND local_date <= {p}"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def entry_rows(owner: uuid.UUID, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Yield ``count`` realistic daily entries spread evenly over the five years."""
    days = (END - START).days + 1
    now = datetime.now(UTC)
    for index in range(count):
        day = START + timedelta(days=index * days // count)
        offset = OFFSETS[day.month in range(4, 11)]
        local = datetime(day.year, day.month, day.day, 20, rng.randint(0, 59))
        recorded = local.replace(tzinfo=timezone(timedelta(minutes=offset))).astimezone(UTC)
        bp = rng.random() < 0.1
        systolic = rng.randint(105, 150) if bp else None
        yield {
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "owner_id": owner,
            "utc_offset": offset,
            "local_date": day,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
            "recorded_at": recorded,
            "mood": rng.randint(2, 9),
            "anxiety": rng.randint(0, 8),
            "sleep_hours": rng.randint(20, 36) / 4,
            "sleep_quality": rng.randint(2, 9),
            "dissociation": None,
            "systolic": systolic,
            "diastolic": rng.randint(60, 95) if bp else None,
            "heart_rate": rng.randint(55, 95) if bp else None,
            "side_effects": [],
            "note": None,
            "session_id": None,
            "phase": None,
        }


def session_rows(owner: uuid.UUID, count: int, rng: random.Random) -> list[dict[str, Any]]:
    days = (END - START).days
    now = datetime.now(UTC)
    rows = []
    for index in range(count):
        day = START + timedelta(days=3 + index * days // count)
        started = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
        rows.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "owner_id": owner,
                "utc_offset": 0,
                "local_date": day,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
                "started_at": started,
                "duration_minutes": 45,
                "treatment": "ketamine_iv",
                "dose_mg": 40.0,
                "clinic": None,
                "notes": None,
            }
        )
    return rows


def linked_entries(sessions: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Return a pre and a post entry for each session."""
    rows = []
    for session in sessions:
        for phase, minutes in (("pre", -20), ("post", 70)):
            row = next(entry_rows(session["owner_id"], 1, rng))
            row |= {
                "recorded_at": session["started_at"] + timedelta(minutes=minutes),
                "utc_offset": 0,
                "local_date": session["local_date"],
                "dissociation": rng.randint(0, 7) if phase == "post" else None,
                "systolic": rng.randint(115, 160),
                "diastolic": rng.randint(70, 95),
                "session_id": session["id"],
                "phase": phase,
            }
            rows.append(row)
    return rows


def insert_batches(rows: Iterator[dict[str, Any]] | list[dict[str, Any]], table: Any) -> int:
    done, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(table), batch)
            db.session.commit()
            done += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(table), batch)
        db.session.commit()
        done += len(batch)
    return done


def add_user(email: str, password: str | None = None) -> uuid.UUID:
    """Add a patient; one without a password cannot sign in."""
    hashed = current_app.extensions["password_hasher"].hash(password) if password else "-"
    user = User(email=email, email_key=email, password_hash=hashed, role="patient", timezone="UTC")
    db.session.add(user)
    db.session.commit()
    return user.id


def seed_patient(email: str, password: str, entries: int) -> uuid.UUID:
    """In an app context: empty the schema, then add one patient who can sign in, with
    ``entries`` check-ins (a fixed random seed), and bring the statistics up to date."""
    db.drop_all()
    db.create_all()
    owner = add_user(email, password)
    insert_batches(entry_rows(owner, entries, random.Random(1)), Entry.__table__)
    db.session.remove()
    analyze()  # as a database in service has: the planner's statistics
    db.engine.dispose()
    return owner


def analyze() -> None:
    """Bring the planner's statistics up to date; on PostgreSQL also vacuum, so that
    autovacuum does not start on the freshly loaded tables in the middle of the timings; on
    SQLite also move the write-ahead log into the database file. Then let the operating system
    write the seeded pages out before anything is timed."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        raw = db.engine.raw_connection()  # in autocommit: no BEGIN around the checkpoint
        try:
            raw.execute("ANALYZE")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    os.sync()


@contextmanager
def triggers_off() -> Iterator[None]:
    """Seed a million rows without the per-day and per-week triggers, then rebuild the day and
    week rows at once.

    The triggers recompute a day per inserted row, and a week per day row, which is right
    for the app's writes and slow for a bulk seed (on PostgreSQL, a PL/pgSQL call per row).
    The result is the same tables: ``days.reduce`` and ``days.reduce_weeks`` are the
    statements the triggers and the migrations use.
    """
    dialect = db.engine.dialect.name
    with db.engine.begin() as conn:
        if dialect == "postgresql":
            conn.execute(text("ALTER TABLE entries DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE entry_days DISABLE TRIGGER USER"))
        else:
            for name in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars():
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM entry_weeks"))
            conn.execute(text("DELETE FROM entry_days"))
            conn.exec_driver_sql(days.reduce("1 = 1"))
            conn.exec_driver_sql(days.reduce_weeks("1 = 1", days.week_of("local_date", dialect)))
            if dialect == "postgresql":
                conn.execute(text("ALTER TABLE entries ENABLE TRIGGER USER"))
                conn.execute(text("ALTER TABLE entry_days ENABLE TRIGGER USER"))
            else:
                for statement in days.ddl(dialect):
                    conn.exec_driver_sql(statement)


def timed(fns: list[Callable[[], Any]], repeat: int) -> list[list[float]]:
    """Time each of ``fns`` ``repeat`` times, taking turns, after 2 warm-ups each: a burst of
    noise on the machine then falls on all of them alike instead of on one."""
    for fn in fns:
        for _ in range(2):
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, times in zip(fns, samples, strict=True):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return samples


def summary_once(owner: uuid.UUID, period: Period) -> Callable[[], int]:
    def run() -> int:
        body = build_summary(db.session, owner_id=owner, period=period, settings=ClinicalSettings())
        db.session.rollback()
        return len(current_app.json.dumps(body))

    return run


def floor_once(owner: uuid.UUID, period: Period) -> Callable[[], int]:
    dialect = db.engine.dialect.name
    placeholder = "?" if dialect == "sqlite" else "%s"
    sql = FLOOR_SQL.format(p=placeholder)
    # The same values the ORM binds: SQLite stores UUIDs as 32 hex characters.
    owner_param: Any = owner.hex if dialect == "sqlite" else owner
    params: tuple[Any, ...] = (owner_param, period.start.isoformat(), period.end.isoformat())
    if dialect != "sqlite":
        params = (owner_param, period.start, period.end)

    def run() -> int:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            cursor.close()
            raw.rollback()
        finally:
            raw.close()
        return len(rows)

    return run


def settle(owner: uuid.UUID, seconds: float = 3.0) -> None:
    """Run the work untimed for a few seconds: right after seeding, everything here ran at
    about half speed for a second or two (both the floor and the summary)."""
    floor, summary = floor_once(owner, PERIOD), summary_once(owner, PERIOD)
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        floor()
        summary()


def describe(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"{statistics.median(ms):8.2f} ms  ({min(ms):.2f}-{max(ms):.2f})"


def measure(name: str, owner: uuid.UUID, repeat: int, period: Period = PERIOD) -> dict[str, Any]:
    rows = floor_once(owner, period)()
    floor, work = timed([floor_once(owner, period), summary_once(owner, period)], repeat)
    ratio = statistics.median(work) / statistics.median(floor)
    print(
        f"  {name:<22} {rows:>6} rows  summary {describe(work)}   floor {describe(floor)}"
        f"   ratio {ratio:5.2f}"
    )
    return {
        "rows": rows,
        "summary": statistics.median(work),
        "floor": statistics.median(floor),
        "ratio": ratio,
    }


def run(database: str, url: str, repeat: int, total_rows: int) -> list[str]:
    log(f"[{database}] seeding")
    os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="sj-bench-"))
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    failures = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        rng = random.Random(20261126)
        main = add_user("five-years@example.org")
        sessions = session_rows(main, 60, rng)
        insert_batches(sessions, TreatmentSession.__table__)
        linked = linked_entries(sessions, rng)
        insert_batches(linked, Entry.__table__)
        insert_batches(entry_rows(main, 5_500 - len(linked), rng), Entry.__table__)
        heavy = add_user("heavy@example.org")
        insert_batches(entry_rows(heavy, 50_000, rng), Entry.__table__)
        analyze()

        print(f"\n{database}: the summary vs the raw read of the same rows (median of {repeat})")
        settle(main)
        results = {
            "five years": measure("five years, all of it", main, repeat),
            "heavy": measure("heavy, all of it", heavy, repeat),
        }
        recent = measure("five years, last 90 days", main, repeat, RECENT)
        measure("heavy, last 90 days", heavy, repeat, RECENT)
        log(f"[{database}] adding other patients up to {total_rows:,} rows")
        seeded = 5_500 + 50_000
        number = 0
        with triggers_off():
            while seeded < total_rows:
                other = add_user(f"other{number}@example.org")
                count = min(2_000, total_rows - seeded)
                seeded += insert_batches(entry_rows(other, count, rng), Entry.__table__)
                number += 1
        day_rows, days_with_entries, week_days, week_entries, live = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM entry_days), (SELECT count(*) FROM "
                "(SELECT DISTINCT owner_id, local_date FROM entries WHERE deleted_at IS NULL) d), "
                "(SELECT sum(days) FROM entry_weeks), (SELECT sum(entries) FROM entry_weeks), "
                "(SELECT count(*) FROM entries WHERE deleted_at IS NULL)"
            )
        ).one()
        db.session.rollback()
        assert day_rows == days_with_entries == week_days, (day_rows, days_with_entries, week_days)
        assert week_entries == live, (week_entries, live)
        analyze()
        print(f"  with {seeded:,} entry rows in the table ({number} other patients):")
        settle(main)
        crowded = measure("five years, all of it", main, repeat)
        crowded_recent = measure("five years, last 90 days", main, repeat, RECENT)
        db.session.remove()

    for (target_db, patient), limit in TARGETS.items():
        if target_db == database and results[patient]["ratio"] > limit:
            failures.append(
                f"{database} {patient}: ratio {results[patient]['ratio']:.2f} > {limit}"
            )
    for label, alone, among in (
        ("all of it", results["five years"], crowded),
        ("last 90 days", recent, crowded_recent),
    ):
        slowdown = among["summary"] / alone["summary"]
        # The machine's own speed drifts between the two phases, minutes apart; the floor,
        # timed in turns with the summary, moves with it. So the slowdown is judged on the
        # ratio to the floor, and the plain one is shown next to it.
        relative = among["ratio"] / alone["ratio"]
        print(
            f"  {label}: {relative:.2f}x the ratio to the floor among other patients' rows "
            f"(target <= {NOISE_TARGET}); {slowdown:.2f}x the time"
        )
        if relative > NOISE_TARGET:
            failures.append(
                f"{database} {label}: {relative:.2f}x the ratio to the floor among others' rows"
            )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--rows", type=int, default=1_000_000, help="entry rows in all")
    args = parser.parse_args()
    failures = []
    for database in ("sqlite", "postgresql"):
        if args.db in (database, "both"):
            url = database_url(database, tempfile.mkdtemp(prefix="sj-bench-"))
            failures += run(database, url, args.repeat, args.rows)
    print()
    print("\n".join(f"MISSED: {f}" for f in failures) if failures else "All targets met.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
