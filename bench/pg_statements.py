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
from datetime import UTC, datetime, timedelta

import psycopg
from common import database_url
from sqlalchemy.engine import make_url
from summary import seed_patient

from symptom_journal import create_app

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
    address = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(address, autocommit=True) as connection:
        owner, token_hash = connection.execute(
            "SELECT user_id, token_hash FROM login_sessions LIMIT 1"
        ).fetchone() or (None, None)
        if owner is None:  # no login made by the seed: any user will do for the INSERT
            owner = connection.execute("SELECT id FROM users LIMIT 1").fetchone()[0]  # type: ignore[index]
        rng = random.Random(7)
        first_day = datetime(2024, 1, 1, tzinfo=UTC)

        def insert(_i: int) -> None:
            moment = first_day + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            connection.execute(
                "INSERT INTO entries (recorded_at, mood, anxiety, sleep_hours, side_effects,"
                " id, owner_id, utc_offset, local_date, version, created_at, updated_at)"
                " VALUES (%s, 5, 3, 7.5, '[]', %s, %s, 0, %s, 1, now(), now())"
                " ON CONFLICT (id) DO NOTHING",
                (moment, uuid.uuid4(), owner, moment.date()),
            )

        print(f"PostgreSQL at {make_url(url).render_as_string()}, {COUNT} of each, one client:")
        timed("a round trip (SELECT 1)", lambda _i: connection.execute("SELECT 1").fetchone())
        timed(
            "the sign-in lookup's read (by token hash)",
            lambda _i: connection.execute(
                "SELECT s.id, s.last_seen_at, s.expires_at, u.id, u.email, u.role "
                "FROM login_sessions s JOIN users u ON u.id = s.user_id "
                "WHERE s.token_hash = %s",
                (token_hash or "none",),
            ).fetchone(),
        )
        timed("a new entry's INSERT, triggers and commit", insert)
        connection.execute("SET synchronous_commit = off")
        timed("the same, the commit not waiting for the disk", insert)
        # This throwaway database only: its day and week rows go out of step from here.
        connection.execute("ALTER TABLE entries DISABLE TRIGGER USER")
        timed("... and without the day and week triggers", insert)
    return 0


if __name__ == "__main__":
    sys.exit(main())
