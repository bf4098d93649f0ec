"""What a create's two statements cost on PostgreSQL by themselves, from a client on this
machine: a bare round trip, the sign-in lookup, and a new entry's INSERT with its triggers
and commit (then with the commit not waiting for the disk, to show what the flush costs,
and without the triggers that keep the day and week rows, to show what they cost).

    python bench/pg_statements.py            # the local server; $BENCH_POSTGRES_URL for another

A sync worker waits for these on every create; see "Why create on PostgreSQL stays below
0.25x" in README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from common import database_url
from summary import seed_patient

from symptom_journal import create_app
from symptom_journal.accounts.service import _resolve_statement
from symptom_journal.db import driver_statement, utcnow
from symptom_journal.extensions import db
from symptom_journal.journal.models import Entry
from symptom_journal.journal.service import ENTRIES
from symptom_journal.records import insert_if_new, new_row

COUNT = 2000


def timed(label: str, run: Callable[[int], object]) -> None:
    for i in range(100):  # warm up: the driver prepares a statement after five runs
        run(i)
    started = time.perf_counter()
    for i in range(COUNT):
        run(i)
    print(f"  {label:<44} {(time.perf_counter() - started) / COUNT * 1e6:7.0f} µs")


def main() -> int:
    instance = tempfile.mkdtemp(prefix="sj-pg-statements-")
    os.environ["INSTANCE_PATH"] = instance
    url = database_url("postgresql", instance)
    app = create_app({"SECRET_KEY": "pg", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        seed_patient("pg@example.org", "a long statement benchmark passphrase", 2000)
        # The app's own statements, as it sends them to the driver (db.execute_on_driver).
        dialect = db.engine.dialect
        lookup = driver_statement(_resolve_statement(), dialect)
        insert = insert_if_new(Entry.__table__, dialect.name)
        raw = db.engine.raw_connection()
    assert lookup is not None
    connection = raw.driver_connection
    connection.autocommit = True  # each statement stands alone, as in the app
    owner = connection.execute("SELECT id FROM users LIMIT 1").fetchone()[0]
    signed_in = connection.execute("SELECT token_hash FROM login_sessions LIMIT 1").fetchone()
    token_hash = signed_in[0] if signed_in else "no such token"  # an index probe either way
    rng = random.Random(7)
    first_day = datetime(2024, 1, 1, 8, tzinfo=timezone(timedelta(hours=1)))

    def insert_entry(_i: int) -> None:
        moment = first_day + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        values = {"recorded_at": moment, "mood": 5, "anxiety": 3, "sleep_hours": 7.5}
        row = new_row(ENTRIES, owner_id=owner, record_id=uuid.uuid4(), values=values, now=utcnow())
        compiled = driver_statement(insert, dialect, tuple(row))
        assert compiled is not None
        connection.execute(compiled.sql, compiled.parameters(row))

    print(f"PostgreSQL at {url.split('@')[-1]}, {COUNT} of each, one client:")
    timed("a round trip (SELECT 1)", lambda _i: connection.execute("SELECT 1").fetchone())
    timed(
        "the sign-in lookup's read (by token hash)",
        lambda _i: connection.execute(
            lookup.sql, lookup.parameters({"token_hash": token_hash})
        ).fetchone(),
    )
    timed("a new entry's INSERT, triggers and commit", insert_entry)
    connection.execute("SET synchronous_commit = off")
    timed("the same, the commit not waiting for the disk", insert_entry)
    # This throwaway database only: its day and week rows go out of step from here.
    connection.execute("ALTER TABLE entries DISABLE TRIGGER USER")
    timed("... and without the day and week triggers", insert_entry)
    raw.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
